"""ValidatePipeline: what is not an article the archive can keep goes to ``rejects``, with its reason.

A failed fetch or read, an HTTP error, a page that is not an article page by its structure (a
listing, a login or search page, a poll, a soft 404), and an article missing a field it cannot be
stored without (``scraper.core.article.REQUIRED``: its title and body). A missing or doubtful date
is no reason: the page runner takes the date from elsewhere or stores the article without one. A
reject keeps the URL, the portal, the reason and what was extracted, and is counted under
``archive/rejected/…``.
"""

from __future__ import annotations

import json

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from scraper.archive.rows import now_iso
from scraper.core.article import REQUIRED
from scraper.core.problems import FETCH, REJECTING, Problem, first
from scraper.crawl.services import archive_of
from scraper.crawl.stats import count

# What a reject keeps of the item, for whoever re-examines it (the body is cut, the HTML left out).
_KEPT = ("title", "lead", "published_raw", "published_at", "author", "category", "charset", "extraction")


class Rejected(DropItem):
    def __init__(self, reason: str):
        super().__init__(f"rejected: {reason}", log_level="INFO")
        self.reason = reason


def verdict(item: ItemAdapter) -> tuple[str, str] | None:
    """(kind, reason) when an item cannot be archived as an article, else None. The kind is what
    the stats count it under (``archive/rejected/<kind>``); the reason is what a person reads."""
    status = item.get("http_status")
    problems: list[Problem] = item.get("problems") or []
    if status and status >= 400:
        fetch = first(problems, FETCH)  # "HTTP 503: the server asked to retry after …" says more
        return "http", fetch.detail if fetch and fetch.detail.startswith(f"HTTP {status}") else f"HTTP {status}"
    for kind, opening in REJECTING.items():
        found = first(problems, kind)
        if found:
            return kind, f"{opening}: {found.detail}"
    if item.get("not_article"):
        return "not-article", f"not an article page: {item['not_article']}"
    missing = [label for name, label in REQUIRED.items() if not item.get(name)]
    if missing:
        return "missing", "missing " + ", ".join(missing)
    return None


def reason(item: ItemAdapter) -> str | None:
    """Why an item cannot be archived as an article, or None when it can."""
    found = verdict(item)
    return found[1] if found else None


class ValidatePipeline:
    def __init__(self, crawler):
        self.archive = archive_of(crawler)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    reason = staticmethod(reason)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        found = verdict(adapter)
        if found:
            raise self.reject(adapter, *found)
        return item

    def reject(self, item: ItemAdapter, kind: str, why: str) -> Rejected:
        """Record `item` in the rejects table and count it; returns the exception to raise."""
        kept = {k: item.get(k) for k in _KEPT if item.get(k)}
        if item.get("problems"):
            kept["problems"] = [str(p) for p in item["problems"]]
        if item.get("body_text"):
            kept["body_text"] = item["body_text"][:2000]
        self.archive.reject({
            "url": item.get("url") or item.get("fetched_url"),
            "portal": item.get("portal"),
            "reason": why,
            "stage": "validate",
            "http_status": item.get("http_status"),
            "title": item.get("title"),
            "fetched_url": item.get("fetched_url"),
            "rejected_at": now_iso(),
            "item": json.dumps(kept, ensure_ascii=False),
        })
        count(self.stats, item.get("portal"), "archive/rejected")
        count(self.stats, item.get("portal"), f"archive/rejected/{kind}")
        return Rejected(why)
