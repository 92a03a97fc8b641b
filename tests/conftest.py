"""Shared fixtures: local mirrors on 127.0.0.1, real `scrapy` runs in a subprocess, archive files in tmp_path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.core.urls import rebase
from scraper.mirror import MirrorServer
from scraper.portals import get_profile

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT / "data" / "mirror"
SHARED = ROOT.parent / "shared"


def scrapy(*args: str, cwd: Path = ROOT, timeout: int = 300, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real `scrapy` command line of this project."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("VNARCHIVE_DB", None)
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"scrapy {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr[-4000:]}")
    return proc


def mirror_start_urls(slug: str, server: MirrorServer) -> str:
    profile = get_profile(slug)
    return ",".join(rebase(u, profile.base_url, server.origin) for u in profile.start_urls)


def crawl(slug: str, server: MirrorServer, db: Path, *extra: str) -> subprocess.CompletedProcess:
    """`scrapy crawl <slug>` against a local mirror, writing to `db`, at full speed."""
    return scrapy(
        "crawl", slug, "-a", f"start_urls={mirror_start_urls(slug, server)}",
        "-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "LOG_LEVEL=INFO", *extra,
    )


@pytest.fixture(scope="session")
def phuyen_mirror():
    with MirrorServer(MIRROR / "phuyen.gov.vn") as server:
        yield server


@pytest.fixture(scope="session")
def quangngai_mirror():
    with MirrorServer(MIRROR / "quangngai.gov.vn") as server:
        yield server


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory, phuyen_mirror, quangngai_mirror) -> Path:
    """The sample mirror crawled once by the real spiders into an archive file (read-only for tests)."""
    db = tmp_path_factory.mktemp("archive") / "archive.db"
    crawl("phu_yen", phuyen_mirror, db)
    crawl("quang_ngai", quangngai_mirror, db)
    return db


def stats_of(proc: subprocess.CompletedProcess) -> str:
    return proc.stderr


def write_site(root: Path, pages: dict[str, bytes], routes: dict[str, dict]) -> Path:
    """A mirror directory made of the given pages (target -> bytes) and extra routes (target -> route)."""
    (root / "pages").mkdir(parents=True, exist_ok=True)
    table = dict(routes)
    for n, (target, body) in enumerate(pages.items()):
        name = f"pages/{n:03d}.html"
        (root / name).write_bytes(body)
        table[target] = {"file": name}
    (root / "routes.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return root
