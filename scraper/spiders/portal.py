"""The portal spider: walks a portal's category listings and hands each article page to its platform.

One spider class per profile is built by ``scraper.spiderloader``, so ``scrapy crawl phu_yen`` runs
this code with Phú Yên's profile. The spider decides what to fetch; what a page says is the
platform page's business, what is kept is the pipelines'.

Arguments (``-a name=value``):

- ``start_urls=URL[,URL…]``: crawl from these URLs instead of the profile's (a mirror, a local
  copy, a replay), following links on their hosts only. Articles found on a host that is not one
  of the portal's are stored under the portal's own URL (the mirror's URL is kept in ``fetched_url``).
- ``since=YYYY-MM-DD``: stop paging a listing once it reaches articles published before that day.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import AsyncIterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper.dates import VN_TZ, parse_date
from scraper.extraction import PageRunner, default_workers, extract_article, extract_listing
from scraper.items import ArticleItem
from scraper.platforms import platform_module
from scraper.portals import Profile
from scraper.urls import host_key, origin, rebase

logger = logging.getLogger(__name__)

_REPEATED_SEGMENT = re.compile(r"(/[^/]+)\1{2,}")  # /en/en/en/…: a crawl trap


def now_iso() -> str:
    return dt.datetime.now(VN_TZ).replace(microsecond=0).isoformat()


def content_type(response: Response) -> dict[str, str]:
    """The only header pages read: the declared charset lives there."""
    value = response.headers.get(b"Content-Type")
    return {"content-type": value.decode("latin-1")} if value else {}


class PortalSpider(scrapy.Spider):
    """Base class; never run directly. Subclasses carry a `profile`."""

    profile: ClassVar[Profile]

    def __init__(self, *args: Any, start_urls: str | list[str] | None = None, since: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        profile = self.profile
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        self.start_urls = list(start_urls or profile.start_urls)
        if not self.start_urls:
            raise ValueError(f"portal {profile.slug!r} has no start URLs: give some with -a start_urls=URL[,URL…]")
        self.allowed_hosts = {host_key(urlsplit(u).netloc) for u in self.start_urls} if start_urls else set(profile.hosts)
        # OffsiteMiddleware compares host names without ports; `follows` checks host and port.
        self.allowed_domains = sorted({h.rsplit(":", 1)[0] for h in self.allowed_hosts})
        # Mirrors: origins that are not the portal's own are mapped back onto the portal's base URL.
        self.mirror_origins = {
            origin(u): profile.base_url
            for u in self.start_urls
            if profile.base_url and host_key(urlsplit(u).netloc) not in profile.hosts
        }
        self.since = self._parse_since(since)
        self.platform = platform_module(profile.platform)

    @staticmethod
    def _parse_since(since: str | None) -> str | None:
        if not since:
            return None
        try:
            return dt.date.fromisoformat(since).isoformat()
        except ValueError:
            raise ValueError(f"since must be a date as YYYY-MM-DD, not {since!r}") from None

    # -- requests --------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.mirror_origins:
            logger.info("%s: crawling a copy at %s; articles are stored under %s",
                        self.name, ", ".join(self.mirror_origins), self.profile.base_url)
        for url in self.start_urls:
            yield self.listing_request(url)

    def listing_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error, meta={"page_kind": "listing"})

    def follows(self, url: str) -> bool:
        """Whether a link stays on the crawl: same hosts, no repeated-segment trap."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or host_key(parts.netloc) not in self.allowed_hosts:
            self.crawler.stats.inc_value("portal/links_offsite")
            return False
        if _REPEATED_SEGMENT.search(parts.path):
            self.crawler.stats.inc_value("portal/links_trap")
            return False
        return True

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        workers = crawler.settings.getint("PAGE_WORKERS", default_workers())
        spider.pages = PageRunner(workers)
        crawler.signals.connect(spider.pages.close, signal=signals.spider_closed)
        return spider

    def _page_args(self, response: Response) -> tuple:
        return (self.profile.slug, self.profile.platform, response.url, response.body, content_type(response), now_iso())

    # -- callbacks -------------------------------------------------------------------------------

    async def parse_listing(self, response: Response) -> list[scrapy.Request]:
        stats = self.crawler.stats
        stats.inc_value("portal/listing_pages")
        page = await self.pages.run(extract_listing, *self._page_args(response))
        if "error" in page:
            stats.inc_value("portal/listing_errors")
            logger.error("%s: listing page %s could not be read: %s\n%s", self.name, response.url, page["error"], page["traceback"])
            return []
        entries = page["entries"]
        self._report(page["problems"], response.url)
        if not entries:
            stats.inc_value("portal/listing_empty")
            logger.warning("%s: no article links on listing page %s", self.name, response.url)
        stats.inc_value(f"extraction/listing/items/{page['sources'].get('items', 'none')}")
        requests, older = [], 0
        for entry in entries:
            if not self.follows(entry["url"]):
                continue
            if self.since and entry["published_at"] and entry["published_at"][:10] < self.since:
                older += 1
                continue
            requests.append(scrapy.Request(
                entry["url"],
                callback=self.parse_article,
                errback=self.on_error,
                meta={"page_kind": "article", "listing": {"title": entry["title"], "date_raw": entry["date_raw"]}},
            ))
        if older:
            # Listings run newest first: once one entry is older than the bound, every later page is.
            stats.inc_value("portal/older_than_since", older)
            logger.info("%s: reached %s on %s; not paging further", self.name, self.since, response.url)
            return requests
        next_url = page["next"]
        if next_url and self.follows(next_url):
            requests.append(self.listing_request(next_url))
        return requests

    async def parse_article(self, response: Response) -> list[ArticleItem]:
        # A coroutine returning its one item, not an async generator: Scrapy then handles the
        # output without waking a queue of workers for it (measured: 0.2 ms less per page).
        stats = self.crawler.stats
        data = await self.pages.run(extract_article, *self._page_args(response))
        if "error" in data:
            # The page class failed on this page: keep the page as a reject with the reason.
            stats.inc_value("extraction/errors")
            logger.error("%s: article page %s could not be read: %s\n%s", self.name, response.url, data["error"], data["traceback"])
            return [ArticleItem(**self._failure_item(response.request, response.status, f"extract: {data['error']}"))]
        listing = response.meta.get("listing") or {}
        if not data["published_raw"] and listing.get("date_raw"):
            # Some templates print the date only on the listing; take it from there, and say so.
            data["published_raw"] = listing["date_raw"]
            data["published_at"] = parse_date(listing["date_raw"], month_first=self.profile.month_first, now=data["fetched_at"])
            data["extraction"]["published"] = "listing"
        self._report(data["problems"], response.url)
        for name, origin_ in data["extraction"].items():
            stats.inc_value(f"extraction/{name}/{origin_}")
        self._rebase(data)
        data["http_status"] = response.status
        return [ArticleItem(**data)]

    def on_error(self, failure: Failure):
        request = failure.request
        stats = self.crawler.stats
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
        else:
            status = None
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        kind = request.meta.get("page_kind", "article")
        stats.inc_value(f"portal/errors/{kind}")
        logger.warning("%s: %s page %s failed: %s", self.name, kind, request.url, reason)
        if kind == "article":
            # The link looked like an article: record it, so the reject is visible and retried later.
            yield ArticleItem(**self._failure_item(request, status, f"fetch: {reason}"))

    def _failure_item(self, request: scrapy.Request, status: int | None, problem: str) -> dict:
        data = {
            "url": self.platform.ArticlePage.canonical(request.url),
            "fetched_url": request.url,
            "portal": self.profile.slug,
            "province": self.profile.province,
            "fetched_at": now_iso(),
            "http_status": status,
            "problems": [problem],
            "looks_like_article": True,
            "title": (request.meta.get("listing") or {}).get("title"),
        }
        self._rebase(data)
        return data

    # -- helpers ---------------------------------------------------------------------------------

    def _rebase(self, data: dict) -> None:
        """Map a mirror's URLs in an item back onto the portal's own base URL."""
        if not self.mirror_origins:
            return
        canonical = self.platform.ArticlePage.canonical

        def move(url: str | None) -> str | None:
            if not url:
                return url
            for src, dst in self.mirror_origins.items():
                moved = rebase(url, src, dst)
                if moved != url:
                    return moved
            return url

        data["url"] = canonical(move(data["url"]))
        for key in ("images", "attachments"):
            for entry in data.get(key) or []:
                entry["url"] = move(entry["url"])

    def _report(self, problems: list[str], url: str) -> None:
        for problem in problems:
            kind = problem.split(":", 2)[0] if problem.startswith("selector-miss") else problem.split(":", 1)[0]
            field = problem.split(":", 2)[1] if problem.startswith("selector-miss") else ""
            self.crawler.stats.inc_value(f"extraction/problems/{kind}{'/' + field if field else ''}")
            logger.warning("%s: %s (%s)", self.name, problem, url)


def make_spider(profile: Profile) -> type[PortalSpider]:
    """The spider class for one profile: its name is the slug, its politeness the profile's."""
    return type(
        f"{''.join(w.title() for w in profile.slug.split('_'))}Spider",
        (PortalSpider,),
        {
            "name": profile.slug,
            "profile": profile,
            "custom_settings": {
                "DOWNLOAD_DELAY": profile.download_delay,
                "CONCURRENT_REQUESTS_PER_DOMAIN": profile.concurrency,
            },
            "__module__": __name__,
            "__doc__": f"{profile.name} ({profile.platform}).",
        },
    )
