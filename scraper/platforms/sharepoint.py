"""Microsoft SharePoint (Quảng Ninh, Đồng Nai, Bình Dương; the Cà Mau library; mic, monre, moet).

An article's key is its item id: ``nid`` (``/Trang/ChiTietTinTuc.aspx?nid=N``), ``NewsId`` or
``ItemID``, the number in ``/Pages/TinTuc/<id>/<slug>.html`` (the slug is decoration, so the key
stops at the id) or, on a raw list, ``/Lists/<list>/DispForm.aspx?ID=N``. Ids are per site, so the
path stays (``/So/soxaydung/Trang/…?nid=5479`` is not the portal's ``nid=5479``) and the rest of
the query goes (``gId``, ``cm``, Hải Dương's ``title=``, a list's ``Source``). Rich text sits in
``.ms-rtestate-field`` and ``div.ExternalClass<GUID>`` wrappers; server controls carry ids like
``ctl00_ctl33_g_<web-part GUID>_ctl00_Label_DateTime_Now`` whose GUID changes when a page is
edited, so selectors match the id's suffix only. Raw list views (``table.ms-listviewtable``, pages
under ``/Lists/``) print US dates (``11/19/2019 3:00 PM``): their dates are read month first,
everything else day first. Listings page with a query parameter (``?Page=2``, ``gId=2&page=3``,
``PageIndex=``) or by ASP.NET postback (``__doPostBack``), which a crawler cannot follow: a
listing that pages only that way says so in its problems. A raw list view's own pager is
JavaScript (``RefreshPageTo``) and is not followed either.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scraper.dates import parse_date
from scraper.pages.base import ArticlePage as BaseArticlePage
from scraper.pages.base import ListingPage as BaseListingPage
from scraper.pages.base import href_of
from scraper.pages.css import select
from scraper.pages.paging import numbered_next
from scraper.urls import canonical_url

# Item-id parameters, by the spelling the key uses; ASP.NET reads query names case-insensitively.
ID_PARAMS = {"nid": "nid", "newsid": "NewsId", "itemid": "ItemID"}
# Category, return-address and list-view state parameters: never part of an article's key.
DROP_PARAMS = re.compile(
    r"^(gid|cm|source|isdlg|contenttypeid|rootfolder|folderctid|view|initialtabid|visibilitycontext|paged|p_id|pagefirstrow)$",
    re.IGNORECASE,
)
PAGE_PARAMS = frozenset({"page", "pageindex"})
_TINTUC = re.compile(r"^(.*?/Pages/TinTuc/\d+)(?:/|$)", re.IGNORECASE)
_DISPFORM = re.compile(r"/Lists/[^/]+/DispForm\.aspx$", re.IGNORECASE)
_LISTS = re.compile(r"/Lists/", re.IGNORECASE)
_POSTBACK = re.compile(r"__doPostBack\(", re.IGNORECASE)


def _item_id(url: str) -> tuple[str, str, str] | None:
    """(path, key parameter, value) when the URL names a SharePoint news item by a query id."""
    parts = urlsplit(url)
    params = {name.lower(): value.strip() for name, value in parse_qsl(parts.query, keep_blank_values=True)}
    for lower, spelling in ID_PARAMS.items():
        if params.get(lower, "").isdigit():
            return parts.path, spelling, params[lower]
    if _DISPFORM.search(parts.path) and params.get("id", "").isdigit():
        return parts.path, "ID", params["id"]
    return None


def sharepoint_canonical(url: str) -> str:
    parts = urlsplit(url)
    tintuc = _TINTUC.match(parts.path)
    if tintuc:
        return canonical_url(urlunsplit((parts.scheme, parts.netloc, tintuc.group(1) + "/", "", "")))
    found = _item_id(url)
    if found:
        path, name, value = found
        return canonical_url(urlunsplit((parts.scheme, parts.netloc, path, urlencode({name: value}), "")), keep=frozenset({name}))
    return canonical_url(url, drop=DROP_PARAMS)


def is_article_url(url: str) -> bool:
    path = urlsplit(url).path
    if "/rss/" in path.lower():
        return False  # moet's rss/Pages/index.aspx?ItemID=54 is a feed, not an article
    return bool(_TINTUC.match(path) or _item_id(url))


def is_list_view(page) -> bool:
    """A raw SharePoint list view or list form: the pages that print dates in US order."""
    return bool(_LISTS.search(urlsplit(page.url).path)) or "ms-listviewtable" in page.index.classes


class ArticlePage(BaseArticlePage):
    platform = "sharepoint"
    SELECTORS = {
        "published": (
            'span[id$="_Label_DateTime_Now"]',  # Bình Dương
            "li:has(> i.fa-calendar)",          # Đồng Nai: the date line starts with a calendar icon
            "*:has(> i.fa-calendar)",
        ),
        "body": (
            "div.divNoiDungTinBai",             # Đồng Nai
            ".news-content > .ms-rtestate-field",  # monre
            'div[class^="ExternalClass"]',
            ".ms-rtestate-field",
        ),
    }

    @classmethod
    def canonical(cls, url: str) -> str:
        return sharepoint_canonical(url)

    def parse_date(self, raw: str | None) -> str | None:
        month_first = self.profile.month_first or bool(_LISTS.search(urlsplit(self.url).path))
        return parse_date(raw, month_first=month_first, now=self.fetched_at)


class ListingPage(BaseListingPage):
    platform = "sharepoint"
    SELECTORS = {
        "item": (
            "div.lnew, div.news1",              # Đồng Nai: dated and undated items, in page order
            "a[phanloai]",                      # Bình Dương: the whole item is the link
            "table.ms-listviewtable > tbody > tr:not(.ms-viewheadertr), table.ms-listviewtable > tr:not(.ms-viewheadertr)",
        ),
        "link": ('a[href*="DispForm.aspx"]',),
        "title": (".div-Tonghop-Title", 'a[href*="DispForm.aspx"]', "a[href]"),
        "date": ("td.ms-vb2 nobr", "div.lnew span"),
    }

    @functools.cached_property
    def month_first(self) -> bool:
        return self.profile.month_first or is_list_view(self)

    def parse_date(self, raw: str | None) -> str | None:
        value = parse_date(raw, month_first=self.month_first, now=self.fetched_at)
        if raw and value is None and self.month_first and parse_date(raw, now=self.fetched_at):
            # "19/11/2019" cannot be month first: this page prints another order. Say so, never guess.
            problem = f"date-order: {raw!r} is not month/day/year, the order this page's dates are read in"
            if problem not in self.problems:
                self.problems.append(problem)
        return value

    def is_article_url(self, url: str) -> bool:
        return is_article_url(url)

    def next_page(self) -> str | None:
        nodes, origin = self._select("listing", "next", self.SELECTORS)
        if nodes:
            url = self.absolute(href_of(nodes[0]))
            if url and url != self.url:
                self.sources["next"] = origin
                return url
        url = numbered_next(self, PAGE_PARAMS)
        if url:
            self.sources["next"] = "platform"
            return url
        url = super().next_page()
        problem = "paging-postback: the pager posts the form back (__doPostBack); later pages are not followed"
        if url is None and problem not in self.problems and self._pages_by_postback():
            self.problems.append(problem)
        return url

    def _pages_by_postback(self) -> bool:
        """Whether the pager's links are postbacks: numbered or "next" links running __doPostBack."""
        for a in select(self.root, "a[href]"):
            label = (a.text_content() or "").strip()
            if _POSTBACK.search(a.get("href", "")) and (label.isdigit() or self.NEXT_LABELS.match(label)):
                return True
        return False
