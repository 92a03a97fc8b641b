"""Log lines that name an item by its URL: an article's body is not a log message."""

from __future__ import annotations

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
    try:
        return f"<{item.get('portal')} {item.get('url')}>"
    except AttributeError:
        return repr(item)[:200]
