"""Microsoft SharePoint (provincial portals, a provincial library, ministries).

An article's key is its item id: ``nid`` (``/Trang/ChiTietTinTuc.aspx?nid=N``), ``NewsId`` or
``ItemID``, the number in ``/Pages/TinTuc/<id>/<slug>.html`` (the slug is decoration, so the key
stops at the id) or, on a raw list, ``/Lists/<list>/DispForm.aspx?ID=N``. Ids are per site, so the
path stays (a department's ``/So/soxaydung/Trang/…?nid=5479`` is not the portal's ``nid=5479``) and
the rest of the query goes (``gId``, ``cm``, a ``title=`` slug, a list's ``Source``). Rich text sits
in ``.ms-rtestate-field`` and ``div.ExternalClass<GUID>`` wrappers; server controls carry ids like
``ctl00_ctl33_g_<web-part GUID>_ctl00_…`` whose GUID changes when a page is edited, so selectors
match the id's suffix only. Raw list views (``table.ms-listviewtable``, pages under ``/Lists/``)
print US dates (``11/19/2019 3:00 PM``): their dates are read month first, everything else day
first. Listings page with a query parameter (``?Page=2``, ``gId=2&page=3``, ``PageIndex=``) or by
ASP.NET postback (``__doPostBack``), which a crawler cannot follow: a listing that pages only that
way says so in its problems. A raw list view's own pager is JavaScript (``RefreshPageTo``) and is
not followed either.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

from scraper.core.dates import parse_date
from scraper.core.problems import DATE_ORDER, PAGING_POSTBACK
from scraper.core.urls import IdParam, KeyRules, PathKey
from scraper.pages.article import ArticlePage as BaseArticlePage
from scraper.pages.css import select
from scraper.pages.listing import ListingPage as BaseListingPage
from scraper.pages.paging import NEXT_LABELS
from scraper.pages.spec import ArticleLinks, Paging, Platform

_LISTS = re.compile(r"/Lists/", re.IGNORECASE)
_POSTBACK = re.compile(r"__doPostBack\(", re.IGNORECASE)
_ID = r"=\s*\d+\s*(?:[&#]|$)"


def is_list_view(page) -> bool:
    """A raw SharePoint list view or list form: the pages that print dates in US order."""
    return bool(_LISTS.search(urlsplit(page.url).path)) or "ms-listviewtable" in page.index.classes


class ArticlePage(BaseArticlePage):
    """A list form (``/Lists/…/DispForm.aspx``) prints its dates month first."""

    @property
    def month_first(self) -> bool:
        return self.profile.month_first or bool(_LISTS.search(urlsplit(self.url).path))


class ListingPage(BaseListingPage):
    """A list view prints its dates month first, and a day-first date there is a problem, never a
    guess; a pager that only posts back is reported."""

    @functools.cached_property
    def month_first(self) -> bool:
        return self.profile.month_first or is_list_view(self)

    def parse_date(self, raw: str | None) -> str | None:
        value = super().parse_date(raw)
        if raw and value is None and self.month_first and parse_date(raw, now=self.fetched_at):
            # "19/11/2019" cannot be month first: this page prints another order. Say so, never guess.
            self.problem(DATE_ORDER, f"{raw!r} is not month/day/year, the order this page's dates are read in")
        return value

    def next_page(self) -> str | None:
        url = super().next_page()
        if url is None and self._pages_by_postback():
            self.problem(PAGING_POSTBACK, "the pager posts the form back (__doPostBack); later pages are not followed")
        return url

    def _pages_by_postback(self) -> bool:
        """Whether the pager's links are postbacks: numbered or "next" links running __doPostBack."""
        for a in select(self.root, "a[href]"):
            label = (a.text_content() or "").strip()
            if _POSTBACK.search(a.get("href", "")) and (label.isdigit() or NEXT_LABELS.match(label)):
                return True
        return False


SPEC = Platform(
    name="sharepoint",
    article={
        # A theme's date line that starts with a calendar icon (a list item of the article's facts first).
        "published": ("li:has(> i.fa-calendar)", "*:has(> i.fa-calendar)"),
        "body": (".news-content > .ms-rtestate-field", 'div[class^="ExternalClass"]', ".ms-rtestate-field"),
    },
    listing={
        "item": ("table.ms-listviewtable > tbody > tr:not(.ms-viewheadertr), table.ms-listviewtable > tr:not(.ms-viewheadertr)",),
        "link": ('a[href*="DispForm.aspx"]',),
        "title": ('a[href*="DispForm.aspx"]', "a[href]"),
        "date": ("td.ms-vb2 nobr",),
    },
    keys=KeyRules(
        keys=(
            PathKey(re.compile(r"^(.*?/Pages/TinTuc/\d+)(?:/.*)?$", re.IGNORECASE), r"\1/"),
            # Item-id parameters, by the spelling the key uses; ASP.NET reads query names case-insensitively.
            IdParam("nid", digits=True), IdParam("newsid", "NewsId", digits=True), IdParam("itemid", "ItemID", digits=True),
            IdParam("id", "ID", digits=True, path=re.compile(r"/Lists/[^/]+/DispForm\.aspx$", re.IGNORECASE)),
        ),
        # Category, return-address and list-view state parameters: never part of an article's key.
        drop=re.compile(r"^(gid|cm|source|isdlg|contenttypeid|rootfolder|folderctid|view|initialtabid|visibilitycontext|paged"
                        r"|p_id|pagefirstrow)$", re.IGNORECASE),
    ),
    articles=ArticleLinks(
        match=(re.compile(r"/Pages/TinTuc/\d+(?:/|$|[?#])", re.IGNORECASE),
               re.compile(r"[?&](?:nid|newsid|itemid)" + _ID, re.IGNORECASE),
               re.compile(r"/Lists/[^/]+/DispForm\.aspx\?(?:[^#]*&)?id" + _ID, re.IGNORECASE)),
        exclude=(re.compile(r"/rss/", re.IGNORECASE),),  # an rss/Pages/index.aspx?ItemID=54 is a feed, not an article
    ),
    paging=Paging(numbered=re.compile(r"^(page|pageindex)$", re.IGNORECASE)),
    article_page=ArticlePage,
    listing_page=ListingPage,
)
