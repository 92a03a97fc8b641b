"""ValidatePipeline: an item without a title, a body or a publication time is not an article.

Such items, and failed fetches of article links, go to the ``rejects`` table with their reason (the
URL, the portal, what was extracted) and are counted in the stats under ``archive/rejected/…``.
"""

from __future__ import annotations

import json
import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from pipelines import count, shared_archive
from pipelines.archive import now_iso

logger = logging.getLogger(__name__)

# What a reject keeps of the item, for whoever re-examines it (the body is cut, the HTML left out).
_KEPT = ("title", "lead", "published_raw", "published_at", "author", "category", "charset", "extraction", "problems")


class Rejected(DropItem):
    def __init__(self, reason: str):
        super().__init__(f"rejected: {reason}", log_level="INFO")
        self.reason = reason


def reject(archive, stats, item: ItemAdapter, reason: str, stage: str) -> Rejected:
    """Record `item` in the rejects table and count it; returns the exception to raise."""
    kept = {k: item.get(k) for k in _KEPT if item.get(k)}
    if item.get("body_text"):
        kept["body_text"] = item["body_text"][:2000]
    archive.reject({
        "url": item.get("url") or item.get("fetched_url"),
        "portal": item.get("portal"),
        "reason": reason,
        "stage": stage,
        "http_status": item.get("http_status"),
        "title": item.get("title"),
        "fetched_url": item.get("fetched_url"),
        "rejected_at": now_iso(),
        "item": json.dumps(kept, ensure_ascii=False),
    })
    kind = reason.split(":", 1)[0].split(" (", 1)[0]
    count(stats, item.get("portal"), "archive/rejected")
    count(stats, item.get("portal"), f"archive/rejected/{stage}/{kind}")
    return Rejected(reason)


class ValidatePipeline:
    def __init__(self, crawler):
        self.archive = shared_archive(crawler)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        reason = self.reason(adapter)
        if reason:
            raise reject(self.archive, self.stats, adapter, reason, "validate")
        return item

    @staticmethod
    def reason(item: ItemAdapter) -> str | None:
        status = item.get("http_status")
        if status and status >= 400:
            return f"HTTP {status}"
        problems = item.get("problems") or []
        failed = [p for p in problems if p.startswith("fetch:")]
        if failed:
            return f"fetch failed: {failed[0].split(':', 1)[1].strip()}"
        broken = [p for p in problems if p.startswith("extract:")]
        if broken:
            return f"page could not be read: {broken[0].split(':', 1)[1].strip()}"
        decoding = [p for p in problems if p.startswith("decoding:")]
        if decoding:
            return f"undecodable: {decoding[0].split(':', 1)[1].strip()}"
        missing = [name for name, present in (
            ("title", item.get("title")),
            ("body", item.get("body_text")),
            ("published time", item.get("published_at") or item.get("published_raw")),
        ) if not present]
        if item.get("looks_like_article") is False:
            return "not an article page: " + ("no " + ", no ".join(missing) if missing else "no article body")
        if missing:
            return "missing " + ", ".join(missing)
        return None
