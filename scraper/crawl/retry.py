"""Retries that honour ``Retry-After``: a 429 or 503 that asks for a wait up to ``RETRY_AFTER_MAX``
seconds is retried after that wait; one that asks for longer is not retried now: the page is
deferred to the next run (its reject says so, and rejects are fetched again next time) and the
crawl goes on with the rest. Everything else retries as Scrapy's own middleware does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from scrapy.downloadermiddlewares.retry import RetryMiddleware

from scraper.core.dates import parse_http_date
from scraper.crawl.stats import count

logger = logging.getLogger(__name__)


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number, or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = parse_http_date(value)
    if when is None:
        return None
    return max(0.0, (when - (now or dt.datetime.now(dt.timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 60.0)

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry") or response.status not in (429, 503):
            return super().process_response(request, response)
        wait = retry_after(response.headers.get(b"Retry-After", b"").decode("latin-1"))
        if wait is None:
            return super().process_response(request, response)
        portal = request.meta.get("portal")
        if wait > self.max_wait:
            count(self.crawler.stats, portal, "retry_after/deferred")
            request.meta["deferred"] = (f"the server asked to retry after {wait:.0f} s (Retry-After), over RETRY_AFTER_MAX "
                                        f"({self.max_wait:.0f} s): deferred to the next run")
            logger.warning("%s: %s", request.url, request.meta["deferred"])
            return response
        retried = self._retry(request, f"{response.status} with Retry-After {wait:.0f} s")
        if retried is None:
            return response
        count(self.crawler.stats, portal, "retry_after/waited")
        await asyncio.sleep(wait)
        return retried
