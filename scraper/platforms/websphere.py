"""IBM WebSphere Portal with Web Content Manager.

Article markup comes from each site's own WCM presentation template, so title, date and body
selectors mostly belong in portal profiles; the defaults below are the template class names seen
most. What the platform does fix is addressing: an article's key is its WCM path (the ``urile``
parameter, ``wcm:path:/library/site/…``) or its content UUID under ``/wps/wcm/connect/``, never
the ``/!ut/p/…`` navigation-state URLs, which encode portal state and change between visits.
WCM menus page with ``WCM_Page.<component id>=N``.
"""

from __future__ import annotations

import re

from scraper.core.urls import IdParam, KeyRules, Rewrite
from scraper.pages.spec import ArticleLinks, Paging, Platform

SPEC = Platform(
    name="websphere",
    article={
        "title": (".ArticleTitle", ".article-title", ".wcm-title", ".tieu-de", ".tieude"),
        "published": (".ArticleDate", ".article-date", ".wcm-date", ".ngay-dang", ".ngaydang"),
        "lead": (".ArticleSummary", ".article-summary", ".tom-tat", ".tomtat"),
        "body": (".ArticleContent", ".article-content", ".wcm-content", ".noi-dung", ".noidung"),
        "author": (".ArticleAuthor", ".article-author", ".tac-gia"),
        "category": (".ArticleCategory", ".wpthemeBreadcrumb li:last-child", ".breadcrumb li:last-child"),
    },
    listing={
        "item": (".wpthemeControlBody .news-item", "div.wpsPortletBody li", ".wcm-list li", ".list-news li"),
        "link": ("a.title", "h3 a", "h2 a", "a[href]"),
        "title": ("a.title", "h3", "h2"),
        "date": (".date", ".ngay-dang", ".ngaydang"),
    },
    exclude=(".wpthemeControlHeader", ".back", ".quay-lai"),
    keys=KeyRules(
        rewrites=(Rewrite(re.compile(r"/!ut/p/.*$"), "/"),),
        keys=(IdParam("urile"),),
        drop=re.compile(r"^(1dmy|current|presentationtemplate|wcm_page\..*|wcm_pi|wcm_global_context|cacheid|cvid|mod|pagedesign)$",
                        re.IGNORECASE),
    ),
    articles=ArticleLinks(match=(
        re.compile(r"urile=wcm"),
        re.compile(r"/wps/wcm/connect/(?:[^/?#]+/)*[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE),
        re.compile(r"/detail/"),
    )),
    paging=Paging(numbered=re.compile(r"^WCM_Page\.", re.IGNORECASE), same_listing=False),
)
