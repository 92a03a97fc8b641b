"""A progress line per portal while a crawl runs."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


class PortalProgress:
    """Every PROGRESS_INTERVAL seconds, one line per portal: pages, articles stored, unchanged,
    rejected, errors. Long crawls of many portals show where each one is."""

    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider):
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(self.interval, now=False)

    def report(self, spider, final: bool = False) -> None:
        stats = self.crawler.stats.get_stats()
        for slug in getattr(spider, "portals", [spider.name]):
            def get(key, slug=slug):
                return stats.get(f"portals/{slug}/{key}", 0)
            errors = sum(v for k, v in stats.items() if k.startswith(f"portals/{slug}/portal/errors/"))
            logger.info(
                "%s %-24s %5d pages  %5d new  %5d updated  %5d unchanged  %4d rejected  %4d errors%s",
                "done" if final else "progress", slug, get("responses") or get("portal/listing_pages"),
                get("archive/committed/new"), get("archive/committed/updated"),
                get("archive/unchanged") + get("incremental/known_skipped"), get("archive/committed/rejected"), errors,
                "  robots.txt disallows everything" if get("robots/disallowed_everything") else "",
            )

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
