"""Numbered pagination: the next listing page is the link to the same listing with the page number one up.

Used by platforms whose listings page with a query parameter (SharePoint ``?Page=2``,
``gId=2&page=3``, ``PageIndex=``; WebCenter ``selectedPage=``). Matching by number rather than by
label ignores pager buttons that themes relabel, and "»" links that mean *last* page, not next.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from scraper.pages.css import select


def page_number(url: str, names: frozenset[str]) -> int | None:
    """The page a listing URL shows: the value of its first parameter named in `names` (lower case)."""
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if name.lower() in names and value.strip().isdigit():
            return int(value)
    return None


def _listing_params(url: str, names: frozenset[str], ignore: re.Pattern | None) -> dict[str, str]:
    """The parameters that say which listing a URL is (its category, its filters), not which page."""
    return {
        name.lower(): value
        for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True)
        if name.lower() not in names and not (ignore is not None and ignore.match(name))
    }


def numbered_next(page, names: frozenset[str], ignore: re.Pattern | None = None) -> str | None:
    """The link on `page` to the same listing (same path, same other parameters) one page on.

    A URL without a page parameter is page 1. `ignore` names parameters that carry session or
    framework state and say nothing about the listing (WebCenter's ``_afrLoop``).
    """
    current = page_number(page.url, names) or 1
    path = urlsplit(page.url).path.lower()
    wanted = _listing_params(page.url, names, ignore).items()
    for a in select(page.root, "a[href]"):
        url = page.absolute(a.get("href"))
        if not url or url == page.url or urlsplit(url).path.lower() != path:
            continue
        if page_number(url, names) == current + 1 and wanted <= _listing_params(url, names, ignore).items():
            return url
    return None
