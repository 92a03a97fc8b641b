"""The README's first command on its offline default: serve the mirror, crawl it, report; twice."""

from __future__ import annotations

import sqlite3

from tests.conftest import scrapy


def test_demo_runs_twice_and_the_second_run_stores_nothing(tmp_path):
    db = tmp_path / "archive.db"
    first = scrapy("demo", "-s", f"ARCHIVE_DB={db}").stdout
    assert "phu_yen         24        0          0         0          24" in first
    assert "quang_ngai      26        0          0         0          26" in first
    assert "Stored 50 articles; the archive holds 50." in first
    assert "Ban Chỉ đạo 35 tỉnh tổng kết công tác năm 2023" in first
    second = scrapy("demo", "-s", f"ARCHIVE_DB={db}").stdout
    assert "Nothing new: all 50 articles were already in the archive; no article was written." in second
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 50
    assert conn.execute("SELECT sum(new) FROM crawl_runs").fetchone() == (50,)
    # The second run only looked at robots.txt (once a host) and the first page of each listing.
    requests, unchanged = conn.execute("SELECT sum(requests), sum(unchanged) FROM crawl_runs WHERE id > 2").fetchone()
    assert requests == 2 * (1 + 2) and unchanged == 28
