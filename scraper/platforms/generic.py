"""The generic platform: portals on an unidentified CMS (vendor CMSs, profiles saying "unknown").

No selectors of its own: profile selectors, then what the page says about itself (JSON-LD,
OpenGraph, <meta>, <time>), the common Vietnamese CMS class names, and the densest block of
paragraph text (the generic layer of ``scraper.pages``). Article links are recognised by the numeric
id vendor CMS article URLs end in.
"""

from __future__ import annotations

import re

from scraper.pages.spec import ArticleLinks, Platform

SPEC = Platform(
    name="generic",
    # "<slug>-241.html", "/Detail/11262", "?id=123"
    articles=ArticleLinks(match=(re.compile(r"(-\d{2,}\.(?:html?|aspx)$|/detail/\d+|[?&](?:id|newsid|nid|itemid)=\d+)", re.IGNORECASE),)),
)
