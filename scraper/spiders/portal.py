"""The portal spider: finds a portal's articles by every route it offers and hands each article page
to its platform's page class.

One spider class per profile is built by ``scraper.spiderloader``, so ``scrapy crawl phu_yen`` runs
this code with Phú Yên's profile. The spider decides what to fetch; what a page says is the
platform page's business, what is kept is the pipelines'.

Routes: the category listings of the profile (``start_urls``) and their pagination; the sitemaps
named in the profile or in the portal's robots.txt (sitemap indexes followed); the RSS/Atom feeds
named in the profile or linked from its listings. An article reached by two routes is fetched once.
Links that lead in circles (repeated path segments, calendars, sort/print/share views, language
tails) and links to other hosts are not followed.

Arguments (``-a name=value``):

- ``start_urls=URL[,URL…]``: crawl from these URLs instead of the profile's (a mirror, a local
  copy, a replay), following links on their hosts only. Articles found on a host that is not one
  of the portal's are stored under the portal's own URL (the mirror's URL is kept in ``fetched_url``).
- ``since=YYYY-MM-DD``: stop paging a listing once it reaches articles published before that day
  (and skip sitemap and feed entries dated before it).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from protego import Protego
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper.dates import VN_TZ, parse_date
from scraper.extraction import PageRunner, default_workers, extract_article, extract_listing
from scraper.items import ArticleItem
from scraper.platforms import platform_module
from scraper.portals import Profile
from scraper.pages.feeds import parse_feed, parse_sitemap, robots_sitemaps
from scraper.urls import host_key, origin, rebase, strip_session, trap_reason

logger = logging.getLogger(__name__)



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
        # Where robots.txt, sitemaps and feeds are looked for: the copy being crawled, or the portal.
        self.site_origins = sorted({origin(u) for u in self.start_urls}) if start_urls else (
            [profile.base_url] if profile.base_url else [])
        if not (self.start_urls or self.site_origins or profile.sitemaps or profile.feeds):
            raise ValueError(f"portal {profile.slug!r} has no start URLs and no home page: give some with -a start_urls=URL[,URL…]")
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
        self.scheduled: set[str] = set()  # canonical URLs of the articles requested so far
        self.robots_blocked: list[str] = []
        self.robots_rules: dict[str, tuple[Protego, str]] = {}

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
        if self.profile.robots == "ignore":
            logger.warning("%s: robots.txt is ignored for this portal, as its profile says: the archive must have "
                           "the right to crawl it", self.name)
        for site in self.site_origins:
            # robots.txt is read for its Sitemap: lines and to report a portal that shuts everyone out.
            yield scrapy.Request(f"{site}/robots.txt", callback=self.parse_robots, errback=self.on_error,
                                 meta={"page_kind": "robots", "dont_obey_robotstxt": True}, priority=10)
        for url in self.profile.sitemaps:
            yield self.sitemap_request(self._local(url))
        for url in self.profile.feeds:
            yield self.feed_request(self._local(url))
        for url in self.start_urls:
            yield self.listing_request(url)

    def _local(self, url: str) -> str:
        """A URL on the portal's own hosts moved onto the copy being crawled, when crawling one
        (copies keep absolute links to the portal in sitemaps, feeds and pages)."""
        if self.mirror_origins and host_key(urlsplit(url).netloc) in self.profile.hosts:
            return rebase(url, origin(url), next(iter(self.mirror_origins)))
        return url

    def listing_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error, meta={"page_kind": "listing"})

    def sitemap_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error, meta={"page_kind": "sitemap"})

    def feed_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_feed, errback=self.on_error, meta={"page_kind": "feed"})

    def article_request(self, url: str, route: str, listing: dict | None = None) -> scrapy.Request | None:
        """A request for an article page, unless another route already asked for the same article."""
        stats = self.crawler.stats
        key = self.platform.ArticlePage.canonical(url)
        if key in self.scheduled:
            stats.inc_value(f"discovery/{route}/duplicates")
            return None
        self.scheduled.add(key)
        stats.inc_value(f"discovery/{route}/articles")
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_error,
                              meta={"page_kind": "article", "route": route, "listing": listing or {}})

    def follows(self, url: str) -> bool:
        """Whether a link stays on the crawl: the portal's own hosts, and no crawl trap."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or host_key(parts.netloc) not in self.allowed_hosts:
            self.crawler.stats.inc_value("portal/links_offsite")
            return False
        reason = trap_reason(url)
        if reason:
            self.crawler.stats.inc_value("portal/links_trap")
            logger.debug("%s: not following %s: %s", self.name, url, reason)
            return False
        robots = self.robots_rules.get(origin(url))
        if robots and not robots[0].can_fetch(url, robots[1]):
            self.crawler.stats.inc_value("portal/links_robots_forbidden")
            return False
        return True

    def is_article_url(self, url: str) -> bool:
        return self.platform.ListingPage(url, b"", profile=self.profile).is_article_url(url)

    def _too_old(self, published_at: str | None) -> bool:
        return bool(self.since and published_at and published_at[:10] < self.since)

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
        feeds = [self._local(url) for url in page.get("feeds", [])]
        requests, older = [self.feed_request(url) for url in feeds if self.follows(url)], 0
        for entry in entries:
            url = strip_session(self._local(entry["url"]))
            if not self.follows(url):
                continue
            if self._too_old(entry["published_at"]):
                older += 1
                continue
            request = self.article_request(url, "listing", {"title": entry["title"], "date_raw": entry["date_raw"]})
            if request is not None:
                requests.append(request)
        if older:
            # Listings run newest first: once one entry is older than the bound, every later page is.
            stats.inc_value("portal/older_than_since", older)
            logger.info("%s: reached %s on %s; not paging further", self.name, self.since, response.url)
            return requests
        next_url = page["next"] and strip_session(self._local(page["next"]))
        if next_url and self.follows(next_url):
            requests.append(self.listing_request(next_url))
        return requests

    def parse_robots(self, response: Response) -> list[scrapy.Request]:
        text = response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
        stats = self.crawler.stats
        obeying = self.crawler.settings.getbool("ROBOTSTXT_OBEY")
        rules = Protego.parse(text)
        agent = self.crawler.settings.get("USER_AGENT")
        if obeying:
            # Checked again in follows(): what we ask for ourselves never depends on a middleware.
            self.robots_rules[origin(response.url)] = (rules, agent)
        wanted = self.start_urls or [response.url.rsplit("/", 1)[0] + "/"]
        blocked = [u for u in wanted if not rules.can_fetch(u, agent)]
        if obeying and blocked and len(blocked) == len(wanted):
            self.robots_blocked = blocked
            stats.set_value("robots/disallowed_everything", 1)
            logger.error("%s: robots.txt at %s disallows every page this crawl would fetch: nothing will be archived "
                         "from this portal. (A profile may say robots = \"ignore\" only if the archive has the right "
                         "to crawl it.)", self.name, response.url)
        requests = []
        for url in robots_sitemaps(text):
            url = self._local(url)
            if self.follows(url):
                stats.inc_value("discovery/robots/sitemaps")
                requests.append(self.sitemap_request(url))
        return requests

    def parse_sitemap(self, response: Response) -> list[scrapy.Request]:
        stats = self.crawler.stats
        sitemap = parse_sitemap(response.body, response.url)
        requests = [self.sitemap_request(u) for u in map(self._local, sitemap.sitemaps) if self.follows(u)]
        stats.inc_value("discovery/sitemap/files")
        for entry in sitemap.entries:
            url = strip_session(self._local(entry.url))
            if not self.follows(url) or self._too_old(entry.published_at):
                continue
            if not self.is_article_url(url):
                stats.inc_value("discovery/sitemap/not_articles")
                continue
            request = self.article_request(url, "sitemap", {"title": entry.title})
            if request is not None:
                requests.append(request)
        return requests

    def parse_feed(self, response: Response) -> list[scrapy.Request]:
        requests = []
        self.crawler.stats.inc_value("discovery/feed/files")
        for entry in parse_feed(response.body, response.url):
            url = strip_session(self._local(entry.url))
            if self.follows(url) and not self._too_old(entry.published_at):
                request = self.article_request(url, "feed", {"title": entry.title})
                if request is not None:
                    requests.append(request)
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
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # Forbidden by robots.txt (or dropped by a middleware): not a broken page.
            stats.inc_value(f"portal/ignored/{request.meta.get('page_kind', 'article')}")
            logger.info("%s: not fetched: %s (%s)", self.name, request.url, failure.getErrorMessage())
            return
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
        else:
            status = None
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        kind = request.meta.get("page_kind", "article")
        if kind == "robots":  # no robots.txt (404) or an unreachable one: nothing to report
            stats.inc_value("portal/robots_missing")
            return
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
        for entry in data.get("attachments") or []:
            entry["fetched_url"] = entry["url"]  # downloads (opt-in) come from the copy being crawled
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
                "ROBOTSTXT_OBEY": profile.robots == "obey",
            },
            "__module__": __name__,
            "__doc__": f"{profile.name} ({profile.platform}).",
        },
    )
