"""A crawl against a hostile server (``bench.faults``): it ends by itself, every fault is counted and
visible in the rejects or ``scrapy health``, nothing wrong is stored, the archive and the WARC
files stay whole, and the crawl's processes stay under 1 GiB whatever the server sends."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.faults import FAULTS, START, FaultServer, fault_url
from bench.memory import PeakMemory
from scraper.core.article import BODY_MAX_CHARS
from tests.conftest import ROOT, scrapy

CRAWL_BOUND = 300  # seconds: a crawl that has not ended by itself by then has hung
MEMORY_BOUND = 1 << 30


@dataclass
class Run:
    server: FaultServer
    db: Path
    warc: Path
    returncode: int
    stderr: str
    peak_rss: int
    stats: dict

    def rows(self, sql: str, *args) -> list[tuple]:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def fetched(self, path: str) -> int:
        return sum(1 for p in self.server.paths if p.split("?")[0] == path.split("?")[0])


def hostile_crawl(tmp: Path, robots: str = "ok", start: tuple[str, ...] = START, *settings: str) -> Run:
    """The real `scrapy crawl quang_ngai` against the hostile server, its memory sampled throughout."""
    db, warc = tmp / "archive.db", tmp / "warc"
    with FaultServer(robots=robots) as server:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env.pop("VNARCHIVE_DB", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "quang_ngai", "-a", "start_urls=" + ",".join(server.origin + u for u in start),
             "-s", f"ARCHIVE_DB={db}", "-s", f"WARC_DIR={warc}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", "DOWNLOAD_TIMEOUT=3", "-s", "LOG_LEVEL=INFO", *settings],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        with PeakMemory(proc.pid) as memory:
            try:
                _, stderr = proc.communicate(timeout=CRAWL_BOUND)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, stderr = proc.communicate()
                pytest.fail(f"the crawl did not end by itself within {CRAWL_BOUND} s:\n{stderr[-3000:]}")
    conn = sqlite3.connect(db)
    try:
        stats = json.loads(conn.execute("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()[0])
    finally:
        conn.close()
    return Run(server, db, warc, proc.returncode, stderr, memory.peak, stats)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    return hostile_crawl(tmp_path_factory.mktemp("faults"))


# What each fault must leave: the reject's reason (or None: stored) and the count that says so.
EXPECTED = {
    "http-500": (r"^HTTP 500$", "portal/errors/article"),
    "http-503": (r"^HTTP 503$", "portal/errors/article"),
    "retry-after-long": (r"^HTTP 503: the server asked to retry after 3600 s \(Retry-After\).*deferred to the next run",
                         "retry_after/deferred"),
    "retry-after-short": (None, "retry_after/waited"),
    "reset": (r"^fetch failed: .*Connection", "portal/network_errors/DownloadFailedError"),
    "stall": (r"^fetch failed: DownloadTimeoutError", "portal/network_errors/DownloadTimeoutError"),
    "truncated": (r"^fetch failed: ResponseDataLossError", "portal/network_errors/ResponseDataLossError"),
    "redirect-loop": (r"^fetch failed: max redirections reached", "portal/dropped"),
    "redirect-offsite": (r"^fetch failed: redirected off the portal's hosts", "portal/redirects_offsite"),
    "bomb": (r"^fetch failed: .*exceeded DOWNLOAD_MAXSIZE .* during decompression", "portal/dropped"),
    "huge": (r"^page too large: the page is 4\d\.\d MB; pages over PAGE_MAX_BYTES", "portal/pages_too_large"),
    "big": (r"^page too large: the page is 1\d\.\d MB; pages over PAGE_MAX_BYTES", "portal/pages_too_large"),
    "deep": (None, None),
    "soft-404": (r"^not an article page: a soft 404", "archive/rejected/not-article"),
    "binary": (r"^undecodable", "archive/rejected/decoding"),
    "pdf-as-html": (r"^undecodable", "archive/rejected/decoding"),
    "no-title": (r"^not an article page: no title", "archive/rejected/not-article"),
    "absurd-date": (None, "extraction/problems/date"),
    "duplicate": (None, "archive/aliases"),
    "wrong-charset": (None, None),
}


def test_every_fault_kind_has_its_expectation():
    assert set(EXPECTED) == set(FAULTS)


def test_the_crawl_ends_by_itself_cleanly_and_within_the_memory_budget(run):
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Spider closed (finished)" in run.stderr
    assert "Traceback" not in run.stderr and "Unhandled error" not in run.stderr
    assert 0 < run.peak_rss < MEMORY_BOUND, f"{run.peak_rss / 2**20:.0f} MiB"
    assert run.rows("PRAGMA integrity_check") == [("ok",)]
    run.rows("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")  # raises if the index is damaged


@pytest.mark.parametrize("name", list(FAULTS))
def test_each_fault_ends_as_it_should_and_is_counted(run, name):
    url = run.server.origin + fault_url(name)
    reason_pattern, stat = EXPECTED[name]
    stored = run.rows("SELECT title, body_text, published_at FROM articles WHERE fetched_url = ?", url)
    rejected = run.rows("SELECT reason, portal FROM rejects WHERE fetched_url = ?", url)
    outcome = FAULTS[name].outcome
    if outcome == "rejected":
        assert stored == [] and len(rejected) == 1, (stored, rejected)
        reason, portal = rejected[0]
        assert re.search(reason_pattern, reason), reason
        assert portal == "quang_ngai"
    elif outcome == "alias":
        title = run.rows("SELECT title FROM articles WHERE fetched_url = ? OR id IN "
                         "(SELECT article_id FROM article_aliases WHERE url LIKE ?)", url, "%su-co-duplicate%")
        assert len(title) == 1  # the copy and the article it copies: one article, the other URL an alias
        assert run.rows("SELECT count(*) FROM articles WHERE title = ?", title[0][0]) == [(1,)]
        assert run.rows("SELECT count(*) FROM article_aliases") == [(1,)]
    else:
        assert rejected == [] and len(stored) == 1, (stored, rejected)
        title, body, published = stored[0]
        assert title == FAULTS[name].title and f"sự cố «{name}»" in body
        assert published.startswith("2025-06-20")  # not 2099: an absurd page date gives way to the listing's
    if stat:
        assert run.stats.get(stat, 0) >= 1, stat


def test_nothing_wrong_is_stored(run):
    assert run.rows("SELECT count(*) FROM articles WHERE length(body_text) > ? OR length(body_html) > ?",
                    BODY_MAX_CHARS, BODY_MAX_CHARS * 4) == [(0,)]
    assert run.rows("SELECT count(*) FROM articles WHERE title LIKE '%404%' OR title = '' OR title IS NULL") == [(0,)]
    rejected = {run.server.origin + fault_url(n) for n, f in FAULTS.items() if f.outcome == "rejected"}
    assert not rejected & {u for (u,) in run.rows("SELECT fetched_url FROM articles")}
    # Every article link that did not become an article left a reject: none is lost silently.
    assert run.rows("SELECT count(*) FROM rejects") == [(len(rejected),)]


def test_retry_after_is_honoured_up_to_its_bound_and_a_longer_one_is_not_retried_now(run):
    assert run.fetched(fault_url("retry-after-long")) == 1
    assert run.fetched(fault_url("retry-after-short")) == 2


def test_pages_over_the_budget_are_kept_in_the_warc_files_and_warcio_checks_them(run):
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *map(str, sorted(run.warc.glob("*.warc.gz")))],
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    index = "\n".join(p.read_text(encoding="utf-8") for p in run.warc.glob("*.cdxj"))
    for name in ("huge", "big", "soft-404", "binary"):
        assert f"su-co-{name}" in index, name


def test_listings_that_page_without_end_stop_after_pages_with_nothing_new(run):
    # tin-lap repeats its five entries on every page; tin-rong is empty with a next link on every page.
    assert run.fetched("/web/portal-qni/tin-lap") == 4  # the first page, then three that bring nothing new
    assert run.fetched("/web/portal-qni/tin-rong") == 3
    assert run.stats["portal/listing_stale_stop"] == 2
    assert run.rows("SELECT count(*) FROM articles WHERE title LIKE 'Bài viết lặp lại%'") == [(5,)]


def test_a_listing_walk_stops_at_the_hard_cap_and_counts_it(tmp_path):
    capped = hostile_crawl(tmp_path, "ok", (START[1],), "-s", "LISTING_STALE_PAGES=1000", "-s", "LISTING_MAX_PAGES=7")
    assert capped.returncode == 0
    assert capped.fetched("/web/portal-qni/tin-lap") == 7
    assert capped.stats["portal/listing_page_limit"] == 1


@pytest.mark.parametrize("robots", ["500", "stall"])
def test_a_robots_txt_that_fails_means_nothing_is_fetched_and_health_says_so(tmp_path, robots):
    failed = hostile_crawl(tmp_path, robots, (START[0],))
    assert failed.returncode == 0 and "Traceback" not in failed.stderr
    assert set(failed.server.paths) == {"/robots.txt"}
    # Fetched once for the host's rules and retried RETRY_TIMES (2): the spider's request for its
    # Sitemap: lines is answered from that fetch, not sent again.
    assert failed.fetched("/robots.txt") == 1 + 2
    assert failed.rows("SELECT count(*) FROM articles") == [(0,)]
    assert failed.stats["robotstxt/unavailable"] == 1
    health = scrapy("health", "-s", f"ARCHIVE_DB={failed.db}", check=False)
    assert health.returncode == 1
    assert re.search(r"quang_ngai .* broken: robots.txt unavailable", health.stdout), health.stdout


def test_a_robots_txt_that_is_missing_allows_everything(tmp_path):
    allowed = hostile_crawl(tmp_path, "404", (START[0],))
    assert allowed.returncode == 0
    assert allowed.rows("SELECT count(*) FROM articles WHERE fetched_url LIKE '%su-co-deep%'") == [(1,)]
    assert "robotstxt/unavailable" not in allowed.stats


def test_the_fault_server_can_be_run_by_hand():
    proc = subprocess.Popen([sys.executable, "-m", "bench.faults", "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert re.match(r"Serving the hostile portal at http://127\.0\.0\.1:\d+/web/portal-qni/tin-noi-bat", line), line
    finally:
        proc.terminate()
        proc.wait(10)


def test_retry_after_reads_seconds_and_http_dates():
    import datetime as dt

    from scraper.crawl.retry import retry_after
    now = dt.datetime(2025, 6, 20, 8, 0, tzinfo=dt.timezone.utc)
    assert retry_after("3600", now) == 3600
    assert retry_after("Fri, 20 Jun 2025 08:02:00 GMT", now) == 120
    assert retry_after("Thu, 19 Jun 2025 08:00:00 GMT", now) == 0  # a date past: no wait
    assert retry_after("soon", now) is None and retry_after(None, now) is None


@pytest.mark.parametrize("title, error", [
    ("404 - Trang không tồn tại", True), ("Lỗi 404", True), ("Error 404 - Not Found", True), ("Page not found", True),
    ("Tăng cường an toàn thực phẩm dịp Tết (đợt 44) (404)", False), ("Không tìm thấy dấu hiệu vi phạm tại dự án", False),
    ("Khắc phục lỗi hệ thống error của phần mềm một cửa", False), ("Công văn số 404/UBND-KT về giải ngân", False),
])
def test_a_soft_404_is_told_by_an_error_pages_words_not_by_a_number_in_a_news_title(title, error):
    from scraper.pages.structure import soft_404
    assert bool(soft_404(title, [], "Nội dung bài viết dài. " * 40)) is error
