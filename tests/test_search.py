"""Search: unaccented queries find accented text (đ included), accented queries their exact spelling,
phrases, title weight, filters, clear errors, and the stock clients on the same file."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from scraper.archive.rows import article_row
from scraper.archive.search import QueryError, fts_query, search, tone_variants
from scraper.archive.store import Archive
from tests.conftest import ROOT, scrapy

SEED_TITLE = "Ban Chỉ đạo 35 tỉnh tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024"
DOCS = [
    # (url, portal, province, title, body, published_at)
    ("https://a/1", "dong_nai", "Đồng Nai", "Tỉnh Đồng Nai khánh thành cầu mới",
     "Cầu nối hai bờ sông. Người dân mang đồ đạc qua cầu.", "2024-03-01T08:00:00+07:00"),
    ("https://a/2", "dong_nai", "Đồng Nai", "Đó là con đường mới",
     "Do mưa lớn, con đường bị ngập. Tiếp tục khắc phục hậu quả hạn hán.", "2024-05-01T08:00:00+07:00"),
    ("https://a/3", "phu_yen", "Phú Yên", "Hạn hán kéo dài tại miền Trung",
     "Các tỉnh chủ động ứng phó.", "2024-06-01T08:00:00+07:00"),
    ("https://a/4", "phu_yen", "Phú Yên", "Hội nghị hòa giải ở cơ sở",
     "Công tác hoà giải ở cơ sở được nâng cao. Bảo vệ nền tảng tư tưởng của Đảng.", "2024-07-01T08:00:00+07:00"),
    ("https://a/5", "dak_lak", "Đắk Lắk", "Thông tin tư tưởng",
     "Nền tảng bảo vệ môi trường, tư tưởng đổi mới.", "2025-08-01T08:00:00+07:00"),
]


@pytest.fixture
def small(tmp_path) -> sqlite3.Connection:
    archive = Archive(tmp_path / "s.db")
    from scraper.portals import load_profiles
    archive.record_portals([p.row() for p in load_profiles().values()])
    for url, portal, province, title, body, published in DOCS:
        archive.add(article_row({"url": url, "portal": portal, "province": province, "title": title,
                                 "body_text": body, "published_at": published, "content_hash": url}))
    archive.close()
    conn = sqlite3.connect(tmp_path / "s.db")
    yield conn
    conn.close()


def titles(conn, query, **kw):
    return [h.title for h in search(conn, query, limit=20, **kw)[1]]


def test_unaccented_query_finds_accented_text_including_d(small):
    assert titles(small, "dong nai") == ["Tỉnh Đồng Nai khánh thành cầu mới"]
    assert titles(small, "DONG NAI") == ["Tỉnh Đồng Nai khánh thành cầu mới"]


def test_accented_query_matches_its_exact_spelling(small):
    assert titles(small, "đồ") == ["Tỉnh Đồng Nai khánh thành cầu mới"]  # not "Đó", not "Do"
    assert titles(small, "Đó") == ["Đó là con đường mới"]
    assert set(titles(small, "do")) == {"Tỉnh Đồng Nai khánh thành cầu mới", "Đó là con đường mới"}


def test_phrases(small):
    assert titles(small, '"bảo vệ nền tảng tư tưởng"') == ["Hội nghị hòa giải ở cơ sở"]
    assert titles(small, '"bao ve nen tang"') == ["Hội nghị hòa giải ở cơ sở"]
    assert set(titles(small, "bảo vệ nền tảng tư tưởng")) == {"Hội nghị hòa giải ở cơ sở", "Thông tin tư tưởng"}


def test_title_weighs_more_than_the_body(small):
    assert titles(small, "han han") == ["Hạn hán kéo dài tại miền Trung", "Đó là con đường mới"]


def test_both_tone_placements_match(small):
    assert tone_variants("hoà") == {"hoà", "hòa"}
    assert titles(small, '"hoà giải"') == ["Hội nghị hòa giải ở cơ sở"]
    assert titles(small, '"hòa giải"') == ["Hội nghị hòa giải ở cơ sở"]


def test_filters_by_portal_province_and_dates(small):
    assert titles(small, "cau OR duong", portals=["dong_nai"], since="2024-04-01") == ["Đó là con đường mới"]
    assert titles(small, "cau OR duong", until="2024-03-01") == ["Tỉnh Đồng Nai khánh thành cầu mới"]
    assert titles(small, "tu tuong", province="phu yen") == ["Hội nghị hòa giải ở cơ sở"]
    # Phú Yên merged into Đắk Lắk: searching the new province finds the old one's articles too.
    assert set(titles(small, "tu tuong", province="Đắk Lắk")) == {"Hội nghị hòa giải ở cơ sở", "Thông tin tư tưởng"}


@pytest.mark.parametrize("query,message", [
    ('"ban chi', "unbalanced quote"),
    ("!!! ???", "nothing to search for"),
    ("OR dao", "cannot start with OR"),
    ("-dao", "cannot start with an exclusion"),
    ("dao OR", "ends with an operator"),
    ("ban " * 3000, "characters long; keep it under 500"),
    (" ".join(f"t{n}" for n in range(30)), "the query has 30 words; keep it to 24"),
    (" ".join(f'"a{n} b{n} c{n}"' for n in range(20)), "the query has 60 words"),
])
def test_malformed_queries_are_clear_errors(query, message):
    with pytest.raises(QueryError, match=message):
        fts_query(query)


def test_punctuation_that_breaks_raw_fts5_is_safe(small):
    # Unquoted, "Nghị quyết số 35-NQ/TW" is an fts5 syntax error; here it is just words.
    assert search(small, "Nghị quyết số 35-NQ/TW")[0] == 0


def test_snippet_is_the_original_accented_text_with_highlights(small):
    (hit,) = search(small, "dong nai", highlight=("<", ">"))[1]
    assert hit.title == "Tỉnh Đồng Nai khánh thành cầu mới"
    (hit,) = search(small, '"bao ve nen tang"', highlight=("<", ">"))[1]
    assert "<Bảo vệ nền tảng>" in hit.snippet


# -- the seed and the stock clients on a real crawl --------------------------------------------

SEED_QUERIES = ["ban chi dao 35", "Ban Chỉ đạo 35", '"bảo vệ nền tảng tư tưởng"', "dau tranh phan bac", "Đắc Lâm", "dac lam"]


@pytest.mark.parametrize("query", SEED_QUERIES)
def test_every_seed_search_finds_the_seed(sample_archive, query):
    conn = sqlite3.connect(sample_archive)
    assert SEED_TITLE in [h.title for h in search(conn, query, limit=50)[1]]


def test_sqlite3_shell_uses_the_index_unchanged(sample_archive):
    sql = ("SELECT a.title FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
           "WHERE articles_fts MATCH 'ban chi dao 35' ORDER BY rank LIMIT 1;")
    out = subprocess.run(["sqlite3", str(sample_archive), sql], capture_output=True, text=True, check=True).stdout
    assert out.strip() == SEED_TITLE


@pytest.mark.parametrize("query", ["ban chi dao", "dac lam", "Đắc Lâm", '"bao ve nen tang tu tuong"'])
def test_sqlite_utils_search_cli(sample_archive, query):
    out = subprocess.run(
        [str(Path(sys.executable).parent / "sqlite-utils"), "search", str(sample_archive), "articles", query, "-c", "title",
         "--limit", "50"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert SEED_TITLE in [r["title"] for r in json.loads(out)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_datasette_searches_the_same_file(sample_archive, tmp_path):
    db = tmp_path / "archive.db"
    src = sqlite3.connect(sample_archive)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close(), dst.close()
    port = _free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "datasette"), "serve", str(db), "-h", "127.0.0.1", "-p", str(port),
         "--metadata", str(ROOT / "data" / "metadata.json")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/archive"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + ".json", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        rows = json.load(urllib.request.urlopen(f"{base}/articles.json?_search=ban+chi+dao+35&_shape=array&_col=title"))
        assert [r["title"] for r in rows] == [SEED_TITLE]
        q = urllib.parse.quote("Đắc Lâm")
        rows = json.load(urllib.request.urlopen(f"{base}/search.json?q={q}&_shape=array"))
        assert SEED_TITLE in [r["title"] for r in rows]
        assert all(r["excerpt"] for r in rows)  # the text as published (the folded copy is the index's only)
    finally:
        proc.terminate()
        proc.wait(10)


def test_search_command_for_people(sample_archive):
    out = scrapy("search", "ban chi dao 35", "--db", str(sample_archive)).stdout
    assert out.startswith("1 match for 'ban chi dao 35'")
    assert SEED_TITLE in out and "[Ban Chỉ đạo 35]" in out and "2024-01-19 10:22" in out


def test_search_command_turns_a_malformed_query_into_a_message(sample_archive):
    proc = scrapy("search", '"ban chi', "--db", str(sample_archive), check=False)
    assert proc.returncode == 2
    assert "unbalanced quote" in proc.stderr and "Traceback" not in proc.stderr


def test_search_command_refuses_a_query_of_thousands_of_words_at_once(sample_archive):
    words = " ".join(["ban", "chi", "dao", "tinh", "phu", "yen"] * 500)
    proc = scrapy("search", words, "--db", str(sample_archive), check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "keep it under 500" in proc.stderr


def test_filters_are_answered_inside_the_index_and_numbers_in_a_query_do_not_match_dates(small):
    conn = small
    # The filter tokens are in the index, as no word is spelled.
    (keys,) = conn.execute("SELECT search_filters FROM articles WHERE portal = 'dong_nai' LIMIT 1").fetchone()
    assert keys.startswith("pdongnai v") and " y20" in keys and " m20" in keys
    assert titles(small, "cau OR duong", portals=["dong_nai"], since="2024-04-01") == ["Đó là con đường mới"]
    # A query typed with a number finds the number in the text, not in a publication time.
    assert {r[0][11:13] for r in conn.execute("SELECT published_at FROM articles")} == {"08"}
    assert search(conn, "08")[0] == 0 and search(conn, "2024")[0] == 0 and search(conn, "pdongnai")[0] == 0


def test_a_broad_query_is_counted_up_to_a_bound_and_ranked_in_its_most_recent_months(small, monkeypatch):
    from scraper.archive import ranking as module
    query = "tinh OR cau OR duong OR dong OR nai"  # articles 1 (2024-03), 2 (2024-05) and 3 (2024-06)
    assert sorted(h.id for h in search(small, query, limit=50)[1]) == [1, 2, 3]
    monkeypatch.setattr(module, "COUNT_LIMIT", 2)
    monkeypatch.setattr(module, "RANK_WINDOW", 2)
    # The newest article is of 2025-08; 3 months hold no match, the 16 months from 2024-05 hold two.
    monkeypatch.setattr(module, "WINDOW_MONTHS", (3, 16))
    total, hits, _ = search(small, query, limit=50)
    assert total == 3  # COUNT_LIMIT + 1: "more than 2"
    assert sorted(h.id for h in hits) == [2, 3]
    # No window of months holds two: the two latest archived matches are ranked.
    monkeypatch.setattr(module, "WINDOW_MONTHS", (3,))
    assert sorted(h.id for h in search(small, query, limit=50)[1]) == [2, 3]


def test_newest_first_orders_by_publication_date(small):
    total, hits, _ = search(small, "tinh OR cau OR duong", order="newest", limit=10)
    dates = [h.published_at or "" for h in hits]
    assert dates == sorted(dates, reverse=True) and len(hits) == min(total, 10)
    with pytest.raises(QueryError, match="unknown order"):
        search(small, "tinh", order="best")
    with pytest.raises(QueryError, match="takes a date"):
        search(small, "tinh", since="19/01/2024")


def test_common_terms_rank_by_where_they_match_then_by_date(small, monkeypatch):
    """When a term is too common for bm25 to weigh it in bounded time, the matches rank by tier:
    the query as a phrase in the title, every term in the title, in the lead, elsewhere; newest
    first within a tier."""
    from scraper.archive import ranking
    monkeypatch.setattr(ranking, "BM25_MAX_DOCS", 0)  # every term counts as common
    conn = small
    # (Plain UPDATEs, as any SQLite client would write them: the index's triggers fold the text.)
    conn.execute("UPDATE articles SET lead = 'Hạn hán gay gắt' WHERE id = 1")  # 2024-03
    conn.execute("UPDATE articles SET title = 'Cầu Hòa Bình mới thông xe' WHERE id = 5")  # 2025-08
    conn.commit()
    # "han han": in the title of article 3 (2024-06), the lead of 1 (2024-03), the body of 2 (2024-05).
    assert [h.id for h in search(conn, "han han", limit=5)[1]] == [3, 1, 2]
    # "cau moi": a phrase in article 1's title, both words apart in article 5's (newer) title.
    assert [h.id for h in search(conn, "cau moi", limit=5)[1]] == [1, 5]
    # One tier: newest published first.
    assert [h.id for h in search(conn, "nguoi OR cac OR ngap", limit=5)[1]] == [3, 2, 1]
    # bm25 (terms rare enough) ranks the same title match first.
    monkeypatch.setattr(ranking, "BM25_MAX_DOCS", 10_000)
    assert search(conn, "han han", limit=5)[1][0].id == 3


def test_every_profile_has_filter_tokens_of_its_own():
    """A portal or province filter is answered by the index's tokens alone, so no two profiles
    may share one (scraper.archive.schema.SEARCH_FILTERS_SQL: underscores and spaces dropped)."""
    from scraper.portals import load_profiles
    profiles = load_profiles().values()
    slugs = {p.slug for p in profiles}
    assert len({s.replace("_", "") for s in slugs}) == len(slugs)
    provinces = {p.row()["province"] for p in profiles if p.row().get("province")}
    assert len({name.replace(" ", "").lower() for name in provinces}) == len(provinces)


def test_dates_are_checked_and_month_bounds_are_whole_months(small):
    for bad in ("2024-13-45", "2024-02-30", "banana", "2024-00"):
        with pytest.raises(QueryError, match="takes a date"):
            search(small, "tinh", since=bad)
    assert titles(small, "do OR doan OR duong OR con", since="2024-05", until="2024-05") == ["Đó là con đường mới"]
    assert titles(small, "do OR doan OR duong OR con", since="2024-05-01", until="2024-05-31") == ["Đó là con đường mới"]
    assert titles(small, "do OR doan OR duong OR con", since="2024-05-02") == []


def test_excerpts_mark_what_the_query_matched_in_the_text_as_published():
    from scraper.archive.search import marks, parse, snippet
    body = "Ban trực. Ban Chỉ đạo 35 tỉnh họp; đồ đạc, đó là. Chỉ đạo của Ban."
    assert snippet(body, marks(parse('"ban chi dao"'), "auto")) == "Ban trực. [Ban Chỉ đạo] 35 tỉnh họp; đồ đạc, đó là. Chỉ đạo của Ban."
    assert snippet(body, marks(parse("đồ"), "auto")) == "Ban trực. Ban Chỉ đạo 35 tỉnh họp; [đồ] đạc, đó là. Chỉ đạo của Ban."
    assert snippet(body, marks(parse("do"), "auto")) == "Ban trực. Ban Chỉ đạo 35 tỉnh họp; [đồ] đạc, [đó] là. Chỉ đạo của Ban."
    assert snippet(body, marks(parse("tru* -hop"), "auto")) == "Ban [trực]. Ban Chỉ đạo 35 tỉnh họp; đồ đạc, đó là. Chỉ đạo của Ban."
    long = " ".join(["Mở đầu."] * 40 + ["Ban Chỉ đạo họp."] + ["Kết thúc."] * 40)
    excerpt = snippet(long, marks(parse("ban chi dao"), "auto"))
    assert excerpt.startswith("…") and excerpt.endswith("…") and "[Ban Chỉ đạo]" in excerpt and len(excerpt.split()) <= 26


def test_starting_a_command_imports_nothing_heavy():
    """Scrapy imports every command's module to start any command: they must not bring the page
    classes, the extractors, numpy or sqlite-utils (what `scrapy search` costs is Scrapy's own start)."""
    code = ("import sys, pkgutil, importlib, scrapy.cmdline; before = set(sys.modules); import scraper.commands\n"
            "for m in pkgutil.iter_modules(scraper.commands.__path__): importlib.import_module('scraper.commands.' + m.name)\n"
            "print(' '.join(sorted(set(sys.modules) - before)))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout.split())
    heavy = {"scraper.pages", "scraper.platforms", "scraper.crawl.runner", "trafilatura", "readability", "resiliparse",
             "numpy", "sqlite_utils", "lxml.html", "datasketch", "scipy", "redis", "scrapy_redis"}
    assert "scraper.commands.search" in loaded and not heavy & loaded
