"""What every spider of the archive shares: the portals it covers, the one way a URL becomes a
request, reading an article page into an item, and turning a failed fetch into a reject.

The spiders decide what to fetch; what a page says is the page classes' business (run by the page
runner, ``scraper.crawl.runner``), what is kept is the pipelines'. Every count goes to the crawl and
to its portal (``portals/<slug>/…``), since one crawl may cover many portals.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Response

from scraper.archive.rows import now_iso
from scraper.core.article import Article, article
from scraper.core.problems import EXTRACT, Problem
from scraper.core.profile import Profile
from scraper.core.urls import host_key, origin, strip_session, trap_reason
from scraper.crawl.responses import header, page_headers
from scraper.crawl.runner import PageRunner, default_workers, read_article
from scraper.crawl.stats import count
from scraper.crawl.warc import WarcMiddleware
from scraper.spiders.failures import Failures
from scraper.spiders.state import Portal

logger = logging.getLogger(__name__)

TRUE = ("1", "true", "yes", "on")
MAX_LEARNED_URLS = 2000  # article URLs a discovery run keeps to learn their shape from


class ArchiveSpider(Failures, scrapy.Spider):
    """Base class; never run directly. Subclasses carry a `profile`, or are given `profiles`."""

    profile: ClassVar[Profile | None] = None
    run_kind: ClassVar[str] = "crawl"  # how its runs are recorded (re-extraction and recovery differ)
    visits_portals: ClassVar[bool] = True  # fetches from the portals themselves (so each needs somewhere to start)
    portal_slots: ClassVar[bool] = False   # a download slot per portal even for one (crawlall's DOWNLOAD_SLOTS)

    def __init__(self, *args: Any, start_urls: str | list[str] | None = None, since: str | None = None,
                 recheck: str | bool = False, full: str | bool = False, profiles: list[Profile] | None = None,
                 start_urls_by_portal: dict[str, list[str]] | None = None, home: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        chosen = profiles or [self.profile]
        if (start_urls or home) and len(chosen) > 1:
            raise ValueError("start_urls and home apply to one portal; crawl many portals from their profiles")
        if home and urlsplit(home).scheme not in ("http", "https"):
            raise ValueError(f"home must be an http(s) URL, not {home!r}")
        overrides = start_urls_by_portal or {}
        self.portals = {p.slug: Portal(p, start_urls or overrides.get(p.slug), self.visits_portals, home=home) for p in chosen}
        self.since = self._parse_since(since)
        self.recheck = str(recheck).lower() in TRUE
        self.full = str(full).lower() in TRUE
        hosts = {h for portal in self.portals.values() for h in portal.allowed_hosts}
        # OffsiteMiddleware compares host names without ports; `follows` checks host and port.
        self.allowed_domains = sorted({h.rsplit(":", 1)[0] for h in hosts})
        # Many portals (or crawlall's, however many): each in a download slot of its own, at its own
        # rate (DOWNLOAD_SLOTS); one portal crawled alone gets its rate from its spider's settings.
        self.one_slot_per_portal = self.portal_slots or len(self.portals) > 1

    @staticmethod
    def _parse_since(since: str | None) -> str | None:
        if not since:
            return None
        try:
            return dt.date.fromisoformat(since).isoformat()
        except ValueError:
            raise ValueError(f"since must be a date as YYYY-MM-DD, not {since!r}") from None

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.pages = PageRunner(settings.getint("PAGE_WORKERS", default_workers()), timeout=settings.getfloat("PAGE_TIMEOUT", 60.0),
                                  memory_mb=settings.getint("PAGE_WORKER_MEMORY_MB", 0))
        spider.page_max_bytes = settings.getint("PAGE_MAX_BYTES", 5 * 1024 * 1024)
        spider.known_stop = crawler.settings.getint("INCREMENTAL_KNOWN_STOP", 3)
        db = Path(crawler.settings.get("ARCHIVE_DB"))
        # One worker of a distributed crawl (REDIS_URL): the run's state and history are in Redis.
        spider.frontier = None
        if settings.get("REDIS_URL") and spider.visits_portals:
            from scraper.crawl.distributed import Frontier  # (imports redis: only for a distributed crawl)
            spider.frontier = Frontier.from_crawler(crawler)
        for portal in spider.portals.values():
            if spider.frontier is not None:
                spider.frontier.share(portal, recheck=spider.recheck, wait=settings.getfloat("REDIS_WRITER_WAIT", 60.0))
            else:
                portal.load_history(db, spider.recheck)
        crawler.signals.connect(spider.pages.close, signal=signals.spider_closed)
        crawler.signals.connect(spider._restore_state, signal=signals.spider_opened)
        return spider

    def _restore_state(self, spider) -> None:
        """With JOBDIR, what a paused crawl had requested comes back with it (SpiderState)."""
        state = getattr(self, "state", None)
        if state is None:
            return
        scheduled = state.setdefault("scheduled", {})
        walks = state.setdefault("completed_walks", {})
        for slug, portal in self.portals.items():
            portal.scheduled = scheduled.setdefault(slug, portal.scheduled)
            portal.completed_walks = walks.setdefault(slug, portal.completed_walks)

    def count(self, portal: Portal, key: str, n: int = 1) -> None:
        count(self.crawler.stats, portal.slug, key, n)

    def run_report(self, slug: str) -> dict:
        """What the pipelines record with a portal's run: the listings walked to their end."""
        portal = self.portals[slug]
        return {"walks": sorted(portal.completed_walks), "robots_blocked": portal.robots_blocked,
                "discovery": portal.discovery_report()}

    def _portal(self, request_or_response) -> Portal:
        return self.portals[request_or_response.meta["portal"]]

    # -- from URL to request: one path ---------------------------------------------------------------

    def request(self, portal: Portal, url: str, callback, kind: str, **meta: Any) -> scrapy.Request:
        """The request for a URL the crawl decided to fetch, with what every request carries."""
        meta = {"page_kind": kind, "portal": portal.slug, **meta}
        if portal.mirror_origins:
            meta["original_url"] = portal.archive_url(url)  # the WARC index says what a copy stood for
        if portal.profile.robots == "ignore":
            meta["dont_obey_robotstxt"] = True  # the profile's documented opt-out
        if self.one_slot_per_portal:
            meta["download_slot"] = portal.slug  # each portal at its own polite rate
        if kind in ("article", "listing", "home"):
            meta["warc_in_page"] = True  # its WARC record is built by the page worker (scraper.crawl.warc)
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta)

    def link(self, portal: Portal, url: str) -> str | None:
        """A link found on a page as the crawl would fetch it (on the copy being crawled, without
        session ids), or None when the crawl does not follow it."""
        url = strip_session(portal.local(url))
        return url if self.follows(portal, url) else None

    def follow(self, portal: Portal, url: str, callback, kind: str, **meta: Any) -> scrapy.Request | None:
        """The request for a link to a listing, sitemap or feed, if the crawl follows it."""
        url = self.link(portal, url)
        return self.request(portal, url, callback, kind, **meta) if url else None

    def follow_article(self, portal: Portal, url: str, route: str, entry: dict | None = None,
                       published_at: str | None = None) -> scrapy.Request | None:
        """The request for an article link found by `route`, if the crawl follows it and it is not
        older than ``since`` (see article_request)."""
        url = self.link(portal, url)
        if url is None or self._too_old(published_at):
            return None
        return self.article_request(portal, url, route, entry)

    def article_request(self, portal: Portal, url: str, route: str, entry: dict | None = None) -> scrapy.Request | None:
        """The request for an article page, unless another route asked for it already or the archive
        has it (then only with recheck, and conditionally)."""
        key = portal.key(url)
        if key in portal.scheduled:
            self.count(portal, f"discovery/{route}/duplicates")
            return None
        portal.scheduled.add(key)
        if key in portal.known and not self.recheck:
            self.count(portal, "incremental/known_skipped")
            return None
        self.count(portal, f"discovery/{route}/articles")
        if portal.discovering and len(portal.found.article_urls) < MAX_LEARNED_URLS:
            portal.found.article_urls.append(url)
        # Articles are requested once per run already (portal.scheduled); past Scrapy's duplicate
        # filter, a redirect loop ends in the redirect limit and a reject, not in silence.
        request = self.request(portal, url, self.parse_article, "article", route=route, listing=entry or {})
        request.dont_filter = True
        if key in portal.validators:
            etag, modified = portal.validators[key]
            if etag:
                request.headers["If-None-Match"] = etag
            if modified:
                request.headers["If-Modified-Since"] = modified
            request.meta["handle_httpstatus_list"] = [304]
            self.count(portal, "incremental/conditional_requests")
        return request

    def follows(self, portal: Portal, url: str) -> bool:
        """Whether a link stays on the crawl: the portal's own hosts, no crawl trap, not forbidden."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or host_key(parts.netloc) not in portal.allowed_hosts:
            self.count(portal, "portal/links_offsite")
            return False
        reason = trap_reason(url)
        if reason:
            self.count(portal, "portal/links_trap")
            logger.debug("%s: not following %s: %s", portal.slug, url, reason)
            return False
        robots = portal.robots_rules.get(origin(url))
        if robots and not robots[0].can_fetch(url, robots[1]):
            self.count(portal, "portal/links_robots_forbidden")
            return False
        return True

    def _too_old(self, published_at: str | None) -> bool:
        return bool(self.since and published_at and published_at[:10] < self.since)

    # -- article pages ---------------------------------------------------------------------------

    async def parse_article(self, response: Response) -> list[Article]:
        portal = self._portal(response)
        if response.status == 304:
            self.count(portal, "incremental/not_modified")
            return []
        if len(response.body) > self.page_max_bytes:
            return [article(self.oversize_item(portal, response))]
        capture = response.meta.get("capture") or {}
        item = await self.article_item(
            portal, response.url, response.body, page_headers(response), now_iso(), response.status,
            response.meta.get("listing") or {}, original_url=response.meta.get("original_url"), response=response,
            etag=header(response, b"ETag"), last_modified=header(response, b"Last-Modified"),
            captured_at=capture.get("captured_at"), capture_archive=capture.get("archive"),
        )
        return [item]

    async def article_item(self, portal: Portal, url: str, body: bytes, headers: dict, fetched_at: str, status: int,
                           listing: dict, original_url: str | None = None, response: Response | None = None,
                           **extra: Any) -> Article:
        """The item for an article page's bytes. A page fetched from a copy is read at the portal's
        own URL (`original_url`, or the copy's URL moved onto the portal), so its links and images
        are the portal's, exactly as re-extraction from the WARC files reads them."""
        original = original_url or portal.archive_url(url)
        record = response.meta.get("warc_record") if response is not None else None
        data = await self.pages.run(read_article, portal.profile, original, body, headers, fetched_at, record, listing)
        if response is not None:
            kept = self._keep_raw(response, data)  # the raw page on disk before its item goes anywhere
            if kept:
                extra = {"warc_file": kept["filename"], "warc_offset": int(kept["offset"]), **extra}
        if "error" in data:
            # The page class failed on this page: keep the page as a reject with the reason.
            self.count(portal, "extraction/errors")
            logger.error("%s: article page %s could not be read: %s\n%s", portal.slug, url, data["error"], data["traceback"])
            return article(self._failure_item(portal, url, status, Problem(EXTRACT, data["error"]), listing.get("title")))
        self.report(portal, data["problems"], url)
        for name, origin_ in data["extraction"].items():
            self.count(portal, f"extraction/{name}/{origin_}")
        data["fetched_url"] = url
        for entry in data.get("attachments") or []:
            if portal.mirror_origins:
                entry["fetched_url"] = portal.local(entry["url"])  # downloads (opt-in) come from the copy
        data["http_status"] = status
        data.update(extra)
        return article(data)

    def _keep_raw(self, response: Response, page: dict) -> dict | None:
        """Append the WARC record the page worker built for this response (see scraper.crawl.warc);
        its index entry (filename, offset, …), or None when the crawl keeps no record of it."""
        built = page.pop("warc", None)
        if built is not None:
            return self.crawler.get_downloader_middleware(WarcMiddleware).append(response.request, built)
        return None

    def report(self, portal: Portal, problems: list[Problem], url: str) -> None:
        for problem in problems:
            self.count(portal, f"extraction/problems/{problem.stat}")
            logger.warning("%s: %s (%s)", portal.slug, problem, url)
