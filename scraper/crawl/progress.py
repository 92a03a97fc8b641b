"""Progress while work runs: a line per portal while a crawl runs (and a bar of the articles found
and read when standard error is a terminal), and a bar or lines for long work of known size."""

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
        self.bar = self.ticker = None  # on a terminal: the crawl's bar, and its refresh

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
        import sys
        if sys.stderr.isatty() and self.crawler.settings.getbool("PROGRESS_BAR", True):
            from tqdm import tqdm
            # The articles the crawl has found so far and those it has read: the total grows as
            # listings are walked, so the time left is an estimate that firms up as it goes.
            self.bar = tqdm(total=0, desc="crawl", unit=" articles", file=sys.stderr, dynamic_ncols=True)
            self.ticker = task.LoopingCall(self.tick)
            self.ticker.start(1.0, now=False)

    def tick(self) -> None:
        stats = self.crawler.stats.get_stats()
        found = sum(v for k, v in stats.items() if k.startswith("discovery/") and k.endswith("/articles"))
        read = stats.get("item_scraped_count", 0) + stats.get("item_dropped_count", 0)
        self.bar.total = max(found, read)
        self.bar.n = read
        self.bar.refresh()

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
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
            self.tick()
            self.bar.close()


class Progress:
    """Progress of long work of known size (re-extraction, rebuilding signatures): a bar with its
    rate and the time left when standard error is a terminal (tqdm), else a line on it every
    `every` seconds and at the end ("reextract: 1,200 of 5,000 pages, 96/s, about 40 s left"),
    whatever the log level."""

    def __init__(self, total: int, what: str, unit: str, every: float = 10.0, stream=None, started: float | None = None):
        import sys
        import time
        self.total, self.what, self.unit, self.every = total, what, unit, every
        self.stream = stream or sys.stderr
        self.done, self._clock = 0, time.monotonic
        self.started = self._last = started if started is not None else self._clock()
        self.bar = None
        if getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm
            self.bar = tqdm(total=total, desc=what, unit=f" {unit}", file=self.stream, dynamic_ncols=True, leave=True)

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = self._clock()
        if now - self._last >= self.every or self.done >= self.total:
            self._last = now
            print(self.line(), file=self.stream, flush=True)

    def line(self) -> str:
        elapsed = max(self._clock() - self.started, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate and self.done < self.total else 0
        return (f"{self.what}: {self.done:,} of {self.total:,} {self.unit}, {rate:,.0f}/s"
                + (f", about {left:,.0f} s left" if left else ""))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class ProgressOnReport:
    """A progress callback (``progress(done, total)``) for work that learns its own size: the
    Progress is made at the first report, timed from when this was made."""

    def __init__(self, what: str, unit: str):
        import time
        self.what, self.unit, self.started, self.progress = what, unit, time.monotonic(), None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            self.progress = Progress(total, self.what, self.unit, started=self.started)
        self.progress.update(done - self.progress.done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()
