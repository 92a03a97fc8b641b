"""Log lines that name an item by its URL: an article's body is not a log message."""

from __future__ import annotations

from itemadapter import ItemAdapter, is_item
from scrapy.logformatter import LogFormatter


class ArchiveLogFormatter(LogFormatter):
    def scraped(self, item, response, spider):
        entry = super().scraped(item, response, spider)
        entry["args"]["item"] = _short(item)
        return entry

    def dropped(self, item, exception, response, spider):
        entry = super().dropped(item, exception, response, spider)
        entry["args"]["item"] = _short(item)
        return entry

    def item_error(self, item, exception, response, spider):
        entry = super().item_error(item, exception, response, spider)
        entry["args"]["item"] = _short(item)
        return entry


def _short(item) -> str:
    if not is_item(item):
        return repr(item)[:200]
    adapter = ItemAdapter(item)
    return f"<{adapter.get('portal')} {adapter.get('url')}>"
