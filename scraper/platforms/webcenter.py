"""Oracle WebCenter Portal with WebCenter Content (Quảng Nam and its districts, the Ministry of Finance).

Every article is a content item named by its ``dDocName`` (``…/pages_tin-tuc/chi-tiet?dDocName=PORTAL512708``),
so that parameter is the whole query of an article's key: ADF state (``_afrLoop``, ``_afrWindowMode``,
``_adf.ctrl-state``) changes on every visit. The same ``dDocName`` under ``/webcenter/documentContent``
or ``idcplg`` is a file (an image, a PDF), not an article page. Article pages come from each
site's own Content Presenter template, whose markup was not recorded, so title, date and body go
through the generic layer until a portal profile names them. Listings seen on the Ministry's site
hold ``div.bnc-content`` items with an ``h4`` link and ``span.time`` (``dd/mm/yyyy HH:MM:SS``), and
page with ``selectedPage=N`` (seen in a public repository).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scraper.pages.base import ArticlePage as BaseArticlePage
from scraper.pages.base import ListingPage as BaseListingPage
from scraper.pages.base import href_of
from scraper.pages.paging import numbered_next
from scraper.urls import canonical_url

# ADF Faces state: a new value on every visit, never part of any key or listing identity.
ADF_STATE = re.compile(r"^(_afr\w+|_adf\.[\w.-]+)$", re.IGNORECASE)
PAGE_PARAMS = frozenset({"selectedpage", "page"})
_FILE_PATHS = re.compile(r"/(documentContent|idcplg|content/conn)(/|$)", re.IGNORECASE)


def doc_name(url: str) -> str | None:
    for name, value in parse_qsl(urlsplit(url).query):
        if name.lower() == "ddocname" and value.strip():
            return value.strip()
    return None


def webcenter_canonical(url: str) -> str:
    parts = urlsplit(url)
    name = doc_name(url)
    if name:
        query = urlencode({"dDocName": name})
        return canonical_url(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")), keep=frozenset({"dDocName"}))
    return canonical_url(url, drop=ADF_STATE)


class ArticlePage(BaseArticlePage):
    platform = "webcenter"
    # div.bnc-content is a listing item: inside an article it can only be a "Tin cùng chuyên mục" box.
    EXCLUDE = BaseArticlePage.EXCLUDE + (".bnc-content",)

    @classmethod
    def canonical(cls, url: str) -> str:
        return webcenter_canonical(url)


class ListingPage(BaseListingPage):
    platform = "webcenter"
    SELECTORS = {
        "item": ("div.bnc-content",),
        "link": ("h4 a",),
        "title": ("h4",),
        "date": ("span.time",),
    }

    def is_article_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return bool(doc_name(url)) and "/portal/" in path.lower() and not _FILE_PATHS.search(path)

    def next_page(self) -> str | None:
        nodes, origin = self._select("listing", "next", self.SELECTORS)
        if nodes:
            url = self.absolute(href_of(nodes[0]))
            if url and url != self.url:
                self.sources["next"] = origin
                return url
        url = numbered_next(self, PAGE_PARAMS, ignore=ADF_STATE)
        if url:
            self.sources["next"] = "platform"
            return url
        return super().next_page()
