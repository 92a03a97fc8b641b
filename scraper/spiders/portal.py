"""The portal spider: finds a portal's articles by every route it offers and reads each article page.

One spider class per profile is built by ``make_spider`` (the spider loader makes one per profile),
so ``scrapy crawl phu_yen`` runs this code with Phú Yên's profile.

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
- ``recover=ARCHIVE`` (with ``captures=latest|all``): do not visit the portal; read its captures in
  a web archive instead (``scraper.spiders.recover``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from protego import Protego
from scrapy.http import Response

from scraper.core.profile import Profile
from scraper.core.urls import origin
from scraper.crawl.runner import read_listing
from scraper.pages.feeds import parse_feed, parse_sitemap, robots_sitemaps
from scraper.spiders.base import ArchiveSpider, content_type, now_iso
from scraper.spiders.recover import RecoverSpider
from scraper.spiders.state import Portal

logger = logging.getLogger(__name__)


class PortalSpider(ArchiveSpider):
    """Crawls its portals' listings, sitemaps and feeds. Subclasses carry a `profile`, or are given `profiles`."""

    @classmethod
    def from_crawler(cls, crawler, *args: Any, recover: str | None = None, **kwargs: Any):
        if recover:
            # The same portal, read from a web archive's captures instead of its own host.
            recovery = type(f"{cls.__name__}Recovery", (RecoverSpider,), {"name": cls.name, "profile": cls.profile})
            return recovery.from_crawler(crawler, *args, recover=recover, **kwargs)
        return super().from_crawler(crawler, *args, **kwargs)

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
            logger.info("%s: crawling a copy at %s; articles are stored under %s",
                        portal.slug, ", ".join(portal.mirror_origins), profile.base_url)
        if profile.robots == "ignore":
            logger.warning("%s: robots.txt is ignored for this portal, as its profile says: the archive must "
                           "have the right to crawl it", portal.slug)
        if portal.known:
            logger.info("%s: %d articles already archived; %s", portal.slug, len(portal.known),
                        "re-checking them with conditional requests" if self.recheck else "only new ones are fetched")
        requests = []
        for site in portal.site_origins:
            # robots.txt is read for its Sitemap: lines and to report a portal that shuts everyone out.
            request = self.request(portal, f"{site}/robots.txt", self.parse_robots, "robots", dont_obey_robotstxt=True)
            request.priority = 10
            requests.append(request)
        requests += [self.request(portal, portal.local(url), self.parse_sitemap, "sitemap") for url in profile.sitemaps]
        requests += [self.request(portal, portal.local(url), self.parse_feed, "feed") for url in profile.feeds]
        requests += [self.request(portal, url, self.parse_listing, "listing", walk=url, known_run=0) for url in portal.start_urls]
        return requests

    # -- listings --------------------------------------------------------------------------------

    async def parse_listing(self, response: Response) -> list[scrapy.Request]:
        # Coroutines that return their output, not async generators: Scrapy handles a list without
        # waking a queue of workers for it (measured: 0.2 ms less per page).
        portal = self._portal(response)
        walk = response.meta.get("walk")
        self.count(portal, "portal/listing_pages")
        page = await self.pages.run(read_listing, portal.profile, response.url, response.body, content_type(response), now_iso(),
                                    response.meta.get("warc_record"))
        self._keep_raw(response, page)
        if "error" in page:
            self.count(portal, "portal/listing_errors")
            logger.error("%s: listing page %s could not be read: %s\n%s", portal.slug, response.url, page["error"], page["traceback"])
            return []
        entries = page["entries"]
        self.report(portal, page["problems"], response.url)
        if not entries:
            self.count(portal, "portal/listing_empty")
            logger.warning("%s: no article links on listing page %s", portal.slug, response.url)
        self.count(portal, f"extraction/listing/items/{page['sources'].get('items', 'none')}")
        requests = [r for r in (self.follow(portal, url, self.parse_feed, "feed") for url in page.get("feeds", [])) if r]
        older, known_run = 0, response.meta.get("known_run", 0)
        for entry in entries:
            url = self.link(portal, entry["url"])
            if url is None:
                continue
            if self._too_old(entry["published_at"]):
                older += 1
                continue
            known_run = known_run + 1 if portal.key(url) in portal.known else 0
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
        following = page["next"] and self.follow(portal, page["next"], self.parse_listing, "listing", walk=walk, known_run=known_run)
        if following:
            requests.append(following)
        else:
            portal.completed_walks.add(portal.archive_url(walk))  # as the portal's own URL: mirrors move
        return requests

    # -- robots.txt, sitemaps, feeds -------------------------------------------------------------

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
            request = self.article_request(portal, url, "sitemap", {"title": entry.title})
            if request is not None:
                requests.append(request)
        return requests

    def parse_feed(self, response: Response) -> list[scrapy.Request]:
        portal = self._portal(response)
        self.count(portal, "discovery/feed/files")
        found = (self.follow_article(portal, e.url, "feed", {"title": e.title}, e.published_at)
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
