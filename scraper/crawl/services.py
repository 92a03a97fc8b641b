"""The crawl's archive, as a Scrapy extension: the one owner of the ``Archive`` a crawl writes.

It opens the archive when a component first asks for it (``archive_of(crawler)``, the pipelines do
when they are built) and closes it when the engine stops, after the pipelines and the spider have
finished with it. Commits are counted in the crawl's stats per portal
(``archive/committed/<new|updated|aliases|rejected>``).
"""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured

from scraper.archive.store import Archive
from scraper.crawl.stats import count


class ArchiveService:
    def __init__(self, crawler):
        self.crawler = crawler
        self._archive: Archive | None = None
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            settings = self.crawler.settings
            self._archive = Archive(
                settings.get("ARCHIVE_DB"),
                batch_size=settings.getint("ARCHIVE_BATCH_SIZE", 50),
                batch_seconds=settings.getfloat("ARCHIVE_BATCH_SECONDS", 5.0),
                on_commit=self._committed,
                clusters=settings.getbool("NEARDUP_ENABLED", True),
            )
        return self._archive

    def _committed(self, done: dict[str, dict[str, int]]) -> None:
        for portal, counts in done.items():
            for key, value in counts.items():
                if value:
                    count(self.crawler.stats, portal, f"archive/committed/{key}", value)

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None


def archive_of(crawler) -> Archive:
    """The crawl's archive (opened on first use)."""
    service = crawler.get_extension(ArchiveService)
    if service is None:
        raise NotConfigured("the archive's pipelines need the scraper.crawl.services.ArchiveService extension")
    return service.archive
