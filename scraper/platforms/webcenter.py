"""Oracle WebCenter Portal with WebCenter Content.

Every article is a content item named by its ``dDocName`` (``…/pages_tin-tuc/chi-tiet?dDocName=PORTAL512708``),
so that parameter is the whole query of an article's key: ADF state (``_afrLoop``, ``_afrWindowMode``,
``_adf.ctrl-state``) changes on every visit. The same ``dDocName`` under ``/webcenter/documentContent``
or ``idcplg`` is a file (an image, a PDF), not an article page. Article pages come from each
site's own Content Presenter template, whose markup was not recorded, so title, date and body go
through the generic layer until a portal profile names them. Listings seen hold ``div.bnc-content``
items with an ``h4`` link and ``span.time`` (``dd/mm/yyyy HH:MM:SS``), and page with
``selectedPage=N``.
"""

from __future__ import annotations

import re

from scraper.core.urls import IdParam, KeyRules
from scraper.pages.spec import ArticleLinks, Paging, Platform

# ADF Faces state: a new value on every visit, never part of any key or listing identity.
ADF_STATE = re.compile(r"^(_afr\w+|_adf\.[\w.-]+)$", re.IGNORECASE)

SPEC = Platform(
    name="webcenter",
    listing={"item": ("div.bnc-content",), "link": ("h4 a",), "title": ("h4",), "date": ("span.time",)},
    # div.bnc-content is a listing item: inside an article it can only be a "Tin cùng chuyên mục" box.
    exclude=(".bnc-content",),
    keys=KeyRules(keys=(IdParam("ddocname", "dDocName"),), drop=ADF_STATE),
    articles=ArticleLinks(
        match=(re.compile(r"^[^?#]*/portal/[^?#]*\?(?:[^#]*&)?ddocname=[^&#\s]", re.IGNORECASE),),
        exclude=(re.compile(r"^[^?#]*/(documentContent|idcplg|content/conn)(/|\?|#|$)", re.IGNORECASE),),
    ),
    paging=Paging(numbered=re.compile(r"^(selectedpage|page)$", re.IGNORECASE), state=ADF_STATE),
)
