"""Portals' own quirks: page logic that belongs to one portal, not to its platform.

A portal whose pages need logic its platform does not have (not just other selectors: those go in
its profile) gets a module here with page classes that override one method each, saying why, and a
function that returns its platform with those classes (given the portal's platform, and a lookup
of the others by name, for a portal whose pages come from more than one). Its profile names it:
``pages = "<name>"``.
No platform module names a portal; no quirk here is shared by two portals (that is a platform rule).
"""

from __future__ import annotations

from collections.abc import Callable

from scraper.pages.spec import Platform
from scraper.quirks import dong_nai

# name -> the portal's platform with the portal's own page classes, from (its platform, platform by name)
QUIRKS: dict[str, Callable[[Platform, Callable[[str], Platform]], Platform]] = {
    "dong_nai": dong_nai.quirk,
}
