"""Health verdicts of crawl runs, and the trend a single run cannot show."""

from __future__ import annotations

import sqlite3

import pytest

from scraper.archive.health import OK, assess, verdict
from scraper.archive.store import open_database
from scraper.portals import load_profiles
from tests.conftest import scrapy


def run(**values):
    base = {"new": 5, "updated": 0, "unchanged": 10, "rejected": 0, "errors": 0, "requests": 20, "responses": 20,
            "finish_reason": "finished"}
    return {**base, **values}


@pytest.mark.parametrize("values,stats,expected", [
    ({}, {"portal/listing_pages": 2, "discovery/listing/articles": 5}, OK),
    ({}, {"robots/disallowed_everything": 1}, "broken: robots.txt disallows everything"),
    ({"responses": 0, "errors": 2, "new": 0, "unchanged": 0}, {"portal/network_errors/DNSLookupError": 3},
     "broken: host unreachable (retired?)"),
    ({"new": 0, "unchanged": 0}, {"portal/listing_pages": 3, "portal/listing_empty": 3},
     "broken: listings show no articles (selectors stopped matching?)"),
    ({}, {"discovery/listing/articles": 10, "extraction/problems/selector-miss/article.body": 4},
     "degraded: profile selectors stopped matching on 4 of 10 articles (read by the generic path)"),
    ({}, {"portal/listing_pages": 4, "extraction/problems/selector-miss/listing.item": 4, "discovery/listing/articles": 26},
     "degraded: listing selectors stopped matching on 4 of 4 listing pages (read by their structure)"),
    ({"errors": 5, "requests": 20}, {}, "broken: HTTP errors on 5 of 20 requests"),
    ({"new": 2, "rejected": 4}, {}, "broken: 4 of 6 articles rejected"),
    ({"new": 0, "unchanged": 0}, {"portal/listing_pages": 1}, "broken: no articles found"),
])
def test_verdicts(values, stats, expected):
    assert verdict(run(**values), stats) == expected


def test_a_rising_reject_ratio_is_broken_even_when_the_run_itself_looks_fine(tmp_path):
    db = open_database(tmp_path / "a.db")
    for new, rejected in ((20, 0), (18, 1), (20, 0), (10, 2)):
        db["crawl_runs"].insert({"portal": "quang_ngai", "started_at": "2026-01-01T00:00:00+07:00",
                                 "finished_at": "2026-01-01T01:00:00+07:00", "finish_reason": "finished",
                                 "new": new, "updated": 0, "rejected": rejected, "verdict": OK})
    db.close()
    findings = {f.portal: f for f in assess(sqlite3.connect(tmp_path / "a.db"), load_profiles())}
    assert findings["quang_ngai"].verdict == "broken: reject ratio rising (17% against 2% before)"
    assert findings["quang_ngai"].broken
    assert findings["dak_lak"].verdict == "not crawled yet" and not findings["dak_lak"].broken
    assert "phu_yen" not in findings  # retired: not crawled on schedule


def test_an_unreachable_host_is_reported_by_the_health_command(tmp_path):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    db = tmp_path / "a.db"
    scrapy("crawl", "quang_ngai", "-a", f"start_urls=http://127.0.0.1:{port}/web/portal-qni/tin-noi-bat",
               "-s", f"ARCHIVE_DB={db}", "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_DELAY=0")
    proc = scrapy("health", "--db", str(db), "--portal", "quang_ngai", check=False)
    assert proc.returncode == 1 and "broken: host unreachable (retired?)" in proc.stdout
