"""scrapyd as the README says: a real scrapyd on 127.0.0.1, the project deployed to it as an egg by
`scrapyd-deploy` from a copy of the checkout, its 68 spiders listed, and a job that crawls the sample
mirror into an archive. The deploy leaves nothing behind in the checkout."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from scraper.mirror import MirrorServer
from scraper.portals import load_profiles
from tests.conftest import MIRROR, ROOT, mirror_start_urls

BIN = Path(sys.executable).parent
if not (BIN / "scrapyd").exists() or not (BIN / "scrapyd-deploy").exists():
    pytest.skip("scrapyd is not installed (pip install -e '.[scrapyd]')", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _post(url: str, fields: list[tuple[str, str]]) -> dict:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(url, data=data, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path):
    port = _free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(f"""[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {home / 'eggs'}
logs_dir = {home / 'logs'}
items_dir =
dbs_dir = {home / 'dbs'}
max_proc = 2
""")
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            _get(f"{url}/daemonstatus.json")
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError(f"scrapyd did not start: {proc.stderr.read()[-2000:]}")
    yield url, home
    proc.terminate()
    proc.wait(10)


def test_scrapyd_deploy_lists_every_spider_and_runs_a_job(tmp_path, scrapyd):
    url, home = scrapyd
    checkout = tmp_path / "checkout"
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in tracked:
        if (ROOT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, checkout / name)
    with open(checkout / "scrapy.cfg", "a", encoding="utf-8") as cfg:
        cfg.write(f"\n[deploy:test]\nurl = {url}/\nproject = vn_portal_archive\n")
    before = sorted(p.relative_to(checkout).as_posix() for p in checkout.rglob("*"))
    deploy = subprocess.run([str(BIN / "scrapyd-deploy"), "test", "--version", "1"], cwd=checkout, capture_output=True, text=True,
                            timeout=300)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    answer = json.loads(deploy.stdout[deploy.stdout.index("{"):])
    assert answer["status"] == "ok" and answer["spiders"] == len(load_profiles()) == 68
    after = sorted(p.relative_to(checkout).as_posix() for p in checkout.rglob("*"))
    assert after == before  # no setup.py, build/ or egg-info left behind

    spiders = _get(f"{url}/listspiders.json?project=vn_portal_archive")["spiders"]
    assert len(spiders) == 68 and "phu_yen" in spiders and "quang_ngai" in spiders

    db = tmp_path / "archive.db"
    with MirrorServer(MIRROR / "quangngai.gov.vn") as server:
        job = _post(f"{url}/schedule.json", [
            ("project", "vn_portal_archive"), ("spider", "quang_ngai"),
            ("start_urls", mirror_start_urls("quang_ngai", server)),
            ("setting", f"ARCHIVE_DB={db}"), ("setting", "DOWNLOAD_DELAY=0"), ("setting", "AUTOTHROTTLE_ENABLED=False"),
        ])
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 240
        while True:
            jobs = _get(f"{url}/listjobs.json?project=vn_portal_archive")
            if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                break
            assert time.monotonic() < deadline, jobs
            time.sleep(0.5)
    log = next((home / "logs" / "vn_portal_archive" / "quang_ngai").glob("*.log")).read_text()
    assert "Traceback" not in log, log[-3000:]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles WHERE portal = 'quang_ngai'").fetchone() == (26,)
        assert conn.execute("SELECT verdict FROM crawl_runs").fetchall() == [("ok",)]
