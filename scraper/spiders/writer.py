"""The archive writer of a distributed crawl (``scrapy archive-writer``): the one process that writes
the SQLite archive, next to it, while workers on any machines crawl (``scraper.crawl.distributed``).

It is a Scrapy crawl that fetches nothing: its items are the workers', taken from Redis, and they go
through the same pipelines as in a single-process crawl (validation, duplicates, attachments,
storage), so SQLite keeps a single writer and the archive is the same either way.

- When it starts it publishes what the archive holds of each portal (articles, aliases, the
  listings the last finished run walked to its end, validators for re-checks); workers wait for it,
  so the distributed crawl is as incremental as a single one.
- An item is taken from ``{p}:items`` onto ``{p}:writing`` and leaves that list only once the
  archive has committed it: a writer killed at any point loses nothing; started again, it stores
  first what the killed one had taken (an item stored twice is found unchanged).
- It stops when the run is over: a worker has been seen, none is alive, the frontier is empty and
  every item is stored. Then it records the run of each portal (``crawl_runs``, ``scrapy health``)
  with the counts of all the workers, and clears the run from Redis.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals

from scraper.archive.reads import portal_history
from scraper.core.profile import Profile
from scraper.crawl.distributed import RedisSet
from scraper.crawl.frontier import PREFIX, Keys, Leases, connect
from scraper.crawl.services import archive_of

logger = logging.getLogger(__name__)

IN_HAND = 200  # items taken from Redis and not yet through the pipelines, at most


class ArchiveWriterSpider(scrapy.Spider):
    name = "archive-writer"
    run_kind = "crawl"

    def __init__(self, *args: Any, profiles: list[Profile], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.portals = {p.slug: p for p in profiles}
        self.handled = 0  # items through the pipelines: stored, or rejected as the pipelines decide
        self._raw: dict[int, bytes] = {}      # id(item) -> its entry in {p}:writing
        self._finished: list[bytes] = []      # entries of items through the pipelines, until the next commit
        self._done_run = False

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.server = connect(settings.get("REDIS_URL"))
        spider.keys = Keys(settings.get("REDIS_PREFIX") or PREFIX)
        spider.lease_ms = int(settings.getfloat("REDIS_LEASE_SECONDS", 30.0) * 1000)
        spider.frontier = Leases(spider.server, spider.keys, "writer", spider.lease_ms / 1000)  # only to read the work left
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider._through, signal=signal)
        # Before the pipelines' own spider_closed (connected later): the workers' counts are merged first.
        crawler.signals.connect(spider._merge_counts, signal=signals.spider_closed)
        crawler.signals.connect(spider._clear_run, signal=signals.engine_stopped)
        return spider

    # -- what the archive holds, for the workers ---------------------------------------------------

    def publish(self) -> None:
        db = Path(self.settings.get("ARCHIVE_DB"))
        for slug in self.portals:
            history = portal_history(db, slug, validators=True)
            pipe = self.server.pipeline()
            for name, values in (("known", sorted(history.known)), ("walked", sorted(history.walked))):
                pipe.delete(self.keys.state(name, slug))
                for start in range(0, len(values), 5000):
                    pipe.sadd(self.keys.state(name, slug), *values[start:start + 5000])
            pipe.delete(self.keys.state("validators", slug))
            if history.validators:
                pipe.hset(self.keys.state("validators", slug), mapping={u: json.dumps(v) for u, v in history.validators.items()})
            pipe.sadd(f"{self.keys.prefix}:ready", slug)
            pipe.execute()
        logger.info("archive writer: published what %s holds of %d portals on %s (prefix %s)", db, len(self.portals),
                    self.settings.get("REDIS_URL"), self.keys.prefix)

    # -- the items ---------------------------------------------------------------------------------

    def _hook_commits(self) -> None:
        """Hear of the archive's commits (the pipelines have opened it by the time the crawl starts)."""
        archive = archive_of(self.crawler)
        chained = archive.on_commit

        def committed(by_portal):
            self._committed()
            if chained:
                chained(by_portal)

        archive.on_commit = committed

    async def start(self) -> AsyncIterator[Any]:
        self._hook_commits()
        self.publish()
        for raw in self.server.lrange(self.keys.writing, 0, -1):  # what a killed writer had taken
            yield self._item(raw)
        seen_worker, last_log = False, time.monotonic()
        while True:
            if len(self._raw) >= IN_HAND:
                await asyncio.sleep(0.02)
                continue
            raw = self.server.lmove(self.keys.items, self.keys.writing, "LEFT", "RIGHT")
            if raw is not None:
                yield self._item(raw)
                continue
            live = self.server.zcount(self.keys.workers, time.time() * 1000 - self.lease_ms, "+inf")
            seen_worker = seen_worker or live > 0
            pending = self.frontier.work()
            if seen_worker and not live and not pending and not self._raw and not self.server.llen(self.keys.items):
                self._done_run = True
                logger.info("archive writer: the run is over (%d items through the pipelines)", self.handled)
                return
            if time.monotonic() - last_log >= 30:
                last_log = time.monotonic()
                logger.info("archive writer: %d items through the pipelines; %d workers alive, %d requests in the frontier",
                            self.handled, live, sum(pending.values()))
            await asyncio.sleep(0.2)

    def _item(self, raw: bytes):
        item = pickle.loads(raw)
        self._raw[id(item)] = raw
        return item

    def _through(self, item, **kwargs) -> None:
        raw = self._raw.pop(id(item), None)
        if raw is not None:
            self._finished.append(raw)
            self.handled += 1

    def _committed(self) -> None:
        """The archive committed: every item through the pipelines before now is in it."""
        finished, self._finished = self._finished, []
        if finished:
            pipe = self.server.pipeline()
            for raw in finished:
                pipe.lrem(self.keys.writing, 1, raw)
            pipe.execute()

    # -- the run -----------------------------------------------------------------------------------

    def run_report(self, slug: str) -> dict:
        return {"walks": list(RedisSet(self.server, self.keys.state("walks", slug))), "robots_blocked": False, "discovery": None}

    def _merge_counts(self, spider, reason) -> None:
        totals: dict[str, float] = {}
        for snapshot in self.server.hvals(f"{self.keys.prefix}:stats"):
            for key, value in json.loads(snapshot).items():
                totals[key] = totals.get(key, 0) + value
        for key, value in totals.items():
            self.crawler.stats.inc_value(key, value)

    def _clear_run(self) -> None:
        if not self._done_run:
            logger.info("archive writer: stopped before the run was over; its state stays in Redis for the next writer")
            return
        keys = list(self.server.scan_iter(f"{self.keys.prefix}:*", count=1000))
        for start in range(0, len(keys), 500):
            self.server.delete(*keys[start:start + 500])
        logger.info("archive writer: cleared the run from Redis (%d keys)", len(keys))
