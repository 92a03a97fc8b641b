"""The full-text index checked against the rows, and rebuilt from them.

FTS5's own 'rebuild' reads every indexed column from the content table, and the folded columns
live only in the index (see scraper.archive.schema), so it cannot run here: `reindex` does its work
from the rows and the view `article_folds`, in one transaction (a killed rebuild leaves the index
as it was), a batch of ids at a time so that its progress can be shown.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from scraper.archive.schema import REINDEX

BATCH = 2000


def check(conn: sqlite3.Connection) -> dict:
    """FTS5's integrity check of the index's own structures, and which rows it is out of step with."""
    try:
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        damaged = None
    except sqlite3.DatabaseError as exc:  # "database disk image is malformed" and kin
        damaged = str(exc)
    missing = conn.execute("SELECT count(*) FROM articles WHERE id NOT IN (SELECT id FROM articles_fts_docsize)").fetchone()[0]
    orphans = conn.execute("SELECT count(*) FROM articles_fts_docsize WHERE id NOT IN (SELECT id FROM articles)").fetchone()[0]
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    return {"articles": articles, "damaged": damaged, "missing": missing, "orphans": orphans,
            "ok": damaged is None and not missing and not orphans}


def reindex(conn: sqlite3.Connection, progress: Callable[[int, int], None] | None = None) -> int:
    """Every article indexed afresh from its row; the number indexed. All or nothing."""
    conn.commit()
    conn.execute("BEGIN IMMEDIATE")  # no crawl writes between the index emptied and refilled
    try:
        ids = [row[0] for row in conn.execute("SELECT id FROM articles ORDER BY id")]
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
        for start in range(0, len(ids), BATCH):
            chunk = ids[start: start + BATCH]
            conn.execute(f"{REINDEX} WHERE a.id BETWEEN ? AND ?", [chunk[0], chunk[-1]])
            if progress is not None:
                progress(start + len(chunk), len(ids))
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(ids)
