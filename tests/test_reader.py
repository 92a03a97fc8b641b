"""The archive in Datasette as a reader sees it: `make serve` over a crawled archive, pages opened
in a real headless Chromium, assertions on the rendered page, a screenshot of each kept in
data/screenshots/ (or $VNARCHIVE_ARTIFACTS).

Chromium comes from Debian's package (`.ci/run` installs it); without it these tests are skipped,
except in CI, where they fail."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("VNARCHIVE_ARTIFACTS") or ROOT / "data" / "screenshots")
SEED_TITLE = "Ban Chỉ đạo 35 tỉnh tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024"

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("chromium is not installed: apt-get install chromium")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def served(sample_archive, tmp_path_factory):
    db = tmp_path_factory.mktemp("served") / "archive.db"
    shutil.copy(sample_archive, db)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["make", "--no-print-directory", "serve", f"ARCHIVE={db}", f"PORT={port}"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    for _ in range(300):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    os.killpg(proc.pid, 15)
    proc.wait(10)


def browse(url: str, shot: str) -> str:
    """The page as Chromium rendered it (its DOM), and its screenshot kept as `shot`.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    flags = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
             "--window-size=1280,1400"]
    subprocess.run([*flags, f"--screenshot={ARTIFACTS / (shot + '.png')}", url], capture_output=True, timeout=120, check=True)
    assert (ARTIFACTS / f"{shot}.png").stat().st_size > 10_000
    return subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True).stdout


def _no_error_box(dom: str) -> None:
    assert 'class="message-error"' not in dom and "syntax error" not in dom


def test_the_seed_is_found_by_ban_chi_dao_with_its_excerpt_accented_and_highlighted(served):
    dom = browse(f"{served}/archive/search?q=ban+chi+dao", "search-ban-chi-dao")
    _no_error_box(dom)
    rows = re.findall(r"<tr>(.*?)</tr>", dom, re.S)
    first = next(r for r in rows if "<td" in r)
    assert SEED_TITLE in first  # best match first
    marked = re.findall(r"<mark>(.*?)</mark>", first)
    assert any(m.lower() == "ban chỉ đạo" for m in marked), marked  # in the text as published, highlighted
    assert re.search(r'<a href="/archive/portals/phu_yen">phu_yen</a>', first)  # the portal links to its row


def test_the_search_opened_empty_shows_its_form_and_no_error(served):
    dom = browse(f"{served}/archive/search", "search-empty")
    _no_error_box(dom)
    assert re.search(r'<input[^>]+name="q"', dom)


def test_the_home_page_lists_what_a_reader_wants_and_hides_the_internals(served):
    dom = browse(f"{served}/archive", "database")
    _no_error_box(dom)
    for shown in ("Search the articles", "Articles", "Crawl runs", "Portals", "Articles per portal per month"):
        assert shown in dom
    for hidden in ("minhash_buckets", "article_signatures", "article_folds", "articles_indexed_by_writer", "articles_fts"):
        assert f"/archive/{hidden}" not in dom


def test_the_articles_view_is_readable_with_facets_by_portal_province_year_and_month(served):
    dom = browse(f"{served}/archive/article_list", "articles")
    _no_error_box(dom)
    header = re.search(r"<thead>(.*?)</thead>", dom, re.S).group(1)
    for column in ("title", "published_at", "portal", "province", "author", "url"):
        assert f'data-column="{column}"' in header
    for column in ("body_html", "body_text", "extraction", "title_fold"):
        assert f'data-column="{column}"' not in header
    for facet in ("portal", "province", "year", "month"):
        assert re.search(rf'data-column="{facet}"[^>]*class="facet-info', dom) or f'facet-info-{facet}' in dom \
            or re.search(rf'<p class="facet-info-name">\s*<strong>{facet}', dom), facet
    dates = re.findall(r'class="col-published_at[^"]*">([^<]+)<', dom)
    assert dates and dates == sorted(dates, reverse=True)  # newest first


def test_crawl_runs_are_listed_newest_first(served):
    dom = browse(f"{served}/archive/crawl_runs", "crawl-runs")
    _no_error_box(dom)
    ids = [int(i) for i in re.findall(r'class="col-id type-pk"><a[^>]*>(\d+)</a>', dom)]
    assert len(ids) >= 2 and ids == sorted(ids, reverse=True)
