"""What the crawling commands (crawl, crawlall) share: the spiders' arguments checked before a crawl
starts, and a distributed crawl's worker settings."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from scrapy.exceptions import UsageError


def spider_arguments(pairs: list[str]) -> dict[str, str]:
    """`-a NAME=VALUE` options as a dict."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"-a takes NAME=VALUE (e.g. -a since=2025-07-01), not {pair!r}")
        out[name] = value
    return out


_FLAGS = ("1", "0", "true", "false", "yes", "no", "on", "off", "")


def check_arguments(spargs: dict) -> None:
    """The portal spiders' arguments, checked as the spiders read them: a clear message now
    instead of an error inside the crawl."""
    since = spargs.get("since")
    if since:
        try:
            dt.date.fromisoformat(since)
        except ValueError:
            raise UsageError(f"since takes a date as YYYY-MM-DD (e.g. since=2025-07-01), not {since!r}") from None
    for name in ("recheck", "full"):
        if name in spargs and str(spargs[name]).lower() not in _FLAGS:
            raise UsageError(f"{name} takes 1 or 0, not {spargs[name]!r}")
    if spargs.get("captures") not in (None, "latest", "all"):
        raise UsageError(f"captures takes latest or all, not {spargs['captures']!r}")
    for name in ("home", *(["start_urls"] if spargs.get("start_urls") else [])):
        for url in [u.strip() for u in str(spargs.get(name) or "").split(",") if u.strip()]:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
                raise UsageError(f"{name} takes http(s) URLs, not {url!r}")


def worker(settings, url: str | None) -> None:
    """A distributed crawl's worker's settings, when a Redis URL is given (option or REDIS_URL)."""
    if not (url or settings.get("REDIS_URL")):
        return
    from scraper.crawl.distributed import distributed_settings  # (imports redis: only when asked)
    from scraper.crawl.frontier import connect
    distributed_settings(settings, url)
    try:
        connect(settings.get("REDIS_URL"))
    except ConnectionError as exc:
        raise UsageError(str(exc)) from None
