"""What discovery crawls learned of each portal, kept in the ``portal_discovery`` table.

A crawl that starts from a portal's home page learns its news sections, which of them are listings
(and the shape of their items), its feeds, the shape of its article URLs and the platform its
pages were built with. Each is one row (portal, kind, value) with a label, its evidence as JSON,
when it was first and last seen and in how many runs. The next crawl of the portal starts from the
listings learned here; ``scrapy profile <slug> --draft`` prints a profile from them.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

KINDS = ("home", "platform", "section", "listing", "feed", "article-url")


@dataclass
class Learned:
    """One portal's rows of ``portal_discovery``, by kind."""

    home: str | None = None
    platform: dict | None = None                                   # {"name", "confidence", "evidence"}
    sections: dict[str, dict] = field(default_factory=dict)        # url -> {"label", "why", ...}
    listings: dict[str, dict] = field(default_factory=dict)        # url -> {"label", "shape", "articles", "runs", ...}
    feeds: list[str] = field(default_factory=list)
    article_urls: list[dict] = field(default_factory=list)         # [{"pattern", "share", "examples"}]

    def __bool__(self) -> bool:
        return bool(self.home or self.sections or self.listings or self.feeds)


def record_discovery(db: sqlite_utils.Database, portal: str, found: dict, when: str) -> int:
    """Upsert what one run learned of `portal` (see the spiders' run report); returns rows written."""
    rows = []

    def add(kind: str, value: str, label: str | None = None, evidence: dict | None = None) -> None:
        rows.append({"portal": portal, "kind": kind, "value": value, "label": label,
                     "evidence": json.dumps(evidence or {}, ensure_ascii=False, sort_keys=True)})

    if found.get("home"):
        add("home", found["home"])
    platform = found.get("platform")
    if platform and platform.get("name"):
        add("platform", platform["name"], platform.get("confidence"), {"evidence": platform.get("evidence", [])})
    for section in found.get("sections", []):
        add("section", section["url"], section.get("label"), {"why": section.get("why"), "depth": section.get("depth")})
    for listing in found.get("listings", []):
        add("listing", listing["url"], listing.get("label"), {k: listing.get(k) for k in ("shape", "articles", "items")})
    for feed in found.get("feeds", []):
        add("feed", feed)
    for pattern in found.get("article_urls", []):
        add("article-url", pattern["pattern"], None, {k: pattern[k] for k in ("share", "examples", "count") if k in pattern})
    for row in rows:
        old = db.execute("SELECT runs, first_seen_at FROM portal_discovery WHERE portal = ? AND kind = ? AND value = ?",
                         [row["portal"], row["kind"], row["value"]]).fetchone()
        row["first_seen_at"] = old[1] if old else when
        row["last_seen_at"] = when
        row["runs"] = (old[0] or 0) + 1 if old else 1
    if rows:
        db["portal_discovery"].upsert_all(rows, pk=("portal", "kind", "value"))
    return len(rows)


def learned(db_path: str | Path, portal: str) -> Learned:
    """What the archive at `db_path` learned of `portal` (read-only; nothing when there is no archive)."""
    found = Learned()
    if not Path(db_path).exists():
        return found
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT kind, value, label, evidence, first_seen_at, last_seen_at, runs FROM portal_discovery "
                            "WHERE portal = ? ORDER BY kind, first_seen_at, value", [portal]).fetchall()
    except sqlite3.OperationalError:
        rows = []  # an archive from before discovery was kept
    finally:
        conn.close()
    for kind, value, label, evidence, first, last, runs in rows:
        detail = {**json.loads(evidence or "{}"), "label": label, "first_seen_at": first, "last_seen_at": last, "runs": runs}
        if kind == "home":
            found.home = value
        elif kind == "platform":
            if found.platform is None or last > found.platform["last_seen_at"]:
                found.platform = {"name": value, "confidence": label, **detail}
        elif kind == "section":
            found.sections[value] = detail
        elif kind == "listing":
            found.listings[value] = detail
        elif kind == "feed":
            found.feeds.append(value)
        elif kind == "article-url":
            found.article_urls.append({"pattern": value, **detail})
    found.article_urls.sort(key=lambda p: -(p.get("share") or 0))
    return found
