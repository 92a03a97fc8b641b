"""`scrapy reindex`: the full-text index checked against the rows, and rebuilt from them to what the
triggers would have made."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.conftest import scrapy

QUERIES = ["ban chi dao", "dac lam", '"Ban Chỉ đạo"', "tinh", "xyzzy", "nam OR tinh"]


def writes(db: Path, with_triggers: bool) -> None:
    """One article copied in, one retitled, one deleted; with the index's triggers dropped, as a
    careless client might, or with them in place."""
    conn = sqlite3.connect(db)
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'articles_fts_%'").fetchall()
    assert len(triggers) == 4
    if not with_triggers:
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(articles)") if r[1] != "id"]
    picked = ", ".join("url || '?copy'" if c == "url" else "'copy' || content_hash" if c == "content_hash" else c for c in columns)
    conn.execute(f"INSERT INTO articles ({', '.join(columns)}) SELECT {picked} FROM articles WHERE id = 3")
    conn.execute("UPDATE articles SET title = 'Tiêu đề xyzzy ' || title WHERE id = 5")
    conn.execute("DELETE FROM articles WHERE id = 7")
    if not with_triggers:
        for _, sql in triggers:
            conn.execute(sql)
    conn.commit()
    conn.close()


def matches(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {q: conn.execute("SELECT rowid, round(rank, 6) FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rank, rowid",
                                [q]).fetchall() for q in QUERIES}
    finally:
        conn.close()


def test_an_index_left_behind_is_reported_and_rebuilt_to_what_the_triggers_make(sample_archive, tmp_path):
    kept, careless = tmp_path / "kept.db", tmp_path / "careless.db"
    shutil.copy(sample_archive, kept)
    shutil.copy(sample_archive, careless)
    assert "is whole: 50 articles" in scrapy("reindex", "--check", "--db", str(kept)).stdout
    writes(kept, with_triggers=True)
    writes(careless, with_triggers=False)
    assert "is whole: 50 articles" in scrapy("reindex", "--check", "--db", str(kept)).stdout

    found = scrapy("reindex", "--check", "--db", str(careless), check=False)
    assert found.returncode == 1, found.stdout + found.stderr
    assert "1 of 50 articles are not in the full-text index." in found.stdout
    assert "holds 1 entries of articles no longer in the archive" in found.stdout
    assert "Traceback" not in found.stderr
    assert matches(careless) != matches(kept)  # the retitled article is not found by its new title

    rebuilt = scrapy("reindex", "--db", str(careless))
    assert "Indexed 50 articles afresh" in rebuilt.stdout and "is whole: 50 articles" in rebuilt.stdout
    after = matches(careless)
    assert after == matches(kept)
    assert [row[0] for row in after["xyzzy"]] == [5]


def test_no_archive_is_a_clear_error(tmp_path):
    proc = scrapy("reindex", "--db", str(tmp_path / "none.db"), check=False)
    assert proc.returncode == 2 and "No archive at" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    proc = scrapy("reindex", "--check", "--db", str(tmp_path / "junk.db"), check=False)
    assert proc.returncode == 2 and "cannot be opened as an archive" in proc.stderr and "Traceback" not in proc.stderr


def test_a_rebuild_stopped_midway_leaves_the_index_as_it_was(sample_archive, tmp_path, monkeypatch):
    from scraper.archive import index
    db = tmp_path / "a.db"
    shutil.copy(sample_archive, db)
    before = matches(db)
    monkeypatch.setattr(index, "BATCH", 10)
    seen = []

    def interrupted(done: int, total: int) -> None:
        seen.append(done)
        if done >= 20:
            raise KeyboardInterrupt  # Ctrl-C after the second batch

    conn = sqlite3.connect(db)
    try:
        try:
            index.reindex(conn, progress=interrupted)
        except KeyboardInterrupt:
            pass
        assert seen == [10, 20]
        assert index.check(conn)["ok"]
    finally:
        conn.close()
    assert matches(db) == before
