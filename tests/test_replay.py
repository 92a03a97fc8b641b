"""The crawl's WARC files in pywb, the standard replay tool of web archiving: it indexes them with
its own indexer and serves every page, raw (``id_``) and rewritten for reading."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import time
import urllib.request

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import ROOT
from tests.test_preservation import index_lines

PYWB = ROOT / (os.environ.get("VNARCHIVE_PYWB") or ".venv-pywb/bin")  # a relative path is the checkout's
pytestmark = pytest.mark.skipif(not (PYWB / "wayback").exists(),
                                reason="pywb is not installed here (make test installs it in .venv-pywb)")
SEED_TITLE = "Ban Chỉ đạo 35 tỉnh tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="module")
def pywb(tmp_path_factory, sample_archive):
    root = tmp_path_factory.mktemp("pywb")
    subprocess.run([str(PYWB / "wb-manager"), "init", "portals"], cwd=root, check=True, capture_output=True)
    warcs = sorted(str(p) for p in (sample_archive.parent / "warc").glob("*.warc.gz"))
    subprocess.run([str(PYWB / "wb-manager"), "add", "portals", *warcs], cwd=root, check=True, capture_output=True)
    port = _port()
    server = subprocess.Popen([str(PYWB / "wayback"), "--bind", "127.0.0.1", "-p", str(port)], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    origin = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("pywb did not start: " + server.stderr.read().decode(errors="replace")[-2000:])
    yield origin
    server.terminate()
    server.wait(timeout=10)


def test_pywb_indexes_and_replays_every_archived_article(pywb, sample_archive):
    conn = sqlite3.connect(sample_archive)
    fetched = dict(conn.execute("SELECT fetched_url, title FROM articles").fetchall())
    conn.close()
    ours = {d["url"]: d for *_, d in index_lines(sample_archive.parent / "warc") if d["kind"] == "article"}
    assert set(fetched) <= set(ours)
    for url, title in fetched.items():
        status, body = _get(f"{pywb}/portals/cdx?url={urllib.parse.quote(url, safe='')}&output=json")
        assert status == 200, url
        (capture,) = [json.loads(line) for line in body.decode().splitlines()]
        assert capture["status"] == "200" and capture["mime"] == "text/html"
        # The original bytes, exactly as the crawl received and stored them.
        status, raw = _get(f"{pywb}/portals/{capture['timestamp']}id_/{url}")
        entry = ours[url]
        with open(sample_archive.parent / "warc" / entry["filename"], "rb") as fh:
            fh.seek(int(entry["offset"]))
            stored = next(iter(ArchiveIterator(fh))).content_stream().read()
        assert status == 200 and raw == stored, url
    seed_url = next(u for u, t in fetched.items() if t == SEED_TITLE)
    # The page as a reader sees it in the replay: pywb's frame, and in it the page with its links rewritten.
    status, frame = _get(f"{pywb}/portals/2026/{seed_url}")
    assert status == 200 and b"replay_iframe" in frame
    status, page = _get(f"{pywb}/portals/2026mp_/{seed_url}")
    assert status == 200 and SEED_TITLE in page.decode("utf-8") and f"{pywb}/portals/" in page.decode("utf-8")
