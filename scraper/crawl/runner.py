"""Reading pages for the spiders: in worker processes, or in the crawl's own process.

Pages are pure functions of bytes, so they can run anywhere. Scrapy runs a crawl on one core; the
page work (parsing, selectors, body extraction) is the largest share of a crawl's CPU, and a worker
process moves it to another core while the crawl process keeps fetching and storing. With no
workers (``PAGE_WORKERS = 0``) pages run inline.

``read_article`` is everything derived from an article page's bytes alone: its fields, the date
its listing entry gave when the page prints none, normalization (once, here), the folded search
columns, the near-duplicate signature, and the page's WARC record. A page that makes its page
class raise is not lost: the result says what went wrong, and the spider turns it into a reject.
"""

from __future__ import annotations

import asyncio
import concurrent.futures.process
import contextlib
import logging
import multiprocessing
import os
import resource
import sys
import traceback
import types
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict

from scraper.archive.warc import build_record
from scraper.core.article import BODY_MAX_CHARS
from scraper.core.dates import publication
from scraper.core.normalize import prepare
from scraper.core.problems import DATE, TRUNCATED, Problem
from scraper.core.profile import Profile
from scraper.pages.listing import STRUCTURE
from scraper.platforms import article_page, listing_page
from scraper.platforms.fingerprint import detect_tree
from scraper.portals import pages_for

logger = logging.getLogger(__name__)


def default_workers() -> int:
    """One worker per spare core, at most two: one core stays with the crawl itself."""
    return max(0, min(2, (os.cpu_count() or 1) - 1))


def _failed(exc: Exception) -> dict:
    return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=5)}


def read_article(profile: Profile, url: str, body: bytes, headers: dict, fetched_at: str, record: dict | None = None,
                 entry: dict | None = None) -> dict:
    """The normalized fields of an article page (see ArticlePage.extract and scraper.core.normalize),
    or {"error": …} if the page class failed. `entry` is what led to the page: a listing entry (title,
    date_raw, published_at) or a sitemap or feed entry (route, published_at). With `record` (the WARC
    fields of the response), also the page's WARC record, under "warc", whatever the page says.

    A page that prints no usable date takes it from its entry (as the listing's page class read it,
    in its own date order), the date in its URL or its HTTP Last-Modified, in that order, and says
    where it came from in ``published_from``; with none of them it is kept without a date."""
    built = {"warc": build_record(body=body, **record)} if record else {}
    try:
        data = article_page(pages_for(profile), url, body, headers=headers, fetched_at=fetched_at, profile=profile).extract()
    except Exception as exc:  # a page must never take the crawl down: report it, the spider rejects it
        return {**_failed(exc), **built}
    raw, iso, source, problem = publication(data["published_raw"], data["published_at"], data["published_from"], entry=entry,
                                            url=url, last_modified=headers.get("last-modified"), fetched_at=fetched_at)
    data["published_raw"], data["published_at"], data["published_from"] = raw, iso, source
    if source not in ("metadata", "page"):
        data["extraction"]["published"] = source
    if problem:
        data["problems"].append(Problem(DATE, f"{problem}: the date was taken from {source}" if iso else problem))
    for name, limit in (("body_text", BODY_MAX_CHARS), ("body_html", 2 * BODY_MAX_CHARS)):
        value = data.get(name)
        if value and len(value) > limit:
            data[name] = value[:limit]
            data["problems"].append(Problem(TRUNCATED, f"{len(value):,} characters, cut at {limit:,}", field=name))
    try:
        prepare(data)
    except Exception as exc:
        return {**_failed(exc), **built}
    return {**data, **built}


def read_listing(profile: Profile, url: str, body: bytes, headers: dict, fetched_at: str, record: dict | None = None,
                 shapes: tuple[str, ...] = (), home: bool = False, sections: bool = True) -> dict:
    """Entries, next page, feeds, problems and sources of a listing page, the shape of its items
    (``shapes``: those learned on its earlier pages) and, when `sections` is asked for, its links to
    news sections; or {"error": …}; with `record`, the page's WARC record too (see read_article). A
    `home` page also says which platform built it (``scraper.platforms.fingerprint``)."""
    built = {"warc": build_record(body=body, **record)} if record else {}
    try:
        page = listing_page(pages_for(profile), url, body, headers=headers, fetched_at=fetched_at, profile=profile, shapes=shapes)
        entries = [asdict(e) for e in page.entries()]
        # The block's shape only where the entries came from it: its search costs a third of a listing's read.
        found = {"entries": entries, "next": page.next_page(), "feeds": page.feed_links(), "problems": page.problems,
                 "sources": page.sources, "shape": page.block.shape if page.sources.get("items") == STRUCTURE and page.block is not None
                 else None, **built}
        if sections:
            found["sections"] = [asdict(s) for s in page.sections()]
        if home:
            detection = detect_tree(url, page.root)
            found["platform"] = {"name": detection.platform, "confidence": detection.confidence,
                                 "evidence": [str(c) for c in detection.clues if c.own][:5]}
        return found
    except Exception as exc:
        return {**_failed(exc), **built}


def _warm() -> int:
    return os.getpid()


@contextlib.contextmanager
def _main_module_hidden():
    """While workers start (the pool starts them in `submit`): spawn runs the crawl's main module
    again in every worker, and a page needs nothing of it. For the `scrapy` command that is Scrapy
    and Twisted, 22 MiB and a third of a second a worker. A worker started later (none is, by the
    pool's rules, once all are up) would still import it: slower, not wrong."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class PageRunner:
    """Runs read_article / read_listing in a pool of worker processes (or inline, with no workers).

    A page that keeps a worker past `timeout` seconds is answered with an error (the spider rejects
    the page with it) and the workers are started afresh at once: the crawl never waits on a stuck
    one. When a worker dies (a page over its memory limit, a crash in a C library), the pool cannot
    say whose page did it: every page that was in the pool is read again, one at a time, in a worker
    of its own, and a page that kills that worker too is the culprit and is answered with an error."""

    def __init__(self, workers: int, *, timeout: float = 60.0, memory_mb: int = 0):
        self.workers, self.timeout, self.memory_mb = workers, timeout, memory_mb
        self.restarts = 0
        self._pool: ProcessPoolExecutor | None = None
        self._alone: ProcessPoolExecutor | None = None  # the one-worker pool pages are read again in
        self._alone_lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        if workers > 0:
            # The stock pool queues one call beyond its workers, so a worker that finishes a page
            # while the crawl's thread is busy waits for it; a deeper queue keeps it reading (about
            # 4% more pages per second measured on the benchmark site).
            concurrent.futures.process.EXTRA_QUEUED_CALLS = max(concurrent.futures.process.EXTRA_QUEUED_CALLS, 32)
            self._pool = self._start(workers)

    def _start(self, workers: int) -> ProcessPoolExecutor:
        # "spawn": a clean interpreter, not a fork of a process with a reactor and threads.
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_limit_memory, initargs=(self.memory_mb,))
        with _main_module_hidden():
            for _ in range(workers):
                pool.submit(_warm)  # start the workers now, not on the first page
        return pool

    async def run(self, fn, *args) -> dict:
        if self._pool is None:
            return fn(*args)
        pool = self._pool
        try:
            return await self._read(pool, fn, args)
        except TimeoutError:
            self._restart(pool, f"a page kept its worker over {self.timeout:g} s")
            return _timed_out(self.timeout)
        except MemoryError as exc:
            return _worker_error(f"the page needed more memory than a worker may use (PAGE_WORKER_MEMORY_MB): {exc}")
        except (BrokenProcessPool, concurrent.futures.CancelledError):
            self._restart(pool, "a page worker died")
        return await self._read_alone(fn, args)

    async def _read(self, pool: ProcessPoolExecutor, fn, args) -> dict:
        future = pool.submit(fn, *args)  # BrokenProcessPool if the pool broke meanwhile
        return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)

    async def _read_alone(self, fn, args) -> dict:
        """A page that was in the pool when a worker died, read again in a worker of its own."""
        loop = asyncio.get_running_loop()
        if self._alone_lock is None or self._alone_lock[0] is not loop:
            self._alone_lock = (loop, asyncio.Lock())
        async with self._alone_lock[1]:
            if self._alone is None:
                self._alone = self._start(1)
            try:
                return await self._read(self._alone, fn, args)
            except TimeoutError:
                self._stop(self._alone)
                self._alone = None
                return _timed_out(self.timeout)
            except MemoryError as exc:
                return _worker_error(f"the page needed more memory than a worker may use (PAGE_WORKER_MEMORY_MB): {exc}")
            except (BrokenProcessPool, concurrent.futures.CancelledError):
                self._stop(self._alone)
                self._alone = None
                logger.error("a page worker died reading %s alone: that page is the cause", args[1] if len(args) > 1 else "a page")
                return _worker_error("the page worker died reading this page (memory limit PAGE_WORKER_MEMORY_MB, "
                                     "or a crash); the workers were restarted")

    def _restart(self, pool: ProcessPoolExecutor, why: str) -> None:
        if self._pool is not pool:
            return  # another page's failure restarted them already
        logger.error("%s: restarting the page workers", why)
        self._stop(pool)
        self.restarts += 1
        self._pool = self._start(self.workers)

    @staticmethod
    def _stop(pool: ProcessPoolExecutor) -> None:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        for pool in (self._pool, self._alone):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._alone = None


def _timed_out(seconds: float) -> dict:
    return _worker_error(f"reading the page took longer than {seconds:g} s (PAGE_TIMEOUT); its worker was stopped and the "
                         "workers restarted")


def _worker_error(message: str) -> dict:
    return {"error": message, "traceback": "", "worker": True}


def _limit_memory(megabytes: int) -> None:
    """In a page worker: cap its data segment, so a page that would exhaust the machine fails alone."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
