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
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper.dates import VN_TZ
from scraper.items import ArticleItem
from scraper.platforms import platform_module
from scraper.portals import Profile
from scraper.urls import host_key, origin, rebase

logger = logging.getLogger(__name__)

_REPEATED_SEGMENT = re.compile(r"(/[^/]+)\1{2,}")  # /en/en/en/…: a crawl trap


def now_iso() -> str:
    return dt.datetime.now(VN_TZ).replace(microsecond=0).isoformat()


def response_headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}


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

    # -- callbacks -------------------------------------------------------------------------------

    def parse_listing(self, response: Response):
        stats = self.crawler.stats
        stats.inc_value("portal/listing_pages")
        page = self.platform.ListingPage(
            response.url, response.body, headers=response_headers(response), fetched_at=now_iso(), profile=self.profile
        )
        entries = page.entries()
        self._report(page.problems, response.url)
        if not entries:
            stats.inc_value("portal/listing_empty")
            logger.warning("%s: no article links on listing page %s", self.name, response.url)
        stats.inc_value(f"extraction/listing/items/{page.sources.get('items', 'none')}")
        older = 0
        for entry in entries:
            if not self.follows(entry.url):
                continue
            if self.since and entry.published_at and entry.published_at[:10] < self.since:
                older += 1
                continue
            yield scrapy.Request(
                entry.url,
                callback=self.parse_article,
                errback=self.on_error,
                meta={"page_kind": "article", "listing": {"title": entry.title, "date_raw": entry.date_raw}},
            )
        if older:
            # Listings run newest first: once one entry is older than the bound, every later page is.
            stats.inc_value("portal/older_than_since", older)
            logger.info("%s: reached %s on %s; not paging further", self.name, self.since, response.url)
            return
        next_url = page.next_page()
        if next_url and self.follows(next_url):
            yield self.listing_request(next_url)

    def parse_article(self, response: Response):
        stats = self.crawler.stats
        page = self.platform.ArticlePage(
            response.url, response.body, headers=response_headers(response), fetched_at=now_iso(), profile=self.profile
        )
        data = page.extract()
        listing = response.meta.get("listing") or {}
        if not data["published_raw"] and listing.get("date_raw"):
            # Some templates print the date only on the listing; take it from there, and say so.
            data["published_raw"] = listing["date_raw"]
            data["published_at"] = page.parse_date(listing["date_raw"])
            data["extraction"]["published"] = "listing"
        self._report(data["problems"], response.url)
        for name, origin_ in data["extraction"].items():
            stats.inc_value(f"extraction/{name}/{origin_}")
        self._rebase(data)
        data["http_status"] = response.status
        yield ArticleItem(**data)

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
            data = {
                "url": self.platform.ArticlePage.canonical(request.url),
                "fetched_url": request.url,
                "portal": self.profile.slug,
                "province": self.profile.province,
                "fetched_at": now_iso(),
                "http_status": status,
                "problems": [f"fetch: {reason}"],
                "looks_like_article": True,
                "title": (request.meta.get("listing") or {}).get("title"),
            }
            self._rebase(data)
            yield ArticleItem(**data)

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
