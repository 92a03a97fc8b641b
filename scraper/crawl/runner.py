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
import logging
import multiprocessing
import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict

from scraper.archive.warc import build_record
from scraper.core.normalize import prepare
from scraper.core.profile import Profile
from scraper.platforms import article_page, listing_page
from scraper.portals import pages_for

logger = logging.getLogger(__name__)


def default_workers() -> int:
    """One worker per spare core, at most two: one core stays with the crawl itself."""
    return max(0, min(2, (os.cpu_count() or 1) - 1))


def _failed(exc: Exception) -> dict:
    return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=5)}


def read_article(profile: Profile, url: str, body: bytes, headers: dict, fetched_at: str, record: dict | None = None,
                 listing: dict | None = None) -> dict:
    """The normalized fields of an article page (see ArticlePage.extract and scraper.core.normalize),
    or {"error": …} if the page class failed. `listing` is the entry that led to the page (title,
    date_raw, published_at). With `record` (the WARC fields of the response), also the page's WARC
    record, under "warc", whatever the page says."""
    built = {"warc": build_record(body=body, **record)} if record else {}
    try:
        data = article_page(pages_for(profile), url, body, headers=headers, fetched_at=fetched_at, profile=profile).extract()
    except Exception as exc:  # a page must never take the crawl down: report it, the spider rejects it
        return {**_failed(exc), **built}
    listing = listing or {}
    if not data["published_raw"] and listing.get("date_raw"):
        # Some templates print the date only on the listing; take it from there (as the listing's
        # page class read it, in its own date order), and say so.
        data["published_raw"], data["published_at"] = listing["date_raw"], listing.get("published_at")
        data["extraction"]["published"] = "listing"
    try:
        prepare(data)
    except Exception as exc:
        return {**_failed(exc), **built}
    return {**data, **built}


def read_listing(profile: Profile, url: str, body: bytes, headers: dict, fetched_at: str, record: dict | None = None) -> dict:
    """Entries, next page, feeds, problems and sources of a listing page, or {"error": …}; with
    `record`, the page's WARC record too (see read_article)."""
    built = {"warc": build_record(body=body, **record)} if record else {}
    try:
        page = listing_page(pages_for(profile), url, body, headers=headers, fetched_at=fetched_at, profile=profile)
        entries = [asdict(e) for e in page.entries()]
        return {"entries": entries, "next": page.next_page(), "feeds": page.feed_links(), "problems": page.problems,
                "sources": page.sources, **built}
    except Exception as exc:
        return {**_failed(exc), **built}


def _warm() -> int:
    return os.getpid()


class PageRunner:
    """Runs read_article / read_listing in a pool of worker processes (or inline)."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            # The stock pool queues one call beyond its workers, so a worker that finishes a page
            # while the crawl's thread is busy waits for it; a deeper queue keeps it reading (about
            # 4% more pages per second measured on the benchmark site).
            concurrent.futures.process.EXTRA_QUEUED_CALLS = max(concurrent.futures.process.EXTRA_QUEUED_CALLS, 32)
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
