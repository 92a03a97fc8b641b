"""Discovery from a home page: the part of the portal spider that needs nothing but a home page.

The home page's news sections (``scraper.pages.sections``) become listing walks; a section whose
page lists no articles may name sub-sections, followed ``DISCOVERY_DEPTH`` levels down, at most
``DISCOVERY_MAX_SECTIONS`` a portal. Feeds the pages link to are read. The home page's own
headlines are fetched last, when the crawl has nothing else to do, so an article a listing shows
(with its date) is reached by the listing. What a run learns (sections, listings and the shape of
their items, feeds, the shape of article URLs, the platform the home page was built with) goes to
the archive with the run (``scraper.archive.discovery``); the next run starts from it.
"""

from __future__ import annotations

import logging

import scrapy
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response

from scraper.archive.rows import now_iso
from scraper.crawl.responses import page_headers
from scraper.crawl.runner import read_listing
from scraper.spiders.state import Portal

logger = logging.getLogger(__name__)


class Discovery:
    """Mixed into the portal spider (``scraper.spiders.portal``), which provides the requests."""

    def start_discovery(self, portal: Portal) -> list[scrapy.Request]:
        """The home page, and the listings and feeds earlier discovery runs learned (walked as
        incrementally as a profile's start URLs)."""
        learned = portal.learned
        if learned:
            logger.info("%s: starting from %d listings and %d feeds learned by earlier runs, and the home page %s",
                        portal.slug, len(learned.listings), len(learned.feeds), portal.home)
        else:
            logger.info("%s: no start URLs: discovering its news sections from the home page %s", portal.slug, portal.home)
        requests = [self.request(portal, portal.local(portal.home), self.parse_home, "home")]
        for url, listing in learned.listings.items():
            request = self.listing_request(portal, portal.local(url), label=listing.get("label"), depth=1,
                                           shapes=(listing["shape"],) if listing.get("shape") else ())
            if request is not None:
                requests.append(request)
        requests += [r for r in (self.follow(portal, url, self.parse_feed, "feed") for url in learned.feeds) if r]
        return requests

    # -- the home page ---------------------------------------------------------------------------

    async def parse_home(self, response: Response) -> list[scrapy.Request]:
        """A home page: its news sections become listing walks, its feeds are read, its headlines
        are fetched as articles, and the platform that built it is noted."""
        portal = self._portal(response)
        self.count(portal, "discovery/home/pages")
        if self.oversize(portal, response):
            return []
        page = await self.pages.run(read_listing, portal.profile, response.url, response.body, page_headers(response), now_iso(),
                                    response.meta.get("warc_record"), (), True)
        self._keep_raw(response, page)
        if "error" in page:
            self.count(portal, "portal/listing_errors")
            logger.error("%s: home page %s could not be read: %s\n%s", portal.slug, response.url, page["error"], page["traceback"])
            return []
        portal.found.platform = page.get("platform")
        if page.get("platform") and page["platform"]["name"] not in ("unknown", portal.profile.platform):
            logger.info("%s: the home page looks built with %s (%s confidence); the profile says %s", portal.slug,
                        page["platform"]["name"], page["platform"]["confidence"], portal.profile.platform)
        requests = self.section_requests(portal, page["sections"], depth=1)
        requests += self.feed_requests(portal, page.get("feeds", []))
        portal.home_entries += page["entries"]  # fetched last: see headlines_last
        logger.info("%s: the home page %s names %d news sections and %d feeds", portal.slug, response.url,
                    len(page["sections"]), len(page.get("feeds", [])))
        return requests

    def section_requests(self, portal: Portal, sections: list[dict], depth: int) -> list[scrapy.Request]:
        """Listing walks for the news sections a page names, up to DISCOVERY_MAX_SECTIONS a portal."""
        limit = self.crawler.settings.getint("DISCOVERY_MAX_SECTIONS", 60)
        requests = []
        for section in sections:
            if len(portal.found.sections) >= limit:
                self.count(portal, "discovery/sections/over_limit")
                break
            url = self.link(portal, section["url"])
            if url is None:
                continue
            if url not in portal.found.sections:
                portal.found.sections[url] = {"url": url, "label": section["label"], "why": section["why"], "depth": depth}
                self.count(portal, "discovery/sections/found")
            request = self.listing_request(portal, url, label=section["label"], depth=depth)
            if request is not None:
                requests.append(request)
        return requests

    def feed_requests(self, portal: Portal, feeds: list[str]) -> list[scrapy.Request]:
        requests = []
        for url in feeds:
            request = self.follow(portal, url, self.parse_feed, "feed")
            if request is not None:
                if portal.discovering:
                    portal.found.feeds.add(request.url)
                requests.append(request)
        return requests

    def headlines_last(self) -> None:
        """On spider_idle: the home pages' headlines no listing reached, then carry on."""
        requests = []
        for portal in self.portals.values():
            entries, portal.home_entries = portal.home_entries, []
            for entry in entries:
                request = self.follow_article(portal, entry["url"], "home", {**entry, "route": "listing"}, entry["published_at"])
                if request is not None:
                    requests.append(request)
        if requests:
            for request in requests:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider
