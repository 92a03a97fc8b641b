"""A portal's profile redrafted from what discovery crawls learned of it, with the evidence.

Pure: a profile and its ``Learned`` rows (``scraper.archive.discovery``) in, TOML text out. The
existing profile's keys are kept; the start URLs become the listings discovery walked (most
articles first), the feeds those it read, the platform the one its home page was built with when
the project supports it and the fingerprint was more than a guess. What was seen goes to the
``[seen]`` table, with where and when, so the profile says why it says what it says.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

import tomli_w

from scraper.archive.discovery import Learned
from scraper.core.profile import KEYS, Profile
from scraper.core.urls import host_key

MAX_START_URLS = 12
TRUSTED = ("high", "medium")  # fingerprint confidences a draft's platform may rest on


def _toml_value(value):
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "items"):
        return {k: _toml_value(v) for k, v in value.items()}
    return value


def profile_data(profile: Profile) -> dict:
    """The profile's TOML keys that differ from their defaults (tables last, as TOML wants them)."""
    data, tables = {}, {}
    for name, f in KEYS.items():
        value = getattr(profile, name)
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if not f.metadata["required"] and (value == default or value in (None, (), frozenset()) or (hasattr(value, "items") and not value)):
            continue
        if name == "hosts":
            implied = {host_key(urlsplit(u).netloc) for u in (profile.home, *profile.start_urls) if u}
            value = frozenset(h for h in value if h not in implied)
            if not value:
                continue
        (tables if hasattr(value, "items") else data)[name] = _toml_value(value)
    return {**data, **tables}


def draft_from_discovery(profile: Profile, learned: Learned, supported: frozenset[str], *, today: str) -> str:
    """The profile as discovery would have it: TOML text, ready to review and commit."""
    data = profile_data(profile)
    listings = sorted(learned.listings.items(), key=lambda kv: (-(kv[1].get("articles") or 0), kv[0]))
    if listings:
        data["start_urls"] = [url for url, _ in listings[:MAX_START_URLS]]
    if learned.feeds:
        data["feeds"] = sorted(set(learned.feeds))
    platform = learned.platform
    if platform and platform["name"] in supported and platform.get("confidence") in TRUSTED and profile.platform in ("unknown", "generic"):
        data["platform"] = platform["name"]
    where = [f"discovery crawl from {learned.home or profile.home} ({_runs(learned)})"]
    seen = {k: list(v) if isinstance(v, tuple) else v for k, v in (profile.seen or {}).items()}
    seen["where"] = _merged(seen.get("where", []), where)
    seen["checked"] = today
    if listings:
        seen["listing_urls"] = _merged(seen.get("listing_urls", []), [u for u, _ in listings])
    if learned.article_urls:
        seen["article_urls"] = _merged(seen.get("article_urls", []), [p["pattern"] for p in learned.article_urls])
    shapes = {v.get("shape") for v in learned.listings.values() if v.get("items") == "structure"}
    if len(shapes) == 1 and None not in shapes and "item" not in profile.listing:
        # Every listing's items had one shape: the listing item selector, learned.
        data["listing"] = {**data.get("listing", {}), "item": shapes.pop()}
    if platform and platform["name"] != "unknown":
        clues = "; ".join(platform.get("evidence", [])[:3])
        seen["platform"] = _merged(seen.get("platform", []), [f"{platform['name']} ({platform.get('confidence')}): {clues}"])
    data.pop("seen", None)
    data.update({table: data.pop(table) for table in ("article", "listing") if table in data})  # tables after keys
    data["seen"] = seen
    head = [f"# {profile.name}: profile drafted from what discovery learned ({today}); review before committing."]
    for url, listing in listings:
        head.append(f"#   listing {url}  {listing.get('label') or ''}: {listing.get('articles') or 0} articles, "
                    f"items by {listing.get('items') or '?'}" + (f" ({listing['shape']})" if listing.get("shape") else "")
                    + f", seen in {listing.get('runs', 1)} runs")
    for pattern in learned.article_urls:
        head.append(f"#   article URLs {pattern['pattern']}  ({pattern.get('share', 0):.0%} of {pattern.get('count', '?')})")
    return "\n".join(head) + "\n" + tomli_w.dumps(data, multiline_strings=False)


def _runs(learned: Learned) -> str:
    dates = sorted({v["last_seen_at"][:10] for v in learned.listings.values() if v.get("last_seen_at")})
    return ", ".join(dates) if dates else "no listing found"


def _merged(old: list[str], new: list[str]) -> list[str]:
    return list(dict.fromkeys([*old, *new]))
