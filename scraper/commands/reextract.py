"""`scrapy reextract`: run the current page classes over the raw pages kept in WARC files, with no
network, and update the archive through the same pipelines a crawl uses.

An article whose text the improved page classes read differently becomes a new version; a page
rejected before that now reads as an article leaves the rejects table; an unchanged one writes
nothing. Captures are taken oldest first, so several crawls of one page replay as its history.

    scrapy reextract                          # every article page in data/warc/
    scrapy reextract --portal quang_ngai      # one portal's
    scrapy reextract --warc-dir /backup/warc -s ARCHIVE_DB=/tmp/fresh.db
"""

from __future__ import annotations

import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from scraper.commands._cli import Help


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Re-run the page classes over the stored WARC pages (no network) and update the archive"


    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--portal", action="append", help="only this portal (repeatable)")
        parser.add_argument("--warc-dir", help="where the WARC files are (default: warc/ beside ARCHIVE_DB)")

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        if self.settings.getpriority("LOG_LEVEL") < 40:  # Scrapy's log when asked (-L INFO, -s LOG_LEVEL=…)
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
        self.settings.set("WARC_ENABLED", False, priority="cmdline")  # nothing is fetched, nothing to keep

    def run(self, args, opts) -> None:
        from scraper.archive.warc import index_entries
        from scraper.portals import load_profiles  # (heavy: imported when run)
        from scraper.spiders.reextract import ReextractSpider
        warc_dir = Path(opts.warc_dir or Path(self.settings.get("ARCHIVE_DB")).parent / "warc")
        if not warc_dir.is_dir():
            raise UsageError(f"no WARC directory at {warc_dir}")
        entries = [e for e in index_entries(warc_dir)
                   if e.get("kind") == "article" and e.get("status") == "200" and e.get("portal")
                   and (not opts.portal or e["portal"] in opts.portal) and e["portal"] in load_profiles()]
        if not entries:
            print(f"No stored article pages in {warc_dir}", file=sys.stderr)
            self.exitcode = 2
            return
        print(f"Re-extracting {len(entries)} stored article pages from {warc_dir}", file=sys.stderr)
        crawler = self.crawler_process.create_crawler(ReextractSpider)
        self.crawler_process.crawl(crawler, entries=entries)
        self.crawler_process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        for slug in sorted({e["portal"] for e in entries}):
            def get(key, slug=slug):
                return stats.get(f"portals/{slug}/{key}", 0)
            print(f"{slug}: {get('archive/committed/new')} new, {get('archive/committed/updated')} updated, "
                  f"{get('archive/unchanged') + get('archive/committed/unchanged')} unchanged, "
                  f"{get('archive/committed/rejected')} rejected, {get('reextract/unreadable')} unreadable")
