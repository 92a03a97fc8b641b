"""The shared frontier of a distributed crawl (``REDIS_URL``): scrapy-redis's scheduler and duplicate
filter, with a request queue that hands each portal to one worker at a time.

Every portal has its own queue in Redis. A worker fetches only the portals it holds a lease on (a
key with an expiry the worker renews every second), so a portal is fetched by one worker at a time,
at its profile's rate (the worker's download slot for it). A worker holds about its share of the
portals that have work (portals with work ÷ live workers, rounded up); one holding more stops taking
requests of its extra portals and hands each back once its requests in flight are finished.

A request a worker takes moves from the queue to the portal's in-flight hash, and leaves it only when
what came of it (the requests it led to, its item) is in Redis (``Frontier.settle``). When a worker
dies its leases expire; the next worker to take one of its portals first puts the portal's in-flight
requests back in the queue, so nothing the dead worker had taken is lost.

Keys, under ``REDIS_PREFIX`` (``vnarchive``):

    {p}:queue:{portal}      sorted set  requests waiting (score: −priority), as scrapy-redis encodes them
    {p}:inflight:{portal}   hash        "score id" → request, taken by the lease holder and not settled
    {p}:lease:{portal}      string      the worker fetching the portal, with an expiry
    {p}:portals             set         portals that have had work in this run
    {p}:workers             sorted set  worker id → its last heartbeat (ms)
    {p}:items               list        items for the archive writer; {p}:writing, those it is storing
    {p}:state:{name}:{portal}  set      what the run asked for and finished (scraper.crawl.distributed)
    {p}:dupefilter          set         request fingerprints (scrapy-redis)
"""

from __future__ import annotations

import logging
import math
import os
import socket
import time
import uuid
import warnings

import redis
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base

PREFIX = "vnarchive"
logger = logging.getLogger(__name__)
# scrapy-redis 0.9 still passes `spider` to the stats collector, which Scrapy 2.19 warns about on every
# request: the workers' logs would hold nothing else.
warnings.filterwarnings("ignore", message="Passing a 'spider' argument to StatsCollector", module="scrapy_redis")

_POP = """
for i = 1, #KEYS, 2 do
  local got = redis.call('ZPOPMIN', KEYS[i])
  if got[1] then
    local field = got[2] .. ' ' .. ARGV[1]
    redis.call('HSET', KEYS[i + 1], field, got[1])
    return {i, field, got[1]}
  end
end
return false
"""
# The in-flight requests of a portal back into its queue (the lease was just taken over).
_REQUEUE = """
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  redis.call('ZADD', KEYS[2], string.match(all[i], '^(%S+)'), all[i + 1])
end
redis.call('DEL', KEYS[1])
return #all / 2
"""
_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end"
# A portal handed back stays free of any lease for its delay, so the next worker's first request
# keeps the profile's interval after this one's last.
_RELEASE = ("if redis.call('GET', KEYS[1]) == ARGV[1] then "
            "return redis.call('SET', KEYS[1], '-', 'PX', ARGV[2]) else return 0 end")


def connect(url: str) -> redis.Redis:
    """A client for `url`, checked at once: a wrong URL is a clear error, not a hung crawl."""
    try:
        server = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, health_check_interval=30)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise ConnectionError(f"cannot reach Redis at {url}: {exc}") from None
    return server


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Keys:
    def __init__(self, prefix: str = PREFIX):
        self.prefix = prefix
        self.portals, self.workers = f"{prefix}:portals", f"{prefix}:workers"
        self.items, self.writing = f"{prefix}:items", f"{prefix}:writing"
        self.dupefilter = f"{prefix}:dupefilter"

    def queue(self, portal: str) -> str:
        return f"{self.prefix}:queue:{portal}"

    def inflight(self, portal: str) -> str:
        return f"{self.prefix}:inflight:{portal}"

    def lease(self, portal: str) -> str:
        return f"{self.prefix}:lease:{portal}"

    def state(self, name: str, portal: str) -> str:
        return f"{self.prefix}:state:{name}:{portal}"


class Leases:
    """One worker's leases on portals, kept in Redis; `maintain()` (about once a second) renews
    them, says the worker is alive, and takes or hands back portals to keep to its share."""

    def __init__(self, server: redis.Redis, keys: Keys, me: str, lease_seconds: float, delays: dict[str, float] | None = None):
        self.server, self.keys, self.me = server, keys, me
        self.lease_ms = int(lease_seconds * 1000)
        self.delays = delays or {}          # portal -> its delay between requests, kept across a hand-over
        self.held: list[str] = []          # in the order requests are taken from them
        self.draining: set[str] = set()    # held, no longer taken from, handed back when settled
        self.local: dict[str, set[str]] = {}  # portal -> in-flight fields of what this worker took, not settled
        self.taken_over = 0                # in-flight requests of dead workers put back in their queues
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._renew = server.register_script(_RENEW)
        self._release = server.register_script(_RELEASE)
        self._last = 0.0

    def live_workers(self) -> int:
        now = time.time() * 1000
        return max(1, self.server.zcount(self.keys.workers, now - self.lease_ms, "+inf"))

    def work(self) -> dict[str, int]:
        """Portal -> requests queued or in flight, for every portal of the run with any."""
        portals = sorted(p.decode() for p in self.server.smembers(self.keys.portals))
        pipe = self.server.pipeline(transaction=False)
        for portal in portals:
            pipe.zcard(self.keys.queue(portal))
            pipe.hlen(self.keys.inflight(portal))
        counts = pipe.execute()
        return {p: counts[2 * i] + counts[2 * i + 1] for i, p in enumerate(portals) if counts[2 * i] + counts[2 * i + 1]}

    def maintain(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 1.0:
            return
        self._last = now
        self.server.zadd(self.keys.workers, {self.me: time.time() * 1000})
        for portal in list(self.held):
            if not self._renew(keys=[self.keys.lease(portal)], args=[self.me, self.lease_ms]):
                # Expired and maybe taken: this worker stalled past its lease. What it already took
                # of the portal is still fetched here; a lease long beside the stalls keeps this rare.
                logger.warning("distributed crawl: lost the lease on %s (no renewal for %.0f s)", portal, self.lease_ms / 1000)
                self._drop(portal)
        work = self.work()
        for portal in [p for p in self.held if p not in work and not self.local.get(p)]:
            self.release(portal)  # nothing left to fetch there
        share = math.ceil(len(work) / self.live_workers()) if work else 0
        active = [p for p in self.held if p not in self.draining]
        for portal in active[share:] if len(active) > share else ():
            self.draining.add(portal)
        for portal in list(self.draining):
            if not self.local.get(portal):
                self.release(portal)
        for portal in work:
            if len([p for p in self.held if p not in self.draining]) >= share:
                break
            if portal in self.held:
                continue
            if self.server.set(self.keys.lease(portal), self.me, nx=True, px=self.lease_ms):
                self.held.append(portal)
                self.taken_over += self._requeue(keys=[self.keys.inflight(portal), self.keys.queue(portal)])

    def _drop(self, portal: str) -> None:
        self.held.remove(portal)
        self.draining.discard(portal)

    def release(self, portal: str) -> None:
        self._release(keys=[self.keys.lease(portal)], args=[self.me, max(1, int(self.delays.get(portal, 0) * 1000))])
        if portal in self.held:
            self._drop(portal)

    def pop(self) -> tuple[str, str, bytes] | None:
        """The next request of a held portal (taken in turn): (portal, in-flight field, encoded)."""
        portals = [p for p in self.held if p not in self.draining]
        if not portals:
            return None
        keys = [k for p in portals for k in (self.keys.queue(p), self.keys.inflight(p))]
        got = self._pop(keys=keys, args=[uuid.uuid4().hex[:12]])
        if not got:
            return None
        portal = portals[(int(got[0]) - 1) // 2]
        self.held.remove(portal)
        self.held.append(portal)  # the next pop starts with another portal
        field = got[1].decode()
        self.local.setdefault(portal, set()).add(field)
        return portal, field, got[2]

    def settled(self, portal: str, field: str, *, pipe=None) -> None:
        (pipe or self.server).hdel(self.keys.inflight(portal), field)
        self.local.get(portal, set()).discard(field)

    def unsettled(self) -> list[tuple[str, str]]:
        return [(portal, field) for portal, fields in self.local.items() for field in fields]

    def leave(self) -> None:
        """This worker stops: its portals are free at once (what it took is settled or in flight)."""
        for portal in list(self.held):
            self.release(portal)
        self.server.zrem(self.keys.workers, self.me)


class PortalQueue(Base):
    """scrapy-redis's queue interface over the per-portal queues and this worker's leases
    (``SCHEDULER_QUEUE_CLASS``); the leases are the spider's (``spider.frontier``, see
    scraper.crawl.distributed)."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.keys = Keys(spider.settings.get("REDIS_PREFIX", PREFIX))
        self.fingerprints = RFPDupeFilter(server, self.keys.dupefilter)

    @property
    def leases(self) -> Leases | None:
        frontier = getattr(self.spider, "frontier", None)
        return frontier.leases if frontier is not None else None

    def push(self, request) -> None:
        portal = request.meta.get("portal") or "_"
        previous = request.meta.pop("frontier", None)  # a retry or a redirect of a request in flight
        pipe = self.server.pipeline(transaction=True)  # queued and marked seen together, or neither
        pipe.zadd(self.keys.queue(portal), {self._encode_request(request): -request.priority})
        if not request.dont_filter:
            pipe.sadd(self.keys.dupefilter, self.fingerprints.request_fingerprint(request))
        pipe.sadd(self.keys.portals, portal)
        if previous:
            pipe.hdel(self.keys.inflight(previous[0]), previous[1])
        pipe.execute()
        leases = self.leases
        if previous and leases is not None:
            leases.local.get(previous[0], set()).discard(previous[1])

    def pop(self, timeout=0):
        leases = self.leases
        if leases is None:
            return None
        leases.maintain()
        got = leases.pop()
        if got is None:
            return None
        portal, field, encoded = got
        request = self._decode_request(encoded)
        request.meta["frontier"] = (portal, field)
        return request

    def __len__(self) -> int:
        """Requests this worker could take now (of the portals it holds): Scrapy's engine keeps
        asking while there are some, and counts the spider idle otherwise."""
        leases = self.leases
        if leases is None:
            return 0
        portals = [p for p in leases.held if p not in leases.draining]
        if not portals:
            return 0
        pipe = self.server.pipeline(transaction=False)
        for portal in portals:
            pipe.zcard(self.keys.queue(portal))
        return sum(pipe.execute())

    def clear(self) -> None:
        """Never called by the scheduler here (SCHEDULER_PERSIST): a worker leaving must not empty the
        frontier the others share; the archive writer clears a finished run."""


class FrontierDupeFilter(RFPDupeFilter):
    """scrapy-redis's duplicate filter, but a request counts as seen once it is in the frontier:
    ``request_seen`` only looks, and ``PortalQueue.push`` adds the fingerprint in the transaction
    that queues the request, so a worker killed between the two never leaves a URL marked seen
    and never fetched."""

    def request_seen(self, request) -> bool:
        return bool(self.server.sismember(self.key, self.request_fingerprint(request)))
