"""SqlitePipeline: write new and changed articles to the archive, in batches, and record the crawl
runs (one per portal the crawl covers) with their counts and a health verdict.

Articles count as stored when their batch commits (``archive/committed/new`` in the stats, and the
"stored so far" log lines); a crawl killed before a commit loses only what it had not reported stored.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy import signals
from twisted.internet import task

from scraper.archive.rows import article_row, now_iso
from scraper.archive.runs import run_values
from scraper.crawl.services import archive_of
from scraper.portals import load_profiles

logger = logging.getLogger(__name__)


class SqlitePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive = archive_of(crawler)
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
        self.archive.record_portals([p.row() for p in load_profiles().values()])
        kind = getattr(self.crawler.spider, "run_kind", "crawl")
        for slug in self._portals():
            self.runs[slug] = self.archive.start_run(slug, kind)
        logger.info("archive: %s (runs %s)", self.archive.path, ", ".join(map(str, self.runs.values())))
        # Commit on a timer too, so a slow polite crawl never holds finished articles for long.
        self._flusher = task.LoopingCall(self._flush)
        self._flusher.start(self.archive.batch_seconds, now=False)

    def _flush(self) -> None:
        self.archive.commit()  # logged by the archive ("archive: committed …, in all …"), once per commit

    def process_item(self, item):
        adapter = ItemAdapter(item)
        row = article_row(adapter)
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
            report = dict(spider.run_report(slug) if hasattr(spider, "run_report") else {},
                          archive_errors=self.archive.errors, unsaved=len(self.archive.pending))
            values = run_values(stats, slug, self.archive.committed_by_portal.get(slug, {}), reason, len(self.runs) > 1, report)
            self.archive.finish_run(run_id, values)
            if report.get("discovery"):
                self.archive.record_discovery(slug, report["discovery"])
            logger.info("archive: %s: %s new, %s updated, %s unchanged, %s aliases, %s rejected (%s)", slug,
                        values["new"], values["updated"], values["unchanged"], values["aliases"], values["rejected"],
                        values["verdict"])
