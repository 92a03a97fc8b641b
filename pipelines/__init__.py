"""Item pipelines: validate → normalize → dedupe → store. They decide what the archive keeps.

Nothing here knows any portal's HTML. The pipelines of one crawl share one ``Archive`` (one
connection, one write buffer), reached through ``shared_archive(crawler)``.
"""

from __future__ import annotations

from pipelines.archive import Archive


def shared_archive(crawler) -> Archive:
    archive = getattr(crawler, "_archive", None)
    if archive is None:
        settings = crawler.settings
        stats = crawler.stats

        def on_commit(done: dict[str, int]) -> None:
            for key, value in done.items():
                if value:
                    stats.inc_value(f"archive/committed/{key}", value)

        archive = Archive(
            settings.get("ARCHIVE_DB"),
            batch_size=settings.getint("ARCHIVE_BATCH_SIZE", 200),
            batch_seconds=settings.getfloat("ARCHIVE_BATCH_SECONDS", 5.0),
            on_commit=on_commit,
        )
        crawler._archive = archive
    return archive
