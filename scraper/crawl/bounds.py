"""A redirect stays on the portal: the redirected request of a portal's page must be for one of the
hosts the crawl follows, compared with their ports (Scrapy's own offsite check compares host names
only, so a redirect to another server on the same machine would pass). A redirect elsewhere (a
portal that moved to its successor's domain, say) is dropped with the reason, and the spider keeps
that reason as the page's reject."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from scraper.core.urls import host_key
from scraper.crawl.stats import count


class RedirectBoundsMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if not request.meta.get("redirect_urls") or not request.meta.get("page_kind"):
            return None  # not a redirect, or not one of the portal's pages (an attachment may live on a CDN)
        portals = getattr(self.crawler.spider, "portals", None) or {}
        portal = portals.get(request.meta["portal"])
        if portal is None:
            return None
        host = host_key(urlsplit(request.url).netloc)
        if host in portal.allowed_hosts:
            return None
        count(self.crawler.stats, portal.slug, "portal/redirects_offsite")
        raise IgnoreRequest(f"redirected off the portal's hosts, from {request.meta['redirect_urls'][0]} to {request.url}")
