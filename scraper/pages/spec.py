"""A platform as data: its selectors, its URL keys, which links are articles, and how its listings page.

Each platform module (``scraper/platforms/``) is one ``Platform`` value; the page classes read it,
so resolving a field runs the same way everywhere: the portal profile's selectors, then the
platform's, then the generic layer. A platform names page classes of its own only for logic its
pages need (SharePoint list views read US dates); everything else is here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from scraper.core.urls import KeyRules


@dataclass(frozen=True)
class Paging:
    """How a listing names its next page, tried after the profile's and the platform's `next` selector
    and ``rel=next``: the link to the same listing whose page parameter is one up (`numbered`: a
    pattern of parameter names), then a link labelled "Sau", "Tiếp", "»" … (`labels`).

    `same_listing`: the next page keeps the listing's path and its other parameters, except those
    matching `state` (framework state that says nothing about the listing). Matching by number
    ignores pager buttons that themes relabel, and "»" links that mean the last page."""

    numbered: re.Pattern | None = None
    labels: bool = True
    same_listing: bool = True
    state: re.Pattern | None = None
    paths: re.Pattern | None = None        # a page number at the end of the path (/page-2)


LABELS = Paging()


@dataclass(frozen=True)
class ArticleLinks:
    """Which links are articles: any of `match` (searched in the whole URL), none of `exclude`."""

    match: tuple[re.Pattern, ...] = ()
    exclude: tuple[re.Pattern, ...] = ()

    def __call__(self, url: str) -> bool:
        return any(p.search(url) for p in self.match) and not any(p.search(url) for p in self.exclude)


def _selectors(table: Mapping[str, tuple[str, ...]] | None = None) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(dict(table or {}))


@dataclass(frozen=True)
class Platform:
    name: str
    article: Mapping[str, tuple[str, ...]] = field(default_factory=_selectors)  # field -> selectors, in order
    listing: Mapping[str, tuple[str, ...]] = field(default_factory=_selectors)  # item, link, title, date, next
    exclude: tuple[str, ...] = ()          # parts of an article body that are never its text
    keys: KeyRules = KeyRules()            # the archive key of a URL
    articles: ArticleLinks = ArticleLinks()  # which links are articles, when a listing's items are not found
    paging: Paging = LABELS
    article_page: type | None = None       # page classes with the platform's own logic (None: the base ones)
    listing_page: type | None = None

    def canonical(self, url: str) -> str:
        """The archive key of a URL on this platform."""
        return self.keys.key(url)

    def is_article_url(self, url: str) -> bool:
        return self.articles(url)
