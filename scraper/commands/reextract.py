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

import datetime as dt
import json
import logging
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from warcio.archiveiterator import ArchiveIterator

from scraper.dates import VN_TZ
from scraper.portals import load_profiles
from scraper.spiders.portal import PortalSpider

logger = logging.getLogger(__name__)


def index_entries(warc_dir: Path) -> list[dict]:
    """Every CDXJ line of the WARC files in `warc_dir`, oldest capture first."""
    entries = []
    for index in sorted(warc_dir.glob("*.cdxj")):
        for number, line in enumerate(index.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            try:
                _, stamp, data = line.split(" ", 2)
                fields = json.loads(data)
                entries.append({**fields, "timestamp": stamp, "warc": str(index.parent / fields["filename"])})
            except (ValueError, KeyError):  # a line cut short by a killed crawl, say
                logger.error("reextract: line %d of %s is not an index entry; skipped", number, index)
    entries.sort(key=lambda e: (e["timestamp"], e["warc"], int(e["offset"])))
    return entries


def read_response(path: str, offset: int) -> tuple[int, dict, bytes, str]:
    """(status, headers, body, WARC-Date) of the response record at `offset`."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        headers = {k.lower(): v for k, v in record.http_headers.headers}
        status = int(record.http_headers.get_statuscode() or 0)
        return status, headers, record.content_stream().read(), record.rec_headers.get_header("WARC-Date")


class ReextractSpider(PortalSpider):
    """Yields items from stored pages instead of fetching any."""

    name = "reextract"
    run_kind = "reextract"

    def __init__(self, *args, entries: list[dict], **kwargs):
        slugs = sorted({e["portal"] for e in entries})
        profiles = load_profiles()
        super().__init__(*args, profiles=[profiles[s] for s in slugs], **kwargs)
        self.entries = entries

    async def start(self) -> AsyncIterator:
        started = last_report = time.monotonic()
        total = len(self.entries)
        for n, entry in enumerate(self.entries, 1):
            portal = self.portals[entry["portal"]]
            try:
                status, headers, body, warc_date = read_response(entry["warc"], int(entry["offset"]))
                fetched = dt.datetime.fromisoformat(warc_date.replace("Z", "+00:00")).astimezone(VN_TZ).isoformat()
            except Exception as exc:  # a damaged or missing file: say which record, go on with the others
                self.count(portal, "reextract/unreadable")
                logger.error("reextract: the record of %s at %s:%s cannot be read (%s: %s)",
                             entry["url"], entry["warc"], entry["offset"], type(exc).__name__, exc)
                continue
            ctype = {"content-type": headers["content-type"]} if "content-type" in headers else {}
            self.count(portal, "reextract/pages")
            yield await self.article_item(
                portal, entry["url"], body, ctype, fetched, status, entry.get("listing") or {},
                original_url=entry.get("original_url"), etag=headers.get("etag"), last_modified=headers.get("last-modified"),
                captured_at=(entry.get("capture") or {}).get("captured_at"), capture_archive=(entry.get("capture") or {}).get("archive"),
            )
            if time.monotonic() - last_report >= 2 or n == total:
                last_report = time.monotonic()
                rate = n / max(last_report - started, 1e-6)
                logger.info("reextract: %d of %d pages (%.0f/s)", n, total, rate)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Re-run the page classes over the stored WARC pages (no network) and update the archive"

    def long_desc(self) -> str:
        return __doc__

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--portal", action="append", help="only this portal (repeatable)")
        parser.add_argument("--warc-dir", help="where the WARC files are (default: warc/ beside ARCHIVE_DB)")

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        if self.settings.getpriority("LOG_LEVEL") < 40:
            self.settings.set("LOG_LEVEL", "INFO", priority="cmdline")
        self.settings.set("WARC_ENABLED", False, priority="cmdline")  # nothing is fetched, nothing to keep

    def run(self, args, opts) -> None:
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
        self.crawler_process.crawl(ReextractSpider, entries=entries)
        self.crawler_process.start()
