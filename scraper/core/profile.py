"""Portal profiles: what one portal is (data, one TOML file per portal), and the one table of its keys.

A profile names the portal's platform and overrides only what differs from that platform's
defaults. Each field of ``Profile`` says which TOML key fills it, of what type, whether it is
required and whether the archive's ``portals`` table keeps it; parsing, validation and that table's
rows are derived from it. An unknown key, a missing required key or a value of the wrong type is an
error that names the file, so a typo never silently falls back to a default.

Pure: a parsed TOML document in, a ``Profile`` out. Reading the files is ``scraper.portals``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from scraper.core.urls import host_key

STATUSES = ("live", "retired", "unverified")
SLUG = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?:__[a-z0-9]+(?:_[a-z0-9]+)*)?$")

# Keys of the [article] and [listing] tables: CSS selectors (a string or a list tried in order).
ARTICLE_KEYS = ("title", "published", "updated", "author", "lead", "category", "body", "source", "attachments", "exclude")
LISTING_KEYS = ("item", "link", "title", "date", "next", "pages")
# Keys of the [seen] table: what was seen of the real portal, and where. Lists of strings, except
# `checked` (the day it was looked at, YYYY-MM-DD).
SEEN_KEYS = ("where", "checked", "listing_urls", "article_urls", "date_formats", "platform")


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and what is wrong."""


def _key(toml: type | tuple[type, ...] | None, doc: str, *, default: Any = None, required: bool = False,
         column: bool = True, factory=None):
    """A profile field: the TOML type of its key (None: not read from TOML), and whether the
    portals table keeps it."""
    meta = {"toml": toml, "doc": doc, "required": required, "column": column}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def _no_selectors() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Profile:
    slug: str = _key(None, "the file name: also the spider's name", default="")
    name: str = _key(str, "the portal's own name", default="", required=True)
    province: str = _key(str, "the province the portal served when it published", default="", required=True)
    platform: str = _key(str, "websphere, liferay, sharepoint, webcenter, nukeviet, generic or unknown",
                         default="unknown", required=True)
    home: str | None = _key(str, "the home page: robots.txt, sitemaps, website links and discovery start here")
    start_urls: tuple[str, ...] = _key(list, "category listings to walk", default=())
    hosts: frozenset[str] = _key(list, "the portal's host names (those of home and start_urls are added)",
                                 default=frozenset())
    status: str = _key(str, "live, retired or unverified", default="unverified")
    retired_on: str | None = _key(str, "when a retired portal stopped serving (YYYY-MM-DD)")
    evidence: str | None = _key(str, "how the status is known, and where the profile's facts were seen")
    successor: str | None = _key(str, "slug of the portal that took over")
    merged_into: str | None = _key(str, "the province it belongs to since 1 July 2025")
    merged_from: tuple[str, ...] = _key(list, "provinces merged into this portal's province in 2025", default=())
    notes: str | None = _key(str, "anything else a person should know")
    download_delay: float = _key((int, float), "seconds between two requests to the portal", default=1.0, column=False)
    concurrency: int = _key(int, "connections to the portal at once", default=1, column=False)
    date_order: str = _key(str, "dmy, or mdy for the rare list view that prints US dates", default="dmy", column=False)
    robots: str = _key(str, "obey, or ignore (only with the right to crawl: say so in notes)", default="obey")
    sitemaps: tuple[str, ...] = _key(list, "sitemaps to read besides those robots.txt names", default=(), column=False)
    feeds: tuple[str, ...] = _key(list, "RSS or Atom feeds to read", default=(), column=False)
    discovered: bool = _key(bool, "a sub-site found in its parent's website links", default=False)
    parent: str | None = _key(str, "the portal whose website links named this sub-site")
    pages: str | None = _key(str, "a module of scraper/quirks/ with this portal's own page classes", column=False)
    article: Mapping[str, tuple[str, ...]] = _key(dict, "article selectors that differ from the platform's",
                                                  factory=_no_selectors, column=False)
    listing: Mapping[str, tuple[str, ...]] = _key(dict, "listing selectors that differ from the platform's",
                                                  factory=_no_selectors, column=False)
    seen: Mapping[str, Any] = _key(dict, "what was seen of the real portal (URLs, URL patterns, date formats, platform) and where",
                                   factory=_no_selectors)
    path: Path | None = _key(None, "the file it was read from", column=False)

    @property
    def base_url(self) -> str | None:
        """Origin of the portal's home page (or first start URL): where mirrored URLs are rebased to."""
        first = self.home or (self.start_urls[0] if self.start_urls else None)
        if not first:
            return None
        parts = urlsplit(first)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def is_subsite(self) -> bool:
        return "__" in self.slug

    @property
    def unit(self) -> str:
        """The post-merger province this portal's articles belong to."""
        return self.merged_into or self.province

    @property
    def month_first(self) -> bool:
        return self.date_order == "mdy"

    def row(self) -> dict:
        """The profile's row of the archive's ``portals`` table (lists as JSON; merged_into is the unit)."""
        row = {}
        for f in dataclasses.fields(self):
            if f.metadata["column"] and f.name != "path":
                value = getattr(self, f.name)
                if isinstance(value, frozenset):
                    value = json.dumps(sorted(value))
                elif isinstance(value, Mapping):
                    value = json.dumps(dict(value), ensure_ascii=False) if value else None
                elif isinstance(value, tuple):
                    value = json.dumps(list(value), ensure_ascii=False)
                elif isinstance(value, bool):
                    value = int(value)
                row[f.name] = value
        row["merged_into"] = self.unit
        return row

    def __reduce__(self):
        # Picklable (pages run in worker processes): the read-only selector tables travel as dicts.
        state = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        state["article"], state["listing"], state["seen"] = dict(self.article), dict(self.listing), dict(self.seen)
        return (_rebuild_profile, (state,))

    @classmethod
    def anonymous(cls, platform: str = "generic") -> Profile:
        """A profile-less context, for running a platform's pages on a page of unknown origin."""
        return cls(slug="unknown", name="unknown", province="unknown", platform=platform)


def _rebuild_profile(state: dict) -> Profile:
    state = dict(state, article=MappingProxyType(state["article"]), listing=MappingProxyType(state["listing"]),
                 seen=MappingProxyType(state["seen"]))
    return Profile(**state)


KEYS = {f.name: f for f in dataclasses.fields(Profile) if f.metadata["toml"] is not None}
COLUMNS = tuple(f.name for f in dataclasses.fields(Profile) if f.metadata["column"] and f.name != "path")


def _selectors(path: Path, table: str, data: dict, allowed: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        if key not in allowed:
            raise ProfileError(f"{path}: unknown key {key!r} in [{table}] (allowed: {', '.join(allowed)})")
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
            raise ProfileError(f"{path}: [{table}] {key} must be a CSS selector or a non-empty list of them")
        out[key] = tuple(values)
    return MappingProxyType(out)


def _seen(path: Path, data: dict) -> Mapping[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in SEEN_KEYS:
            raise ProfileError(f"{path}: unknown key {key!r} in [seen] (allowed: {', '.join(SEEN_KEYS)})")
        if key == "checked":
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ProfileError(f"{path}: [seen] checked must be a date as YYYY-MM-DD")
            out[key] = value
            continue
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise ProfileError(f"{path}: [seen] {key} must be a string or a list of strings")
        out[key] = tuple(values)
    if out and not out.get("where"):
        raise ProfileError(f"{path}: [seen] must say where it was seen (where = [...])")
    if "listing_urls" in out:
        _urls(path, "[seen] listing_urls", list(out["listing_urls"]))
    return MappingProxyType(out)


def _urls(path: Path, key: str, values: list) -> tuple[str, ...]:
    for url in values:
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ProfileError(f"{path}: {key} entry {url!r} is not an http(s) URL")
    return tuple(values)


def _choice(path: Path, key: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ProfileError(f"{path}: {key} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def parse_profile(path: Path, data: dict[str, Any], known_platforms: frozenset[str]) -> Profile:
    """The profile of the TOML document `data`, read from `path` (whose name is the slug)."""
    slug = path.stem
    if not SLUG.match(slug):
        raise ProfileError(f"{path}: file name {slug!r} is not a portal slug (ASCII snake_case, sub-sites as province__host)")
    for key, value in data.items():
        if key not in KEYS:
            raise ProfileError(f"{path}: unknown key {key!r} (allowed: {', '.join(KEYS)})")
        kind = KEYS[key].metadata["toml"]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise ProfileError(f"{path}: {key} has the wrong type ({type(value).__name__})")
    for key, f in KEYS.items():
        if f.metadata["required"] and key not in data:
            raise ProfileError(f"{path}: missing required key {key!r}")
    if data["platform"] not in known_platforms:
        raise ProfileError(f"{path}: unknown platform {data['platform']!r} (known: {', '.join(sorted(known_platforms))})")
    values: dict[str, Any] = dict(data)
    status = _choice(path, "status", data.get("status", "unverified"), STATUSES)
    if status == "retired" and not (data.get("retired_on") and data.get("evidence")):
        raise ProfileError(f"{path}: a retired portal needs retired_on (YYYY-MM-DD) and evidence")
    if data.get("retired_on") and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["retired_on"]):
        raise ProfileError(f"{path}: retired_on must be a date as YYYY-MM-DD")
    _choice(path, "robots", data.get("robots", "obey"), ("obey", "ignore"))
    _choice(path, "date_order", data.get("date_order", "dmy"), ("dmy", "mdy"))
    if data.get("discovered") and not data.get("parent"):
        raise ProfileError(f"{path}: a discovered sub-site names its parent portal")
    for key in ("start_urls", "sitemaps", "feeds"):
        values[key] = _urls(path, key, data.get(key, []))
    if "home" in data:
        values["home"] = _urls(path, "home", [data["home"]])[0]
    hosts = {host_key(h) for h in data.get("hosts", [])} | {host_key(urlsplit(u).netloc) for u in values["start_urls"]}
    if values.get("home"):
        hosts.add(host_key(urlsplit(values["home"]).netloc))
    values["hosts"] = frozenset(hosts)
    values["merged_from"] = tuple(data.get("merged_from", []))
    values["download_delay"] = float(data.get("download_delay", 1.0))
    values["article"] = _selectors(path, "article", data.get("article", {}), ARTICLE_KEYS)
    values["listing"] = _selectors(path, "listing", data.get("listing", {}), LISTING_KEYS)
    values["seen"] = _seen(path, data.get("seen", {}))
    return Profile(slug=slug, path=path, **values)
