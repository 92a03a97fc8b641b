"""Crawls killed outright (SIGKILL to the crawl and its page workers) at random points of the Phú Yên
sample mirror: ``python -m bench kills [--repeat 20]``. Each kill comes once the crawl has reported a
chosen number of articles committed (0: while it starts), with batches of 1–5, page workers or none,
and a site answering in 10–100 ms. After each: ``PRAGMA integrity_check``, nothing reported
committed lost, nothing stored that the portal does not have; then the next run must complete the
archive. ``tests/test_scheduled.py`` runs eight fixed kill points the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from scraper.core.urls import rebase
from scraper.mirror import MirrorServer
from scraper.portals import get_profile

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT / "data" / "mirror" / "phuyen.gov.vn"
_COMMITTED = re.compile(r"archive: committed .*\(in all: (\d+) new")


@dataclass
class Kill:
    kill_after: int      # articles reported committed before the kill (0: while the crawl starts)
    batch: int
    workers: int
    latency: float
    killed_by: str = ""  # "start", "commits", or "deadline" (the crawl never got that far)
    reported: int = 0    # articles the crawl had reported committed when it was killed
    stored: int = 0      # articles in the archive after the kill
    integrity: str = ""
    lost: int = 0        # reported committed, yet not in the archive
    foreign: int = 0     # in the archive, yet not an article of the portal
    completed: bool = False  # the next run made the archive whole

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and self.lost == 0 and self.foreign == 0 and self.completed and self.reported >= self.kill_after


def _crawl_args(server: MirrorServer, db: Path, *settings: str) -> list[str]:
    profile = get_profile("phu_yen")
    start = ",".join(rebase(u, profile.base_url, server.origin) for u in profile.start_urls)
    return [sys.executable, "-m", "scrapy", "crawl", "phu_yen", "-a", f"start_urls={start}", "-s", f"ARCHIVE_DB={db}",
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", *settings]


def _articles(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {u for (u,) in conn.execute("SELECT url FROM articles")}
    finally:
        conn.close()


def reference(workdir: Path) -> set[str]:
    """The articles an uninterrupted crawl of the mirror archives."""
    db = workdir / "reference.db"
    with MirrorServer(MIRROR) as server:
        subprocess.run(_crawl_args(server, db), cwd=ROOT, capture_output=True, check=True, timeout=300)
    return _articles(db)


def kill_once(kill: Kill, db: Path, expected: set[str], deadline: float = 120) -> Kill:
    """Crawl, SIGKILL at `kill`'s point, check the archive, crawl again to completion."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("VNARCHIVE_DB", None)
    with MirrorServer(MIRROR, latency=kill.latency) as server:
        proc = subprocess.Popen(_crawl_args(server, db, "-s", f"ARCHIVE_BATCH_SIZE={kill.batch}", "-s", f"PAGE_WORKERS={kill.workers}"),
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        until = time.monotonic() + deadline
        kill.killed_by = "deadline"
        for line in proc.stderr:
            m = _COMMITTED.search(line)
            if m:
                kill.reported = int(m.group(1))
            if kill.kill_after == 0 and "Spider opened" in line:
                kill.killed_by = "start"
            elif kill.kill_after and kill.reported >= kill.kill_after:
                kill.killed_by = "commits"
            elif time.monotonic() < until:
                continue
            break
        with contextlib.suppress(ProcessLookupError):  # (a crawl that ended first is not killed)
            os.killpg(proc.pid, signal.SIGKILL)  # the crawl and its page workers
        proc.wait(30)
        conn = sqlite3.connect(db)
        try:
            kill.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
        stored = _articles(db)
        kill.stored = len(stored)
        kill.lost = max(0, kill.reported - len(stored & expected))
        kill.foreign = len(stored - expected)
        subprocess.run(_crawl_args(server, db), cwd=ROOT, env=env, capture_output=True, check=True, timeout=300)
    kill.completed = _articles(db) == expected
    return kill


def kills(repeat: int, out: Path, seed: int | None = None) -> dict:
    rng = random.Random(seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        expected = reference(work)
        for n in range(repeat):
            kill = Kill(rng.randint(0, len(expected) - 2), rng.choice((1, 2, 5)), rng.choice((0, 2)), rng.choice((0.01, 0.05, 0.1)))
            kill_once(kill, work / f"kill-{n}.db", expected)
            rows.append(kill)
            print(f"kill {n + 1:>2}/{repeat}: after {kill.kill_after:>2} committed (batch {kill.batch}, {kill.workers} workers, "
                  f"{kill.latency * 1000:.0f} ms site): killed by {kill.killed_by}, {kill.reported} reported, {kill.stored} stored, "
                  f"integrity {kill.integrity}, lost {kill.lost}, completed {kill.completed}", flush=True)
    summary = {"kills": repeat, "ok": sum(k.ok for k in rows), "after_commits": sum(k.killed_by == "commits" for k in rows),
               "articles": len(expected), "rows": [asdict(k) for k in rows]}
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "kills.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(summary) + "\n")
    return summary
