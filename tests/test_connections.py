"""A crawl keeps its connections to a portal alive: at full speed against nginx, as many connections
as requests it has in flight, not one more every few pages (scraper.crawl.connections). Needs nginx,
whose log says which connection served each request: skipped without it, except in CI, where it fails."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from bench.servers import nginx_path, serve
from bench.sitegen import build_bench_site
from tests.conftest import scrapy

if nginx_path() is None:
    if os.environ.get("CI"):
        raise RuntimeError("nginx is not installed: apt-get install nginx")
    pytest.skip("nginx is not installed (apt-get install nginx)", allow_module_level=True)


def test_a_crawl_at_full_speed_opens_no_more_connections_than_it_has_requests_in_flight(per_host: int = 8):
    # Not under pytest's temporary directory: nginx's workers (nobody) could not read through it.
    with tempfile.TemporaryDirectory(prefix="vnarchive-connections-") as work:
        _crawl_and_count(Path(work), per_host)


def _crawl_and_count(tmp_path: Path, per_host: int) -> None:
    build_bench_site(tmp_path / "site", 200)
    log = tmp_path / "connections.log"
    server, origin, _ = serve(tmp_path / "site", tmp_path, connections_log=log)
    try:
        scrapy("crawl", "phu_yen", "-a", f"start_urls={origin}/danh-sach/1.html", "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}",
               "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=16",
               "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={per_host}", "-s", "WARC_ENABLED=False", "-s", "LOG_LEVEL=WARNING")
    finally:
        server.terminate()
        server.wait(10)
    served = [line.split() for line in log.read_text().splitlines()]
    connections = {number for number, _, _ in served}
    assert len(served) >= 211  # robots.txt, 10 listing pages, 200 articles
    # In flight and on the way back to the pool: at most twice the requests a host may have at once.
    assert len(connections) <= 2 * per_host, f"{len(connections)} connections for {len(served)} requests"
