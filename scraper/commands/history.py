"""`scrapy history <url-or-id>`: the versions of an article, when each was seen, and what changed.

    scrapy history https://phuyen.gov.vn/wps/portal/Home/chi-tiet-tin?urile=wcm:path:/…
    scrapy history 42
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from scraper.archive.history import diff, versions


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
