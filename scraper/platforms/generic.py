"""Generic fallback for portals on an unidentified platform (vendor CMSs, "unknown").

Reads what the page says about itself (JSON-LD, OpenGraph, <meta>, <time>), then the common
Vietnamese CMS class names, then the densest block of paragraph text.
"""

from __future__ import annotations

import re

from scraper.pages.base import ArticlePage as BaseArticlePage
from scraper.pages.base import ListingPage as BaseListingPage

# Vendor CMS article URLs end in a numeric id: "<slug>-241.html", "/Detail/11262", "?id=123".
_ARTICLE_URL = re.compile(r"(-\d{2,}\.(?:html?|aspx)$|/detail/\d+|[?&](?:id|newsid|nid|itemid)=\d+)", re.IGNORECASE)


class ArticlePage(BaseArticlePage):
    """Nothing platform-specific: profile selectors, then metadata and the generic layer."""

    platform = "generic"


class ListingPage(BaseListingPage):
    platform = "generic"

    def is_article_url(self, url: str) -> bool:
        return bool(_ARTICLE_URL.search(url))
