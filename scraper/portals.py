"""Portal profiles: one TOML file per portal in ``scraper/portals/``, loaded and validated here.

A profile is data. It names the portal's platform and overrides only what differs from that
platform's defaults. An unknown key, a missing required key or a value of the wrong type is an
error that names the file, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from scraper.urls import host_key

PROFILE_DIR = Path(__file__).parent / "portals"
STATUSES = ("live", "retired", "unverified")
SLUG = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?:__[a-z0-9]+(?:_[a-z0-9]+)*)?$")

# Keys of the [article] and [listing] tables: CSS selectors (a string or a list tried in order).
ARTICLE_KEYS = ("title", "published", "updated", "author", "lead", "category", "body", "source", "attachments", "exclude")
LISTING_KEYS = ("item", "link", "title", "date", "next", "pages")


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Profile:
    slug: str
    name: str
    province: str                      # the province the portal served when it published
    platform: str
    home: str | None = None            # the portal's home page: robots.txt, sitemaps, website links
    start_urls: tuple[str, ...] = ()   # category listings to walk
    hosts: frozenset[str] = frozenset()
    status: str = "unverified"
    retired_on: str | None = None
    evidence: str | None = None        # how the status is known
    successor: str | None = None       # slug of the portal that took over
    merged_into: str | None = None     # the province it belongs to since 1 July 2025
    merged_from: tuple[str, ...] = ()  # provinces merged into this portal's province in 2025
    notes: str | None = None
    download_delay: float = 1.0
    concurrency: int = 1
    month_first: bool = False
    robots: str = "obey"
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    discovered: bool = False           # a sub-site found from its parent's website links
    parent: str | None = None
    article: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    listing: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    path: Path | None = None

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

    def __reduce__(self):
        # Picklable (pages run in worker processes): the read-only selector tables travel as dicts.
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        state["article"], state["listing"] = dict(self.article), dict(self.listing)
        return (_rebuild_profile, (state,))

    @classmethod
    def anonymous(cls, platform: str = "generic") -> "Profile":
        """A profile-less context, for running a platform's pages on a page of unknown origin."""
        return cls(slug="unknown", name="unknown", province="unknown", platform=platform)


def _rebuild_profile(state: dict) -> Profile:
    state = dict(state, article=MappingProxyType(state["article"]), listing=MappingProxyType(state["listing"]))
    return Profile(**state)


# key -> (type check, required)
_TOP = {
    "name": (str, True),
    "province": (str, True),
    "platform": (str, True),
    "home": (str, False),
    "start_urls": (list, False),
    "hosts": (list, False),
    "status": (str, False),
    "retired_on": (str, False),
    "evidence": (str, False),
    "successor": (str, False),
    "merged_into": (str, False),
    "merged_from": (list, False),
    "notes": (str, False),
    "download_delay": ((int, float), False),
    "concurrency": (int, False),
    "date_order": (str, False),
    "robots": (str, False),
    "sitemaps": (list, False),
    "feeds": (list, False),
    "discovered": (bool, False),
    "parent": (str, False),
    "article": (dict, False),
    "listing": (dict, False),
}


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


def _urls(path: Path, key: str, values: list) -> tuple[str, ...]:
    for url in values:
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ProfileError(f"{path}: {key} entry {url!r} is not an http(s) URL")
    return tuple(values)


def parse_profile(path: Path, data: dict[str, Any], known_platforms: frozenset[str]) -> Profile:
    slug = path.stem
    if not SLUG.match(slug):
        raise ProfileError(f"{path}: file name {slug!r} is not a portal slug (ASCII snake_case, sub-sites as province__host)")
    for key, value in data.items():
        if key not in _TOP:
            raise ProfileError(f"{path}: unknown key {key!r} (allowed: {', '.join(_TOP)})")
        kind, _ = _TOP[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise ProfileError(f"{path}: {key} has the wrong type ({type(value).__name__})")
    for key, (_, required) in _TOP.items():
        if required and key not in data:
            raise ProfileError(f"{path}: missing required key {key!r}")
    platform = data["platform"]
    if platform not in known_platforms:
        raise ProfileError(f"{path}: unknown platform {platform!r} (known: {', '.join(sorted(known_platforms))})")
    status = data.get("status", "unverified")
    if status not in STATUSES:
        raise ProfileError(f"{path}: status must be one of {', '.join(STATUSES)}, not {status!r}")
    if status == "retired" and not (data.get("retired_on") and data.get("evidence")):
        raise ProfileError(f"{path}: a retired portal needs retired_on (YYYY-MM-DD) and evidence")
    if data.get("retired_on") and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["retired_on"]):
        raise ProfileError(f"{path}: retired_on must be a date as YYYY-MM-DD")
    robots = data.get("robots", "obey")
    if robots not in ("obey", "ignore"):
        raise ProfileError(f"{path}: robots must be 'obey' or 'ignore', not {robots!r}")
    if data.get("discovered") and not data.get("parent"):
        raise ProfileError(f"{path}: a discovered sub-site names its parent portal")
    start_urls = _urls(path, "start_urls", data.get("start_urls", []))
    home = _urls(path, "home", [data["home"]])[0] if "home" in data else None
    hosts = {host_key(h) for h in data.get("hosts", [])} | {host_key(urlsplit(u).netloc) for u in start_urls}
    if home:
        hosts.add(host_key(urlsplit(home).netloc))
    date_order = data.get("date_order", "dmy")
    if date_order not in ("dmy", "mdy"):
        raise ProfileError(f"{path}: date_order must be 'dmy' or 'mdy', not {date_order!r}")
    return Profile(
        slug=slug,
        name=data["name"],
        province=data["province"],
        platform=platform,
        home=home,
        start_urls=start_urls,
        hosts=frozenset(hosts),
        status=status,
        retired_on=data.get("retired_on"),
        evidence=data.get("evidence"),
        successor=data.get("successor"),
        merged_into=data.get("merged_into"),
        merged_from=tuple(data.get("merged_from", [])),
        notes=data.get("notes"),
        download_delay=float(data.get("download_delay", 1.0)),
        concurrency=int(data.get("concurrency", 1)),
        month_first=date_order == "mdy",
        robots=robots,
        sitemaps=_urls(path, "sitemaps", data.get("sitemaps", [])),
        feeds=_urls(path, "feeds", data.get("feeds", [])),
        discovered=bool(data.get("discovered", False)),
        parent=data.get("parent"),
        article=_selectors(path, "article", data.get("article", {}), ARTICLE_KEYS),
        listing=_selectors(path, "listing", data.get("listing", {}), LISTING_KEYS),
        path=path,
    )


def load_profile(path: Path) -> Profile:
    from scraper.platforms import PLATFORM_NAMES

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from exc
    return parse_profile(path, data, PLATFORM_NAMES)


@functools.cache
def load_profiles(directory: Path = PROFILE_DIR) -> Mapping[str, Profile]:
    """Every profile in `directory` and its ``discovered/`` folder, by slug. Raises ProfileError on
    the first bad file."""
    paths = sorted(directory.glob("*.toml")) + sorted((directory / "discovered").glob("*.toml"))
    profiles: dict[str, Profile] = {}
    for path in paths:
        profile = load_profile(path)
        if profile.slug in profiles:
            raise ProfileError(f"{path}: slug {profile.slug!r} is already used by {profiles[profile.slug].path}")
        profiles[profile.slug] = profile
    for profile in profiles.values():
        for key in ("successor", "parent"):
            target = getattr(profile, key)
            if target and target not in profiles:
                raise ProfileError(f"{profile.path}: {key} {target!r} has no profile")
    return MappingProxyType(profiles)


def get_profile(slug: str) -> Profile:
    try:
        return load_profiles()[slug]
    except KeyError:
        raise KeyError(f"no portal profile named {slug!r} in {PROFILE_DIR}") from None
