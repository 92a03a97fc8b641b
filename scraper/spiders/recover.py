"""Recovering a dead portal from a web archive: ``scrapy crawl <portal> -a recover=ARCHIVE``.

The portal itself is not visited. Its captures are listed through the archive's CDX index
(``wayback``, ``arquivo``, another Wayback-style base URL, or ``cdx=URL;replay=TEMPLATE``; see
``scraper.pages.cdx``), and each article's original bytes are fetched from the archive and read
with the portal's own platform pages, recording the capture time and archive with the article.
``captures=all`` fetches every distinct capture of an article, oldest first, so its changes become
versions; by default only its latest capture, and only for articles the archive does not hold yet.
``since`` limits the captures to those taken from that day.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from scraper.core.urls import host_key, trap_reason
from scraper.pages.cdx import WebArchive, capture_time, clean_original, parse_cdx
from scraper.spiders.base import ArchiveSpider
from scraper.spiders.state import Portal

logger = logging.getLogger(__name__)


class RecoverSpider(ArchiveSpider):
    run_kind = "recover"
    visits_portals = False

    def __init__(self, *args: Any, recover: str, captures: str = "latest", **kwargs: Any):
        super().__init__(*args, **kwargs)
        if captures not in ("latest", "all"):
            raise ValueError(f"captures must be latest or all, not {captures!r}")
        self.recover_spec, self.all_captures = recover, captures == "all"
        self.captures: dict[str, dict[str, list[tuple[str, str, str]]]] = {slug: {} for slug in self.portals}
        self.cdx_open: dict[str, int] = {}  # CDX queries of each portal not finished yet

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.web_archive = WebArchive.resolve(spider.recover_spec, crawler.settings.getdict("RECOVERY_ARCHIVES"))
        spider.cdx_limit = crawler.settings.getint("RECOVERY_CDX_LIMIT", 5000)
        spider.allowed_domains = sorted(set(spider.allowed_domains) | spider.web_archive.hosts)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for portal in self.portals.values():
            for request in self.recovery_start(portal):
                yield request

    def recovery_start(self, portal: Portal) -> list[scrapy.Request]:
        """One CDX query per domain of the portal (its sub-domains come with it, and are sorted out
        by host when the captures are read)."""
        domains = sorted({host_key(h).split(":", 1)[0] for h in portal.profile.hosts})
        if not domains:
            logger.error("%s: the profile names no host to look up in %s", portal.slug, self.web_archive.name)
            return []
        logger.info("%s: recovering from %s: listing the captures of %s", portal.slug, self.web_archive.name, ", ".join(domains))
        self.cdx_open[portal.slug] = len(domains)
        return [self._cdx_request(portal, self.web_archive.query(d, since=self.since, limit=self.cdx_limit), d) for d in domains]

    def _cdx_request(self, portal: Portal, url: str, domain: str) -> scrapy.Request:
        request = self.request(portal, url, self.parse_cdx, "cdx", domain=domain)
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
        captures = self.captures[portal.slug]
        for row in rows:
            original = clean_original(row.get("original") or "")
            if host_key(urlsplit(original).netloc) not in portal.profile.hosts:
                self.count(portal, "recover/other_hosts")  # a sub-site: a portal of its own
                continue
            if not portal.is_article_url(original) or trap_reason(original):
                self.count(portal, "recover/not_articles")
                continue
            self.count(portal, "recover/captures")
            captures.setdefault(portal.canonical(original), []).append((row["timestamp"], original, row.get("digest") or ""))
        if len(rows) >= self.cdx_limit and not resume:
            # An archive without resume keys (pywb) stops at the limit: say so rather than pretend.
            self.count(portal, "recover/cdx_truncated")
            logger.warning("%s: %s gave %d captures, the query's limit, and no way to ask for more: some may be "
                           "missing; raise RECOVERY_CDX_LIMIT", portal.slug, self.web_archive.name, len(rows))
        if resume:
            domain = response.meta["domain"]
            return [self._cdx_request(portal, self.web_archive.query(domain, since=self.since, resume_key=resume, limit=self.cdx_limit),
                                      domain)]
        return self._cdx_done(portal)

    def on_cdx_error(self, failure: Failure) -> list[scrapy.Request]:
        portal = self._portal(failure.request)
        self.count(portal, "recover/cdx_errors")
        logger.error("%s: the capture index of %s could not be read: %s (%s)", portal.slug, self.web_archive.name,
                     failure.getErrorMessage(), failure.request.url)
        return self._cdx_done(portal)

    def _chosen(self, found: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        """The captures of one article to fetch: its latest, or (all) each distinct one."""
        found.sort()
        if not self.all_captures:
            return found[-1:]
        chosen, digests = [], set()
        for capture in found:
            if capture[2] not in digests or not capture[2]:
                digests.add(capture[2])
                chosen.append(capture)
        return chosen

    def _cdx_done(self, portal: Portal) -> list[scrapy.Request]:
        """When every CDX query of a portal has finished: a request per article capture to fetch."""
        self.cdx_open[portal.slug] -= 1
        if self.cdx_open[portal.slug] > 0:
            return []
        captures = self.captures[portal.slug]
        requests = []
        for key, found in sorted(captures.items()):
            if key in portal.known and not self.all_captures:
                self.count(portal, "incremental/known_skipped")
                continue
            portal.scheduled.add(key)
            self.count(portal, "recover/articles")
            for timestamp, original, _ in self._chosen(found):
                request = self.request(portal, self.web_archive.capture_url(timestamp, original), self.parse_article, "article",
                                       route="recover", original_url=original,
                                       capture={"captured_at": capture_time(timestamp), "archive": self.web_archive.name})
                requests.append((timestamp, request))
        requests.sort(key=lambda pair: pair[0])
        if self.all_captures:  # oldest first, so that an article's captures arrive as its history
            for rank, (_, request) in enumerate(requests):
                request.priority = len(requests) - rank
        logger.info("%s: %d captures of %d articles in %s; fetching %d", portal.slug, sum(len(v) for v in captures.values()),
                    len(captures), self.web_archive.name, len(requests))
        return [request for _, request in requests]

    def failed_url(self, request) -> str:
        return request.meta.get("original_url") or request.url
