"""`scrapy demo`: the main job on its offline default.

Serves the sample mirror (``data/mirror/``: Phú Yên on WebSphere Portal with the seed article,
Quảng Ngãi on Liferay) on 127.0.0.1, crawls it with the real portal spiders and pipelines into the
archive (``ARCHIVE_DB``, by default ``data/archive.db``), then prints what each portal added and an
example search. Run it twice: the second run fetches the same pages and stores nothing new.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from pathlib import Path

from scrapy.commands import ScrapyCommand

from scraper.archive.search import search
from scraper.commands._cli import Help
from scraper.core.urls import rebase
from scraper.mirror import MirrorServer

EXAMPLE_QUERY = "ban chi dao 35"


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = True

    def short_desc(self) -> str:
        return "Crawl the bundled sample mirror into the archive and show what was stored"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--mirror", help="mirror directory (default: the DEMO_MIRROR setting, data/mirror)")

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        # The mirror is ours, on loopback: no politeness delay is owed to it. Quiet logs; we report.
        for key, value in {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING"}.items():
            if self.settings.getpriority(key) < 40:
                self.settings.set(key, value, priority="cmdline")

    def run(self, args: list[str], opts) -> None:
        from scraper.portals import get_profile  # heavy: imported when the command runs
        where = Path(opts.mirror or self.settings.get("DEMO_MIRROR"))
        mirrors = sorted(p for p in where.iterdir() if (p / "meta.json").exists()) if where.is_dir() else []
        if not mirrors:
            print(f"No mirror found in {where}", file=sys.stderr)
            self.exitcode = 2
            return
        db_path = Path(self.settings.get("ARCHIVE_DB"))
        servers, portals = [], []
        for root in mirrors:
            meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
            profile = get_profile(meta["portal"])
            server = MirrorServer(root).start()
            servers.append(server)
            start_urls = [rebase(u, profile.base_url, server.origin) for u in profile.start_urls]
            portals.append(profile.slug)
            note = " (reconstruction)" if meta.get("reconstruction") else ""
            print(f"Serving {root.name}{note} at {server.origin}/; crawling {profile.slug} ({profile.platform}, {len(start_urls)} "
                  f"categories)")
            self.crawler_process.crawl(profile.slug, start_urls=",".join(start_urls))
        began = time.monotonic()
        try:
            self.crawler_process.start()
        finally:
            for server in servers:
                server.stop()
        self.report(db_path, portals, servers, time.monotonic() - began)

    def report(self, db_path: Path, portals: list[str], servers: list[MirrorServer], seconds: float) -> None:
        conn = sqlite3.connect(db_path)
        shown = os.path.relpath(db_path) if db_path.resolve().is_relative_to(Path.cwd()) else db_path
        print(f"\nArchive: {shown}  ({sum(s.requests for s in servers)} requests in {seconds:.1f} s)\n")
        print(f"{'portal':<12} {'new':>5} {'updated':>8} {'unchanged':>10} {'rejected':>9} {'in archive':>11}")
        stored_now = 0
        for slug in portals:
            run = conn.execute(
                "SELECT new, updated, unchanged, rejected FROM crawl_runs WHERE portal = ? ORDER BY id DESC LIMIT 1", [slug]
            ).fetchone() or (0, 0, 0, 0)
            total = conn.execute("SELECT count(*) FROM articles WHERE portal = ?", [slug]).fetchone()[0]
            stored_now += run[0] + run[1]
            print(f"{slug:<12} {run[0]:>5} {run[1]:>8} {run[2]:>10} {run[3]:>9} {total:>11}")
        total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        if stored_now == 0:
            print(f"\nNothing new: all {total} articles were already in the archive; no article was written.")
        else:
            print(f"\nStored {stored_now} articles; the archive holds {total}.")
        count, hits, expr = search(conn, EXAMPLE_QUERY, limit=3)
        print(f'\nExample search: scrapy search "{EXAMPLE_QUERY}"  ({count} match{"es" if count != 1 else ""})')
        for hit in hits:
            print(f"  {hit.title}\n    {hit.portal} · {(hit.published_at or '')[:16].replace('T', ' ')} · {hit.author or ''}\n    "
                  f"{hit.snippet}")
        print(f"\nThe same with the stock tool: sqlite-utils search {shown} articles \"ban chi dao\" -c title")
        conn.close()
