"""The portal spider: finds a portal's articles by every route it offers and reads each article page.

One spider class per profile is built by ``make_spider`` (the spider loader makes one per profile),
so ``scrapy crawl phu_yen`` runs this code with Phú Yên's profile.

Routes: the category listings of the profile (``start_urls``) and their pagination; the sitemaps
named in the profile or in the portal's robots.txt (sitemap indexes followed); the RSS/Atom feeds
named in the profile or linked from its listings. A profile without start URLs is crawled from its
home page (``scraper.spiders.discovery``). An article reached by two routes is fetched once.
Listings stop paging after ``LISTING_STALE_PAGES`` pages in a row with no article new to the run,
and after ``LISTING_MAX_PAGES``.
Links that lead in circles (repeated path segments, calendars, sort/print/share views, language
tails) and links to other hosts are not followed.

Incremental: articles already in the archive are not fetched again, and a listing stops paging
after ``INCREMENTAL_KNOWN_STOP`` known articles in a row, provided the portal's previous run
finished and walked that listing to its end (so an interrupted backfill is always completed).

Arguments (``-a name=value``):

- ``start_urls=URL[,URL…]``: crawl from these URLs instead of the profile's (a mirror, a local
  copy, a replay), following links on their hosts only.
- ``home=URL``: discover the portal from this home page (of the portal, or of a copy of it)
  instead of walking the profile's start URLs. Articles found on a host that is not one
  of the portal's are stored under the portal's own URL (the mirror's URL is kept in ``fetched_url``).
- ``since=YYYY-MM-DD``: stop paging a listing once it reaches articles published before that day
  (and skip sitemap and feed entries dated before it).
- ``recheck=1``: walk every listing to its end and fetch known articles again, with conditional
  requests (ETag, Last-Modified), to find the ones that changed.
- ``full=1``: walk every listing to its end even when the previous run did.
- ``recover=ARCHIVE`` (with ``captures=latest|all``): do not visit the portal; read its captures in
  a web archive instead (``scraper.spiders.recover``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.http import Response

from scraper.archive.rows import now_iso
from scraper.core.profile import Profile
from scraper.core.urls import origin
from scraper.crawl.responses import page_headers
from scraper.crawl.runner import read_listing
from scraper.pages.feeds import parse_feed, parse_sitemap, robots_sitemaps
from scraper.spiders.base import ArchiveSpider
from scraper.spiders.discovery import Discovery
from scraper.spiders.recover import RecoverSpider
from scraper.spiders.state import Portal

logger = logging.getLogger(__name__)


class PortalSpider(Discovery, ArchiveSpider):
    """Crawls its portals' listings, sitemaps and feeds, or discovers them from the home page.
    Subclasses carry a `profile`, or are given `profiles`."""

    @classmethod
    def from_crawler(cls, crawler, *args: Any, recover: str | None = None, **kwargs: Any):
        if recover:
            # The same portal, read from a web archive's captures instead of its own host.
            recovery = type(f"{cls.__name__}Recovery", (RecoverSpider,), {"name": cls.name, "profile": cls.profile})
            return recovery.from_crawler(crawler, *args, recover=recover, **kwargs)
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.headlines_last, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for portal in self.portals.values():
            for request in self.start_portal(portal):
                yield request

    def start_portal(self, portal: Portal) -> list[scrapy.Request]:
        profile = portal.profile
        if profile.status == "retired" and not portal.mirror_origins:
            logger.warning("%s: retired on %s (%s). Its pages can be recovered from web archives: "
                           "scrapy crawl %s -a recover=wayback", portal.slug, profile.retired_on, profile.evidence, portal.slug)
        if portal.mirror_origins:
            logger.info("%s: crawling a copy at %s; articles are stored under %s", portal.slug,
                        ", ".join(portal.mirror_origins), portal.canonical(f"{profile.base_url}/").rstrip("/"))
        if profile.robots == "ignore":
            logger.warning("%s: robots.txt is ignored for this portal, as its profile says: the archive must "
                           "have the right to crawl it", portal.slug)
        if portal.known:
            logger.info("%s: %d articles already archived; %s", portal.slug, len(portal.known),
                        "re-checking them with conditional requests" if self.recheck else "only new ones are fetched")
        requests = []
        for site in portal.site_origins:
            # robots.txt is read for its Sitemap: lines and to report a portal that shuts everyone out.
            # Answered with what the robots.txt middleware fetched for the host's rules (one fetch, not two).
            request = self.request(portal, f"{site}/robots.txt", self.parse_robots, "robots", dont_obey_robotstxt=True,
                                   robots_txt=self.obeys_robots(portal))
            request.priority = 10
            requests.append(request)
        requests += [self.request(portal, portal.local(url), self.parse_sitemap, "sitemap") for url in profile.sitemaps]
        requests += [self.request(portal, portal.local(url), self.parse_feed, "feed") for url in profile.feeds]
        requests += [r for r in (self.listing_request(portal, url) for url in portal.start_urls) if r]
        if portal.discovering:
            requests += self.start_discovery(portal)
        return requests

    def listing_request(self, portal: Portal, url: str, *, label: str | None = None, depth: int = 0,
                        shapes: tuple[str, ...] = ()) -> scrapy.Request | None:
        """The first page of a listing walk, once per run. `depth` > 0: a section discovery found
        (1 on the home page, 2 on a section's page), which may turn out not to be a listing."""
        key = portal.archive_url(url)
        if key in portal.listings_requested:
            return None
        portal.listings_requested.add(key)
        return self.request(portal, url, self.parse_listing, "listing", walk=url, known_run=0, section_depth=depth, label=label,
                            shapes=shapes, page_no=1, stale=0)

    # -- listings --------------------------------------------------------------------------------

    async def parse_listing(self, response: Response) -> list[scrapy.Request]:
        # Coroutines that return their output, not async generators: Scrapy handles a list without
        # waking a queue of workers for it (measured: 0.2 ms less per page).
        portal = self._portal(response)
        meta = response.meta
        walk, depth = meta.get("walk"), meta.get("section_depth", 0)  # not "depth": Scrapy's own
        self.count(portal, "portal/listing_pages")
        if self.oversize(portal, response):
            return []
        # A section's first page names its sub-sections: read them there only.
        sub_sections = bool(depth and meta.get("page_no", 1) == 1 and depth < self.crawler.settings.getint("DISCOVERY_DEPTH", 2))
        page = await self.pages.run(read_listing, portal.profile, response.url, response.body, page_headers(response), now_iso(),
                                    meta.get("warc_record"), tuple(meta.get("shapes") or ()), False, sub_sections)
        self._keep_raw(response, page)
        if "error" in page:
            self.count(portal, "portal/listing_errors")
            logger.error("%s: listing page %s could not be read: %s\n%s", portal.slug, response.url, page["error"], page["traceback"])
            return []
        entries = page["entries"]
        self.report(portal, page["problems"], response.url)
        requests = []
        if sub_sections:
            requests += self.section_requests(portal, page["sections"], depth + 1)  # its sub-sections
        if not entries:
            if depth:
                # A section that lists no articles (an introduction, a page of sub-sections): not a broken listing.
                self.count(portal, "discovery/sections/not_listings")
                logger.info("%s: section %s lists no articles", portal.slug, response.url)
                return requests
            self.count(portal, "portal/listing_empty")
            logger.warning("%s: no article links on listing page %s", portal.slug, response.url)
        self.count(portal, f"extraction/listing/items/{page['sources'].get('items', 'none')}")
        requests += self.feed_requests(portal, page.get("feeds", []))
        older, known_run, fresh = 0, meta.get("known_run", 0), 0
        for entry in entries:
            url = self.link(portal, entry["url"])
            if url is None:
                continue
            if self._too_old(entry["published_at"]):
                older += 1
                continue
            key = portal.key(url)
            fresh += key not in portal.scheduled
            known_run = known_run + 1 if key in portal.known else 0
            listing = {"title": entry["title"], "date_raw": entry["date_raw"], "published_at": entry["published_at"], "route": "listing"}
            request = self.article_request(portal, url, "listing", listing)
            if request is not None:
                requests.append(request)
        if depth and entries:
            learned = portal.found.listings.setdefault(walk, {"label": meta.get("label"), "shape": page.get("shape"),
                                                             "items": page["sources"].get("items"), "articles": 0})
            learned["articles"] += fresh
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
        stale = 0 if fresh else meta.get("stale", 0) + 1
        if stale >= self.crawler.settings.getint("LISTING_STALE_PAGES", 3):
            # Pages that only repeat what earlier pages listed (or list nothing) yet still offer a next one.
            self.count(portal, "portal/listing_stale_stop")
            logger.warning("%s: %d listing pages in a row brought no new article; not paging %s further", portal.slug, stale, walk)
            return requests
        if meta.get("page_no", 1) >= self.crawler.settings.getint("LISTING_MAX_PAGES", 5000):
            self.count(portal, "portal/listing_page_limit")
            logger.warning("%s: listing %s reached LISTING_MAX_PAGES; not paging further", portal.slug, walk)
            return requests
        shapes = (page["shape"],) if page.get("shape") else tuple(meta.get("shapes") or ())
        following = page["next"] and self.follow(portal, page["next"], self.parse_listing, "listing", walk=walk, known_run=known_run,
                                                 section_depth=depth, label=meta.get("label"), shapes=shapes,
                                                 page_no=meta.get("page_no", 1) + 1, stale=stale)
        if following:
            requests.append(following)
        else:
            portal.completed_walks.add(portal.archive_url(walk))  # as the portal's own URL: mirrors move
        return requests

    # -- robots.txt, sitemaps, feeds -------------------------------------------------------------

    def obeys_robots(self, portal) -> bool:
        """Whether this crawl follows `portal`'s robots.txt (the setting, and the profile's word)."""
        return self.crawler.settings.getbool("ROBOTSTXT_OBEY") and portal.profile.robots == "obey"

    def parse_robots(self, response: Response) -> list[scrapy.Request]:
        portal = self._portal(response)
        text = response.body.decode("utf-8", "replace")
        obeying = self.obeys_robots(portal)
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
            request = self.follow(portal, url, self.parse_sitemap, "sitemap")
            if request is not None:
                self.count(portal, "discovery/robots/sitemaps")
                requests.append(request)
        return requests

    def parse_sitemap(self, response: Response) -> list[scrapy.Request]:
        portal = self._portal(response)
        sitemap = parse_sitemap(response.body, response.url)
        requests = [r for r in (self.follow(portal, u, self.parse_sitemap, "sitemap") for u in sitemap.sitemaps) if r]
        self.count(portal, "discovery/sitemap/files")
        for entry in sitemap.entries:
            url = self.link(portal, entry.url)
            if url is None or self._too_old(entry.published_at):
                continue
            if not portal.is_article_url(url):
                self.count(portal, "discovery/sitemap/not_articles")
                continue
            request = self.article_request(portal, url, "sitemap", {"title": entry.title, "published_at": entry.published_at,
                                                                     "route": "sitemap"})
            if request is not None:
                requests.append(request)
        return requests

    def parse_feed(self, response: Response) -> list[scrapy.Request]:
        portal = self._portal(response)
        self.count(portal, "discovery/feed/files")
        found = (self.follow_article(portal, e.url, "feed", {"title": e.title, "published_at": e.published_at, "route": "feed"},
                                     e.published_at)
                 for e in parse_feed(response.body, response.url))
        return [r for r in found if r is not None]


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
