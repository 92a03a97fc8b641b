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


def _index_terms(conn) -> set[str]:
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.index_terms USING fts5vocab(main, 'articles_fts', 'row')")
    return {term for (term,) in conn.execute("SELECT term FROM temp.index_terms")}


def test_the_folded_copies_live_in_the_index_only_and_any_client_keeps_it_in_step(tmp_path):
    """A plain sqlite3 connection (no project code) inserts, updates and deletes articles: the index's
    triggers fold the text in SQL, so the unaccented query finds what was written, and nothing stays
    behind in the index once the rows are gone."""
    import sqlite3

    from scraper.archive.search import search
    open_database(tmp_path / "a.db").close()
    conn = sqlite3.connect(tmp_path / "a.db")
    assert not {c for c in columns(conn, "articles") if c.endswith("_fold")}
    conn.execute("INSERT INTO articles (url, portal, title, body_text) VALUES ('https://x/1', 'phu_yen', "
                 "'BAN CHỈ ĐẠO 35 họp', 'Sáng nay, Ban Chỉ đạo 35 tỉnh Phú Yên họp.')")
    conn.commit()
    total, hits, _ = search(conn, "ban chi dao 35")
    assert total == 1 and hits[0].snippet == "Sáng nay, [Ban Chỉ đạo 35] tỉnh Phú Yên họp."
    conn.execute("UPDATE articles SET title = 'Đoàn công tác về Tuy Hòa', body_text = 'Đoàn công tác đến Tuy Hòa.' WHERE id = 1")
    conn.commit()
    assert search(conn, "ban chi dao")[0] == 0 and search(conn, "doan cong tac tuy hoa")[0] == 1
    conn.execute("UPDATE articles SET cluster_id = 1 WHERE id = 1")  # not a searched column: the index is left alone
    conn.execute("DELETE FROM articles")
    conn.commit()
    assert _index_terms(conn) == set()
    assert conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')").fetchall() == []


def test_the_index_folds_every_letter_as_the_search_folds_a_query(tmp_path):
    from scraper.core.text import INDEX_FOLD, index_fold
    db = open_database(tmp_path / "a.db")
    letters = "".join(INDEX_FOLD) + " Đắc Lâm Škoda"
    db.execute("INSERT INTO articles (url, portal, title, body_text) VALUES ('u', 'p', ?, 'b')", [letters])
    (folded,) = db.execute("SELECT title_fold FROM article_folds").fetchone()
    assert folded == index_fold(letters) and folded.endswith(" Dac Lam Škoda") and len(folded) == len(letters)
    db.close()


def test_an_archive_with_stored_folds_is_migrated_losing_nothing(tmp_path):
    """Schema 6 kept the folded copies in `articles` (folded by the older rule, which also folded
    letters outside INDEX_FOLD, such as š): m007 re-indexes the rows whose fold differs and drops the
    columns; every other column is as it was, and deleting the rows leaves an empty index."""
    import sqlite3

    import sqlite_utils

    from scraper.archive.schema import MIGRATIONS
    from scraper.archive.search import search
    from scraper.core.text import fold
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:6]:
        migration(old)
    old.execute("PRAGMA user_version = 6")
    rows = [("https://x/1", "Ban Chỉ đạo 35 tỉnh họp", "Ban Chỉ đạo 35 họp.", "Đắc Lâm"),
            ("https://x/2", "Xe Škoda về Phú Yên", "Hãng Škoda.", None),
            ("https://x/3", "Chỉ có tiêu đề", "Thân bài.", None)]
    for url, title, body, author in rows:
        old["articles"].insert({"url": url, "portal": "phu_yen", "province": "Phú Yên", "title": title, "body_text": body,
                                "author": author, "published_at": "2024-01-19T10:22:00+07:00", "title_fold": fold(title),
                                "body_fold": fold(body), "author_fold": fold(author) if author else None})
    before = [dict(r) for r in old.query("SELECT * FROM articles ORDER BY id")]
    assert "skoda" in _index_terms(old.conn)  # the older rule folded š
    old.close()

    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    after = [dict(r) for r in conn.execute("SELECT * FROM articles ORDER BY id")]
    assert after == [{k: v for k, v in r.items() if not k.endswith("_fold")} | {"warc_file": None, "warc_offset": None}
                     for r in before]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [h.id for h in search(conn, "ban chi dao 35")[1]] == [1] and [h.id for h in search(conn, "Škoda")[1]] == [2]
    assert [h.id for h in search(conn, "dac lam")[1]] == [1] and [h.id for h in search(conn, "tieu de")[1]] == [3]
    conn.execute("DELETE FROM articles")
    conn.commit()
    assert _index_terms(conn) == set()


def _index_instances(conn) -> list[tuple]:
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.index_instances USING fts5vocab(main, 'articles_fts', 'instance')")
    return sorted(conn.execute("SELECT term, doc, col, offset FROM temp.index_instances"))


def test_articles_the_archive_indexes_with_their_folds_are_indexed_as_the_trigger_indexes_them(tmp_path):
    """The crawl's writer indexes a new article with the folds its page worker made (INDEX_GIVEN),
    skipping the trigger's fold in SQL: the index holds exactly what the trigger would have put
    there, for text in and outside INDEX_FOLD's letters, and a row whose folds are not of its own
    text is indexed by the trigger."""
    from scraper.archive.store import Archive
    from scraper.core.normalize import prepare
    items = [prepare({"url": f"https://www.phuyen.gov.vn/tin/{n}.html", "portal": "phu_yen", "province": "Phú Yên",
                      "title": title, "lead": lead, "body_text": body, "author": author,
                      "published_at": "2024-01-19T10:22:00+07:00"})
             for n, (title, lead, body, author) in enumerate([
                 ("Ban Chỉ đạo 35 tỉnh họp", "Sáng nay, “Ban Chỉ đạo” họp.", "Đoàn công tác về Tuy Hòa. " * 30, "Đắc Lâm"),
                 ("Xe Škoda về Phú Yên", None, "Hãng Škoda, ǎ, Ωμέγα, x\u0301 và 가 " * 20, None),
                 ("Ngắn", "Lead", "Thân bài ngắn.", "PV")])]
    assert all(item["folds"]["body_fold"] for item in items)
    tricked = dict(items[2], url="https://www.phuyen.gov.vn/tin/9.html", folds=dict(items[2]["folds"], body_fold="sai"))
    given = Archive(tmp_path / "given.db", clusters=False)
    statements: list[str] = []
    given.db.conn.set_trace_callback(statements.append)
    for item in [*items, tricked]:
        row = {k: v for k, v in item.items() if k not in ("minhash", "shingles")}
        given.add(dict(row, first_seen_at="2024-01-19T10:22:00+07:00", version=1))
    given.commit()
    given.db.conn.set_trace_callback(None)
    assert sum(s.startswith("INSERT INTO articles_fts (rowid") and "FROM articles WHERE id" in s for s in statements) == 3
    by_trigger = Archive(tmp_path / "trigger.db", clusters=False)
    for item in [*items, tricked]:
        row = {k: v for k, v in item.items() if k not in ("minhash", "shingles", "folds")}
        by_trigger.add(dict(row, first_seen_at="2024-01-19T10:22:00+07:00", version=1))
    by_trigger.commit()
    assert _index_instances(given.db.conn) == _index_instances(by_trigger.db.conn) != []
    assert given.db.execute("SELECT count(*) FROM articles_indexed_by_writer").fetchone()[0] == 0
    assert "skoda" not in {t for t, *_ in _index_instances(given.db.conn)}  # š is outside INDEX_FOLD: kept
    given.db.execute("DELETE FROM articles")  # the delete trigger removes exactly what was indexed
    given.db.conn.commit()
    assert _index_instances(given.db.conn) == []
    given.close()
    by_trigger.close()
