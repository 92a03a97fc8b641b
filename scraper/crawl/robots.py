"""robots.txt as RFC 9309 reads it: a server error or no answer means "disallow everything" (for
this run: the next one asks again), a client error (404, 403, 410) means "no rules".

Scrapy's own middleware allows everything when robots.txt cannot be had; this one, in its place,
counts the host as unavailable (``robotstxt/unavailable``, which ``scrapy health`` reports) and
fetches nothing else from it.

The spider reads robots.txt too, for its Sitemap: lines. Its request says so
(``meta["robots_txt"]``) and is answered with the response the middleware fetched for the host's
rules: robots.txt is fetched once a host, not twice, and retried once, not twice over. When that
fetch failed on the network the host is unavailable and the spider's request is dropped; only when
it never reached the network does the spider's request go to the server itself.
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
    async def process_request(self, request, spider=None):
        portal = request.meta.get("portal")
        netloc = urlparse_cached(request).netloc
        if portal:
            self._portals.setdefault(netloc, portal)  # whose host, for the counts
        if request.meta.get("robots_txt"):
            return await self._answer_robots_txt(request, netloc)
        return await super().process_request(request)

    async def _answer_robots_txt(self, request, netloc: str):
        """The spider's own robots.txt request, answered with what was fetched for the host's rules."""
        parser = await self.robot_parser(request)  # fetched now, if it was not yet
        fetched = self._fetched.get(netloc)
        portal = request.meta.get("portal")
        if portal and (fetched is not None or isinstance(parser, DisallowAll)):
            self._stats.inc_value(f"portals/{portal}/requests")  # that fetch was the portal's robots.txt request
        if fetched is not None:
            request.meta["dont_retry"] = True  # that fetch was retried already; its answer is final
            return fetched.replace(request=request)
        if isinstance(parser, DisallowAll):
            raise IgnoreRequest(f"robots.txt of {netloc} could not be fetched this run")
        return None  # the middleware's fetch was dropped before the network: the spider's goes itself

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

    @property
    def _fetched(self) -> dict:
        """Each host's response of robots.txt, as fetched for its rules."""
        return self.__dict__.setdefault("_fetched_of", {})

    async def _parse_robots(self, response, netloc, request) -> None:
        self._fetched[netloc] = response
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
