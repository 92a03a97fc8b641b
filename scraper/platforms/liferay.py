"""Liferay Portal 6.2–7 (Quảng Ngãi, Đắk Lắk, Hà Nội and Bắc Ninh departments, moh.gov.vn).

Articles are Asset Publisher or Web Content Display portlets. The key of an article is its
``articleId`` (``/-/view_content/<id>-<slug>``) or ``asset_publisher/<instance>/content/<urlTitle>``;
portlet state (``p_p_*``, ``_<portlet>_cur``, ``_<portlet>_delta``, redirects) and trailing ``/vi``
or ``/en`` language segments are dropped. Paging is ``_<portlet>_cur=N``: themes relabel the pager
buttons in JavaScript (Hà Nội's says "Tiếp" for its third button), so the next page is found by
its parameter, not its label.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from scraper.pages.base import ArticlePage as BaseArticlePage
from scraper.pages.base import ListingPage as BaseListingPage
from scraper.pages.base import href_of
from scraper.pages.css import select
from scraper.urls import canonical_url

# Portlet parameters: p_p_id, p_l_id, _101_INSTANCE_x_cur, _56_INSTANCE_y_redirect, redirect, …
DROP_PARAMS = re.compile(r"^(p_[pl]_\w+|_\w+_(cur|delta|redirect|keywords|advancedsearch|andoperator|orderbycol|orderbytype|assetentryid)|redirect|inheritredirect|doasuserid)$", re.IGNORECASE)
_LANG_TAIL = re.compile(r"(/-/view_content/\d+[^/]*?)(?:/(?:vi|en|vi_VN|en_US))+/?$")
_VIEW_CONTENT = re.compile(r"/-/view_content/(\d+)")
_ASSET = re.compile(r"/-/asset_publisher/[^/]+/content/[^/?#]+")
_CUR = re.compile(r"_cur$")


def liferay_canonical(url: str) -> str:
    parts = urlsplit(url)
    path = _LANG_TAIL.sub(r"\1", parts.path)
    return canonical_url(urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")), drop=DROP_PARAMS)


def page_number(url: str) -> int | None:
    """The Asset Publisher page a listing URL shows (its ``_<portlet>_cur`` value)."""
    for name, value in parse_qsl(urlsplit(url).query):
        if _CUR.search(name) and value.isdigit():
            return int(value)
    return None


class ArticlePage(BaseArticlePage):
    platform = "liferay"
    SELECTORS = {
        "title": ("h1.header-title", ".journal-content-article h1", "h3.header-title", ".asset-full-content .asset-title", ".taglib-header .header-title"),
        "published": (".asset-full-content .assetPublishDate", ".assetPublishDate", ".asset-publish-date", ".metadata-publish-date", ".publish-date"),
        "lead": (".asset-full-content .asset-summary", ".journal-content-article .sapo"),
        "body": (".journal-content-article", ".asset-full-content .asset-content", ".asset-full-content"),
        "author": (".asset-full-content .asset-author", ".metadata-author"),
        "category": (".dd_chuyenmuc span.tintuc", ".breadcrumb li:last-child"),
    }
    EXCLUDE = BaseArticlePage.EXCLUDE + (".asset-links", ".asset-ratings", ".taglib-social-bookmarks", ".asset-metadata", ".lfr-meta-actions")

    @classmethod
    def canonical(cls, url: str) -> str:
        return liferay_canonical(url)


class ListingPage(BaseListingPage):
    platform = "liferay"
    SELECTORS = {
        "item": (".asset-content-custom", ".asset-abstract", ".journal-content-article-list li"),
        "link": ("h3.asset-title a", ".asset-title a", "a.asset-title"),
        "title": ("h3.asset-title", ".asset-title"),
        "date": (".assetPublishDate", ".asset-publish-date", ".metadata-publish-date"),
    }

    def is_article_url(self, url: str) -> bool:
        return bool(_VIEW_CONTENT.search(url) or _ASSET.search(url)) and not _LANG_TAIL.search(urlsplit(url).path)

    def next_page(self) -> str | None:
        nodes, origin = self._select("listing", "next", self.SELECTORS)
        if nodes:
            url = self.absolute(href_of(nodes[0]))
            if url and url != self.url:
                self.sources["next"] = origin
                return url
        current = page_number(self.url) or 1
        for a in select(self.root, "a[href]"):
            url = self.absolute(a.get("href"))
            if url and page_number(url) == current + 1:
                self.sources["next"] = "platform"
                return url
        return None
