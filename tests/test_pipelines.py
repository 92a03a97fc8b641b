"""validate → dedupe → store on a real SQLite file, asserting whole rows."""

from __future__ import annotations

import json
import sqlite3

import pytest
import scrapy
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from pipelines.dedupe import DedupePipeline
from pipelines.store import SqlitePipeline
from pipelines.validate import ValidatePipeline
from scraper.core.article import article
from scraper.core.normalize import prepare
from scraper.core.text import fold
from scraper.crawl.services import ArchiveService
from tests.pages import case

SEED = case("phu_yen", "article-seed")


class Run:
    """The project's three pipelines around one archive file, as a crawl would run them."""

    def __init__(self, db_path, **settings):
        spider_cls = type("PhuYenTest", (scrapy.Spider,), {"name": "phu_yen"})
        self.crawler = get_crawler(spider_cls, {"ARCHIVE_DB": str(db_path), "EXTENSIONS": {ArchiveService: 0}, **settings})
        self.crawler.spider = spider_cls()
        self.pipes = [cls.from_crawler(self.crawler) for cls in (ValidatePipeline, DedupePipeline, SqlitePipeline)]
        self.store = self.pipes[-1]
        self.store.open_spider()

    def feed(self, data: dict) -> str:
        """The item as the page runner hands it over (normalized), through the pipelines."""
        item = article(prepare(dict(data)))
        try:
            for pipe in self.pipes:
                item = pipe.process_item(item)
        except DropItem as exc:
            return str(exc)
        return "stored"

    def close(self):
        self.store.close_spider()
        self.store.spider_closed(self.crawler.spider, "finished")
        self.crawler.get_extension(ArchiveService).close()  # as when the engine stops

    @property
    def stats(self):
        return self.crawler.stats.get_stats()


def seed_item(**changes) -> dict:
    data = SEED.page().extract()
    data["http_status"] = 200
    data.update(changes)
    return data


def rows(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def test_new_article_is_stored_as_one_whole_row(tmp_path):
    db = tmp_path / "a.db"
    run = Run(db)
    assert run.feed(seed_item()) == "stored"
    run.close()
    (row,) = rows(db, "SELECT * FROM articles")
    title = "Ban Chỉ đạo 35 tỉnh tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024"
    body = row["body_text"]
    volatile = {"id", "fetched_at", "first_seen_at", "changed_at", "body_html", "images", "body_text", "content_hash"}
    assert {k: v for k, v in row.items() if k not in volatile} == {
        "url": "https://phuyen.gov.vn/wps/portal/Home/chi-tiet-tin?urile=wcm:path:/phuyen/site/tin-tuc/tin-tuc-su-kien/ban-chi-dao-35-tinh-tong-ket-cong-tac-nam-2023-trien-khai-nhiem-vu-nam-2024",
        "portal": "phu_yen",
        "province": "Phú Yên",
        "title": title,
        "lead": None,
        "published_at": "2024-01-19T10:22:00+07:00",
        "updated_at": None,
        "author": "Đắc Lâm",
        "source": None,
        "category": "Tin tức - Sự kiện",
        "captions": json.dumps([title, title], ensure_ascii=False),
        "attachments": "[]",
        "extraction": json.dumps({"body_text": "profile", "category": "platform", "published": "profile", "title": "profile"}),
        "published_raw": "10:22, 19/01/2024 [GMT+7]",
        "published_from": "page",
        "charset": "utf-8",
        "fetched_url": SEED.meta["url"],
        "version": 1,
        "etag": None,
        "last_modified": None,
        "captured_at": None,
        "capture_archive": None,
        "warc_file": None,  # fed to the pipelines without a page kept in WARC: the body HTML is in the row
        "warc_offset": None,
        "cluster_id": row["id"],  # no republication: a cluster of its own
        "search_filters": "pphuyen vPhúYên y2024 m202401",  # generated from the row, for filtered searches
    }
    (signature,) = rows(db, "SELECT * FROM article_signatures")
    assert signature["article_id"] == row["id"] and signature["cluster_id"] == row["id"]
    assert len(signature["minhash"]) == 128 * 4 and signature["shingles"] > 300
    (folds,) = rows(db, "SELECT * FROM article_folds")  # the folded copies the index holds, computed from the row
    assert folds == {"id": row["id"], "title_fold": "Ban Chi dao 35 tinh tong ket cong tac nam 2023, trien khai nhiem vu nam 2024",
                     "lead_fold": None, "body_fold": fold(body), "author_fold": "Dac Lam"}
    assert len(row["content_hash"]) == 64
    assert len(json.loads(row["images"])) == 2
    assert row["body_html"].startswith("<div>") and "<script" not in row["body_html"] and "style=" not in row["body_html"]
    (run_row,) = rows(db, "SELECT portal, finish_reason, new, updated, unchanged, rejected FROM crawl_runs")
    assert run_row == {"portal": "phu_yen", "finish_reason": "finished", "new": 1, "updated": 0, "unchanged": 0, "rejected": 0}


def test_recrawling_an_unchanged_article_writes_nothing(tmp_path):
    db = tmp_path / "a.db"
    run = Run(db)
    run.feed(seed_item())
    run.close()
    before = rows(db, "SELECT * FROM articles")
    run = Run(db)
    changes_before = run.store.archive.db.conn.total_changes
    assert run.feed(seed_item(fetched_at="2026-01-01T00:00:00+07:00")).startswith("unchanged")
    run.store.close_spider()
    assert run.store.archive.db.conn.total_changes == changes_before  # not one row touched by the article
    run.store.spider_closed(run.crawler.spider, "finished")
    assert rows(db, "SELECT * FROM articles") == before
    assert rows(db, "SELECT count(*) n FROM article_versions") == [{"n": 0}]
    assert run.stats["archive/unchanged"] == 1


def test_a_changed_article_updates_the_row_and_keeps_the_previous_version(tmp_path):
    db = tmp_path / "a.db"
    run = Run(db)
    original = seed_item()
    run.feed(dict(original))
    run.close()
    edited = seed_item()
    edited["body_text"] = edited["body_text"].replace("Chiều 18/01", "Chiều ngày 18/01")
    run = Run(db)
    assert run.feed(edited) == "stored"
    run.close()
    (row,) = rows(db, "SELECT id, version, body_text FROM articles")
    assert row["version"] == 2 and row["body_text"].startswith("Chiều ngày 18/01")
    (old,) = rows(db, "SELECT article_id, version, body_text, title FROM article_versions")
    assert old["article_id"] == row["id"] and old["version"] == 1 and old["body_text"].startswith("Chiều 18/01, Ban")
    assert run.stats["archive/committed/updated"] == 1


def test_the_same_body_under_a_second_url_is_an_alias_not_a_copy(tmp_path):
    db = tmp_path / "a.db"
    run = Run(db)
    run.feed(seed_item())
    second = seed_item(url="https://phuyen.gov.vn/wps/wcm/connect/phuyen/site/tin-tuc/ban-chi-dao-35")
    assert run.feed(second).startswith("alias of https://phuyen.gov.vn/wps/portal/Home/chi-tiet-tin")
    run.close()
    assert rows(db, "SELECT count(*) n FROM articles") == [{"n": 1}]
    (alias,) = rows(db, "SELECT url, article_id, portal FROM article_aliases")
    assert alias == {"url": "https://phuyen.gov.vn/wps/wcm/connect/phuyen/site/tin-tuc/ban-chi-dao-35", "article_id": 1,
                     "portal": "phu_yen"}


@pytest.mark.parametrize("changes,reason", [
    ({"title": None}, "missing title"),
    ({"body_text": None, "body_html": None}, "missing body"),
    ({"http_status": 404, "title": None, "body_text": None}, "HTTP 404"),
    ({"not_article": "a login form"}, "not an article page: a login form"),
])
def test_an_item_that_is_not_an_article_goes_to_rejects(tmp_path, changes, reason):
    db = tmp_path / "a.db"
    run = Run(db)
    assert run.feed(seed_item(**changes)) == f"rejected: {reason}"
    run.close()
    assert rows(db, "SELECT count(*) n FROM articles") == [{"n": 0}]
    (reject,) = rows(db, "SELECT url, portal, reason, times FROM rejects")
    assert reject == {"url": seed_item()["url"], "portal": "phu_yen", "reason": reason, "times": 1}
    assert run.stats["archive/rejected"] == 1


def test_an_article_without_a_date_is_stored_with_where_its_date_came_from(tmp_path):
    db = tmp_path / "a.db"
    run = Run(db)
    assert run.feed(seed_item(published_raw=None, published_at=None, published_from="none")) == "stored"
    run.close()
    (row,) = rows(db, "SELECT published_at, published_from, title FROM articles")
    assert row["published_at"] is None and row["published_from"] == "none" and row["title"].startswith("Ban Chỉ đạo 35")
    assert rows(db, "SELECT count(*) n FROM rejects") == [{"n": 0}]


def test_a_reject_that_later_validates_leaves_the_rejects_table(tmp_path):
    db = tmp_path / "a.db"
    run = Run(db)
    run.feed(seed_item(title=None))
    run.close()
    assert rows(db, "SELECT count(*) n FROM rejects") == [{"n": 1}]
    run = Run(db)
    assert run.feed(seed_item()) == "stored"
    run.close()
    assert rows(db, "SELECT count(*) n FROM rejects") == [{"n": 0}]


def test_commits_are_batched_not_per_item(tmp_path):
    db = tmp_path / "a.db"
    run = Run(db, ARCHIVE_BATCH_SIZE=10, ARCHIVE_BATCH_SECONDS=3600)
    for n in range(25):
        item = seed_item(url=f"https://phuyen.gov.vn/tin/{n}")
        item["body_text"] = f"{item['body_text']}\n\nBản tin số {n}."
        assert run.feed(item) == "stored"
    assert run.store.archive.committed["commits"] == 2  # 10 + 10 committed, 5 pending
    assert rows(db, "SELECT count(*) n FROM articles") == [{"n": 20}]
    assert len(run.store.archive.pending.inserts) == 5
    run.close()
    assert run.store.archive.committed["commits"] == 3
    assert rows(db, "SELECT count(*) n FROM articles") == [{"n": 25}]


def test_archive_is_wal_and_migrated(tmp_path):
    db = tmp_path / "a.db"
    run = Run(db)
    run.close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "article_versions", "article_aliases", "rejects", "portals", "crawl_runs", "articles_fts"} <= tables
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    portals = {r[0]: r[1] for r in conn.execute("SELECT slug, successor FROM portals")}
    assert portals["phu_yen"] == "dak_lak"


def test_a_batch_that_cannot_be_written_stays_pending_and_is_written_next(tmp_path, monkeypatch):
    from scraper.archive.store import Archive
    db = tmp_path / "a.db"
    run = Run(db, ARCHIVE_BATCH_SIZE=2, ARCHIVE_BATCH_SECONDS=3600)
    real, failures = Archive._write, [sqlite3.OperationalError("disk I/O error")]

    def flaky(self, conn, pending):
        if failures:
            raise failures.pop()
        return real(self, conn, pending)

    monkeypatch.setattr(Archive, "_write", flaky)
    for n in range(4):
        item = seed_item(url=f"https://phuyen.gov.vn/tin/{n}")
        item["body_text"] = f"{item['body_text']}\n\nBản tin số {n}."
        assert run.feed(item) == "stored"
    run.close()
    assert rows(db, "SELECT count(*) n FROM articles") == [{"n": 4}]  # the failed batch went with the next one
    (crawl_run,) = rows(db, "SELECT new, notes FROM crawl_runs")
    assert crawl_run["new"] == 4 and "1 commits failed and were retried (last: OperationalError: disk I/O error)" in crawl_run["notes"]
    assert not list(tmp_path.glob("*.unsaved-*"))


def test_writes_that_can_never_be_committed_are_saved_beside_the_archive(tmp_path, monkeypatch):
    from scraper.archive import store
    monkeypatch.setattr(store, "CLOSE_ATTEMPTS", 2)
    monkeypatch.setattr(store.time, "sleep", lambda s: None)
    db = tmp_path / "a.db"
    run = Run(db, ARCHIVE_BATCH_SIZE=100, ARCHIVE_BATCH_SECONDS=3600)

    def full(self, conn, pending):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store.Archive, "_write", full)
    assert run.feed(seed_item()) == "stored"
    run.close()
    assert rows(db, "SELECT count(*) n FROM articles") == [{"n": 0}]
    (crawl_run,) = rows(db, "SELECT new, notes FROM crawl_runs")
    assert crawl_run["new"] == 0 and "1 writes were still pending when the run ended" in crawl_run["notes"]
    (spilled,) = tmp_path.glob("a.db.unsaved-*.jsonl")
    (line,) = spilled.read_text(encoding="utf-8").splitlines()
    saved = json.loads(line)
    assert saved["kind"] == "insert" and saved["row"]["url"] == seed_item()["url"] and saved["row"]["title"] == seed_item()["title"]
