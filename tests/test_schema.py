"""The schema the migrations build is the one the field tables describe."""

from __future__ import annotations

from scraper.archive.schema import ARTICLE_COLUMNS, FTS_COLUMNS, FTS_RANK
from scraper.archive.store import open_database
from scraper.core.article import FOLDED, RECORD_FIELDS, SEARCHED
from scraper.core.profile import COLUMNS as PROFILE_COLUMNS


def columns(db, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()]


def test_the_articles_table_has_a_column_for_every_record_field_and_no_other(tmp_path):
    db = open_database(tmp_path / "a.db")
    assert sorted(columns(db, "articles")) == sorted(ARTICLE_COLUMNS)
    assert set(RECORD_FIELDS) <= set(columns(db, "articles"))


def test_the_search_index_holds_the_searched_fields_and_their_folds_weighted_by_the_table(tmp_path):
    db = open_database(tmp_path / "a.db")
    assert columns(db, "articles_fts") == FTS_COLUMNS
    assert set(FTS_COLUMNS) == set(SEARCHED) | {FOLDED[name] for name in SEARCHED} | {"search_filters"}
    assert FTS_RANK == "bm25(10.0, 3.0, 1.0, 2.0, 10.0, 3.0, 1.0, 2.0, 0.0)"  # the filter columns do not rank
    (rank,) = db.execute("SELECT v FROM articles_fts_config WHERE k = 'rank'").fetchone()
    assert rank == FTS_RANK


def test_the_portals_table_keeps_every_profile_column(tmp_path):
    db = open_database(tmp_path / "a.db")
    assert set(PROFILE_COLUMNS) <= set(columns(db, "portals"))
