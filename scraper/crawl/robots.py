"""robots.txt as RFC 9309 reads it: a server error or no answer means "disallow everything" (for
this run: the next one asks again), a client error (404, 403, 410) means "no rules".

Scrapy's own middleware allows everything when robots.txt cannot be had; this one, in its place,
counts the host as unavailable (``robotstxt/unavailable``, which ``scrapy health`` reports) and
fetches nothing else from it.
"""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from scraper.archive.health import NO_HOST
from scraper.crawl.stats import count

logger = logging.getLogger(__name__)



class DisallowAll:
    """The rules of a host whose robots.txt could not be had (RFC 9309 §2.3.1.4)."""

    def allowed(self, url, user_agent) -> bool:
        return False


def _without_traceback(record: logging.LogRecord) -> bool:
    """Scrapy logs a failed robots.txt download with its traceback; a network failure is news, not a bug."""
    if record.exc_info and record.msg.startswith("Error downloading"):
        record.exc_info, record.exc_text, record.levelno, record.levelname = None, None, logging.WARNING, "WARNING"
    return True


logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_without_traceback)


class Rfc9309RobotsTxtMiddleware(RobotsTxtMiddleware):
    async def process_request(self, request, spider=None) -> None:
        portal = request.meta.get("portal")
        if portal:
            self._portals.setdefault(urlparse_cached(request).netloc, portal)  # whose host, for the counts
        return await super().process_request(request)

    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        # Scrapy awaits the host's pending Deferred as a Future, and Twisted's asFuture callback
        # returns None: every waiter after the first would be handed None ("no rules") and its
        # request let through unchecked. The settled parser is in _parsers by the time any waiter
        # wakes, whatever it was handed.
        settled = self._parsers.get(urlparse_cached(request).netloc, parser)
        return parser if isinstance(settled, Deferred) else settled

    @property
    def _portals(self) -> dict[str, str]:
        return self.__dict__.setdefault("_portal_of", {})

    async def _parse_robots(self, response, netloc, request) -> None:
        if 500 <= response.status < 600:
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            self._unavailable(netloc, f"robots.txt answered HTTP {response.status}")
            return
        if 400 <= response.status < 500:
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            self._resolve(netloc, None)  # "unavailable": no rules, everything allowed
            return
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        if type(exc).__name__ in NO_HOST:  # nobody at that address at all: unreachable, for `scrapy health`
            count(self._stats, self._portals.get(netloc), f"portal/network_errors/{type(exc).__name__}")
        self._unavailable(netloc, f"robots.txt could not be fetched ({type(exc).__name__})")

    def _unavailable(self, netloc: str, why: str) -> None:
        count(self._stats, self._portals.get(netloc), "robotstxt/unavailable")
        logger.warning("%s: %s: nothing is fetched from %s this run (RFC 9309: unreachable means disallow everything); "
                       "the next run asks again", netloc, why, netloc)
        self._resolve(netloc, DisallowAll())

    def _resolve(self, netloc: str, parser) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        waiting.callback(parser)
