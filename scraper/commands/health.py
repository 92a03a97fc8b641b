"""`scrapy health`: which scheduled portals are broken, from their latest crawl runs.

Broken means: no articles found, a reject ratio rising above its past, profile selectors that
stopped matching, listings with no articles, many HTTP errors, a robots.txt that shuts everyone
out, or a host that no longer answers (a portal retired without its profile saying so). Exits 1
when any portal is broken, so a scheduler can alert; 0 when all are healthy. Degraded means the
profile's selectors stopped matching but the generic path still reads the pages: listed, exit 0.

    scrapy health              # a line per broken or degraded portal, then a summary
    scrapy health --all        # every scheduled portal
    scrapy health --json
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand

from scraper.archive.health import assess, findings_json
from scraper.commands._cli import Help, quiet_pipe


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Report broken portals from their latest crawl runs (exit 1 if any)"


    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--all", action="store_true", help="list healthy portals too")
        parser.add_argument("--json", action="store_true", help="one JSON object per portal")
        parser.add_argument("--portal", action="append", help="only this portal (repeatable)")
        parser.add_argument("--db", help="archive file (default: the ARCHIVE_DB setting)")

    def run(self, args, opts) -> None:
        quiet_pipe()  # `| head` ends it quietly
        from scraper.portals import load_profiles  # heavy: imported when the command runs
        path = Path(opts.db or self.settings.get("ARCHIVE_DB"))
        if not path.exists():
            print(f"No archive at {path}: nothing has been crawled yet.", file=sys.stderr)
            self.exitcode = 2
            return
        profiles = load_profiles()
        if opts.portal:
            profiles = {slug: profiles[slug] for slug in opts.portal if slug in profiles}
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            findings = assess(conn, profiles)
        finally:
            conn.close()
        crawled = [f for f in findings if f.last_run]
        broken = [f for f in crawled if f.broken]
        shown = crawled if opts.all else [f for f in crawled if f.broken or f.degraded]
        if opts.json:
            print(findings_json(findings if opts.all else shown))
        else:
            for f in shown:
                print(f"{f.portal:<26} {f.status:<11} last run {f.last_run[:16].replace('T', ' ')}  {f.verdict}")
            degraded = sum(f.degraded for f in crawled)
            print(f"{len(broken)} broken" + (f", {degraded} degraded" if degraded else "") + f" of {len(crawled)} crawled portals"
                  f" ({len(findings) - len(crawled)} scheduled portals not crawled yet)")
        self.exitcode = 1 if broken else 0
