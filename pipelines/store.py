"""SqlitePipeline: write new and changed articles to the archive, in batches, and record the crawl
runs (one per portal the crawl covers) with their counts and a health verdict.

Articles count as stored when their batch commits (``archive/committed/new`` in the stats, and the
"stored so far" log lines); a crawl killed before a commit loses only what it had not reported stored.
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
from pipelines.health import verdict
from scraper.portals import load_profiles

logger = logging.getLogger(__name__)


class SqlitePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive = shared_archive(crawler)
        self.runs: dict[str, int] = {}
        self._flusher: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _portals(self) -> list[str]:
        spider = self.crawler.spider
        return list(getattr(spider, "portals", None) or [spider.name])

    def open_spider(self):
        self.archive.record_portals(list(load_profiles().values()))
        kind = getattr(self.crawler.spider, "run_kind", "crawl")
        for slug in self._portals():
            self.runs[slug] = self.archive.start_run(slug, kind)
        logger.info("archive: %s (runs %s)", self.archive.path, ", ".join(map(str, self.runs.values())))
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
        for slug, run_id in self.runs.items():
            values = run_values(stats, slug, self.archive.committed_by_portal.get(slug, {}), reason,
                                len(self.runs) > 1, spider.run_report(slug) if hasattr(spider, "run_report") else {})
            self.archive.finish_run(run_id, values)
            logger.info("archive: %s: %s new, %s updated, %s unchanged, %s aliases, %s rejected (%s)", slug,
                        values["new"], values["updated"], values["unchanged"], values["aliases"], values["rejected"],
                        values["verdict"])
        self.archive.close()


def run_values(stats: dict, slug: str, committed: dict, reason: str, shared: bool, report: dict) -> dict:
    """The crawl_runs row of one portal. Spider and pipelines count each event for the crawl and for
    its portal (``portals/<slug>/…``); requests are per portal only when the crawl covered several
    (in a one-portal crawl Scrapy's own counts, robots.txt included, are that portal's)."""
    own = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith(f"portals/{slug}/")}
    errors = sum(v for k, v in own.items() if k.startswith("portal/errors/"))
    if not shared:
        errors += stats.get("spider_exceptions/count", 0)
        own.setdefault("requests", stats.get("downloader/request_count", 0))
        own.setdefault("responses", stats.get("downloader/response_count", 0))
    values = {
        "finished_at": now_iso(),
        "finish_reason": reason,
        "requests": own.get("requests", 0),
        "responses": own.get("responses", 0),
        "new": committed.get("new", 0),
        "updated": committed.get("updated", 0),
        # Unchanged: fetched again and found the same, answered 304, or known and not fetched again.
        "unchanged": own.get("archive/unchanged", 0) + own.get("incremental/known_skipped", 0) + own.get("incremental/not_modified", 0),
        "aliases": committed.get("aliases", 0),
        "rejected": committed.get("rejected", 0),
        "errors": errors,
        "walks": json.dumps(report.get("walks", []), ensure_ascii=False),
        "stats": json.dumps({k: _plain(v) for k, v in sorted(own.items())}, ensure_ascii=False),
    }
    values["notes"] = "; ".join(run_notes(own)) or None
    values["verdict"] = verdict(values, own)
    return values


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
