"""A distributed crawl with a real redis-server on 127.0.0.1: workers and one archive writer as
processes of their own, against a single-process crawl of the same 20 local portals.

redis-server comes from Debian's package (``.ci/run`` installs it); without it these tests are
skipped, except in CI, where they fail."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.distributed import REDIS_SERVER, Redis, Sites, distributed_run, spawn, stored
from scraper.mirror import MirrorServer
from tests.conftest import MIRROR, scrapy

SITES, ARTICLES, DELAY = 20, 30, 0.05

if not Path(REDIS_SERVER).exists():
    if os.environ.get("CI"):
        raise RuntimeError("redis-server is not installed: apt-get install redis-server")
    pytest.skip("redis-server is not installed (apt-get install redis-server)", allow_module_level=True)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("distributed")


@pytest.fixture(scope="module")
def redis(work):
    server = Redis(work)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sites(work):
    served = Sites(work, SITES, ARTICLES)
    yield served
    served.stop()


@pytest.fixture(scope="module")
def spec(sites) -> list[list]:
    return [[origin, DELAY] for origin in sites.origins]


@pytest.fixture(scope="module")
def single(work, sites, spec) -> dict:
    """The reference: the same portals crawled by one process, as without Redis."""
    sites.reset_logs()
    db = work / "single.db"
    proc = spawn("single", json.dumps(spec), str(db))
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    return {"stored": stored(db), "requests": sum(len(r) for r in sites.requests().values())}


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def _not_robots(requests: list[tuple[float, str]]) -> list[float]:
    return sorted(t for t, path in requests if not path.endswith("/robots.txt"))


def test_three_workers_and_a_writer_store_every_article_once_with_as_few_requests(work, redis, sites, spec, single):
    assert len(single["stored"]) == SITES * ARTICLES
    sites.reset_logs()
    db = work / "three.db"
    distributed_run(redis, spec, db, workers=3, log_level="INFO")
    assert stored(db) == single["stored"]  # every article, with the same content
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (SITES * ARTICLES,) * 2
        runs = conn.execute("SELECT portal, new, verdict FROM crawl_runs ORDER BY portal").fetchall()
    assert runs == [(f"site_{n:02d}", ARTICLES, "ok") for n in range(SITES)]  # one run per portal, for the whole crawl
    requests = sites.requests()
    total = sum(len(r) for r in requests.values())
    assert total <= 1.02 * single["requests"], (total, single["requests"])
    # Politeness across workers: one worker at a time per portal, at the portal's rate, hand-overs
    # included. Two workers fetching a portal at once would double its rate over the crawl; a busy
    # machine only slows it, so the bound holds however loaded the machine is.
    for portal, seen in requests.items():
        times = _not_robots(seen)
        assert (len(times) - 1) / (times[-1] - times[0]) <= 1.05 / DELAY, portal
    fetched = [int(m) for log in sorted((db.parent / "three-logs").glob("worker*.log"))
               for m in re.findall(r"leaves \(finished\) after (\d+) requests", log.read_text())]
    assert len(fetched) == 3 and all(n > 0 for n in fetched), fetched  # each of the three did part of the crawl


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet


def _wait_for(db: Path, articles: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while _count(db) < articles:
        assert time.monotonic() < deadline, f"the archive did not reach {articles} articles"
        time.sleep(0.2)


def _wait_for_requests_in_flight(url: str, pid: int, timeout: float = 120) -> None:
    """Until the worker with process id `pid` holds a portal with requests in flight."""
    import redis as redis_client
    server = redis_client.Redis.from_url(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for key in server.scan_iter("vnarchive:lease:*"):
            holder = server.get(key) or b""
            if f"-{pid}-".encode() in holder and server.hlen(key.replace(b":lease:", b":inflight:")):
                return
        time.sleep(0.05)
    raise AssertionError(f"worker {pid} never had requests in flight")


def test_a_killed_worker_and_a_killed_writer_lose_nothing(work, redis, sites, spec, single):
    db, logs = work / "killed.db", work / "killed-logs"
    logs.mkdir()
    args = (redis.url, json.dumps(spec))
    writer = spawn("writer", *args, str(db), log=logs / "writer-1.log", log_level="INFO")
    crew = [spawn("worker", *args, str(work / f"killed.worker{n}.db"), log=logs / f"worker{n}.log", log_level="INFO") for n in range(3)]
    _wait_for(db, 60)
    _wait_for_requests_in_flight(redis.url, crew[0].pid)
    crew[0].send_signal(signal.SIGKILL)  # mid-crawl: its leases expire, its requests in flight go back
    crew[0].wait()
    _wait_for(db, 300)
    writer.send_signal(signal.SIGKILL)  # items wait in Redis; those it had taken are stored by the next one
    writer.wait()
    writer = spawn("writer", *args, str(db), log=logs / "writer-2.log", log_level="INFO")
    for proc in [*crew[1:], writer]:
        assert proc.wait(timeout=600) == 0
    assert stored(db) == single["stored"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (SITES * ARTICLES,) * 2
    took_over = [log for log in logs.glob("worker*.log") if "were taken over" in log.read_text()
                 and " 0 in-flight requests of dead workers" not in log.read_text()]
    assert took_over, "no worker took over the killed worker's requests in flight"


def _distributed_crawlall(redis, db: Path, worker_db: Path, portals: tuple, mirrors: tuple) -> subprocess.CompletedProcess:
    fast = ("-s", "REDIS_LEASE_SECONDS=3", "-s", "REDIS_IDLE_SECONDS=1", "-s", "PROGRESS_INTERVAL=0")
    writer = subprocess.Popen([sys.executable, "-m", "scrapy", "archive-writer", "--redis", redis.url, *portals,
                               "-s", f"ARCHIVE_DB={db}", *fast], cwd=Path(__file__).resolve().parent.parent,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    worker = scrapy("crawlall", "--redis", redis.url, *portals, *mirrors, *fast, "-s", f"ARCHIVE_DB={worker_db}")
    _, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err[-3000:]
    return worker


def test_crawlall_and_the_archive_writer_as_commands(tmp_path, redis):
    """The commands a user runs, against the sample mirror: the same archive as a single crawlall,
    run records, pages kept for re-extraction, and a second run as incremental as a single one's."""
    portals = ("--portal", "phu_yen", "--portal", "quang_ngai")
    db, worker_db = tmp_path / "archive.db", tmp_path / "worker.db"  # side by side: one warc/ directory
    with MirrorServer(MIRROR / "phuyen.gov.vn") as phuyen, MirrorServer(MIRROR / "quangngai.gov.vn") as quangngai:
        mirrors = ("--mirror", f"phu_yen={phuyen.origin}", "--mirror", f"quang_ngai={quangngai.origin}", "--delay", "0.02")
        scrapy("crawlall", *portals, *mirrors, "-s", f"ARCHIVE_DB={tmp_path / 'single' / 'single.db'}", "-s", "PROGRESS_INTERVAL=0")
        worker = _distributed_crawlall(redis, db, worker_db, portals, mirrors)
        assert "distributed crawl: worker" in worker.stderr
        assert stored(db) == stored(tmp_path / "single" / "single.db")
        assert rows(db, "SELECT portal, new, verdict FROM crawl_runs ORDER BY portal") == [("phu_yen", 24, "ok"), ("quang_ngai", 26, "ok")]
        assert not worker_db.exists()  # a worker writes no archive of its own
        first_requests = phuyen.requests + quangngai.requests
        _distributed_crawlall(redis, db, worker_db, portals, mirrors)  # the next night's run
        second_requests = phuyen.requests + quangngai.requests - first_requests
    runs = rows(db, "SELECT portal, new, unchanged, verdict FROM crawl_runs WHERE id > 2 ORDER BY portal")
    assert runs == [("phu_yen", 0, 24, "ok"), ("quang_ngai", 0, 26, "ok")]  # known articles were not fetched again
    assert second_requests < first_requests / 3
    assert scrapy("health", "--db", str(db), "--portal", "quang_ngai").returncode == 0
    article = rows(db, "SELECT id, body_html IS NULL, warc_file IS NOT NULL FROM articles WHERE portal = 'quang_ngai' LIMIT 1")[0]
    assert article[1:] == (1, 1)  # its page is in a worker's WARC file, collected beside the archive
    assert "<p>" in scrapy("body", str(article[0]), "--db", str(db)).stdout


def test_a_wrong_redis_url_is_a_message_not_a_traceback(tmp_path):
    proc = scrapy("crawlall", "--redis", "redis://127.0.0.1:1/0", "--portal", "quang_ngai", "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}",
                  check=False)
    assert proc.returncode != 0 and "cannot reach Redis at redis://127.0.0.1:1/0" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = scrapy("crawl", "quang_ngai", "--redis", "redis://127.0.0.1:1/0", "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}", check=False)
    assert proc.returncode != 0 and "cannot reach Redis" in proc.stderr and "Traceback" not in proc.stderr
    proc = scrapy("archive-writer", "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}", check=False)
    assert proc.returncode == 2 and "--redis" in proc.stderr and "Traceback" not in proc.stderr


def test_scrapy_crawl_of_one_portal_as_a_worker(tmp_path, redis):
    from tests.conftest import mirror_start_urls
    db = tmp_path / "archive.db"
    fast = ("-s", "REDIS_LEASE_SECONDS=3", "-s", "REDIS_IDLE_SECONDS=1", "-s", "PROGRESS_INTERVAL=0")
    with MirrorServer(MIRROR / "quangngai.gov.vn") as server:
        writer = subprocess.Popen([sys.executable, "-m", "scrapy", "archive-writer", "--redis", redis.url, "--portal", "quang_ngai",
                                   "-s", f"ARCHIVE_DB={db}", *fast], cwd=Path(__file__).resolve().parent.parent,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        worker = scrapy("crawl", "quang_ngai", "--redis", redis.url, "-a", f"start_urls={mirror_start_urls('quang_ngai', server)}",
                        "-s", "DOWNLOAD_DELAY=0", "-s", f"ARCHIVE_DB={tmp_path / 'w.db'}", *fast)
        _, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err[-3000:]
    assert "StatsCollector" not in worker.stderr  # scrapy-redis's deprecation warning is not repeated per request
    assert rows(db, "SELECT portal, new, verdict FROM crawl_runs") == [("quang_ngai", 26, "ok")]
