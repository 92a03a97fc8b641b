"""Item pipelines: validate → normalize → dedupe → store. They decide what the archive keeps.

Nothing here knows any portal's HTML. The pipelines of one crawl share one ``Archive`` (one
connection, one write buffer), reached through ``shared_archive(crawler)``.
"""

from __future__ import annotations

from pipelines.archive import Archive


def count(stats, portal: str | None, key: str, n: int = 1) -> None:
    """Count for the crawl and for the item's portal (a crawl may cover many portals)."""
    stats.inc_value(key, n)
    if portal:
        stats.inc_value(f"portals/{portal}/{key}", n)


def shared_archive(crawler) -> Archive:
    archive = getattr(crawler, "_archive", None)
    if archive is None:
        settings = crawler.settings
        stats = crawler.stats

        def on_commit(done: dict[str, dict[str, int]]) -> None:
            for portal, counts in done.items():
                for key, value in counts.items():
                    if value:
                        count(stats, portal, f"archive/committed/{key}", value)

        archive = Archive(
            settings.get("ARCHIVE_DB"),
            batch_size=settings.getint("ARCHIVE_BATCH_SIZE", 200),
            batch_seconds=settings.getfloat("ARCHIVE_BATCH_SECONDS", 5.0),
            on_commit=on_commit,
            clusters=settings.getbool("NEARDUP_ENABLED", True),
        )
        crawler._archive = archive
    return archive
