"""Scrapy's HTTP/1.1 download handler, keeping an idle connection for every request the crawl may
have in flight.

Scrapy's handler keeps at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` idle connections a host, and
Twisted's pool closes any connection past that at once. A response's connection returns to the
pool a moment after its download slot frees, so without a delay the next request opens a new
connection meanwhile and the returning one is closed: on the benchmark site (8 requests at a time,
no delay) 128 connections for 317 requests, each a TCP (on a portal, a TLS) handshake more for the
portal and the crawl. Keeping up to twice ``CONCURRENT_REQUESTS`` idle connections a host (those
in flight and those on their way back), the same crawl opens 16. Twisted's own advice is this
(https://github.com/twisted/treq/issues/188); Scrapy has a setting for it under review
(https://github.com/scrapy/scrapy/pull/7932), and this goes when it lands.
"""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler


class KeepAliveDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        # In flight and on their way back to the pool: twice the most the crawl may have to one host.
        self._pool.maxPersistentPerHost = 2 * max(settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
                                                  settings.getint("CONCURRENT_REQUESTS"))
