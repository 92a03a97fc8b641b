"""Đồng Nai changed CMS with the 2025 merger: its pages of either era are read with their own platform.

Before July 2025 dongnai.gov.vn ran SharePoint (listings ``/Pages/tintucsukien.aspx?gId=2`` with
dated ``div.lnew`` and undated ``div.news1`` items, bodies in ``div.divNoiDungTinBai``; the
reference's §3.3). Since, the same host serves the former Bình Phước NukeViet 4.5 installation
(``<meta name="generator" content="NukeViet v4.5">``, ``/<lang>/news/<category>/<slug>-<id>.html``;
seen in stored public pages). Web-archive captures of the old site and crawls of the new one both
come under this profile, so each page is read with the platform whose marks it carries.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from scraper.pages.article import ArticlePage
from scraper.pages.listing import ListingPage
from scraper.pages.spec import Platform

# The SharePoint era's own selectors, on top of the SharePoint platform's.
_SHAREPOINT_ARTICLE = {"body": ("div.divNoiDungTinBai",)}
_SHAREPOINT_LISTING = {
    "item": ("div.lnew, div.news1",),
    "date": ("div.lnew span",),
}
_SHAREPOINT_MARKS = re.compile(rb"ms-rtestate|_spPageContextInfo|divNoiDungTinBai|ExternalClass|ms-listviewtable|/_layouts/")


def is_sharepoint_era(url: str, body: bytes) -> bool:
    """A page of the old SharePoint site: a SharePoint page URL, or SharePoint's marks in its markup."""
    path = urlsplit(url).path
    return bool(re.search(r"/(Pages|Lists)/", path)) or bool(_SHAREPOINT_MARKS.search(body[:400_000]))


def _merged(base: dict, extra: dict) -> dict:
    return {**base, **{k: (*extra[k], *base.get(k, ())) for k in extra}}


def quirk(base: Platform, platform: Callable[[str], Platform]) -> Platform:
    """The portal's pages: NukeViet's (`base`), or SharePoint's with the old site's selectors."""
    sharepoint = platform("sharepoint")
    old = dataclasses.replace(sharepoint, article=_merged(dict(sharepoint.article), _SHAREPOINT_ARTICLE),
                              listing=_merged(dict(sharepoint.listing), _SHAREPOINT_LISTING))

    def choose(url: str, body: bytes) -> Platform:
        return old if is_sharepoint_era(url, body) else base

    def article_page(url: str, body: bytes, *, platform: Platform, **context):
        spec = choose(url, body)
        return (spec.article_page or ArticlePage)(url, body, platform=spec, **context)

    def listing_page(url: str, body: bytes, *, platform: Platform, **context):
        spec = choose(url, body)
        return (spec.listing_page or ListingPage)(url, body, platform=spec, **context)

    # Keys and article links of both eras: an old capture's URL keys as SharePoint does.
    return dataclasses.replace(base, article_page=article_page, listing_page=listing_page,
                               keys=_EraKeys(base, old), articles=_EraLinks(base, old))


@dataclasses.dataclass(frozen=True)
class _EraKeys:
    new: Platform
    old: Platform

    def key(self, url: str) -> str:
        return (self.old if is_sharepoint_era(url, b"") else self.new).keys.key(url)


@dataclasses.dataclass(frozen=True)
class _EraLinks:
    new: Platform
    old: Platform

    def __call__(self, url: str) -> bool:
        return self.new.is_article_url(url) or self.old.is_article_url(url)
