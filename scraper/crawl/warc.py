"""Every response a crawl reads, kept in the archive's WARC files (``scraper.archive.warc``).

``WarcMiddleware`` is a downloader middleware and the one owner of the crawl's ``WarcWriter``: it
opens it, writes to it and closes it. It sees each response after decompression and before the
spider. Building a record costs about as much as reading a small page, so a successful article or
listing response (a request marked ``warc_in_page``) only gets its record fields in
``meta["warc_record"]``: the page worker builds the record beside reading the page, and the spider
hands the finished bytes back with ``append()`` before it yields anything from the page. Every
other response (robots.txt, sitemaps, feeds, errors) is written here. ``WARC_ENABLED = False``
switches it off; ``WARC_DIR`` (default ``warc/`` beside the archive) and ``WARC_MAX_BYTES`` say where
and how large.
"""

from __future__ import annotations

import datetime as dt
import socket
from http import HTTPStatus
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.timeutils import datetime_to_iso_date

from scraper.archive.warc import WarcWriter

_DROPPED_HEADERS = {b"content-encoding", b"transfer-encoding", b"content-length"}


def record_fields(request, response) -> dict:
    """What build_record needs of a Scrapy request and its response."""
    return {
        "url": response.url,
        "method": request.method,
        "request_headers": [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in request.headers.items() for v in vs],
        "status": response.status,
        "reason": _reason(response.status),
        "response_headers": [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items()
                             for v in vs if k.lower() not in _DROPPED_HEADERS] + [("Content-Length", str(len(response.body)))],
        "fetched": datetime_to_iso_date(dt.datetime.now(dt.timezone.utc)),
    }


class WarcMiddleware:
    """Downloader middleware: the crawl's responses into WARC files (see the module docstring).

    A successful response to a request marked ``warc_in_page`` (the spider's article and listing
    requests) gets its record fields in ``meta["warc_record"]``; the spider has the page worker
    build the record and appends it with ``append()`` before it yields anything from the page.
    Every other response is written here.
    """

    def __init__(self, crawler, directory: Path, max_bytes: int):
        self.crawler = crawler
        name = getattr(crawler.spidercls, "name", None) or "crawl"
        if crawler.settings.get("REDIS_URL"):
            # A distributed crawl's workers write their own files, collected in one place: the
            # machine's name keeps them apart (the process id already does on one machine).
            name = f"{name}-{socket.gethostname()}"
        self.writer = WarcWriter(directory, f"vnarchive-{name}", max_bytes)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED"):
            raise NotConfigured
        directory = settings.get("WARC_DIR") or Path(settings.get("ARCHIVE_DB")).parent / "warc"
        middleware = cls(crawler, Path(directory), settings.getint("WARC_MAX_BYTES"))
        # A page over the budget is never read by a page worker: its record is written here.
        middleware.page_max_bytes = settings.getint("PAGE_MAX_BYTES", 5 * 1024 * 1024)
        return middleware

    def process_response(self, request, response, spider=None):
        kind = request.meta.get("page_kind")
        if kind is None or request.meta.get("dont_warc"):
            return response  # not one of the portal's pages (e.g. Scrapy's own robots.txt fetch)
        fields = record_fields(request, response)
        if request.meta.get("warc_in_page") and 200 <= response.status < 300 and len(response.body) <= self.page_max_bytes:
            request.meta["warc_record"] = fields  # built beside the page, appended by the spider
            return response
        self.writer.write(portal=request.meta.get("portal"), kind=kind, extra=_extra(request), body=response.body, **fields)
        self.crawler.stats.inc_value("warc/records")
        return response

    def append(self, request, built: dict) -> dict:
        """Append a record a page worker built for `request`'s response; its index entry."""
        fields = request.meta["warc_record"]
        entry = self.writer.append(built, url=fields["url"], status=fields["status"], response_headers=fields["response_headers"],
                           fetched=fields["fetched"], portal=request.meta.get("portal"), kind=request.meta.get("page_kind"),
                           extra=_extra(request))
        self.crawler.stats.inc_value("warc/records")
        return entry

    def closed(self, spider, reason):
        self.writer.close()


def _extra(request) -> dict:
    return {k: request.meta[k] for k in ("original_url", "listing", "capture") if request.meta.get(k)}


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""

