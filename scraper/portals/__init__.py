"""The portal profiles: one TOML file per portal in this package (``discovered/`` for sub-sites found
in a portal's website links), read as package data so they load from a checkout, a wheel or an egg.

Profiles are checked against the platforms the project has: a profile naming an unknown platform,
a successor or parent with no profile, or a quirk module that does not exist is an error naming
the file. ``pages_for`` gives the page classes a portal's pages are read with: its own quirk
classes when its profile names some (``pages = "<quirk>"``, see ``scraper.quirks``), else its platform's.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType

from scraper.core.profile import Profile, ProfileError, parse_profile
from scraper.platforms import PLATFORM_NAMES, Platform, platform
from scraper.quirks import QUIRKS

PACKAGE = __name__


def _read(path: Path | Traversable) -> Profile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from exc
    profile = parse_profile(Path(str(path)), data, PLATFORM_NAMES)
    if profile.pages and profile.pages not in QUIRKS:
        raise ProfileError(f"{path}: pages {profile.pages!r} names no quirk of scraper/quirks/ (known: "
                           f"{', '.join(sorted(QUIRKS)) or 'none'})")
    return profile


def load_profile(path: Path) -> Profile:
    """One profile file, checked."""
    return _read(path)


def _profile_files(directory: Path | Traversable) -> list:
    found = sorted((p for p in directory.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    sub = directory / "discovered"
    if sub.is_dir():
        found += sorted((p for p in sub.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    return found


@functools.cache
def load_profiles(directory: Path | None = None) -> Mapping[str, Profile]:
    """Every profile, by slug (the package's own unless `directory` is given). Raises ProfileError on
    the first bad file."""
    profiles: dict[str, Profile] = {}
    for path in _profile_files(directory if directory is not None else files(PACKAGE)):
        profile = _read(path)
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
        raise KeyError(f"no portal profile named {slug!r}") from None


def profile_dir() -> Path:
    """Where the package's profile files are on disk (for writing discovered ones)."""
    return Path(str(files(PACKAGE)))


def pages_for(profile: Profile) -> Platform:
    """The platform a portal's pages are read with: its quirk module's, when its profile names one."""
    base = platform(profile.platform)
    if not profile.pages:
        return base
    return QUIRKS[profile.pages](base, platform)


def markdown_table(profiles: Mapping[str, Profile]) -> str:
    """The README's table of portals."""
    lines = ["| slug | province | since 1 July 2025 | platform | status | successor |", "|---|---|---|---|---|---|"]
    for slug, p in sorted(profiles.items()):
        unit = p.unit if p.unit != p.province or not p.merged_from else f"{p.unit} (also {', '.join(p.merged_from)})"
        lines.append(f"| {slug} | {p.province} | {unit} | {p.platform} | {p.status} | {p.successor or ''} |")
    return "\n".join(lines)
