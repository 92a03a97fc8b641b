"""Platforms: one module per CMS family, each with an ArticlePage and a ListingPage.

A portal profile names its platform; the spider asks this registry for the page classes.
"""

from __future__ import annotations

from types import ModuleType

from scraper.platforms import generic, liferay, sharepoint, webcenter, websphere

PLATFORMS: dict[str, ModuleType] = {
    "websphere": websphere,
    "liferay": liferay,
    "sharepoint": sharepoint,
    "webcenter": webcenter,
    "generic": generic,
}
# "unknown" is a valid profile value: the platform has not been identified, the generic pages apply.
PLATFORM_NAMES = frozenset(PLATFORMS) | {"unknown"}


def platform_module(name: str) -> ModuleType:
    return PLATFORMS.get(name, generic)
