"""One worker of a distributed crawl: a Scrapy crawl with ``REDIS_URL`` set (``scrapy crawlall
--redis URL``, ``scrapy crawl <portal> --redis URL``), one of any number on any machines.

- The frontier and the duplicate filter are in Redis (``scraper.crawl.frontier``): a URL is fetched
  once across the workers, a portal by one worker at a time.
- What the run asked for and finished (articles requested, listings walked) is shared in Redis, so a
  worker that takes a portal over goes on where the other stopped; what the archive knew before the
  run (its articles, the listings walked to their end) comes from the archive writer, which
  publishes it when it starts (``scraper.spiders.writer``).
- Nothing a worker stores: its items go to a Redis list for the one archive writer. A request's
  items and the requests it led to are in Redis before the request leaves the in-flight hash
  (``Frontier.settle``), so a worker killed at any point loses nothing.
- Its per-portal counts go to Redis every few seconds, for the writer's run records.
"""

from __future__ import annotations

import json
import logging
import pickle
import time
from collections.abc import Iterable

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from scraper.crawl.frontier import PREFIX, Keys, Leases, connect, worker_id

logger = logging.getLogger(__name__)


def distributed_settings(settings, url: str | None = None) -> bool:
    """Turn a crawl's settings into a worker's when a Redis URL is given (here or as REDIS_URL);
    whether they were."""
    url = url or settings.get("REDIS_URL")
    if not url:
        return False
    prefix = settings.get("REDIS_PREFIX") or PREFIX
    keys = Keys(prefix)
    for key, value in {
        "REDIS_URL": url,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "scraper.crawl.frontier.PortalQueue",
        "SCHEDULER_PERSIST": True,  # the frontier is the run's, not this worker's
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "DUPEFILTER_CLASS": "scraper.crawl.frontier.FrontierDupeFilter",
        "ITEM_PIPELINES": {},  # items go to the archive writer (Frontier.settle)
        "SPIDER_MIDDLEWARES": {**settings.getdict("SPIDER_MIDDLEWARES"), "scraper.crawl.distributed.SettleOutput": 5},
        "EXTENSIONS": {**settings.getdict("EXTENSIONS"), "scraper.crawl.services.ArchiveService": None},
    }.items():
        settings.set(key, value, priority="cmdline")
    return True


class RedisSet:
    """A set of strings in Redis, with the set operations the spiders use. What a callback adds is
    held here until its output is settled (``Frontier.settle``): a mark "requested" reaches Redis
    only after the requests it stands for, so a worker killed in between leaves no mark without
    its request (the request is made again instead)."""

    def __init__(self, server, key: str):
        self.server, self.key = server, key
        self.pending: set[str] = set()

    def __contains__(self, value: str) -> bool:
        return value in self.pending or bool(self.server.sismember(self.key, value))

    def add(self, value: str) -> None:
        self.pending.add(value)

    def update(self, values: Iterable[str]) -> None:
        self.pending.update(values)

    def flush(self, pipe) -> None:
        if self.pending:
            pipe.sadd(self.key, *self.pending)
            self.pending = set()

    def __iter__(self):
        return iter(sorted({v.decode() for v in self.server.smembers(self.key)} | self.pending))

    def __len__(self) -> int:
        return len(set(self))


class Frontier:
    """A worker's part in the run: its leases, its shared state, where its output goes."""

    def __init__(self, crawler, server, keys: Keys, *, lease_seconds: float, idle_seconds: float):
        self.crawler, self.server, self.keys = crawler, server, keys
        self.me = worker_id()
        self.idle_seconds = idle_seconds
        self.leases = Leases(server, keys, self.me, lease_seconds)
        self.shared: list[RedisSet] = []  # the portals' run state, flushed as outputs are settled
        self._idle_since: float | None = None
        self._loop: task.LoopingCall | None = None
        self._last_snapshot = 0.0

    @classmethod
    def from_crawler(cls, crawler) -> Frontier | None:
        settings = crawler.settings
        url = settings.get("REDIS_URL")
        if not url:
            return None
        frontier = cls(crawler, connect(url), Keys(settings.get("REDIS_PREFIX") or PREFIX),
                       lease_seconds=settings.getfloat("REDIS_LEASE_SECONDS", 30.0),
                       idle_seconds=settings.getfloat("REDIS_IDLE_SECONDS", 10.0))
        crawler.signals.connect(frontier.opened, signal=signals.spider_opened)
        crawler.signals.connect(frontier.idle, signal=signals.spider_idle)
        crawler.signals.connect(frontier.closed, signal=signals.spider_closed)
        return frontier

    # -- what the run shares ---------------------------------------------------------------------

    def share(self, portal, *, recheck: bool, wait: float) -> None:
        """Give `portal` the run's shared sets and what the archive knew before the run."""
        keys, server = self.keys, self.server
        portal.scheduled = RedisSet(server, keys.state("scheduled", portal.slug))
        portal.listings_requested = RedisSet(server, keys.state("listings", portal.slug))
        portal.completed_walks = RedisSet(server, keys.state("walks", portal.slug))
        self.shared += [portal.scheduled, portal.listings_requested, portal.completed_walks]
        self.leases.delays[portal.slug] = portal.profile.download_delay
        deadline = time.monotonic() + wait
        while not server.sismember(f"{keys.prefix}:ready", portal.slug):
            if time.monotonic() > deadline:
                raise RuntimeError(f"no archive writer has published what the archive holds of {portal.slug} on this Redis "
                                   f"(prefix {keys.prefix!r}): start `scrapy archive-writer` first")
            time.sleep(0.2)
        portal.known = {v.decode() for v in server.smembers(keys.state("known", portal.slug))}
        portal.walked = {v.decode() for v in server.smembers(keys.state("walked", portal.slug))}
        if recheck:
            portal.validators = {k.decode(): tuple(json.loads(v)) for k, v in server.hgetall(keys.state("validators", portal.slug)).items()}

    # -- output ----------------------------------------------------------------------------------

    def settle(self, request: Request, outputs: Iterable) -> list:
        """Put what came of `request` in Redis, then take `request` out of the in-flight hash: first
        the requests it led to (each queued with its fingerprint at once, ``PortalQueue.push``),
        then in one transaction its items (for the writer), the marks of what was requested and
        walked, and the request's settling. The items are returned, for Scrapy's counts."""
        items = []
        for output in outputs:
            if isinstance(output, Request):
                self.crawler.engine.crawl(output)
            else:
                items.append(output)
        pipe = self.server.pipeline(transaction=True)
        for item in items:
            pipe.rpush(self.keys.items, pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        self._flush_marks(pipe)
        taken = request.meta.get("frontier")
        if taken:
            self.leases.settled(*taken, pipe=pipe)
        pipe.execute()
        return items

    def _flush_marks(self, pipe) -> None:
        """What callbacks marked requested or walked, into `pipe` (see RedisSet)."""
        for shared in self.shared:
            shared.flush(pipe)

    # -- the worker's life -----------------------------------------------------------------------

    def opened(self, spider) -> None:
        self.leases.maintain(force=True)
        logger.info("distributed crawl: worker %s on %s (prefix %s)", self.me, self.crawler.settings.get("REDIS_URL"), self.keys.prefix)
        self._loop = task.LoopingCall(self.tick)
        self._loop.start(1.0, now=False)

    def tick(self) -> None:
        """Every second: leases renewed (even while the downloader is full and Scrapy asks the
        queue for nothing), counts sent every five."""
        try:
            self.leases.maintain(force=True)
            if time.monotonic() - self._last_snapshot >= 5:
                self.snapshot()
        except Exception as exc:  # Redis away for a moment: the next tick tries again
            logger.warning("distributed crawl: %s: %s", type(exc).__name__, exc)

    def snapshot(self) -> None:
        self._last_snapshot = time.monotonic()
        stats = {k: v for k, v in self.crawler.stats.get_stats().items() if k.startswith("portals/") and isinstance(v, int | float)}
        self.server.hset(f"{self.keys.prefix}:stats", self.me, json.dumps(stats))

    def idle(self, spider) -> None:
        """Scrapy finds this worker idle: whatever it took is done (requests its callbacks did not
        settle: an errback's, a dropped one's), and the worker stays while the run has work."""
        pipe = self.server.pipeline()
        self._flush_marks(pipe)  # marks of requests made outside a callback (the start requests)
        for portal, field in self.leases.unsettled():
            self.leases.settled(portal, field, pipe=pipe)
        pipe.execute()
        self.leases.maintain(force=True)
        if self.leases.work():
            self._idle_since = None
            raise DontCloseSpider
        if self._idle_since is None:
            self._idle_since = time.monotonic()
        if time.monotonic() - self._idle_since < self.idle_seconds:
            raise DontCloseSpider

    def closed(self, spider, reason) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        pipe = self.server.pipeline()
        self._flush_marks(pipe)
        pipe.execute()
        self.snapshot()
        self.leases.leave()
        logger.info("distributed crawl: worker %s leaves (%s) after %d requests; %d in-flight requests of dead workers were "
                    "taken over", self.me, reason, self.crawler.stats.get_value("downloader/request_count", 0), self.leases.taken_over)


class SettleOutput:
    """Spider middleware of a worker: a callback's output is settled (``Frontier.settle``) as soon
    as the callback has produced it all. The last middleware before the engine."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        return cls(crawler)

    def _frontier(self) -> Frontier | None:
        return getattr(self.crawler.spider, "frontier", None)

    def process_spider_output(self, response, result):
        frontier = self._frontier()
        if frontier is None:
            yield from result
            return
        yield from frontier.settle(response.request, list(result))

    async def process_spider_output_async(self, response, result):
        frontier = self._frontier()
        outputs = [output async for output in result]
        for output in (frontier.settle(response.request, outputs) if frontier is not None else outputs):
            yield output
