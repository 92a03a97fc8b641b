"""`scrapy portals`: one row per portal profile, with what the archive knows of it.

    scrapy portals                      # slug, province, successor, platform, status, last crawl, articles
    scrapy portals --markdown           # the table of portals in README.md
    scrapy portals --json
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from scrapy.commands import ScrapyCommand

from scraper.commands._cli import Help, quiet_pipe


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "List the portals: province, successor, platform, status, last crawl, articles archived"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--markdown", action="store_true", help="print the README's table of portals")
        parser.add_argument("--json", action="store_true", help="one JSON object per portal")
        parser.add_argument("--db", help="archive file (default: the ARCHIVE_DB setting)")

    def run(self, args, opts) -> None:
        quiet_pipe()  # `| head` ends it quietly
        from scraper.portals import load_profiles, markdown_table  # heavy: imported when the command runs
        profiles = load_profiles()
        if opts.markdown:
            print(markdown_table(profiles))
            return
        path = Path(opts.db or self.settings.get("ARCHIVE_DB"))
        counts, runs = {}, {}
        if path.exists():
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                counts = dict(conn.execute("SELECT portal, count(*) FROM articles GROUP BY portal"))
                for portal, started, reason, notes in conn.execute(
                    "SELECT portal, started_at, finish_reason, notes FROM crawl_runs WHERE id IN "
                    "(SELECT max(id) FROM crawl_runs GROUP BY portal)"
                ):
                    runs[portal] = (started, reason, notes)
            except sqlite3.OperationalError:
                pass  # an archive from before any crawl: nothing to add
            finally:
                conn.close()
        rows = []
        for slug, p in sorted(profiles.items()):
            started, reason, notes = runs.get(slug, (None, None, None))
            rows.append({
                "slug": slug, "province": p.province, "successor": p.successor or "", "merged_into": p.unit,
                "platform": p.platform, "status": p.status + (" (discovered)" if p.discovered else ""),
                "last_crawl": (started or "")[:16].replace("T", " "), "finish": reason or "", "notes": notes or "",
                "articles": counts.get(slug, 0),
            })
        if opts.json:
            for row in rows:
                print(json.dumps(row, ensure_ascii=False))
            return
        header = (f"{'slug':<26} {'province':<18} {'successor':<12} {'platform':<10} {'status':<11} {'last crawl':<16} "
                  f"{'articles':>8}  notes")
        print(header)
        for r in rows:
            print(f"{r['slug']:<26} {r['province']:<18} {r['successor']:<12} {r['platform']:<10} {r['status']:<11} "
                  f"{r['last_crawl']:<16} {r['articles']:>8}  {r['notes']}")
        print(f"\n{len(rows)} portals; {sum(1 for r in rows if r['status'].startswith('retired'))} retired; "
              f"{sum(r['articles'] for r in rows)} articles archived")
