"""Raw pages in WARC files that the standard tools read, and re-extraction from them with no network."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.conftest import crawl, scrapy

# Columns that say when or in which order a row was written, not what the page said.
BOOKKEEPING = {"id", "fetched_at", "first_seen_at", "changed_at", "cluster_id"}


def articles(db: Path) -> dict[str, dict]:
    """The archive's articles by URL, with the cluster named by its head's URL instead of an id."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    heads = dict(conn.execute("SELECT id, url FROM articles").fetchall())
    out = {}
    for row in conn.execute("SELECT * FROM articles"):
        row = dict(row)
        out[row["url"]] = {k: v for k, v in row.items() if k not in BOOKKEEPING} | {"cluster": heads.get(row["cluster_id"])}
    conn.close()
    return out


def warcio(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "warcio.cli", *args], capture_output=True, text=True, timeout=120)


def index_lines(warc_dir: Path) -> list[tuple[str, str, dict]]:
    lines = []
    for index in sorted(warc_dir.glob("*.cdxj")):
        for line in index.read_text(encoding="utf-8").splitlines():
            key, stamp, data = line.split(" ", 2)
            lines.append((key, stamp, json.loads(data)))
    return lines


def test_every_response_is_a_warc_record_that_warcio_checks_and_indexes(sample_archive):
    warc_dir = sample_archive.parent / "warc"
    files = sorted(warc_dir.glob("*.warc.gz"))
    assert len(files) == 2  # one per crawl
    check = warcio("check", "-v", *map(str, files))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "digest fail" not in check.stdout.replace("digest pass", "")

    index = warcio("index", "-f", "warc-type,warc-target-uri,http:status,warc-concurrent-to,warc-record-id", *map(str, files))
    assert index.returncode == 0, index.stderr
    records = [json.loads(line) for line in index.stdout.splitlines()]
    responses = {r["warc-target-uri"]: r for r in records if r["warc-type"] == "response"}
    requests = [r for r in records if r["warc-type"] == "request"]
    assert len(requests) == len(responses) and {r["warc-concurrent-to"] for r in requests} == {
        r["warc-record-id"] for r in responses.values()}  # each response with the request that asked for it
    conn = sqlite3.connect(sample_archive)
    fetched = [u for (u,) in conn.execute("SELECT fetched_url FROM articles")]
    conn.close()
    assert len(fetched) == 50 and set(fetched) <= set(responses)
    listings = [u for u in responses if "danh-sach" in u or "/tin-tuc/" in u and "chi-tiet" not in u]
    assert listings, "listing pages are kept too"


def test_index_keys_are_the_surt_librarys_for_names_and_ip_addresses(sample_archive):
    import surt
    lines = index_lines(sample_archive.parent / "warc")
    assert lines and all(key == surt.surt(data["url"]) for key, _, data in lines)
    assert any(key.startswith("1,0,0,127:") for key, _, _ in lines)  # the local mirror's address, reversed


def test_the_index_points_at_each_response_and_says_what_it_stood_for(sample_archive):
    warc_dir = sample_archive.parent / "warc"
    lines = index_lines(warc_dir)
    kinds = {data["kind"] for _, _, data in lines}
    assert {"article", "listing", "robots"} <= kinds
    conn = sqlite3.connect(sample_archive)
    stored = dict(conn.execute("SELECT fetched_url, url FROM articles").fetchall())
    conn.close()
    for key, stamp, data in lines:
        with open(warc_dir / data["filename"], "rb") as fh:
            fh.seek(int(data["offset"]))
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == data["url"]
            assert record.rec_headers.get_header("WARC-Payload-Digest") == data["digest"]
            assert record.rec_headers.get_header("WARC-Date").replace("-", "").replace(":", "").replace("T", "")[:14] == stamp
            assert len(record.content_stream().read()) > 0
        if data["kind"] == "article" and data["url"] in stored:
            # A copy crawled on 127.0.0.1: the index keeps the portal's own URL of each page.
            assert "127.0.0.1" in data["url"] and data["original_url"].split("//")[1].split("/")[0].endswith(".gov.vn")
    assert sum(1 for *_, d in lines if d["kind"] == "article") == 50


def test_warc_files_rotate_and_can_be_switched_off(tmp_path, phuyen_mirror):
    crawl("phu_yen", phuyen_mirror, tmp_path / "a" / "a.db", "-s", "WARC_MAX_BYTES=20000")
    files = sorted((tmp_path / "a" / "warc").glob("*.warc.gz"))
    assert len(files) >= 3
    assert warcio("check", *map(str, files)).returncode == 0
    assert sum(1 for *_, d in index_lines(tmp_path / "a" / "warc") if d["kind"] == "article") == 24

    crawl("phu_yen", phuyen_mirror, tmp_path / "b" / "b.db", "-s", "WARC_ENABLED=False")
    assert not (tmp_path / "b" / "warc").exists()


def test_the_body_html_of_an_article_kept_in_warc_is_read_again_from_its_page(tmp_path, phuyen_mirror, sample_archive):
    """With its page in a WARC file an article is stored without its body HTML; `scrapy body` reads
    it from the page, the same as a crawl without WARC files stores."""
    crawl("phu_yen", phuyen_mirror, tmp_path / "b.db", "-s", "WARC_ENABLED=False")
    conn = sqlite3.connect(tmp_path / "b.db")
    stored = dict(conn.execute("SELECT url, body_html FROM articles WHERE warc_file IS NULL AND body_html IS NOT NULL"))
    conn.close()
    conn = sqlite3.connect(sample_archive)
    kept = conn.execute("SELECT url, id, warc_file, warc_offset FROM articles WHERE portal = 'phu_yen' AND body_html IS NULL "
                        "ORDER BY url").fetchall()
    (stray,) = conn.execute("SELECT count(*) FROM articles WHERE body_html IS NULL AND warc_file IS NULL").fetchone()
    conn.close()
    assert len(stored) == len(kept) == 24 and stray == 0
    assert all(f.endswith(".warc.gz") and o > 0 for _, _, f, o in kept)
    for url, id_, *_ in kept[:4]:
        out = scrapy("body", url, "--db", str(sample_archive)).stdout
        assert out.strip() == stored[url].strip() and out.startswith("<div>")
    assert scrapy("body", str(kept[0][1]), "--db", str(sample_archive)).stdout.strip() == stored[kept[0][0]].strip()
    missing = scrapy("body", "https://phuyen.gov.vn/none", "--db", str(sample_archive), check=False)
    assert missing.returncode == 2 and "No article" in missing.stderr and "Traceback" not in missing.stderr


def test_reextraction_equals_a_fresh_crawl_and_touches_no_network(tmp_path, sample_archive, phuyen_mirror, quangngai_mirror):
    before = phuyen_mirror.counter["requests"] + quangngai_mirror.counter["requests"]
    fresh = tmp_path / "fresh.db"
    proc = scrapy("reextract", "--warc-dir", str(sample_archive.parent / "warc"), "-s", f"ARCHIVE_DB={fresh}")
    assert phuyen_mirror.counter["requests"] + quangngai_mirror.counter["requests"] == before
    assert "Re-extracting 50 stored article pages" in proc.stderr and "reextract: 50 of 50 pages" in proc.stderr
    assert "phu_yen: 24 new, 0 updated, 0 unchanged" in proc.stdout and "quang_ngai: 26 new, 0 updated, 0 unchanged" in proc.stdout
    assert len(proc.stderr.splitlines()) <= 3, proc.stderr  # its own lines; Scrapy's log only from WARNING up
    assert articles(fresh) == articles(sample_archive)
    conn = sqlite3.connect(fresh)
    assert {k for (k,) in conn.execute("SELECT DISTINCT kind FROM crawl_runs")} == {"reextract"}
    conn.close()


def _copy(src: Path, dst: Path) -> Path:
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    source.backup(target)
    source.close()
    target.close()
    return dst


def test_reextraction_makes_changed_articles_new_versions_and_empties_rejects(tmp_path, sample_archive):
    """The archive as an older page class left it: one article read with a wrong body, one page
    rejected. The stored pages, read by the current page classes, put both right."""
    db = _copy(sample_archive, tmp_path / "a.db")
    conn = sqlite3.connect(db)
    (changed_url, right_body), (rejected_url, title) = conn.execute(
        "SELECT url, body_text FROM articles WHERE portal = 'phu_yen' ORDER BY url LIMIT 1").fetchone(), \
        conn.execute("SELECT url, title FROM articles WHERE portal = 'quang_ngai' ORDER BY url LIMIT 1").fetchone()
    conn.execute("UPDATE articles SET body_text = ?, content_hash = 'old' WHERE url = ?",
                 ["Trang chủ | Giới thiệu | Tin tức", changed_url])
    conn.execute("DELETE FROM articles WHERE url = ?", [rejected_url])
    conn.execute("INSERT INTO rejects (url, portal, reason, stage, title, rejected_at, times) VALUES (?, 'quang_ngai', "
                 "'no published time', 'validate', ?, '2025-06-30T09:00:00+07:00', 1)", [rejected_url, title])
    conn.commit()
    conn.close()

    proc = scrapy("reextract", "--warc-dir", str(sample_archive.parent / "warc"), "-s", f"ARCHIVE_DB={db}")
    assert "phu_yen: 0 new, 1 updated, 23 unchanged" in proc.stdout
    assert "quang_ngai: 1 new, 0 updated, 25 unchanged" in proc.stdout

    conn = sqlite3.connect(db)
    body, version = conn.execute("SELECT body_text, version FROM articles WHERE url = ?", [changed_url]).fetchone()
    assert body == right_body and version == 2
    assert conn.execute("SELECT body_text FROM article_versions WHERE url = ?", [changed_url]).fetchall() == [("Trang chủ | Giới "
                                                                                                               "thiệu | Tin tức",)]
    assert conn.execute("SELECT count(*) FROM rejects WHERE url = ?", [rejected_url]).fetchone()[0] == 0
    assert conn.execute("SELECT title FROM articles WHERE url = ?", [rejected_url]).fetchone() == (title,)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    unchanged = {u: r for u, r in articles(db).items() if u not in (changed_url, rejected_url)}
    assert unchanged == {u: r for u, r in articles(sample_archive).items() if u not in (changed_url, rejected_url)}


def test_reextract_says_when_there_is_nothing_to_read(tmp_path):
    proc = scrapy("reextract", "--warc-dir", str(tmp_path / "none"), check=False)
    assert proc.returncode != 0 and "no WARC directory at" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "empty").mkdir()
    proc = scrapy("reextract", "--warc-dir", str(tmp_path / "empty"), check=False)
    assert proc.returncode == 2 and "No stored article pages" in proc.stderr


def test_reextract_reports_a_damaged_record_or_index_line_and_goes_on(tmp_path, sample_archive):
    """A record with bytes overwritten, a file cut short and a half-written index line (a crawl
    killed while writing): each is named in the log and counted; every other page is re-extracted."""
    warc_dir = tmp_path / "warc"
    shutil.copytree(sample_archive.parent / "warc", warc_dir)
    lines = index_lines(warc_dir)
    articles_in = sorted((d for *_, d in lines if d["kind"] == "article" and d["portal"] == "phu_yen"), key=lambda d: int(d["offset"]))
    damaged, cut = articles_in[3], articles_in[-1]
    path = warc_dir / damaged["filename"]
    raw = bytearray(path.read_bytes())
    middle = int(damaged["offset"]) + int(damaged["length"]) // 2
    raw[middle:middle + 64] = b"\0" * 64
    path.write_bytes(bytes(raw[:int(cut["offset"]) + 10]))
    index = next(warc_dir.glob(f"{damaged['filename']}.cdxj"))
    index.write_text(index.read_text(encoding="utf-8") + 'gov,vn,phuyen)/x 2026 {"url": "http://x', encoding="utf-8")

    fresh = tmp_path / "fresh.db"
    proc = scrapy("reextract", "--warc-dir", str(warc_dir), "-s", f"ARCHIVE_DB={fresh}")
    assert "is not an index entry; skipped" in proc.stderr
    assert f"the record of {damaged['url']} at " in proc.stderr and f"the record of {cut['url']} at " in proc.stderr
    assert "phu_yen: 22 new, 0 updated, 0 unchanged, 0 rejected, 2 unreadable" in proc.stdout
    conn = sqlite3.connect(fresh)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 48
    assert conn.execute("SELECT count(*) FROM articles WHERE fetched_url IN (?, ?)", [damaged["url"], cut["url"]]).fetchone()[0] == 0
    conn.close()
