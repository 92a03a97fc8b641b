"""IBM WebSphere Portal with Web Content Manager (Phú Yên and its departments, Cần Thơ, Cà Mau, …).

Article markup comes from each site's own WCM presentation template, so title, date and body
selectors mostly belong in portal profiles; the defaults below are the template class names seen
most. What the platform does fix is addressing: an article's key is its WCM path (the ``urile``
parameter, ``wcm:path:/library/site/…``) or its content UUID under ``/wps/wcm/connect/``, never
the ``/!ut/p/…`` navigation-state URLs, which encode portal state and change between visits.
WCM menus page with ``WCM_Page.<component id>=N``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from scraper.pages.base import ArticlePage as BaseArticlePage
from scraper.pages.base import ListingPage as BaseListingPage
from scraper.pages.css import select
from scraper.urls import canonical_url

DROP_PARAMS = re.compile(r"^(1dmy|current|presentationtemplate|wcm_page\..*|wcm_pi|wcm_global_context|cacheid|cvid|mod|pagedesign)$", re.IGNORECASE)
_STATE = re.compile(r"/!ut/p/.*$")
_UUID = re.compile(r"/wps/wcm/connect/(?:[^/?#]+/)*[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE)
_WCM_PAGE = re.compile(r"^WCM_Page\.", re.IGNORECASE)


def wcm_canonical(url: str) -> str:
    """Key of a WPS URL: the WCM path when the URL carries one, the state-free URL otherwise."""
    parts = urlsplit(url)
    path = _STATE.sub("/", parts.path)
    urile = dict(parse_qsl(parts.query)).get("urile")
    if urile:
        return canonical_url(urlunsplit((parts.scheme, parts.netloc, path, f"urile={urile}", "")), keep=frozenset({"urile"}))
    return canonical_url(urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")), drop=DROP_PARAMS)


class ArticlePage(BaseArticlePage):
    platform = "websphere"
    SELECTORS = {
        "title": (".ArticleTitle", ".article-title", ".wcm-title", ".tieu-de", ".tieude"),
        "published": (".ArticleDate", ".article-date", ".wcm-date", ".ngay-dang", ".ngaydang"),
        "lead": (".ArticleSummary", ".article-summary", ".tom-tat", ".tomtat"),
        "body": (".ArticleContent", ".article-content", ".wcm-content", ".noi-dung", ".noidung"),
        "author": (".ArticleAuthor", ".article-author", ".tac-gia"),
        "category": (".ArticleCategory", ".wpthemeBreadcrumb li:last-child", ".breadcrumb li:last-child"),
    }
    EXCLUDE = BaseArticlePage.EXCLUDE + (".wpthemeControlHeader", ".back", ".quay-lai")

    @classmethod
    def canonical(cls, url: str) -> str:
        return wcm_canonical(url)


class ListingPage(BaseListingPage):
    platform = "websphere"
    SELECTORS = {
        "item": (".wpthemeControlBody .news-item", "div.wpsPortletBody li", ".wcm-list li", ".list-news li"),
        "link": ("a.title", "h3 a", "h2 a", "a[href]"),
        "title": ("a.title", "h3", "h2"),
        "date": (".date", ".ngay-dang", ".ngaydang"),
    }

    def is_article_url(self, url: str) -> bool:
        return "urile=wcm" in url or bool(_UUID.search(url)) or "/detail/" in url

    def next_page(self) -> str | None:
        found = super().next_page()
        if found:
            return found
        # WCM menu paging: the link whose WCM_Page.<id> parameter is the current page plus one.
        current = _wcm_page_number(self.url) or 1
        for a in select(self.root, "a[href]"):
            url = self.absolute(a.get("href"))
            if url and _wcm_page_number(url) == current + 1:
                self.sources["next"] = "platform"
                return url
        return None


def _wcm_page_number(url: str) -> int | None:
    for name, value in parse_qsl(urlsplit(url).query):
        if _WCM_PAGE.match(name) and value.isdigit():
            return int(value)
    return None
