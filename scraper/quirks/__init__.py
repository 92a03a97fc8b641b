"""Portals' own quirks: page logic that belongs to one portal, not to its platform.

A portal whose pages need logic its platform does not have (not just other selectors: those go in
its profile) gets a module here with page classes that override one method each, saying why, and a
function that returns its platform with those classes. Its profile names it: ``pages = "<name>"``.
No platform module names a portal; no quirk here is shared by two portals (that is a platform rule).
"""

from __future__ import annotations

from collections.abc import Callable

from scraper.pages.spec import Platform

# name -> the portal's platform with the portal's own page classes
QUIRKS: dict[str, Callable[[Platform], Platform]] = {}
