"""Recovering the retired Phú Yên portal from a web archive on 127.0.0.1 that speaks the Wayback
Machine's CDX and replay formats (and pywb's), the seed article among the captures."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scraper.pages.cdx import WebArchive, capture_time, clean_original, parse_cdx
from tests.conftest import MIRROR, scrapy
from tests.test_preservation import articles, index_lines
from tests.wayback import Capture, WaybackServer

SEED_URL = ("https://phuyen.gov.vn/wps/portal/Home/chi-tiet-tin?urile=wcm:path:/phuyen/site/tin-tuc/tin-tuc-su-kien/"
            "ban-chi-dao-35-tinh-tong-ket-cong-tac-nam-2023-trien-khai-nhiem-vu-nam-2024")
EDITED = "doan-cong-tac-cua-tinh-tham-va-lam-viec-tai-huyen-song-cau"
UPDATE = "Cập nhật: đoàn công tác đã bổ sung lịch làm việc tại các xã ven biển của thị xã Sông Cầu."
FORMS = ["http://www.phuyen.gov.vn:80", "https://phuyen.gov.vn", "https://www.phuyen.gov.vn"]  # as archives recorded them


def captures() -> list[Capture]:
    """Every page of the Phú Yên mirror captured in March 2025, under the URL forms archives keep;
    one article captured again after an edit, the seed twice unchanged; and captures the recovery
    must leave alone: a 404, a redirect, an image, a department sub-site, another province."""
    root = MIRROR / "phuyen.gov.vn"
    routes = json.loads((root / "routes.json").read_text(encoding="utf-8"))
    found = []
    for n, (target, route) in enumerate(sorted(routes.items())):
        if route.get("status"):
            continue
        body = (root / route["file"]).read_bytes()
        found.append(Capture(FORMS[n % 3] + target, f"202503{n % 28 + 1:02d}0830{n % 60:02d}", body))
        if EDITED in target:
            edited = body.replace(b'<div class="noidung-tin">', ('<div class="noidung-tin"><p>' + UPDATE + "</p>").encode(), 1)
            assert edited != body
            found.append(Capture(FORMS[n % 3] + target, "20250601120000", edited))
        if "ban-chi-dao-35" in target:
            found.append(Capture(FORMS[n % 3] + target, "20250415000000", body))  # same digest: collapsed
    base = "https://www.phuyen.gov.vn/wps/portal/Home/chi-tiet-tin?1dmy&current=true&urile=wcm%3Apath%3A%2Fphuyen%2Fsite%2Ftin-tuc%2F"
    found += [
        Capture(base + "tin-tuc-su-kien%2Fda-go-bo", "20250301000000", b"<html><body>Not found</body></html>", status=404),
        Capture(base + "tin-tuc-su-kien%2Fchuyen-huong", "20250301000001", b"", status=302),
        Capture("https://www.phuyen.gov.vn/wps/wcm/connect/anh-hoi-nghi.jpg", "20250301000002", b"\xff\xd8\xff", mimetype="image/jpeg",
                charset=None),
        Capture("https://sotttt.phuyen.gov.vn/wps/portal/Home/chi-tiet-tin?1dmy&current=true&urile=wcm%3Apath%3A%2Fsotttt%2Ftin",
                "20250301000003", "<html><body>Sở</body></html>".encode()),
        Capture("https://www.quangngai.gov.vn/tin-tuc/bai-viet?1", "20250301000004", b"<html></html>"),
    ]
    return found


def _same_links(row: dict) -> dict:
    return {k: v.replace("http://www.phuyen.gov.vn", "https://phuyen.gov.vn").replace("https://www.phuyen.gov.vn", "https://phuyen.gov.vn")
            .replace("http://phuyen.gov.vn", "https://phuyen.gov.vn") if isinstance(v, str) else v for k, v in row.items()}


def _crawled_body(url: str) -> str:
    """The article's body as a crawl of the mirror reads it (the page class on the mirror's bytes)."""
    from itemadapter import ItemAdapter

    from scraper.core.normalize import normalize
    from scraper.crawl.runner import read_article
    from scraper.portals import get_profile

    root = MIRROR / "phuyen.gov.vn"
    routes = json.loads((root / "routes.json").read_text(encoding="utf-8"))
    target, route = next((t, r) for t, r in routes.items() if EDITED in t)
    data = read_article(get_profile("phu_yen"), "https://www.phuyen.gov.vn" + target, (root / route["file"]).read_bytes(),
                           {"content-type": "text/html; charset=utf-8"}, "2025-06-30T09:00:00+07:00")
    item = ItemAdapter(data)
    normalize(item)
    return item["body_text"]


def recover(server: WaybackServer, db: Path, *extra: str, archive: str | None = None):
    return scrapy("crawl", "phu_yen", "-a", f"recover={archive or server.origin}", "-s", f"ARCHIVE_DB={db}",
                  "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO", "-s", "RECOVERY_CDX_LIMIT=10", *extra)


@pytest.fixture(scope="module")
def recovered(tmp_path_factory):
    db = tmp_path_factory.mktemp("recovered") / "a.db"
    with WaybackServer(captures()) as server:
        proc = recover(server, db)
        log = server.log
    return db, proc, log, server.origin


def test_a_retired_portal_is_recovered_with_its_own_platform_pages(recovered, sample_archive):
    db, proc, log, origin = recovered
    got, crawled = articles(db), {u: r for u, r in articles(sample_archive).items() if r["portal"] == "phu_yen"}
    assert set(got) == set(crawled) and len(got) == 24
    # Exactly what a crawl of the live portal stored, apart from where and when the bytes came from
    # (and links resolved against the URL form the archive captured: http://, no www.).
    provenance = {"fetched_url", "captured_at", "capture_archive", "etag", "last_modified", "warc_file", "warc_offset"}
    for url, row in got.items():
        if EDITED in url:
            continue  # recovered at its later, edited capture
        assert _same_links({k: v for k, v in row.items() if k not in provenance}) == \
            _same_links({k: v for k, v in crawled[url].items() if k not in provenance}), url
    edited = next(r for u, r in got.items() if EDITED in u)
    assert edited["body_text"].startswith(UPDATE) and not crawled[next(u for u in got if EDITED in u)]["body_text"].startswith(UPDATE)
    assert edited["captured_at"] == capture_time("20250601120000") == "2025-06-01T19:00:00+07:00"
    seed = got[SEED_URL]
    assert seed["title"] == "Ban Chỉ đạo 35 tỉnh tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024"
    assert seed["published_at"] == "2024-01-19T10:22:00+07:00" and seed["author"] == "Đắc Lâm"
    # Its April capture had the same bytes as the March one: the index collapses it, the March one is kept.
    march = next(c.timestamp for c in captures() if "ban-chi-dao-35" in c.original and c.timestamp.startswith("202503"))
    assert seed["capture_archive"] == origin.split("//")[1] and seed["captured_at"] == capture_time(march)
    assert "id_/" in seed["fetched_url"] and seed["fetched_url"].startswith(origin + "/web/")
    assert all("WAYBACK TOOLBAR" not in r["body_text"] and r["body_html"] is None and r["warc_file"] for r in got.values())
    kept = scrapy("body", SEED_URL, "--db", str(db)).stdout  # the body HTML, made again from the kept capture
    assert kept.startswith("<div>") and "WAYBACK TOOLBAR" not in kept and "Ban Chỉ đạo 35" in kept


def test_recovery_reads_the_index_page_by_page_and_fetches_only_article_captures(recovered):
    db, proc, log, origin = recovered
    cdx = [p for p in log if p.startswith("/cdx/search/cdx")]
    assert len(cdx) >= 3 and all("matchType=domain" in p and "output=json" in p for p in cdx)
    assert sum("resumeKey=" in p for p in cdx) == len(cdx) - 1  # followed the resume key to the end
    replays = [p for p in log if p.startswith("/web/")]
    assert len(replays) == 24 and all(p.split("/")[2].endswith("id_") for p in replays)
    assert not any(s in p for p in log for s in ("da-go-bo", "chuyen-huong", ".jpg", "sotttt", "quangngai"))
    assert "'recover/articles': 24" in proc.stderr and "recover/cdx_errors" not in proc.stderr
    assert "'recover/other_hosts': 1" in proc.stderr and "'recover/not_articles': 5" in proc.stderr
    assert "phu_yen: 25 captures of 24 articles in 127.0.0.1" in proc.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT kind, new, verdict FROM crawl_runs").fetchall() == [("recover", 24, "ok")]
    conn.close()


def test_the_recovered_seed_is_found_by_search(recovered):
    db, *_ = recovered
    for query in ("ban chi dao 35", '"dac lam"', '"Ban Chỉ đạo 35"'):
        out = scrapy("search", query, "--db", str(db), "--limit", "30").stdout
        assert "Ban Chỉ đạo 35 tỉnh tổng kết công tác năm 2023" in out, query


def test_a_second_recovery_fetches_nothing_it_has(tmp_path, recovered):
    db, *_ = recovered
    copy = tmp_path / "a.db"
    source, target = sqlite3.connect(db), sqlite3.connect(copy)
    source.backup(target)
    source.close(), target.close()
    with WaybackServer(captures()) as server:
        proc = recover(server, copy)
        assert not [p for p in server.log if p.startswith("/web/")]
    assert "'incremental/known_skipped': 24" in proc.stderr and "phu_yen: 0 new, 0 updated" in proc.stderr


def test_every_capture_becomes_a_version_and_throttling_is_retried(tmp_path):
    db = tmp_path / "a.db"
    with WaybackServer(captures(), throttle=3) as server:
        proc = recover(server, db, "-a", "captures=all")
    assert "'retry/count': 3" in proc.stderr
    conn = sqlite3.connect(db)
    url, version, captured = conn.execute("SELECT url, version, captured_at FROM articles WHERE url LIKE ?", [f"%{EDITED}"]).fetchone()
    assert version == 2 and captured == "2025-06-01T19:00:00+07:00"
    (old,) = conn.execute("SELECT body_text FROM article_versions WHERE url = ?", [url]).fetchone()
    assert UPDATE not in old and old == _crawled_body(url)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 24
    conn.close()


def test_a_pywb_archive_answers_the_same_recovery(tmp_path, recovered):
    db = tmp_path / "a.db"
    with WaybackServer(captures(), mode="pywb", collection="vn") as server:
        spec = f"cdx={server.origin}/vn/cdx;replay={server.origin}/vn/{{timestamp}}id_/{{url}}"
        proc = recover(server, db, "-s", "RECOVERY_CDX_LIMIT=1000", archive=spec)
        assert any(p.startswith("/vn/cdx?") for p in server.log)
    assert set(articles(db)) == set(articles(recovered[0]))
    assert "'recover/cdx_truncated'" not in proc.stderr


def test_an_index_cut_at_its_limit_without_a_resume_key_is_reported(tmp_path):
    with WaybackServer(captures(), mode="pywb", collection="vn") as server:
        spec = f"cdx={server.origin}/vn/cdx;replay={server.origin}/vn/{{timestamp}}id_/{{url}}"
        proc = recover(server, tmp_path / "a.db", archive=spec)
    assert "'recover/cdx_truncated': 1" in proc.stderr and "raise RECOVERY_CDX_LIMIT" in proc.stderr


def test_recovery_keeps_the_raw_captures_for_reextraction(tmp_path, recovered):
    db, *_ = recovered
    warc = db.parent / "warc"
    lines = [d for *_, d in index_lines(warc) if d["kind"] == "article"]
    assert len(lines) == 24 and all(d["capture"]["archive"] and d["original_url"].startswith("http") for d in lines)
    fresh = tmp_path / "fresh.db"
    scrapy("reextract", "--warc-dir", str(warc), "-s", f"ARCHIVE_DB={fresh}")
    assert articles(fresh) == articles(db)


def test_an_unknown_archive_is_a_clear_error(tmp_path):
    proc = scrapy("crawl", "phu_yen", "-a", "recover=somewhere", "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}", check=False)
    assert proc.returncode != 0 and "unknown web archive 'somewhere'" in proc.stderr


def test_cdx_answers_in_every_form():
    rows, resume = parse_cdx(b'[["urlkey","timestamp","original"],["vn,gov,phuyen)/","20240101000000","http://phuyen.gov.vn:80/"],[],["vn%2Cgov+2024%21"]]')
    assert rows == [{"urlkey": "vn,gov,phuyen)/", "timestamp": "20240101000000", "original": "http://phuyen.gov.vn:80/"}]
    assert resume == "vn%2Cgov+2024%21"
    rows, resume = parse_cdx(b'{"urlkey": "a", "timestamp": "2024", "url": "http://x/", "mime": "text/html", "status": "200"}\n')
    assert rows[0]["original"] == "http://x/" and rows[0]["statuscode"] == "200" and resume is None
    rows, resume = parse_cdx(b"a 20240101000000 http://x/ text/html 200 D 10\n\nkey\n")
    assert rows[0]["digest"] == "D" and resume == "key"
    assert parse_cdx(b"[]") == ([], None) and parse_cdx(b"") == ([], None)
    assert clean_original("http://www.phuyen.gov.vn:80/a?b") == "http://www.phuyen.gov.vn/a?b"
    wayback = WebArchive.resolve("wayback", {"wayback": {"name": "web.archive.org", "cdx": "https://web.archive.org/cdx/search/cdx",
                                                         "replay": "https://web.archive.org/web/{timestamp}id_/{url}"}})
    assert wayback.capture_url("20240101000000", "https://phuyen.gov.vn/a") == "https://web.archive.org/web/20240101000000id_/https://phuyen.gov.vn/a"
    assert "resumeKey=k%2C1" in wayback.query("phuyen.gov.vn", resume_key="k%2C1")
    with pytest.raises(ValueError, match="replay template"):
        WebArchive.resolve("cdx=http://a/cdx;replay=http://a/web/", {})
