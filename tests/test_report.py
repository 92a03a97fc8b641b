"""`scrapy report` on a crawled archive: the page and its three charts, their numbers those of the archive."""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ET

from tests.conftest import scrapy

SVG = "{http://www.w3.org/2000/svg}"


def _titles(path) -> list[str]:
    return [t.text for t in ET.parse(path).getroot().iter(f"{SVG}title")]


def test_report_draws_articles_per_month_crawl_health_and_coverage(sample_archive, tmp_path):
    out = tmp_path / "report"
    proc = scrapy("report", "--db", str(sample_archive), "--out", str(out), "--datasette", "http://127.0.0.1:8001")
    assert "50 articles of 2 portals" in proc.stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    for chart in ("articles-per-month.svg", "crawl-health.svg", "coverage.svg"):
        assert f'src="{chart}"' in page
    assert 'href="http://127.0.0.1:8001/archive/portal_months"' in page  # the same numbers in Datasette
    with sqlite3.connect(sample_archive) as conn:
        months = dict(conn.execute("SELECT portal || ' ' || substr(published_at, 1, 7), count(*) FROM articles GROUP BY 1"))
        runs = conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
    cells = {t.rsplit(":", 1)[0]: int(t.rsplit(": ", 1)[1]) for t in _titles(out / "articles-per-month.svg")}
    assert {k: v for k, v in cells.items() if v} == months  # every month with articles, and the gaps at 0
    assert 0 in cells.values()
    assert len(_titles(out / "crawl-health.svg")) == runs
    coverage = _titles(out / "coverage.svg")
    assert len(coverage) == 63  # the provinces as they were, each in the province it merged into
    assert "Phú Yên: 24 articles" in coverage and "Quảng Ngãi: 26 articles" in coverage
    assert re.search(r"Coverage: 2 of 63 provinces before 2025 have articles, in 34 provinces since",
                     (out / "coverage.svg").read_text(encoding="utf-8"))


def test_report_without_an_archive_is_a_message(tmp_path):
    proc = scrapy("report", "--db", str(tmp_path / "none.db"), check=False)
    assert proc.returncode == 2 and "No archive at" in proc.stderr and "Traceback" not in proc.stderr
