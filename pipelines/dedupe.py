"""DedupePipeline: decide whether an article is new, changed, unchanged, or an alias of another.

By canonical URL first: an archived URL with the same content is dropped (nothing is written), with
different content it becomes an update (the store keeps the previous version). A new URL whose body
hash is already archived under another URL is recorded as an alias of that article, not stored again.
Very short bodies ("see the attached file") are shared by distinct documents, so they only alias
when the titles match too.
"""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from scraper.archive.rows import article_row, content_differs
from scraper.crawl.services import archive_of
from scraper.crawl.stats import count

MIN_ALIAS_BODY = 200  # characters


class DedupePipeline:
    def __init__(self, crawler):
        self.archive = archive_of(crawler)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        url = adapter["url"]
        existing = self.archive.article_by_url(url)
        if existing is not None:
            changed = content_differs(existing, article_row(adapter))
            if not changed:
                count(self.stats, adapter.get("portal"), "archive/unchanged")
                raise DropItem(f"unchanged: {url}", log_level="DEBUG")
            count(self.stats, adapter.get("portal"), "archive/changed")
            adapter["archive_action"] = "changed"
            return item
        if self.archive.is_alias(url):
            count(self.stats, adapter.get("portal"), "archive/unchanged")
            raise DropItem(f"unchanged alias: {url}", log_level="DEBUG")
        original = self.archive.url_by_hash(adapter["content_hash"])
        if original and original != url and self._same_document(adapter, original):
            self.archive.alias(url, original, adapter["portal"], adapter["content_hash"])
            count(self.stats, adapter.get("portal"), "archive/aliases")
            raise DropItem(f"alias of {original}: {url}", log_level="INFO")
        adapter["archive_action"] = "new"
        return item

    def _same_document(self, item: ItemAdapter, original_url: str) -> bool:
        if len(item.get("body_text") or "") >= MIN_ALIAS_BODY:
            return True
        original = self.archive.article_by_url(original_url)
        return bool(original) and (original.get("title") or "").casefold() == (item.get("title") or "").casefold()
