"""The portal spider: finds a portal's articles by every route it offers and hands each article page
to its platform's page class.

One spider class per profile is built by ``scraper.spiderloader``, so ``scrapy crawl phu_yen`` runs
this code with Phú Yên's profile; ``scrapy crawlall`` runs one spider over many portals at once,
each request carrying its portal. The spider decides what to fetch; what a page says is the
platform page's business, what is kept is the pipelines'.

Routes: the category listings of the profile (``start_urls``) and their pagination; the sitemaps
named in the profile or in the portal's robots.txt (sitemap indexes followed); the RSS/Atom feeds
named in the profile or linked from its listings. An article reached by two routes is fetched once.
Links that lead in circles (repeated path segments, calendars, sort/print/share views, language
tails) and links to other hosts are not followed.

Incremental: articles already in the archive are not fetched again, and a listing stops paging
after ``INCREMENTAL_KNOWN_STOP`` known articles in a row, provided the portal's previous run
finished and walked that listing to its end (so an interrupted backfill is always completed).

Arguments (``-a name=value``):

- ``start_urls=URL[,URL…]``: crawl from these URLs instead of the profile's (a mirror, a local
  copy, a replay), following links on their hosts only. Articles found on a host that is not one
  of the portal's are stored under the portal's own URL (the mirror's URL is kept in ``fetched_url``).
- ``since=YYYY-MM-DD``: stop paging a listing once it reaches articles published before that day
  (and skip sitemap and feed entries dated before it).
- ``recheck=1``: walk every listing to its end and fetch known articles again, with conditional
  requests (ETag, Last-Modified), to find the ones that changed.
- ``full=1``: walk every listing to its end even when the previous run did.
- ``recover=ARCHIVE``: do not visit the portal; list its captures in a web archive's CDX index
  (``wayback``, ``arquivo``, another Wayback-style base URL, or ``cdx=URL;replay=TEMPLATE``) and
  fetch each article's original bytes from the archive, recording the capture time and archive
  with the article. ``captures=all`` fetches every distinct capture of an article, oldest first, so
  its changes become versions; by default only its latest capture, and only for articles the
  archive does not hold yet. ``since`` limits the captures to those taken from that day.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper.dates import VN_TZ
from scraper.extraction import PageRunner, default_workers, extract_article, extract_listing
from scraper.items import ArticleItem
from scraper.pages.feeds import parse_feed, parse_sitemap, robots_sitemaps
from scraper.platforms import platform_module
from scraper.portals import Profile
from scraper.recovery import WebArchive, capture_time, clean_original, parse_cdx
from scraper.urls import host_key, origin, rebase, strip_session, trap_reason

logger = logging.getLogger(__name__)

TRUE = ("1", "true", "yes", "on")


def now_iso() -> str:
    return dt.datetime.now(VN_TZ).replace(microsecond=0).isoformat()


def content_type(response: Response) -> dict[str, str]:
    """The only header pages read: the declared charset lives there."""
    value = response.headers.get(b"Content-Type")
    return {"content-type": value.decode("latin-1")} if value else {}


class Portal:
    """What one crawl knows and decides about one portal."""

    def __init__(self, profile: Profile, start_urls: list[str] | None, recovering: bool = False):
        self.profile = profile
        self.slug = profile.slug
        self.platform: ModuleType = platform_module(profile.platform)
        self.start_urls = list(start_urls or profile.start_urls)
        # Where robots.txt, sitemaps and feeds are looked for: the copy being crawled, or the portal.
        self.site_origins = sorted({origin(u) for u in self.start_urls}) if start_urls else (
            [profile.base_url] if profile.base_url else [])
        if not (recovering or self.start_urls or self.site_origins or profile.sitemaps or profile.feeds):
            raise ValueError(f"portal {profile.slug!r} has no start URLs and no home page: give some with -a start_urls=URL[,URL…]")
        self.allowed_hosts = {host_key(urlsplit(u).netloc) for u in self.start_urls} if start_urls else set(profile.hosts)
        # Mirrors: origins that are not the portal's own are mapped back onto the portal's base URL.
        self.mirror_origins = {
            origin(u): profile.base_url
            for u in self.start_urls
            if profile.base_url and host_key(urlsplit(u).netloc) not in profile.hosts
        }
        self.scheduled: set[str] = set()        # canonical URLs of the articles requested this run
        self.known: set[str] = set()            # canonical URLs already archived (articles, aliases)
        self.validators: dict[str, tuple] = {}  # canonical URL -> (ETag, Last-Modified) of the archived copy
        self.walked: set[str] = set()           # listings the previous finished run walked to their end
        self.completed_walks: set[str] = set()  # listings this run walked to their end
        self.robots_rules: dict[str, tuple[Protego, str]] = {}
        self.robots_blocked = False
        self.captures: dict[str, list[tuple[str, str, str]]] = {}  # recovery: canonical URL -> (timestamp, original, digest)
        self.cdx_open = 0                       # recovery: CDX queries not finished yet

    def canonical(self, url: str) -> str:
        return self.platform.ArticlePage.canonical(url)

    def local(self, url: str) -> str:
        """A URL on the portal's own hosts moved onto the copy being crawled, when crawling one
        (copies keep absolute links to the portal in sitemaps, feeds and pages)."""
        if self.mirror_origins and host_key(urlsplit(url).netloc) in self.profile.hosts:
            return rebase(url, origin(url), next(iter(self.mirror_origins)))
        return url

    def archive_url(self, url: str) -> str:
        """The portal's own URL for a URL of the copy being crawled."""
        for src, dst in self.mirror_origins.items():
            moved = rebase(url, src, dst)
            if moved != url:
                return moved
        return url

    def is_article_url(self, url: str) -> bool:
        return self.platform.ListingPage(url, b"", profile=self.profile).is_article_url(url)

    def load_history(self, db_path: Path, recheck: bool) -> None:
        """What the archive already holds for this portal (read-only; nothing is written here)."""
        if not db_path.exists():
            return
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            for url, etag, modified in conn.execute("SELECT url, etag, last_modified FROM articles WHERE portal = ?", [self.slug]):
                self.known.add(url)
                if recheck and (etag or modified):
                    self.validators[url] = (etag, modified)
            self.known.update(u for (u,) in conn.execute("SELECT url FROM article_aliases WHERE portal = ?", [self.slug]))
            last = conn.execute(
                "SELECT finish_reason, walks FROM crawl_runs WHERE portal = ? AND coalesce(kind, 'crawl') = 'crawl' "
                "ORDER BY id DESC LIMIT 1", [self.slug]
            ).fetchone()
            if last and last[0] == "finished" and last[1]:
                self.walked = set(json.loads(last[1]))
        except sqlite3.OperationalError:
            pass  # an archive from before these columns or tables: everything is new to it
        finally:
            conn.close()


class PortalSpider(scrapy.Spider):
    """Base class; never run directly. Subclasses carry a `profile`, or are given `profiles`."""

    profile: ClassVar[Profile | None] = None
    run_kind: ClassVar[str] = "crawl"  # how its runs are recorded (re-extraction and recovery differ)

    def __init__(self, *args: Any, start_urls: str | list[str] | None = None, since: str | None = None,
                 recheck: str | bool = False, full: str | bool = False, profiles: list[Profile] | None = None,
                 start_urls_by_portal: dict[str, list[str]] | None = None, recover: str | None = None,
                 captures: str = "latest", **kwargs: Any):
        super().__init__(*args, **kwargs)
        if captures not in ("latest", "all"):
            raise ValueError(f"captures must be latest or all, not {captures!r}")
        self.recover_spec, self.all_captures = recover, captures == "all"
        self.web_archive: WebArchive | None = None
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        chosen = profiles or [self.profile]
        if start_urls and len(chosen) > 1:
            raise ValueError("start_urls applies to one portal; crawl many portals from their profiles")
        overrides = start_urls_by_portal or {}
        self.portals = {p.slug: Portal(p, start_urls or overrides.get(p.slug), recovering=bool(recover)) for p in chosen}
        self.since = self._parse_since(since)
        self.recheck = str(recheck).lower() in TRUE
        self.full = str(full).lower() in TRUE
        hosts = {h for portal in self.portals.values() for h in portal.allowed_hosts}
        # OffsiteMiddleware compares host names without ports; `follows` checks host and port.
        self.allowed_domains = sorted({h.rsplit(":", 1)[0] for h in hosts})
        self.one_slot_per_portal = len(self.portals) > 1

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
        if spider.recover_spec:
            spider.web_archive = WebArchive.resolve(spider.recover_spec, crawler.settings.getdict("RECOVERY_ARCHIVES"))
            spider.run_kind = "recover"
            spider.cdx_limit = crawler.settings.getint("RECOVERY_CDX_LIMIT", 5000)
            spider.allowed_domains = sorted(set(spider.allowed_domains) | spider.web_archive.hosts)
        spider.pages = PageRunner(crawler.settings.getint("PAGE_WORKERS", default_workers()))
        spider.known_stop = crawler.settings.getint("INCREMENTAL_KNOWN_STOP", 3)
        db = Path(crawler.settings.get("ARCHIVE_DB"))
        for portal in spider.portals.values():
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

    # -- stats: every count for the crawl and for its portal -------------------------------------

    def count(self, portal: Portal, key: str, n: int = 1) -> None:
        stats = self.crawler.stats
        stats.inc_value(key, n)
        stats.inc_value(f"portals/{portal.slug}/{key}", n)

    def run_report(self, slug: str) -> dict:
        """What the pipelines record with a portal's run: the listings walked to their end."""
        portal = self.portals[slug]
        return {"walks": sorted(portal.completed_walks), "robots_blocked": portal.robots_blocked}

    # -- requests --------------------------------------------------------------------------------

    def _request(self, portal: Portal, url: str, callback, kind: str, **meta: Any) -> scrapy.Request:
        meta = {"page_kind": kind, "portal": portal.slug, **meta}
        if portal.mirror_origins:
            meta["original_url"] = portal.archive_url(url)  # the WARC index says what a copy stood for
        if portal.profile.robots == "ignore":
            meta["dont_obey_robotstxt"] = True  # the profile's documented opt-out
        if self.one_slot_per_portal:
            meta["download_slot"] = portal.slug  # each portal at its own polite rate
        if kind in ("article", "listing"):
            meta["warc_in_page"] = True  # its WARC record is built by the page worker (scraper.warc)
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.web_archive:
            for portal in self.portals.values():
                for request in self.recovery_start(portal):
                    yield request
            return
        for portal in self.portals.values():
            profile = portal.profile
            if profile.status == "retired" and not portal.mirror_origins:
                logger.warning("%s: retired on %s (%s). Its pages can be recovered from web archives: "
                               "scrapy crawl %s -a recover=wayback", portal.slug, profile.retired_on, profile.evidence, portal.slug)
            if portal.mirror_origins:
                logger.info("%s: crawling a copy at %s; articles are stored under %s",
                            portal.slug, ", ".join(portal.mirror_origins), profile.base_url)
            if profile.robots == "ignore":
                logger.warning("%s: robots.txt is ignored for this portal, as its profile says: the archive must "
                               "have the right to crawl it", portal.slug)
            if portal.known:
                logger.info("%s: %d articles already archived; %s", portal.slug, len(portal.known),
                            "re-checking them with conditional requests" if self.recheck else "only new ones are fetched")
            for site in portal.site_origins:
                # robots.txt is read for its Sitemap: lines and to report a portal that shuts everyone out.
                request = self._request(portal, f"{site}/robots.txt", self.parse_robots, "robots", dont_obey_robotstxt=True)
                request.priority = 10
                yield request
            for url in profile.sitemaps:
                yield self._request(portal, portal.local(url), self.parse_sitemap, "sitemap")
            for url in profile.feeds:
                yield self._request(portal, portal.local(url), self.parse_feed, "feed")
            for url in portal.start_urls:
                yield self._request(portal, url, self.parse_listing, "listing", walk=url, known_run=0)

    def article_request(self, portal: Portal, url: str, route: str, listing: dict | None = None) -> scrapy.Request | None:
        """A request for an article page, unless another route asked for it already or the
        archive has it (then only with recheck, and conditionally)."""
        key = portal.canonical(portal.archive_url(url))
        if key in portal.scheduled:
            self.count(portal, f"discovery/{route}/duplicates")
            return None
        portal.scheduled.add(key)
        if key in portal.known and not self.recheck:
            self.count(portal, "incremental/known_skipped")
            return None
        self.count(portal, f"discovery/{route}/articles")
        request = self._request(portal, url, self.parse_article, "article", route=route, listing=listing or {})
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

    def _portal(self, request_or_response) -> Portal:
        return self.portals[request_or_response.meta["portal"]]

    def _page_args(self, portal: Portal, response: Response) -> tuple:
        return (portal.profile, response.url, response.body, content_type(response), now_iso(), response.meta.get("warc_record"))

    def _keep_raw(self, response: Response, page: dict) -> None:
        """Append the WARC record the page worker built for this response (see scraper.warc)."""
        built = page.pop("warc", None)
        if built is not None:
            self.crawler.warc.append(response.request, built)

    # -- callbacks -------------------------------------------------------------------------------

    async def parse_listing(self, response: Response) -> list[scrapy.Request]:
        # Coroutines that return their output, not async generators: Scrapy handles a list without
        # waking a queue of workers for it (measured: 0.2 ms less per page).
        portal = self._portal(response)
        walk = response.meta.get("walk")
        self.count(portal, "portal/listing_pages")
        page = await self.pages.run(extract_listing, *self._page_args(portal, response))
        self._keep_raw(response, page)
        if "error" in page:
            self.count(portal, "portal/listing_errors")
            logger.error("%s: listing page %s could not be read: %s\n%s", portal.slug, response.url, page["error"], page["traceback"])
            return []
        entries = page["entries"]
        self._report(portal, page["problems"], response.url)
        if not entries:
            self.count(portal, "portal/listing_empty")
            logger.warning("%s: no article links on listing page %s", portal.slug, response.url)
        self.count(portal, f"extraction/listing/items/{page['sources'].get('items', 'none')}")
        feeds = [portal.local(url) for url in page.get("feeds", [])]
        requests = [self._request(portal, url, self.parse_feed, "feed") for url in feeds if self.follows(portal, url)]
        older, known_run = 0, response.meta.get("known_run", 0)
        for entry in entries:
            url = strip_session(portal.local(entry["url"]))
            if not self.follows(portal, url):
                continue
            if self._too_old(entry["published_at"]):
                older += 1
                continue
            key = portal.canonical(portal.archive_url(url))
            known_run = known_run + 1 if key in portal.known else 0
            listing = {"title": entry["title"], "date_raw": entry["date_raw"], "published_at": entry["published_at"]}
            request = self.article_request(portal, url, "listing", listing)
            if request is not None:
                requests.append(request)
        if older:
            # Listings run newest first: once one entry is older than the bound, every later page is.
            self.count(portal, "portal/older_than_since", older)
            logger.info("%s: reached %s on %s; not paging further", portal.slug, self.since, response.url)
            portal.completed_walks.add(portal.archive_url(walk))
            return requests
        if portal.archive_url(walk) in portal.walked and not (self.full or self.recheck) and known_run >= self.known_stop:
            # The rest of this listing was walked to its end by the previous run, and is archived.
            self.count(portal, "incremental/listings_stopped")
            portal.completed_walks.add(portal.archive_url(walk))
            return requests
        next_url = page["next"] and strip_session(portal.local(page["next"]))
        if next_url and self.follows(portal, next_url):
            requests.append(self._request(portal, next_url, self.parse_listing, "listing", walk=walk, known_run=known_run))
        else:
            portal.completed_walks.add(portal.archive_url(walk))  # as the portal's own URL: mirrors move
        return requests

    def parse_robots(self, response: Response) -> list[scrapy.Request]:
        portal = self._portal(response)
        text = response.body.decode("utf-8", "replace")
        obeying = self.crawler.settings.getbool("ROBOTSTXT_OBEY") and portal.profile.robots == "obey"
        rules = Protego.parse(text)
        agent = self.crawler.settings.get("USER_AGENT")
        if obeying:
            # Checked again in follows(): what we ask for ourselves never depends on a middleware.
            portal.robots_rules[origin(response.url)] = (rules, agent)
        wanted = [u for u in portal.start_urls if origin(u) == origin(response.url)] or [origin(response.url) + "/"]
        if obeying and all(not rules.can_fetch(u, agent) for u in wanted):
            portal.robots_blocked = True
            self.count(portal, "robots/disallowed_everything")
            logger.error("%s: robots.txt at %s disallows every page this crawl would fetch: nothing will be archived "
                         "from this portal. (A profile may say robots = \"ignore\" only if the archive has the right "
                         "to crawl it.)", portal.slug, response.url)
        requests = []
        for url in robots_sitemaps(text):
            url = portal.local(url)
            if self.follows(portal, url):
                self.count(portal, "discovery/robots/sitemaps")
                requests.append(self._request(portal, url, self.parse_sitemap, "sitemap"))
        return requests

    def parse_sitemap(self, response: Response) -> list[scrapy.Request]:
        portal = self._portal(response)
        sitemap = parse_sitemap(response.body, response.url)
        requests = [self._request(portal, u, self.parse_sitemap, "sitemap")
                    for u in map(portal.local, sitemap.sitemaps) if self.follows(portal, u)]
        self.count(portal, "discovery/sitemap/files")
        for entry in sitemap.entries:
            url = strip_session(portal.local(entry.url))
            if not self.follows(portal, url) or self._too_old(entry.published_at):
                continue
            if not portal.is_article_url(url):
                self.count(portal, "discovery/sitemap/not_articles")
                continue
            request = self.article_request(portal, url, "sitemap", {"title": entry.title})
            if request is not None:
                requests.append(request)
        return requests

    def parse_feed(self, response: Response) -> list[scrapy.Request]:
        portal = self._portal(response)
        requests = []
        self.count(portal, "discovery/feed/files")
        for entry in parse_feed(response.body, response.url):
            url = strip_session(portal.local(entry.url))
            if self.follows(portal, url) and not self._too_old(entry.published_at):
                request = self.article_request(portal, url, "feed", {"title": entry.title})
                if request is not None:
                    requests.append(request)
        return requests

    async def parse_article(self, response: Response) -> list[ArticleItem]:
        portal = self._portal(response)
        if response.status == 304:
            self.count(portal, "incremental/not_modified")
            return []
        capture = response.meta.get("capture") or {}
        item = await self.article_item(
            portal, response.url, response.body, content_type(response), now_iso(), response.status,
            response.meta.get("listing") or {}, original_url=response.meta.get("original_url"), response=response,
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
            captured_at=capture.get("captured_at"), capture_archive=capture.get("archive"),
        )
        return [item]

    # -- recovery from web archives --------------------------------------------------------------

    def recovery_start(self, portal: Portal) -> list[scrapy.Request]:
        """One CDX query per domain of the portal (its sub-domains come with it, and are sorted out
        by host when the captures are read)."""
        domains = sorted({host_key(h).split(":", 1)[0] for h in portal.profile.hosts})
        if not domains:
            logger.error("%s: the profile names no host to look up in %s", portal.slug, self.web_archive.name)
            return []
        logger.info("%s: recovering from %s: listing the captures of %s", portal.slug, self.web_archive.name, ", ".join(domains))
        portal.cdx_open = len(domains)
        return [self._cdx_request(portal, self.web_archive.query(d, since=self.since, limit=self.cdx_limit), d) for d in domains]

    def _cdx_request(self, portal: Portal, url: str, domain: str) -> scrapy.Request:
        request = self._request(portal, url, self.parse_cdx, "cdx", domain=domain)
        request.errback = self.on_cdx_error
        request.priority = 10  # the index before the captures it lists
        return request

    def parse_cdx(self, response: Response) -> list[scrapy.Request]:
        portal = self._portal(response)
        self.count(portal, "recover/cdx_pages")
        try:
            rows, resume = parse_cdx(response.body)
        except ValueError as exc:
            logger.error("%s: %s answered the capture index query with something unreadable (%s): %s",
                         portal.slug, self.web_archive.name, exc, response.url)
            self.count(portal, "recover/cdx_errors")
            rows, resume = [], None
        for row in rows:
            original = clean_original(row.get("original") or "")
            if host_key(urlsplit(original).netloc) not in portal.profile.hosts:
                self.count(portal, "recover/other_hosts")  # a sub-site: a portal of its own
                continue
            if not portal.is_article_url(original) or trap_reason(original):
                self.count(portal, "recover/not_articles")
                continue
            self.count(portal, "recover/captures")
            portal.captures.setdefault(portal.canonical(original), []).append((row["timestamp"], original, row.get("digest") or ""))
        if len(rows) >= self.cdx_limit and not resume:
            # An archive without resume keys (pywb) stops at the limit: say so rather than pretend.
            self.count(portal, "recover/cdx_truncated")
            logger.warning("%s: %s gave %d captures, the query's limit, and no way to ask for more: some may be "
                           "missing; raise RECOVERY_CDX_LIMIT", portal.slug, self.web_archive.name, len(rows))
        if resume:
            return [self._cdx_request(portal, self.web_archive.query(response.meta["domain"], since=self.since, resume_key=resume,
                                                                        limit=self.cdx_limit),
                                      response.meta["domain"])]
        return self._cdx_done(portal)

    def on_cdx_error(self, failure: Failure) -> list[scrapy.Request]:
        portal = self._portal(failure.request)
        self.count(portal, "recover/cdx_errors")
        logger.error("%s: the capture index of %s could not be read: %s (%s)", portal.slug, self.web_archive.name,
                     failure.getErrorMessage(), failure.request.url)
        return self._cdx_done(portal)

    def _cdx_done(self, portal: Portal) -> list[scrapy.Request]:
        """When every CDX query of a portal has finished: a request per article capture to fetch."""
        portal.cdx_open -= 1
        if portal.cdx_open > 0:
            return []
        requests = []
        for key, found in sorted(portal.captures.items()):
            if key in portal.known and not self.all_captures:
                self.count(portal, "incremental/known_skipped")
                continue
            found.sort()
            if self.all_captures:
                chosen, digests = [], set()
                for capture in found:
                    if capture[2] not in digests or not capture[2]:
                        digests.add(capture[2])
                        chosen.append(capture)
            else:
                chosen = found[-1:]
            portal.scheduled.add(key)
            self.count(portal, "recover/articles")
            for timestamp, original, _ in chosen:
                request = self._request(portal, self.web_archive.capture_url(timestamp, original), self.parse_article, "article",
                                        route="recover", original_url=original,
                                        capture={"captured_at": capture_time(timestamp), "archive": self.web_archive.name})
                requests.append((timestamp, request))
        requests.sort(key=lambda pair: pair[0])
        if self.all_captures:  # oldest first, so that an article's captures arrive as its history
            for rank, (_, request) in enumerate(requests):
                request.priority = len(requests) - rank
        requests = [request for _, request in requests]
        logger.info("%s: %d captures of %d articles in %s; fetching %d", portal.slug, sum(len(v) for v in portal.captures.values()),
                    len(portal.captures), self.web_archive.name, len(requests))
        return requests

    async def article_item(self, portal: Portal, url: str, body: bytes, headers: dict, fetched_at: str, status: int,
                           listing: dict, original_url: str | None = None, response: Response | None = None,
                           **extra: Any) -> ArticleItem:
        """The item for an article page's bytes: the page class's fields, the listing's date when the
        page prints none. A page fetched from a copy is read at the portal's own URL (`original_url`,
        or the copy's URL moved onto the portal), so its links and images are the portal's, exactly
        as re-extraction from the WARC files reads them. (Re-extraction uses this too.)"""
        original = original_url or portal.archive_url(url)
        record = response.meta.get("warc_record") if response is not None else None
        data = await self.pages.run(extract_article, portal.profile, original, body, headers, fetched_at, record)
        if response is not None:
            self._keep_raw(response, data)  # the raw page on disk before its item goes anywhere
        if "error" in data:
            # The page class failed on this page: keep the page as a reject with the reason.
            self.count(portal, "extraction/errors")
            logger.error("%s: article page %s could not be read: %s\n%s", portal.slug, url, data["error"], data["traceback"])
            failure = self._failure_item(portal, url, status, f"extract: {data['error']}", listing.get("title"))
            return ArticleItem(**failure)
        if not data["published_raw"] and listing.get("date_raw"):
            # Some templates print the date only on the listing; take it from there (as the
            # listing's page class read it, in its own date order), and say so.
            data["published_raw"] = listing["date_raw"]
            data["published_at"] = listing.get("published_at")
            data["extraction"]["published"] = "listing"
        self._report(portal, data["problems"], url)
        for name, origin_ in data["extraction"].items():
            self.count(portal, f"extraction/{name}/{origin_}")
        data["fetched_url"] = url
        for entry in data.get("attachments") or []:
            if portal.mirror_origins:
                entry["fetched_url"] = portal.local(entry["url"])  # downloads (opt-in) come from the copy
        data["http_status"] = status
        data.update(extra)
        return ArticleItem(**data)

    def on_error(self, failure: Failure):
        request = failure.request
        portal = self._portal(request)
        kind = request.meta.get("page_kind", "article")
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # Forbidden by robots.txt (or dropped by a middleware): not a broken page.
            self.count(portal, f"portal/ignored/{kind}")
            logger.info("%s: not fetched: %s (%s)", portal.slug, request.url, failure.getErrorMessage())
            return
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
        else:
            status = None
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
            self.count(portal, f"portal/network_errors/{failure.type.__name__}")
        if kind == "robots":  # no robots.txt (404) or an unreachable one: nothing to report
            self.count(portal, "portal/robots_missing")
            return
        self.count(portal, f"portal/errors/{kind}")
        logger.warning("%s: %s page %s failed: %s", portal.slug, kind, request.url, reason)
        if kind == "article":
            # The link looked like an article: record it, so the reject is visible and retried later.
            title = (request.meta.get("listing") or {}).get("title")
            url = request.meta.get("original_url") if self.web_archive else request.url
            yield ArticleItem(**self._failure_item(portal, url, status, f"fetch: {reason}", title))

    def _failure_item(self, portal: Portal, url: str, status: int | None, problem: str, title: str | None) -> dict:
        data = {
            "url": portal.canonical(url),
            "fetched_url": url,
            "portal": portal.slug,
            "province": portal.profile.province,
            "fetched_at": now_iso(),
            "http_status": status,
            "problems": [problem],
            "looks_like_article": True,
            "title": title,
        }
        self._rebase(portal, data)
        return data

    # -- helpers ---------------------------------------------------------------------------------

    def _rebase(self, portal: Portal, data: dict) -> None:
        """Map a failed page's mirror URL back onto the portal's own base URL."""
        if not portal.mirror_origins:
            return
        data["url"] = portal.canonical(portal.archive_url(data["url"]))

    def _report(self, portal: Portal, problems: list[str], url: str) -> None:
        for problem in problems:
            kind = problem.split(":", 2)[0] if problem.startswith("selector-miss") else problem.split(":", 1)[0]
            field = problem.split(":", 2)[1] if problem.startswith("selector-miss") else ""
            self.count(portal, f"extraction/problems/{kind}{'/' + field if field else ''}")
            logger.warning("%s: %s (%s)", portal.slug, problem, url)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


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
