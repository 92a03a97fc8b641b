"""`scrapy history <url-or-id>`: the versions of an article, when each was seen, and what changed.

    scrapy history https://phuyen.gov.vn/wps/portal/Home/chi-tiet-tin?urile=wcm:path:/…
    scrapy history 42
"""

from __future__ import annotations

import difflib
import sqlite3
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from scraper.urls import canonical_url


def versions(conn: sqlite3.Connection, key: str) -> list[dict]:
    """Every version of an article, oldest first; the last is the current one."""
    conn.row_factory = sqlite3.Row
    if key.isdigit():
        current = conn.execute("SELECT * FROM articles WHERE id = ?", [int(key)]).fetchone()
    else:
        current = conn.execute("SELECT * FROM articles WHERE url IN (?, ?)", [key, canonical_url(key)]).fetchone()
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


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "<article URL or id>"

    def short_desc(self) -> str:
        return "Show an article's versions and what changed between them"

    def long_desc(self) -> str:
        return __doc__

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--db", help="archive file (default: the ARCHIVE_DB setting)")

    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("give one article URL or id")
        path = Path(opts.db or self.settings.get("ARCHIVE_DB"))
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = versions(conn, args[0])
        finally:
            conn.close()
        if not found:
            print(f"No article {args[0]!r} in {path}", file=sys.stderr)
            self.exitcode = 2
            return
        print(f"{found[-1]['title']}\n{found[-1]['url']}\n{len(found)} version{'s' if len(found) != 1 else ''}")
        for n, v in enumerate(found, 1):
            until = f" until {v['replaced_at']}" if v.get("replaced_at") else " (current)"
            print(f"\nversion {n}: seen from {v.get('seen_from')}{until}")
            if n > 1:
                print("\n".join(diff(found[n - 2], v)) or "  (no difference in the text)")
