"""The generic platform: portals on an unidentified CMS (vendor CMSs, profiles saying "unknown").

No selectors of its own: profile selectors, then what the page says about itself (JSON-LD,
OpenGraph, <meta>, <time>), the common Vietnamese CMS class names, and the densest block of
paragraph text, in agreement with trafilatura and readability (the generic layer of
``scraper.pages``). Listing items are the page's repeated block of headlines, else the links whose
URL ends in the numeric id vendor CMS article URLs end in; the next page is found by ``rel=next``,
a page parameter or path segment one up, a "Sau"/"Tiếp"/"»" label, or the pager's next number.
"""

from __future__ import annotations

import re

from scraper.pages.paging import PATH_PAGE
from scraper.pages.spec import ArticleLinks, Paging, Platform

SPEC = Platform(
    name="generic",
    # "<slug>-241.html", "/Detail/11262", "?id=123"
    articles=ArticleLinks(match=(re.compile(r"(-\d{2,}\.(?:html?|aspx)$|/detail/\d+|[?&](?:id|newsid|nid|itemid)=\d+)", re.IGNORECASE),)),
    # The page parameters and path segments vendor CMSs use: ?page=2, ?pagenumber=3, ?PageIndex=4, _cur=5, /page-6.
    paging=Paging(numbered=re.compile(r"^(page|p|pg|trang|pageindex|pagenumber|pageno|paged|currentpage|cur|selectedpage)$|_cur$",
                                      re.IGNORECASE), paths=PATH_PAGE),
)
