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
from scraper.core.dates import publication
from scraper.core.normalize import prepare
from scraper.core.problems import DATE, Problem
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
    try:
        prepare(data)
    except Exception as exc:
        return {**_failed(exc), **built}
    return {**data, **built}


def read_listing(profile: Profile, url: str, body: bytes, headers: dict, fetched_at: str, record: dict | None = None,
                 shapes: tuple[str, ...] = (), home: bool = False) -> dict:
    """Entries, next page, feeds, problems and sources of a listing page, the shape of its items
    (``shapes``: those learned on its earlier pages) and its links to news sections, or {"error": …};
    with `record`, the page's WARC record too (see read_article). A `home` page also says which
    platform built it (``scraper.platforms.fingerprint``)."""
    built = {"warc": build_record(body=body, **record)} if record else {}
    try:
        page = listing_page(pages_for(profile), url, body, headers=headers, fetched_at=fetched_at, profile=profile, shapes=shapes)
        entries = [asdict(e) for e in page.entries()]
        found = {"entries": entries, "next": page.next_page(), "feeds": page.feed_links(), "problems": page.problems,
                 "sources": page.sources, "shape": page.block.shape if page.block is not None and page.sources.get("items") == STRUCTURE
                 else None, "sections": [asdict(s) for s in page.sections()], **built}
        if home:
            detection = detect_tree(url, page.root)
            found["platform"] = {"name": detection.platform, "confidence": detection.confidence,
                                 "evidence": [str(c) for c in detection.clues if c.own][:5]}
        return found
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
