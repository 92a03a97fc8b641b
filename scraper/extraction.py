"""Running page objects for the spiders: in worker processes, or in the crawl's own process.

Pages are pure functions of bytes, so they can run anywhere. Scrapy runs a crawl on one core; the
page work (parsing, selectors, body extraction) is the largest share of a crawl's CPU, and a worker
process moves it to another core while the crawl process keeps fetching and storing. With no
workers (``PAGE_WORKERS = 0``) pages run inline, as they do in the tests of the pages themselves.

A page that makes its page class raise is not lost: the result says what went wrong, and the
spider turns it into a reject with that reason.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict

from scraper.platforms import platform_module
from scraper.portals import Profile

logger = logging.getLogger(__name__)


def default_workers() -> int:
    """One worker per spare core, at most two: one core stays with the crawl itself."""
    return max(0, min(2, (os.cpu_count() or 1) - 1))


def extract_article(profile: Profile, url: str, body: bytes, headers: dict, fetched_at: str) -> dict:
    """The fields of an article page (see ArticlePage.extract), or {"error": …} if the page class failed."""
    try:
        page = platform_module(profile.platform).ArticlePage(url, body, headers=headers, fetched_at=fetched_at, profile=profile)
        return page.extract()
    except Exception as exc:  # a page must never take the crawl down: report it, the spider rejects it
        return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=5)}


def extract_listing(profile: Profile, url: str, body: bytes, headers: dict, fetched_at: str) -> dict:
    """Entries, next page, problems and sources of a listing page, or {"error": …}."""
    try:
        page = platform_module(profile.platform).ListingPage(url, body, headers=headers, fetched_at=fetched_at, profile=profile)
        entries = [asdict(e) for e in page.entries()]
        return {"entries": entries, "next": page.next_page(), "feeds": page.feed_links(), "problems": page.problems, "sources": page.sources}
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=5)}


def _warm() -> int:
    return os.getpid()


class PageRunner:
    """Runs extract_article / extract_listing in a pool of worker processes (or inline)."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            # "spawn": a clean interpreter, not a fork of a process with a reactor and threads.
            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
            for _ in range(workers):
                self._pool.submit(_warm)  # start the workers now, not on the first page

    async def run(self, fn, *args) -> dict:
        if self._pool is None:
            return fn(*args)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        except BrokenProcessPool:
            logger.error("page worker process died; running pages in the crawl process from now on")
            self._pool = None
            return fn(*args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
