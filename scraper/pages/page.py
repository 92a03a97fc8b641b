"""Page objects: bytes in, fields out, no I/O and no clock.

``ArticlePage`` and ``ListingPage`` resolve every field the same way, here: the portal profile's
selectors, then the platform's (``scraper.pages.spec.Platform``), then the generic layer. Each field
records which path produced it (``extraction``), and a profile selector that matches nothing is a
*problem* the spider logs and counts: a portal that changed its markup fails loudly, not silently.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlMixin
from parsel import Selector

from scraper.core.dates import parse_date
from scraper.core.decoding import Decoded, decode_html
from scraper.core.problems import SELECTOR_MISS, Problem
from scraper.core.profile import Profile
from scraper.core.text import clean_inline
from scraper.pages.css import PageIndex, select
from scraper.pages.metadata import page_metadata
from scraper.pages.spec import Platform

PROFILE, PLATFORM, GENERIC = "profile", "platform", "generic"
LAYERS = (PROFILE, PLATFORM, GENERIC)
# A profile selector for one of these that matches nothing means the portal changed its markup.
# Optional fields (author, lead, a listing's next link on its last page) are often absent.
LOUD_FIELDS = {"article": ("title", "published", "body"), "listing": ("item",)}

_VISIBLE_TEXT = etree.XPath(".//text()[not(ancestor::script or ancestor::style)]")


def memo(method):
    """Cache a zero-argument page method: fields call each other, selectors should run once."""
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self):
        cache = self.__dict__.setdefault("_memo", {})
        if name not in cache:
            cache[name] = method(self)
        return cache[name]

    return wrapper


def node_text(nodes: list | None) -> str | None:
    """Visible text of the first node (or the string a ::text/::attr selector returned)."""
    if not nodes:
        return None
    first = nodes[0]
    if isinstance(first, str):
        return clean_inline(first)
    return clean_inline(" ".join(_VISIBLE_TEXT(first)))


def href_of(node) -> str | None:
    return node if isinstance(node, str) else node.get("href")


class Page:
    """A fetched page: its URL, its bytes decoded our way, and a selector over the result."""

    TABLE: ClassVar[str] = ""  # "article" or "listing": which selector tables of the profile and platform apply
    GENERIC_SELECTORS: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    def __init__(self, url: str, body: bytes, *, headers: Mapping[str, str] | None = None, fetched_at: str | None = None,
                 profile: Profile | None = None, platform: Platform | None = None):
        self.url = url
        self.raw = body
        self.headers = {k.lower(): v for k, v in (headers or {}).items()}
        self.fetched_at = fetched_at
        self.platform = platform or Platform(profile.platform if profile else "generic")
        self.profile = profile or Profile.anonymous(self.platform.name)
        self.problems: list[Problem] = []
        self.sources: dict[str, str] = {}

    @functools.cached_property
    def decoded(self) -> Decoded:
        return decode_html(self.raw, self.headers.get("content-type"))

    @functools.cached_property
    def root(self) -> etree._Element:
        """The parsed page (lxml.html, parsed as parsel parses it), nested at most MAX_DEPTH deep."""
        text = self.decoded.text or "<html></html>"
        root = Selector(text=text).root
        deepest, deep = _too_deep(root)
        if deepest >= PARSER_DEPTH:
            # libxml2 stops at this depth and drops what is deeper: collapse the runs of wrappers
            # such pages are made of, then parse again.
            root = Selector(text=_RUN_OPEN.sub(r"\1", _RUN_CLOSE.sub(r"\1", text))).root
            deepest, deep = _too_deep(root)
        for el in reversed(deep):  # unwrap what is nested deeper than MAX_DEPTH, text and children kept
            HtmlMixin.drop_tag(el)
        self.flattened = len(deep)
        return root

    flattened = 0  # wrapper elements unwrapped because the page nested deeper than MAX_DEPTH

    @property
    def html(self) -> str:
        """The page's HTML as extractors of the field should read it: as decoded, or re-serialized
        once flattened (a page nested thousands deep takes their recursion down)."""
        root = self.root
        return etree.tostring(root, encoding="unicode", method="html") if self.flattened else (self.decoded.text or "")

    @functools.cached_property
    def metadata(self) -> dict[str, str | None]:
        return page_metadata(self.root)

    @functools.cached_property
    def index(self) -> PageIndex:
        """The page's elements by class and id: most selectors are answered from it."""
        return PageIndex(self.root)

    def absolute(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if href.startswith(("javascript:", "mailto:", "tel:", "#")):
            return None
        return urljoin(self.url, href)

    def problem(self, kind: str, detail: str, field: str | None = None) -> None:
        found = Problem(kind, detail, field)
        if found not in self.problems:
            self.problems.append(found)

    @property
    def month_first(self) -> bool:
        """Whether this page's numeric dates are month first (a profile says so for the rare portal)."""
        return self.profile.month_first

    def parse_date(self, raw: str | None) -> str | None:
        return parse_date(raw, month_first=self.month_first, now=self.fetched_at)

    # -- selector resolution: profile, then platform, then the generic layer -----------------------

    def _layers(self, name: str, layers: tuple[str, ...]):
        tables = {PROFILE: getattr(self.profile, self.TABLE), PLATFORM: getattr(self.platform, self.TABLE),
                  GENERIC: self.GENERIC_SELECTORS}
        for origin in layers:
            if tables[origin].get(name):
                yield origin, tables[origin][name]

    def select_field(self, name: str, root: etree._Element | None = None, layers: tuple[str, ...] = LAYERS):
        """(nodes, origin) from the first layer whose selectors match; a missed profile selector is a problem."""
        root = root if root is not None else self.root
        for origin, selectors in self._layers(name, layers):
            for css in selectors:
                nodes = select(root, css, self.index)
                if nodes:
                    return nodes, origin
            if origin == PROFILE and name in LOUD_FIELDS.get(self.TABLE, ()):
                self.problem(SELECTOR_MISS, f"profile selector {' | '.join(selectors)!r} matched nothing",
                             f"{self.TABLE}.{name}")
        return None, None


MAX_DEPTH = 150  # real pages nest a few dozen deep; a page nested deeper is unwrapped to this


PARSER_DEPTH = 2000  # near libxml2's own limit (2048 with huge_tree): deeper content is lost to it
_RUN_OPEN = re.compile(r"(<([a-z][a-z0-9]*)\b[^<>]*>)(?:\s*<\2\b[^<>]*>){20,}", re.IGNORECASE)
_RUN_CLOSE = re.compile(r"(</([a-z][a-z0-9]*)\s*>)(?:\s*</\2\s*>){20,}", re.IGNORECASE)


# Whether anything is nested deeper than MAX_DEPTH below the root: a path of that many steps, which
# libxml2 walks in C (0.03 ms on a portal page, against 0.54 ms for the walk below).
_DEEPER = etree.XPath("boolean(./" + "*/" * MAX_DEPTH + "node())")


def _too_deep(root: etree._Element, limit: int = MAX_DEPTH) -> tuple[int, list[etree._Element]]:
    """The page's depth past `limit` (0 when nothing is deeper) and its elements nested deeper
    than `limit`, in document order. Iterative: a page's depth must not decide whether the code
    reading it recurses."""
    if limit == MAX_DEPTH and not _DEEPER(root):
        return 0, []
    depth, deepest, deep = {root: 0}, 0, []
    for el in root.iter():
        if el is not root:
            depth[el] = d = depth[el.getparent()] + 1
            if d > limit:
                deep.append(el)
                deepest = max(deepest, d)
    return deepest, deep
