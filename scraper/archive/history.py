"""An article's versions: the current row and the earlier texts kept in ``article_versions``, and
what changed between two of them."""

from __future__ import annotations

import difflib
import sqlite3

from scraper.core.urls import canonical_url


def find(conn: sqlite3.Connection, key: str) -> sqlite3.Row | None:
    """The article row for an id or a URL (as typed, or in its canonical form)."""
    conn.row_factory = sqlite3.Row
    if key.isdigit():
        return conn.execute("SELECT * FROM articles WHERE id = ?", [int(key)]).fetchone()
    return conn.execute("SELECT * FROM articles WHERE url IN (?, ?)", [key, canonical_url(key)]).fetchone()


def versions(conn: sqlite3.Connection, key: str) -> list[dict]:
    """Every version of an article, oldest first; the last is the current one."""
    current = find(conn, key)
    if current is None:
        return []
    older = conn.execute("SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", [current["id"]]).fetchall()
    out = [dict(v) for v in older]
    out.append({**dict(current), "seen_from": current["changed_at"] or current["first_seen_at"], "replaced_at": None})
    return out


def diff(old: dict, new: dict) -> list[str]:
    lines = []
    for field in ("title", "lead", "author", "published_at"):
        if (old.get(field) or "") != (new.get(field) or ""):
            lines.append(f"  {field}: {old.get(field)!r} -> {new.get(field)!r}")
    body = list(difflib.unified_diff((old.get("body_text") or "").split("\n\n"), (new.get("body_text") or "").split("\n\n"),
                                     "before", "after", lineterm="", n=0))
    return lines + [f"  {line}" for line in body]
