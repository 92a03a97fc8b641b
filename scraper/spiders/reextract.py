"""Re-extraction: the current page classes over the raw pages kept in the archive's WARC files, with
no network, through the same pipelines a crawl uses (``scrapy reextract``).

An article whose text the improved page classes read differently becomes a new version; a page
rejected before that now reads as an article leaves the rejects table; an unchanged one writes
nothing. Pages are taken oldest first, so several captures of one page replay as its history.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator

from scraper.archive.warc import read_response
from scraper.core.dates import VN_TZ
from scraper.crawl.progress import Progress
from scraper.portals import load_profiles
from scraper.spiders.base import ArchiveSpider

logger = logging.getLogger(__name__)


class ReextractSpider(ArchiveSpider):
    """Yields items from stored pages instead of fetching any."""

    name = "reextract"
    run_kind = "reextract"
    visits_portals = False

    def __init__(self, *args, entries: list[dict], **kwargs):
        slugs = sorted({e["portal"] for e in entries})
        profiles = load_profiles()
        super().__init__(*args, profiles=[profiles[s] for s in slugs], **kwargs)
        self.entries = entries

    async def start(self) -> AsyncIterator:
        progress = Progress(len(self.entries), "reextract", "pages")
        for entry in self.entries:
            progress.update()
            portal = self.portals[entry["portal"]]
            try:
                status, headers, body, warc_date = read_response(entry["warc"], int(entry["offset"]))
                fetched = dt.datetime.fromisoformat(warc_date.replace("Z", "+00:00")).astimezone(VN_TZ).isoformat()
            except Exception as exc:  # a damaged or missing file: say which record, go on with the others
                self.count(portal, "reextract/unreadable")
                logger.error("reextract: the record of %s at %s:%s cannot be read (%s: %s)",
                             entry["url"], entry["warc"], entry["offset"], type(exc).__name__, exc)
                continue
            ctype = {k: headers[k] for k in ("content-type", "last-modified") if k in headers}
            self.count(portal, "reextract/pages")
            yield await self.article_item(
                portal, entry["url"], body, ctype, fetched, status, entry.get("listing") or {},
                original_url=entry.get("original_url"), etag=headers.get("etag"), last_modified=headers.get("last-modified"),
                captured_at=(entry.get("capture") or {}).get("captured_at"), capture_archive=(entry.get("capture") or {}).get("archive"),
                warc_file=entry["filename"], warc_offset=int(entry["offset"]),
            )
        progress.close()
