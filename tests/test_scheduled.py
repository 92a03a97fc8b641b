"""Scheduled crawls: many portals in one process, health verdicts, revisions, pause and resume,
two crawls on one archive, and crawls killed with SIGKILL."""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.mirror import MirrorServer
from scraper.portals import load_profiles
from tests.conftest import MIRROR, ROOT, crawl, scrapy


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def articles(db: Path) -> set[str]:
    return {u for (u,) in rows(db, "SELECT url FROM articles")}


@pytest.fixture(scope="module")
def reference(tmp_path_factory, phuyen_mirror):
    """The articles an uninterrupted crawl of the Phú Yên mirror archives."""
    db = tmp_path_factory.mktemp("ref") / "a.db"
    crawl("phu_yen", phuyen_mirror, db)
    return articles(db)


def crawlall_settings(*args: str):
    """The settings `scrapy crawlall` gives the crawl for these arguments (nothing is crawled)."""
    from scrapy.utils.project import get_project_settings

    from scraper.commands.crawlall import Command

    command = Command()
    command.settings = get_project_settings().copy()
    parser = argparse.ArgumentParser()
    command.add_options(parser)
    opts = parser.parse_args(list(args))
    command.process_options([], opts)
    return command.settings


def test_crawlall_gives_each_portal_its_own_slot_at_its_own_rate():
    settings = crawlall_settings("--portal", "phu_yen", "--portal", "quang_ngai", "--delay", "0.05")
    assert settings.getdict("DOWNLOAD_SLOTS") == {"phu_yen": {"concurrency": 1, "delay": 0.05, "jitter": 0},
                                                  "quang_ngai": {"concurrency": 1, "delay": 0.05, "jitter": 0}}
    assert settings.get("SCHEDULER_PRIORITY_QUEUE") == "scrapy.pqueues.DownloaderAwarePriorityQueue"
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False and settings.getint("CONCURRENT_REQUESTS") >= 4
    # Without --delay, each portal's own profile sets its rate.
    own = crawlall_settings("--portal", "phu_yen", "--portal", "quang_ngai").getdict("DOWNLOAD_SLOTS")
    assert own["phu_yen"]["delay"] == load_profiles()["phu_yen"].download_delay


def test_a_crawl_of_many_portals_puts_every_request_in_its_portals_slot():
    from scraper.spiders.all_portals import AllPortalsSpider

    profiles = [load_profiles()[slug] for slug in ("phu_yen", "quang_ngai")]
    spider = AllPortalsSpider(profiles=profiles)
    for slug, portal in spider.portals.items():
        request = spider.request(portal, portal.start_urls[0], spider.parse_listing, "listing")
        assert request.meta["download_slot"] == slug and request.meta["portal"] == slug
    # One portal crawled by crawlall is still in its own slot, at the rate crawlall gave it.
    alone = AllPortalsSpider(profiles=profiles[:1])
    portal = alone.portals["phu_yen"]
    assert alone.request(portal, portal.start_urls[0], alone.parse_listing, "listing").meta["download_slot"] == "phu_yen"


def test_crawlall_runs_every_portal_side_by_side_and_records_each(tmp_path):
    db, log = tmp_path / "a.db", tmp_path / "access.log"
    with MirrorServer(MIRROR / "phuyen.gov.vn", access_log=str(log)) as phuyen_mirror, \
            MirrorServer(MIRROR / "quangngai.gov.vn", access_log=str(log)) as quangngai_mirror:
        proc = scrapy("crawlall", "--portal", "phu_yen", "--portal", "quang_ngai",
                      "--mirror", f"phu_yen={phuyen_mirror.origin}", "--mirror", f"quang_ngai={quangngai_mirror.origin}",
                      "--delay", "0.05", "-s", f"ARCHIVE_DB={db}", "-s", "PROGRESS_INTERVAL=0.5")
    # One log for both servers, in the order requests arrived: the two portals were fetched side by
    # side, not one after the other.
    order = ["phu_yen" if "/wps/" in line else "quang_ngai" for line in log.read_text().splitlines() if "/robots.txt" not in line]
    last = {slug: max(i for i, s in enumerate(order) if s == slug) for slug in ("phu_yen", "quang_ngai")}
    first = {slug: order.index(slug) for slug in ("phu_yen", "quang_ngai")}
    assert first["quang_ngai"] < last["phu_yen"] and first["phu_yen"] < last["quang_ngai"]
    assert "Crawling 2 portals: phu_yen, quang_ngai" in proc.stderr
    assert re.search(r"done +phu_yen +\d+ pages", proc.stderr) or re.search(r"progress +phu_yen", proc.stderr)
    assert rows(db, "SELECT portal, count(*) FROM articles GROUP BY portal ORDER BY portal") == [("phu_yen", 24), ("quang_ngai", 26)]
    runs = rows(db, "SELECT portal, new, verdict, requests FROM crawl_runs ORDER BY portal")
    assert [r[:3] for r in runs] == [("phu_yen", 24, "ok"), ("quang_ngai", 26, "ok")]
    assert runs[0][3] == 1 + 4 + 24 and runs[1][3] == 1 + 4 + 26  # robots.txt, listing pages, articles: per portal


def test_health_names_a_changed_theme_read_by_structure_as_degraded_and_a_dead_one_as_broken(tmp_path, phuyen_mirror):
    db = tmp_path / "a.db"
    crawl("phu_yen", phuyen_mirror, db)
    assert scrapy("health", "--db", str(db), "--portal", "phu_yen", check=False).returncode == 0  # retired: not scheduled
    site = tmp_path / "site"
    shutil.copytree(MIRROR / "quangngai.gov.vn", site)
    for page in (site / "pages").glob("listing-*.html"):  # the theme changed: no box-news-xx any more
        page.write_text(page.read_text(encoding="utf-8").replace("box-news-xx", "news-box-2026"), encoding="utf-8")
    with MirrorServer(site) as server:
        crawl("quang_ngai", server, db)
    # Every article is still found, by the listings' structure: degraded, listed, no alarm.
    assert rows(db, "SELECT count(*) FROM articles WHERE portal = 'quang_ngai'") == [(26,)]
    proc = scrapy("health", "--db", str(db), check=False)
    assert proc.returncode == 0
    (line,) = [ln for ln in proc.stdout.splitlines() if ln.startswith("quang_ngai")]
    assert "degraded: listing selectors stopped matching on 4 of 4 listing pages (read by their structure)" in line
    assert "0 broken, 1 degraded of 1 crawled portals" in proc.stdout
    for page in (site / "pages").glob("listing-*.html"):  # now the listings show no article links at all
        page.write_text("<html><body><p>Đang bảo trì</p></body></html>", encoding="utf-8")
    with MirrorServer(site) as server:
        crawl("quang_ngai", server, db)
    proc = scrapy("health", "--db", str(db), check=False)
    assert proc.returncode == 1
    (line,) = [ln for ln in proc.stdout.splitlines() if ln.startswith("quang_ngai")]
    assert "broken: listings show no articles (selectors stopped matching?)" in line
    assert "1 broken of 1 crawled portals" in proc.stdout


def test_a_changed_article_keeps_its_versions_and_shows_the_difference(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(MIRROR / "phuyen.gov.vn", site)
    db = tmp_path / "a.db"
    with MirrorServer(site) as server:
        crawl("phu_yen", server, db)
        seed = site / "pages" / "article-seed.html"
        seed.write_text(seed.read_text(encoding="utf-8").replace("Chiều 18/01", "Chiều ngày 18/01"), encoding="utf-8")
        crawl("phu_yen", server, db, "-a", "recheck=1")
    (url, version), = rows(db, "SELECT url, version FROM articles WHERE title LIKE 'Ban Chỉ đạo 35%'")
    assert version == 2
    out = scrapy("history", url, "--db", str(db)).stdout
    assert "2 versions" in out and "version 2: seen from" in out and "(current)" in out
    assert "-Chiều 18/01, Ban Chỉ đạo 35" in out and "+Chiều ngày 18/01, Ban Chỉ đạo 35" in out
    assert rows(db, "SELECT count(*) FROM articles WHERE version > 1") == [(1,)]  # the others answered 304


def test_two_crawls_writing_one_archive_both_finish(tmp_path, phuyen_mirror, quangngai_mirror):
    db = tmp_path / "a.db"
    common = ["-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ARCHIVE_BATCH_SIZE=2"]
    from tests.conftest import mirror_start_urls
    procs = [subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", slug, "-a", f"start_urls={mirror_start_urls(slug, server)}",
                               *common],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for slug, server in (("phu_yen", phuyen_mirror), ("quang_ngai", quangngai_mirror))]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0 and "Spider closed (finished)" in err
        assert "database is locked" not in err and "Traceback" not in err
    assert rows(db, "SELECT portal, count(*) FROM articles GROUP BY portal ORDER BY portal") == [("phu_yen", 24), ("quang_ngai", 26)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_paused_crawl_resumes_where_it_stopped(tmp_path, phuyen_mirror, reference):
    db, job = tmp_path / "a.db", tmp_path / "job"
    first = crawl("phu_yen", phuyen_mirror, db, "-s", f"JOBDIR={job}", "-s", "CLOSESPIDER_ITEMCOUNT=5", "-s", "ARCHIVE_BATCH_SIZE=1")
    assert "closespider_itemcount" in first.stderr
    paused = articles(db)
    assert 5 <= len(paused) < len(reference)
    crawl("phu_yen", phuyen_mirror, db, "-s", f"JOBDIR={job}", "-s", "ARCHIVE_BATCH_SIZE=1")
    assert articles(db) == reference


def test_four_crawls_of_one_portal_into_one_archive_store_every_article_once(tmp_path):
    """Four crawls of the same portal at once: each finds every article new when it looks, only one
    stores each; the others' rows give way under the write lock and their runs say "unchanged"."""
    db = tmp_path / "a.db"
    from tests.conftest import mirror_start_urls
    with MirrorServer(MIRROR / "quangngai.gov.vn", latency=0.01) as server:
        procs = [subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "quang_ngai",
                                   "-a", f"start_urls={mirror_start_urls('quang_ngai', server)}",
                                   "-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
                                   "-s", "ARCHIVE_BATCH_SIZE=1", "-s", "PAGE_WORKERS=0", "-s", f"WARC_DIR={tmp_path / f'warc{n}'}"],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for n in range(4)]
        errors = [p.communicate(timeout=300)[1] for p in procs]
    for p, err in zip(procs, errors):
        assert p.returncode == 0 and "Spider closed (finished)" in err, err[-3000:]
        for bad in ("Traceback", "IntegrityError", "close failure", "database is locked", "ERROR"):
            assert bad not in err, (bad, err[-3000:])
    assert rows(db, "SELECT count(*), count(DISTINCT url), count(DISTINCT content_hash) FROM articles") == [(26, 26, 26)]
    assert rows(db, "SELECT count(*) FROM rejects") == [(0,)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    runs = rows(db, "SELECT new, updated, unchanged, errors, finish_reason, notes FROM crawl_runs ORDER BY id")
    assert len(runs) == 4
    assert sum(r[0] for r in runs) == 26  # each article new in exactly one run
    for new, updated, unchanged, errs, reason, notes in runs:
        assert (new + unchanged, updated, errs, reason) == (26, 0, 0, "finished"), runs
        assert "archive" not in (notes or "")


# (kill after this many articles reported committed — 0: while the crawl starts —, batch size, page workers, site latency)
KILLS = [(0, 2, 0, 0.03), (1, 1, 2, 0.1), (2, 2, 0, 0.03), (3, 1, 0, 0.1), (6, 2, 2, 0.03), (9, 1, 2, 0.1), (15, 2, 0, 0.03),
         (20, 1, 2, 0.1)]


@pytest.mark.parametrize("kill_after, batch, workers, latency", KILLS)
def test_a_crawl_killed_at_any_point_loses_nothing_it_reported_stored(tmp_path, reference, kill_after, batch, workers, latency):
    """SIGKILL once the crawl has reported `kill_after` articles committed, with small batches, page
    workers or none, and a slow site: the archive stays whole and the next run completes it
    (``python -m bench kills`` does the same at random points)."""
    from bench.kills import Kill, kill_once
    db = tmp_path / "a.db"
    kill = kill_once(Kill(kill_after, batch, workers, latency), db, reference)
    assert kill.killed_by == ("start" if kill_after == 0 else "commits")  # killed where it was meant to be, after its commits
    assert kill.integrity == "ok" and kill.reported >= kill_after
    assert kill.lost == 0 and kill.foreign == 0 and kill.completed
    assert rows(db, "SELECT count(*) FROM article_versions") == [(0,)]
