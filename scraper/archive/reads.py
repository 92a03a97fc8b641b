"""What the archive already holds for a portal, read at the start of a crawl so the crawl stays
incremental: its articles' URLs (and aliases), their HTTP validators, and the listings its last
finished run walked to their end. Read-only; an archive that does not exist yet holds nothing.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class History:
    known: set[str] = field(default_factory=set)                        # canonical URLs: articles and aliases
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # url -> (ETag, Last-Modified)
    walked: set[str] = field(default_factory=set)                       # listings walked to their end last time


def portal_history(db_path: Path, portal: str, *, validators: bool = False) -> History:
    """`portal`'s history in the archive at `db_path` (with `validators`: the ETag and Last-Modified
    of each archived article, for conditional re-checks)."""
    found = History()
    if not Path(db_path).exists():
        return found
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        for url, etag, modified in conn.execute("SELECT url, etag, last_modified FROM articles WHERE portal = ?", [portal]):
            found.known.add(url)
            if validators and (etag or modified):
                found.validators[url] = (etag, modified)
        found.known.update(u for (u,) in conn.execute("SELECT url FROM article_aliases WHERE portal = ?", [portal]))
        last = conn.execute(
            "SELECT finish_reason, walks FROM crawl_runs WHERE portal = ? AND coalesce(kind, 'crawl') = 'crawl' "
            "ORDER BY id DESC LIMIT 1", [portal]
        ).fetchone()
        if last and last[0] == "finished" and last[1]:
            found.walked = set(json.loads(last[1]))
    except sqlite3.OperationalError:
        pass  # an archive from before these columns or tables: everything is new to it
    finally:
        conn.close()
    return found
