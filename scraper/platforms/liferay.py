"""Liferay Portal 6.2–7.

Articles are Asset Publisher or Web Content Display portlets. The key of an article is its
``articleId`` (``/-/view_content/<id>-<slug>``) or ``asset_publisher/<instance>/content/<urlTitle>``;
portlet state (``p_p_*``, ``_<portlet>_cur``, ``_<portlet>_delta``, redirects) and trailing ``/vi``
or ``/en`` language segments are dropped (a ``/vi`` after an article renders a listing, not the
article). Paging is ``_<portlet>_cur=N``: themes relabel the pager buttons in JavaScript (one says
"Tiếp" for its third button), so the next page is found by its parameter, never by its label.
"""

from __future__ import annotations

import re

from scraper.core.urls import KeyRules, Rewrite
from scraper.pages.spec import ArticleLinks, Paging, Platform

_LANG_TAIL = r"(/-/view_content/\d+[^/]*?)(?:/(?:vi|en|vi_VN|en_US))+/?$"

SPEC = Platform(
    name="liferay",
    article={
        "title": ("h1.header-title", ".journal-content-article h1", "h3.header-title", ".asset-full-content .asset-title",
                  ".taglib-header .header-title"),
        "published": (".asset-full-content .assetPublishDate", ".assetPublishDate", ".asset-publish-date", ".metadata-publish-date",
                      ".publish-date"),
        "lead": (".asset-full-content .asset-summary", ".journal-content-article .sapo"),
        "body": (".journal-content-article", ".asset-full-content .asset-content", ".asset-full-content"),
        "author": (".asset-full-content .asset-author", ".metadata-author"),
        "category": (".dd_chuyenmuc span.tintuc", ".breadcrumb li:last-child"),
    },
    listing={
        "item": (".asset-content-custom", ".asset-abstract", ".journal-content-article-list li"),
        "link": ("h3.asset-title a", ".asset-title a", "a.asset-title"),
        "title": ("h3.asset-title", ".asset-title"),
        "date": (".assetPublishDate", ".asset-publish-date", ".metadata-publish-date"),
    },
    exclude=(".asset-links", ".asset-ratings", ".taglib-social-bookmarks", ".asset-metadata", ".lfr-meta-actions"),
    keys=KeyRules(
        rewrites=(Rewrite(re.compile(_LANG_TAIL), r"\1"),),
        # Portlet parameters: p_p_id, p_l_id, _101_INSTANCE_x_cur, _56_INSTANCE_y_redirect, redirect, …
        drop=re.compile(r"^(p_[pl]_\w+|_\w+_(cur|delta|redirect|keywords|advancedsearch|andoperator|orderbycol|orderbytype"
                        r"|assetentryid)|redirect|inheritredirect|doasuserid)$", re.IGNORECASE),
    ),
    articles=ArticleLinks(
        match=(re.compile(r"/-/view_content/(\d+)"), re.compile(r"/-/asset_publisher/[^/]+/content/[^/?#]+")),
        exclude=(re.compile(r"/-/view_content/\d+[^/?#]*?(?:/(?:vi|en|vi_VN|en_US))+/?(?:[?#]|$)"),),
    ),
    paging=Paging(numbered=re.compile(r"_cur$"), labels=False, same_listing=False),
)
