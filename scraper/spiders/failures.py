"""What the spiders do when a page cannot become an article: a failed fetch, a page over the budget.

Every article link that does not become an article leaves a reject with the reason (an HTTP
error, a network error, an off-site redirect, a redirect loop, a body too large once decompressed,
a page over ``PAGE_MAX_BYTES``), so the rejects table and ``scrapy health`` tell the truth; only
robots.txt's refusals, the portal's own wish, are counted and not rejected.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper.archive.rows import now_iso
from scraper.core.article import article
from scraper.core.problems import FETCH, SIZE, Problem
from scraper.spiders.state import Portal

logger = logging.getLogger(__name__)


class Failures:
    """Mixed into ArchiveSpider (``scraper.spiders.base``), which provides the portals and counts."""

    def oversize(self, portal: Portal, response: Response) -> str | None:
        """Why a page is not read (over PAGE_MAX_BYTES), counted and logged; None when it is read."""
        if len(response.body) <= self.page_max_bytes:
            return None
        self.count(portal, "portal/pages_too_large")
        why = (f"the page is {len(response.body) / 2**20:.1f} MB; pages over PAGE_MAX_BYTES "
               f"({self.page_max_bytes / 2**20:.0f} MB) are kept in the WARC files, not read")
        logger.warning("%s: %s: %s", portal.slug, response.url, why)
        return why

    def oversize_item(self, portal: Portal, response: Response) -> dict:
        return self._failure_item(portal, response.url, response.status,
                                  Problem(SIZE, self.oversize(portal, response)), (response.meta.get("listing") or {}).get("title"))

    def on_error(self, failure: Failure) -> list:
        outputs = list(self._failed(failure))
        frontier = getattr(self, "frontier", None)  # a distributed crawl's worker: settled in Redis
        return frontier.settle(failure.request, outputs) if frontier is not None else outputs

    def _failed(self, failure: Failure):
        request = failure.request
        portal = self._portal(request)
        kind = request.meta.get("page_kind", "article")
        if failure.check(IgnoreRequest) and not failure.check(HttpError) and _by_policy(failure):
            # Forbidden by robots.txt: the portal's wish, not a broken page.
            self.count(portal, f"portal/ignored/{kind}")
            logger.info("%s: not fetched: %s (%s)", portal.slug, request.url, failure.getErrorMessage())
            return
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}" + (f": {request.meta['deferred']}" if request.meta.get("deferred") else "")
        elif failure.check(IgnoreRequest):
            # An off-site redirect, a redirect loop, a body over DOWNLOAD_MAXSIZE once decompressed:
            # the link looked like an article and did not become one; say why.
            status = None
            reason = failure.getErrorMessage() or "dropped by a downloader middleware"
            self.count(portal, "portal/dropped")
        else:
            status = None
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
            self.count(portal, f"portal/network_errors/{failure.type.__name__}")
        if kind == "robots":  # no robots.txt (404) or an unreachable one: nothing to report
            self.count(portal, "portal/robots_missing")
            return
        self.count(portal, f"portal/errors/{kind}")
        logger.warning("%s: %s page %s failed: %s", portal.slug, kind, request.url, reason)
        if kind == "article":
            # The link looked like an article: record it, so the reject is visible and retried later.
            title = (request.meta.get("listing") or {}).get("title")
            yield article(self._failure_item(portal, self.failed_url(request), status, Problem(FETCH, reason), title))

    def failed_url(self, request) -> str:
        """The URL a failed article request stood for (the link itself, before any redirect)."""
        return (request.meta.get("redirect_urls") or [request.url])[0]

    def _failure_item(self, portal: Portal, url: str, status: int | None, problem: Problem, title: str | None) -> dict:
        return {
            "url": portal.key(url),
            "fetched_url": url,
            "portal": portal.slug,
            "province": portal.profile.province,
            "fetched_at": now_iso(),
            "http_status": status,
            "problems": [problem],
            "title": title,
        }



def _by_policy(failure: Failure) -> bool:
    """An IgnoreRequest that is a rule the crawl follows (robots.txt), not a page that failed."""
    return "robots.txt" in (failure.getErrorMessage() or "")
