"""Crawls that start from a home page alone: news sections found in the menu, listings recognised by
their structure, articles by theirs; what was learned kept and used by the next run; a profile
drafted from it. No profile selector and no start URL is used."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tomllib
from pathlib import Path

import pytest

from bench.sitegen_vendor import UNDATED_FROM, build_vendor
from scraper.core.profile import parse_profile
from scraper.mirror import MirrorServer
from scraper.platforms import PLATFORM_NAMES
from scraper.portals import get_profile
from tests.conftest import scrapy, write_site

# Columns that say when or from where a page was fetched, not what it says.
VOLATILE = {"id", "fetched_at", "first_seen_at", "changed_at", "fetched_url", "cluster_id", "warc_file", "warc_offset"}


def crawl_home(slug: str, server: MirrorServer, db: Path, *extra: str):
    return scrapy("crawl", slug, "-a", f"home={server.origin}/", "-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0",
                  "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO", *extra)


def rows(db: Path, sql: str, params=()) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def home_archive(tmp_path_factory, phuyen_mirror, quangngai_mirror) -> Path:
    db = tmp_path_factory.mktemp("home") / "archive.db"
    crawl_home("phu_yen", phuyen_mirror, db)
    crawl_home("quang_ngai", quangngai_mirror, db)
    return db


def test_each_sample_mirror_from_its_home_page_alone_stores_what_its_start_urls_do(home_archive, sample_archive):
    found = {r["url"]: r for r in rows(home_archive, "SELECT * FROM articles")}
    reference = {r["url"]: r for r in rows(sample_archive, "SELECT * FROM articles")}
    assert len(found) == 50 and set(found) == set(reference)
    for url, row in found.items():
        assert {k: v for k, v in row.items() if k not in VOLATILE} == {k: v for k, v in reference[url].items() if k not in VOLATILE}, url
    assert rows(home_archive, "SELECT count(*) n FROM rejects") == [{"n": 0}]
    runs = rows(home_archive, "SELECT portal, new, rejected, verdict FROM crawl_runs ORDER BY id")
    assert runs == [{"portal": "phu_yen", "new": 24, "rejected": 0, "verdict": "ok"},
                    {"portal": "quang_ngai", "new": 26, "rejected": 0, "verdict": "ok"}]


def test_what_discovery_learned_is_kept_per_portal(home_archive):
    learned = rows(home_archive, "SELECT kind, value, label FROM portal_discovery WHERE portal = 'quang_ngai' ORDER BY kind, value")
    by_kind: dict[str, list] = {}
    for r in learned:
        by_kind.setdefault(r["kind"], []).append(r["value"])
    qn = "https://www.quangngai.gov.vn/web/portal-qni/"
    assert by_kind["listing"] == [qn + "chi-dao-dieu-hanh", qn + "tin-noi-bat"]  # the portal's URLs, not the copy's
    assert by_kind["section"] == by_kind["listing"]
    assert by_kind["platform"] == ["liferay"]
    assert by_kind["article-url"] == ["/web/portal-qni/xem-chi-tiet/-/asset_publisher/Content/<slug>?<id>"]
    assert by_kind["home"] == ["https://www.quangngai.gov.vn/"]


def test_the_next_run_starts_from_what_was_learned_and_fetches_nothing_new(home_archive, quangngai_mirror, tmp_path):
    db = tmp_path / "again.db"
    shutil.copy(home_archive, db)
    before = quangngai_mirror.requests
    proc = crawl_home("quang_ngai", quangngai_mirror, db)
    assert "starting from 2 listings and 0 feeds learned by earlier runs" in proc.stderr
    # robots.txt (once, for its rules and its Sitemap: lines), the home page and its redirect, and
    # the first page of each learned listing: the rest of each listing was walked to its end last
    # time and every entry is archived.
    assert quangngai_mirror.requests - before == 5
    (run,) = rows(db, "SELECT new, unchanged FROM crawl_runs WHERE portal = 'quang_ngai' ORDER BY id DESC LIMIT 1")
    assert run["new"] == 0 and run["unchanged"] > 0
    assert rows(db, "SELECT DISTINCT runs FROM portal_discovery WHERE portal = 'quang_ngai' AND kind = 'listing'") == [{"runs": 2}]


@pytest.fixture(scope="module")
def vendor(tmp_path_factory):
    """The reconstructed vendor-CMS portal crawled from its home page, with and without dates on its pages."""
    out = {}
    for dated in (True, False):
        root = tmp_path_factory.mktemp("vendor")
        site = build_vendor(root / "site", dated=dated)
        db = root / "archive.db"
        with MirrorServer(root / "site") as server:
            proc = crawl_home("khanh_hoa", server, db)
            paths = list(server.counter["paths"])
        out[dated] = (site, db, proc, paths)
    return out


def test_a_vendor_cms_from_its_home_page_stores_every_article_and_nothing_else(vendor):
    site, db, proc, paths = vendor[True]
    stored = {r["url"]: r for r in rows(db, "SELECT url, title, lead, author, captions, body_text, published_from FROM articles")}
    assert set(stored) == set(site["articles"])                       # every article, and no non-article
    assert {u: r["title"] for u, r in stored.items()} == {u: t for u, (t, _) in site["articles"].items()}
    assert {r["published_from"] for r in stored.values()} == {"page"}  # the date printed beside the headline
    rejects = {r["url"]: r["reason"] for r in rows(db, "SELECT url, reason FROM rejects")}
    assert rejects == {
        "https://khanhhoa.gov.vn/tin-tuc/bai-viet-da-go-bo-khoi-cong-thong-tin-99999.html":
            "not an article page: a soft 404 (the page says '404 - Trang không tồn tại')",
        "https://khanhhoa.gov.vn/tin-tuc/tai-lieu-hop-noi-bo-quy-i-99998.html": "not an article page: a login page",
    }
    # Menus, introduction pages, documents and the login page are not news sections: never fetched.
    assert not [p for p in paths if p.startswith(("/gioi-thieu/", "/van-ban/", "/dich-vu-cong/", "/hoi-dap"))]
    assert "/dang-nhap.html" not in paths
    for row in stored.values():  # what the project does better than a bare extractor, on a page it has no selector for
        assert row["lead"] and not row["lead"].startswith("(KHO)")
        assert "Tin cùng chuyên mục" not in row["body_text"] and "Thăm dò ý kiến" not in row["body_text"]
        assert not any(c in row["body_text"] for c in json.loads(row["captions"]))
    assert "extraction/listing/items/structure" in proc.stderr


def test_articles_whose_pages_show_no_date_are_all_stored_saying_where_the_date_came_from(vendor):
    site, db, _, _ = vendor[False]
    stored = {r["url"]: r for r in rows(db, "SELECT url, published_at, published_from FROM articles")}
    assert set(stored) == set(site["articles"])
    assert {u: r["published_from"] for u, r in stored.items()} == {u: source for u, (_, source) in site["articles"].items()}
    assert set(UNDATED_FROM.values()) == {r["published_from"] for r in stored.values()}
    for row in stored.values():
        if row["published_from"] == "none":
            assert row["published_at"] is None
        elif row["published_from"] == "http":
            assert row["published_at"].endswith("+07:00")   # Last-Modified, at Vietnam time
        else:
            assert len(row["published_at"]) == 10          # a day: the listing and the URL print no time


def test_a_profile_is_drafted_from_what_discovery_learned(vendor, tmp_path):
    _, db, _, _ = vendor[True]
    out = scrapy("profile", "khanh_hoa", "--draft", "--db", str(db)).stdout
    profile = parse_profile(tmp_path / "khanh_hoa.toml", tomllib.loads(out), PLATFORM_NAMES)
    assert profile.start_urls == tuple(f"https://khanhhoa.gov.vn/tin-tuc/{c}.html" for c in
                                       ("tin-trong-tinh-12", "kinh-te-13", "van-hoa-xa-hoi-14", "thong-bao-21"))
    assert dict(profile.listing) == {"item": ("div.news-item",)}
    # What was seen before (the profile's own [seen]) is kept; what this discovery saw is added.
    assert "/tin-tuc/<slug>-<id>.html" in profile.seen["article_urls"]
    assert set(get_profile("khanh_hoa").seen.get("article_urls", ())) <= set(profile.seen["article_urls"])
    assert any(w.startswith("discovery crawl from https://khanhhoa.gov.vn/") for w in profile.seen["where"])
    assert profile.name == "Cổng thông tin điện tử tỉnh Khánh Hòa" and profile.merged_from == ("Ninh Thuận",)
    shown = scrapy("profile", "khanh_hoa", "--db", str(db)).stdout
    assert "4 news sections, 4 listings, 0 feeds" in shown
    missing = scrapy("profile", "ha_noi", "--db", str(db), check=False)
    assert missing.returncode == 2 and "Nothing learned of ha_noi yet" in missing.stderr and "Traceback" not in missing.stderr


def test_a_listing_whose_pages_repeat_stops_after_a_few_pages_with_nothing_new(tmp_path):
    items = "".join(f'<div class="news-item"><h3><a href="/tin-tuc/bai-viet-so-{n}-1{n:04d}.html">Bài viết số {n} của chuyên mục '
                    f'tin tức</a></h3><span>0{n}/03/2024</span></div>' for n in range(1, 6))
    pages = {"/": '<html><body><nav><a href="/tin-tuc/tin-moi-3.html">Tin mới</a></nav></body></html>'.encode()}
    for page in range(1, 41):  # forty pages, each listing the same five articles and a link to the next one
        pages[f"/tin-tuc/tin-moi-3.html?page={page}" if page > 1 else "/tin-tuc/tin-moi-3.html"] = (
            f'<html><body><div class="list">{items}</div><a href="/tin-tuc/tin-moi-3.html?page={page + 1}">Sau</a></body></html>'
        ).encode()
    with MirrorServer(write_site(tmp_path / "site", pages, {})) as server:
        proc = crawl_home("khanh_hoa", server, tmp_path / "a.db", "-s", "LISTING_STALE_PAGES=3")
        listing_requests = [p for p in server.counter["paths"] if p.startswith("/tin-tuc/tin-moi-3.html")]
    assert len(listing_requests) == 4  # the first page, then three that bring nothing new
    assert "'portal/listing_stale_stop': 1" in proc.stderr
