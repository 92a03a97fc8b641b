"""End to end: the real `scrapy crawl` against local servers, then the archive read with the
`sqlite-utils` command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scraper.mirror import MirrorServer
from tests.conftest import MIRROR, crawl, write_site
from tests.pages import case

SQLITE_UTILS = str(Path(sys.executable).parent / "sqlite-utils")


def sql(db: Path, query: str) -> list[dict]:
    out = subprocess.run([SQLITE_UTILS, "query", str(db), query], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_crawl_the_mirror_and_query_it_with_sqlite_utils(sample_archive):
    assert sql(sample_archive, "select portal, count(*) n from articles group by portal order by portal") == [
        {"portal": "phu_yen", "n": 24}, {"portal": "quang_ngai", "n": 26}]
    assert sql(sample_archive, "select count(*) n from rejects") == [{"n": 0}]
    out = subprocess.run([SQLITE_UTILS, "search", str(sample_archive), "articles", "ban chi dao", "-c", "title", "-c", "published_at",
                          "--limit", "1"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [{"title": "Ban Chỉ đạo 35 tỉnh tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024",
                                "published_at": "2024-01-19T10:22:00+07:00"}]
    # Every stored field is clean: NFC, +07:00, canonical URLs on the portal's own host.
    rows = sql(sample_archive, "select url, published_at, fetched_url from articles")
    assert all(r["published_at"].endswith("+07:00") for r in rows)
    assert all(r["url"].startswith(("https://phuyen.gov.vn/", "https://quangngai.gov.vn/")) for r in rows)
    assert all(r["fetched_url"].startswith("http://127.0.0.1:") for r in rows)
    runs = sql(sample_archive, "select portal, finish_reason, new, rejected from crawl_runs order by id")
    assert runs == [{"portal": "phu_yen", "finish_reason": "finished", "new": 24, "rejected": 0},
                    {"portal": "quang_ngai", "finish_reason": "finished", "new": 26, "rejected": 0}]


def test_a_second_crawl_of_an_unchanged_portal_stores_nothing(tmp_path):
    db = tmp_path / "a.db"
    with MirrorServer(MIRROR / "phuyen.gov.vn") as server:
        crawl("phu_yen", server, db)
        first = list(server.counter["paths"])
        before = sql(db, "select * from articles order by id")
        proc = crawl("phu_yen", server, db)
        second = list(server.counter["paths"])[len(first):]
    # The first page of each listing shows 14 archived articles; paging stops there.
    assert "archive: phu_yen: 0 new, 0 updated, 14 unchanged" in proc.stderr
    assert sql(db, "select * from articles order by id") == before
    assert sql(db, "select count(*) n from article_versions") == [{"n": 0}]
    assert sql(db, "select new, updated, unchanged from crawl_runs order by id desc limit 1") == [{"new": 0, "updated": 0, "unchanged": 14}]
    # At most one listing request per category, plus robots.txt: no article is fetched again.
    listings = [p for p in second if "/tin-tuc/" in p]
    assert sorted(listings) == ["/wps/portal/Home/tin-tuc/chi-dao-dieu-hanh", "/wps/portal/Home/tin-tuc/tin-tuc-su-kien"]
    assert [p for p in second if p not in listings] == ["/robots.txt"]
    # robots.txt once (its rules and its Sitemap: lines from one fetch), 4 listing pages, 24 articles
    assert len(first) == 1 + 4 + 24


def test_since_stops_paging_at_the_bound(tmp_path):
    db = tmp_path / "a.db"
    with MirrorServer(MIRROR / "phuyen.gov.vn") as server:
        crawl("phu_yen", server, db, "-a", "since=2024-06-10")
        paths = list(server.counter["paths"])
    dates = [r["published_at"] for r in sql(db, "select published_at from articles")]
    assert dates and min(dates) >= "2024-06-10"
    assert not any("WCM_Page" in p and p.endswith("=3") for p in paths), "the last listing page is older than the bound"


def _bad_input_site(root: Path) -> Path:
    """A Phú Yên-style listing linking to an entity-encoded article, an NFD article, a page with no
    date, a listing where an article should be, a 404 and a 500."""
    def fixture(name):
        return case("phu_yen", name).body
    links = {
        "/tin/entities": "Bài viết mã hóa thực thể",
        "/tin/nfd": "Bài viết tổ hợp",
        "/tin/no-date": "Bài viết không có ngày",
        "/tin/not-article": "Trang không phải bài viết",
        "/tin/missing": "Bài viết đã bị xóa",
        "/tin/broken": "Bài viết lỗi máy chủ",
    }
    items = "".join(f'<div class="tin-item"><a class="title" href="{u}">{t}</a></div>' for u, t in links.items())
    listing = f'<html><body><div class="danhsach-tin">{items}</div></body></html>'.encode()
    pages = {
        "/wps/portal/Home/tin-tuc/tin-tuc-su-kien": listing,
        "/wps/portal/Home/tin-tuc/chi-dao-dieu-hanh": b'<html><body><div class="danhsach-tin"></div></body></html>',
        "/tin/entities": fixture("article-entity-encoded"),
        "/tin/nfd": fixture("article-decomposed-nfd"),
        "/tin/no-date": fixture("article-no-date"),
        "/tin/not-article": fixture("page-not-article"),
    }
    return write_site(root, pages, {"/tin/broken": {"status": 500}})


def test_bad_input_is_rejected_with_a_reason_and_never_stops_the_crawl(tmp_path):
    db = tmp_path / "a.db"
    with MirrorServer(_bad_input_site(tmp_path / "site")) as server:
        proc = crawl("phu_yen", server, db)
    assert "Spider closed (finished)" in proc.stderr
    stored = {r["title"]: r for r in sql(db, "select title, published_at, published_from from articles order by title")}
    assert list(stored) == ["Tiếp công dân định kỳ tháng 6/2024", "Tăng cường công tác bảo đảm an toàn thực phẩm dịp Tết Nguyên đán",
                            "UBND tỉnh họp phiên thường kỳ tháng 6/2024"]
    # The page with no date is kept: its listing entry has none either, so it is stored without one.
    no_date = stored["Tăng cường công tác bảo đảm an toàn thực phẩm dịp Tết Nguyên đán"]
    assert no_date["published_at"] is None and no_date["published_from"] == "none"
    assert {r["published_from"] for t, r in stored.items() if r is not no_date} == {"page"}
    rejects = {r["fetched_url"].rsplit("/", 1)[-1]: r for r in sql(db, "select fetched_url, reason, http_status, portal from rejects")}
    assert {k: v["reason"] for k, v in rejects.items()} == {
        "missing": "HTTP 404",
        "broken": "HTTP 500",
        "not-article": "not an article page: no title",
    }
    assert rejects["missing"]["http_status"] == 404 and rejects["missing"]["portal"] == "phu_yen"
    assert "extraction/problems/selector-miss/article.published" in proc.stderr  # the markup change is loud in the stats
    (run,) = sql(db, "select new, rejected, errors, finish_reason from crawl_runs")
    assert run == {"new": 3, "rejected": 3, "errors": 2, "finish_reason": "finished"}
    assert sql(db, "pragma integrity_check") == [{"integrity_check": "ok"}]


def test_archive_db_setting_and_start_urls_argument(tmp_path, quangngai_mirror):
    db = tmp_path / "elsewhere" / "other.db"
    crawl("quang_ngai", quangngai_mirror, db)
    assert sql(db, "select count(*) n from articles") == [{"n": 26}]
    assert not (tmp_path / "data").exists()
