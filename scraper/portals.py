"""Portal profiles: one TOML file per portal in ``scraper/portals/``, loaded and validated here.

A profile is data. It names the portal's platform and overrides only what differs from that
platform's defaults. An unknown key, a missing required key or a value of the wrong type is an
error that names the file, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
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
    province: str
    platform: str
    start_urls: tuple[str, ...] = ()
    hosts: frozenset[str] = frozenset()
    status: str = "unverified"
    successor: str | None = None
    notes: str | None = None
    download_delay: float = 1.0
    concurrency: int = 1
    month_first: bool = False
    article: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    listing: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    path: Path | None = None

    @property
    def base_url(self) -> str | None:
        """Origin of the portal's first start URL: where mirrored URLs are rebased to."""
        if not self.start_urls:
            return None
        parts = urlsplit(self.start_urls[0])
        return f"{parts.scheme}://{parts.netloc}"

    @classmethod
    def anonymous(cls, platform: str = "generic") -> "Profile":
        """A profile-less context, for running a platform's pages on a page of unknown origin."""
        return cls(slug="unknown", name="unknown", province="unknown", platform=platform)


# key -> (type check, required)
_TOP = {
    "name": (str, True),
    "province": (str, True),
    "platform": (str, True),
    "start_urls": (list, False),
    "hosts": (list, False),
    "status": (str, False),
    "successor": (str, False),
    "notes": (str, False),
    "download_delay": ((int, float), False),
    "concurrency": (int, False),
    "date_order": (str, False),
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


def parse_profile(path: Path, data: dict[str, Any], known_platforms: frozenset[str]) -> Profile:
    slug = path.stem
    if not SLUG.match(slug):
        raise ProfileError(f"{path}: file name {slug!r} is not a portal slug (ASCII snake_case, sub-sites as province__host)")
    for key, value in data.items():
        if key not in _TOP:
            raise ProfileError(f"{path}: unknown key {key!r} (allowed: {', '.join(_TOP)})")
        kind, _ = _TOP[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
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
    start_urls = data.get("start_urls", [])
    for url in start_urls:
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise ProfileError(f"{path}: start URL {url!r} is not an http(s) URL")
    hosts = {host_key(h) for h in data.get("hosts", [])} | {host_key(urlsplit(u).netloc) for u in start_urls}
    date_order = data.get("date_order", "dmy")
    if date_order not in ("dmy", "mdy"):
        raise ProfileError(f"{path}: date_order must be 'dmy' or 'mdy', not {date_order!r}")
    return Profile(
        slug=slug,
        name=data["name"],
        province=data["province"],
        platform=platform,
        start_urls=tuple(start_urls),
        hosts=frozenset(hosts),
        status=status,
        successor=data.get("successor"),
        notes=data.get("notes"),
        download_delay=float(data.get("download_delay", 1.0)),
        concurrency=int(data.get("concurrency", 1)),
        month_first=date_order == "mdy",
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
    """Every profile in `directory`, by slug. Raises ProfileError on the first bad file."""
    profiles = {p.stem: load_profile(p) for p in sorted(directory.glob("*.toml"))}
    for profile in profiles.values():
        if profile.successor and profile.successor not in profiles:
            raise ProfileError(f"{profile.path}: successor {profile.successor!r} has no profile")
    return MappingProxyType(profiles)


def get_profile(slug: str) -> Profile:
    try:
        return load_profiles()[slug]
    except KeyError:
        raise KeyError(f"no portal profile named {slug!r} in {PROFILE_DIR}") from None
