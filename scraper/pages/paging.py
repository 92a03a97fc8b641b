"""The next page of a listing, found the ways a platform's ``Paging`` allows: ``rel=next``, the link
whose page number is one up, a link labelled "Sau", "Tiếp", "»" ….

Pure: a parsed page in, a URL out. Numbers are read from query parameters whose names match the
platform's pattern (Liferay ``_<portlet>_cur``, WebSphere ``WCM_Page.<id>``, SharePoint ``Page`` and
``PageIndex``, WebCenter ``selectedPage``); a URL without one is page 1.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from scraper.pages.css import select
from scraper.pages.spec import Paging

NEXT_LABELS = re.compile(r"^\s*(sau|tiếp|tiếp theo|trang sau|next|›|»|>|>>)\s*$", re.IGNORECASE)


# Page numbers in paths: NukeViet's /page-2, WordPress's /page/2/, /trang-2, /p2.
PATH_PAGE = re.compile(r"/(?:page|trang|p)[-/]?(\d{1,5})/?$", re.IGNORECASE)


def page_number(url: str, names: re.Pattern | None, paths: re.Pattern | None = None) -> int | None:
    """The page a listing URL shows: the value of its first parameter whose name matches `names`,
    else the number `paths` finds at the end of its path."""
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if names is not None and names.search(name) and value.strip().isdigit():
            return int(value)
    m = paths.search(parts.path) if paths is not None else None
    return int(m.group(1)) if m else None


def _path_base(url: str, paths: re.Pattern | None) -> str:
    path = urlsplit(url).path.lower()
    return paths.sub("", path).rstrip("/") if paths is not None else path


def _listing_params(url: str, paging: Paging) -> dict[str, str]:
    """The parameters that say which listing a URL is (its category, its filters), not which page."""
    return {
        name.lower(): value
        for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True)
        if not (paging.numbered is not None and paging.numbered.search(name))
        and not (paging.state is not None and paging.state.search(name))
    }


def numbered_next(page, paging: Paging) -> str | None:
    """The link on `page` to its listing's page one up (with `same_listing`: same path, same other
    parameters)."""
    current = page_number(page.url, paging.numbered, paging.paths) or 1
    path = _path_base(page.url, paging.paths)
    wanted = _listing_params(page.url, paging).items() if paging.same_listing else None
    wanted_digits = str(current + 1)
    for a in select(page.root, "a[href]"):
        href = a.get("href")
        if "?" not in href and href.isascii() and wanted_digits not in href:
            # Without a query the link's number can only be in its own path, as written: not this one
            # (a page's hundreds of menu links, none joined and parsed).
            continue
        url = page.absolute(href)
        if not url or url == page.url or page_number(url, paging.numbered, paging.paths) != current + 1:
            continue
        if wanted is None or (_path_base(url, paging.paths) == path and wanted <= _listing_params(url, paging).items()):
            return url
    return None


_PAGER = re.compile(r"pag|trang|page|phan-?trang", re.IGNORECASE)


def numbered_text_next(page, paging: Paging) -> str | None:
    """The link labelled with the next page's number inside a pager (whatever its URL says)."""
    current = page_number(page.url, paging.numbered, paging.paths) or 1
    label = str(current + 1)
    for a in select(page.root, "a[href]"):
        if (a.text_content() or "").strip() != label:
            continue
        url = page.absolute(a.get("href"))
        if not url or url == page.url:
            continue
        for holder in (a, *list(a.iterancestors())[:3]):
            if _PAGER.search(f"{holder.get('class') or ''} {holder.get('id') or ''}"):
                return url
    return None


def rel_next(page) -> str | None:
    for a in select(page.root, 'a[rel~="next"], link[rel~="next"]'):
        url = page.absolute(a.get("href"))
        if url and url != page.url:
            return url
    return None


def labelled_next(page) -> str | None:
    for a in select(page.root, "a[href]"):
        label = a.text_content() or a.get("title", "") or a.get("aria-label", "")
        if NEXT_LABELS.match(label):
            url = page.absolute(a.get("href"))
            if url and url != page.url:
                return url
    return None
