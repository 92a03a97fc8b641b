"""The platforms: one ``Platform`` value per CMS family (selectors, URL keys, article links, paging),
and the page classes that read a page with one.

A portal profile names its platform; ``"unknown"`` (not identified yet) reads with the generic one.
"""

from __future__ import annotations

from scraper.pages.article import ArticlePage
from scraper.pages.listing import ListingPage
from scraper.pages.spec import Platform
from scraper.platforms import generic, liferay, nukeviet, sharepoint, webcenter, websphere

PLATFORMS: dict[str, Platform] = {m.SPEC.name: m.SPEC for m in (websphere, liferay, sharepoint, webcenter, nukeviet, generic)}
# "unknown" is a valid profile value: the platform has not been identified, the generic pages apply.
PLATFORM_NAMES = frozenset(PLATFORMS) | {"unknown"}


def platform(name: str) -> Platform:
    return PLATFORMS.get(name, PLATFORMS["generic"])


def article_page(spec: Platform, url: str, body: bytes, **context) -> ArticlePage:
    """The platform's article page for these bytes (context: headers, fetched_at, profile)."""
    return (spec.article_page or ArticlePage)(url, body, platform=spec, **context)


def listing_page(spec: Platform, url: str, body: bytes, **context) -> ListingPage:
    return (spec.listing_page or ListingPage)(url, body, platform=spec, **context)
