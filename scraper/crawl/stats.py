"""Counts per portal: every event is counted for the crawl and for its portal (``portals/<slug>/…``),
since one crawl may cover many portals; requests carry their portal in ``meta``."""

from __future__ import annotations

from scrapy import signals


def count(stats, portal: str | None, key: str, n: int = 1) -> None:
    """Count `key` for the crawl and for `portal`."""
    stats.inc_value(key, n)
    if portal:
        stats.inc_value(f"portals/{portal}/{key}", n)


class PortalStats:
    """Requests and responses counted per portal (requests carry their portal in meta)."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler.stats)
        crawler.signals.connect(ext.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        return ext

    def request_reached(self, request, spider):
        portal = request.meta.get("portal")
        if portal:
            self.stats.inc_value(f"portals/{portal}/requests")

    def response_received(self, response, request, spider):
        portal = request.meta.get("portal")
        if portal:
            self.stats.inc_value(f"portals/{portal}/responses")
