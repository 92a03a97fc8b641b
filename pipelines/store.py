"""SqlitePipeline: write new and changed articles to the archive, in batches, and record the crawl run.

Articles count as stored when their batch commits (``archive/committed/new`` in the stats, and the
"committed" log lines); a crawl killed before a commit loses only what it had not reported stored.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from itemadapter import ItemAdapter
from scrapy import signals
from twisted.internet import task

from pipelines import shared_archive
from pipelines.archive import article_row, now_iso
from scraper.portals import load_profiles

logger = logging.getLogger(__name__)


class SqlitePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive = shared_archive(crawler)
        self.run_id: int | None = None
        self._flusher: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        spider = self.crawler.spider
        self.archive.record_portals(list(load_profiles().values()))
        self.run_id = self.archive.start_run(spider.name)
        logger.info("archive: %s (run %s)", self.archive.path, self.run_id)
        # Commit on a timer too, so a slow polite crawl never holds finished articles for long.
        self._flusher = task.LoopingCall(self._flush)
        self._flusher.start(self.archive.batch_seconds, now=False)

    def _flush(self) -> None:
        self.archive.commit()
        total = self.archive.committed
        logger.info("archive: %s stored so far (%s commits)",
                    ", ".join(f"{total[k]} {k}" for k in ("new", "updated", "aliases", "rejected") if total[k]) or "nothing",
                    total["commits"])

    def process_item(self, item):
        adapter = ItemAdapter(item)
        row = article_row(dict(item))
        now = now_iso()
        row["changed_at"] = now
        if adapter.get("archive_action") == "changed":
            old = self.archive.article_by_url(row["url"])
            self.archive.change(old, row)
        else:
            row["first_seen_at"] = now
            row["version"] = 1
            self.archive.add(row)
        return item

    def close_spider(self):
        if self._flusher and self._flusher.running:
            self._flusher.stop()
        self._flush()

    def spider_closed(self, spider, reason):
        stats = self.stats.get_stats()
        committed = self.archive.committed
        values = {
            "finished_at": now_iso(),
            "finish_reason": reason,
            "requests": stats.get("downloader/request_count", 0),
            "responses": stats.get("downloader/response_count", 0),
            "new": committed["new"],
            "updated": committed["updated"],
            "unchanged": stats.get("archive/unchanged", 0),
            "aliases": committed["aliases"],
            "rejected": committed["rejected"],
            # Failed fetches and exceptions in spider code (Scrapy's own "gave up retrying" ERROR
            # line is the same failure as the fetch, so log counts are not added).
            "errors": stats.get("spider_exceptions/count", 0) + sum(v for k, v in stats.items() if k.startswith("portal/errors/")),
            "stats": json.dumps({k: _plain(v) for k, v in sorted(stats.items())}, ensure_ascii=False),
            "notes": "; ".join(run_notes(stats)) or None,
        }
        if self.run_id is not None:
            self.archive.finish_run(self.run_id, values)
        self.archive.close()
        logger.info(
            "archive: %s new, %s updated, %s unchanged, %s aliases, %s rejected",
            values["new"], values["updated"], values["unchanged"], values["aliases"], values["rejected"],
        )


def run_notes(stats: dict) -> list[str]:
    """What a person should know about a run that the counts do not say."""
    notes = []
    if stats.get("robots/disallowed_everything"):
        notes.append("robots.txt disallows everything: nothing fetched")
    if stats.get("extraction/errors"):
        notes.append(f"{stats['extraction/errors']} pages made the page classes fail")
    misses = {k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("extraction/problems/selector-miss/")}
    if misses:
        notes.append("profile selectors matched nothing: " + ", ".join(f"{k} ×{v}" for k, v in sorted(misses.items())))
    return notes


def _plain(value):
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value
