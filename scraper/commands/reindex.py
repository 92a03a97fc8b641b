"""`scrapy reindex`: check the full-text index against the articles, or rebuild it from them.

    scrapy reindex --check                # is the index whole and in step with the rows? (exit 1 if not)
    scrapy reindex                        # every article indexed afresh from its row
    scrapy reindex --db other/archive.db

The index follows the rows by itself (its triggers keep it in step, whatever client writes). The
rebuild is for an index damaged on disk, or left behind by a client that wrote with the triggers
dropped. FTS5's own 'rebuild' cannot be used on this index (its folded columns are in no table);
this does the same from the rows, all or nothing, and may run beside a crawl, which waits for it.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from scrapy.commands import ScrapyCommand

from scraper.commands._cli import Help, archive_file
from scraper.crawl.progress import ProgressOnReport


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Check the full-text index against the articles, or rebuild it from them"


    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--check", action="store_true", help="only check the index; exit 1 if it is not whole")
        parser.add_argument("--db", help="archive file (default: the ARCHIVE_DB setting)")

    def run(self, args: list[str], opts) -> None:
        from scraper.archive.index import check, reindex
        from scraper.archive.store import open_database
        path = archive_file(self, opts)
        if path is None:
            return
        try:
            db = open_database(path)  # an older archive is upgraded first, as a crawl would
        except sqlite3.DatabaseError as exc:
            print(f"{path} cannot be opened as an archive: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        try:
            if opts.check:
                self.exitcode = _report(path, check(db.conn))
                return
            progress = ProgressOnReport("reindex", "articles")
            indexed = reindex(db.conn, progress=progress)
            progress.close()
            print(f"Indexed {indexed} articles afresh in {time.monotonic() - progress.started:.1f} s.")
            self.exitcode = _report(path, check(db.conn))
        finally:
            db.close()


def _report(path: Path, found: dict) -> int:
    if found["ok"]:
        print(f"The full-text index of {path} is whole: {found['articles']} articles, each indexed once.")
        return 0
    if found["damaged"]:
        print(f"The full-text index is damaged ({found['damaged']}).")
    if found["missing"]:
        print(f"{found['missing']} of {found['articles']} articles are not in the full-text index.")
    if found["orphans"]:
        print(f"The full-text index holds {found['orphans']} entries of articles no longer in the archive.")
    print("Run scrapy reindex to rebuild it from the articles.")
    return 1
