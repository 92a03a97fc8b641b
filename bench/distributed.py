"""A distributed crawl on this machine: local portals, a real redis-server, workers and one archive
writer as separate processes, against a single-process crawl of the same sites.

Generated Phú Yên-style portals (``build_bench_site``) are served on their own ports by one process
(the project's mirror server, an access log per portal). Each run is timed from the first worker's
start to the writer's end; requests are counted in the servers' logs.

    python -m bench distributed --sites 20 --articles 30 --workers 1,2,3

The pieces (also used by tests/test_distributed.py):

    python -m bench.distributed serve SITES_DIR N LOG_DIR         # prints the origins, one a line
    python -m bench.distributed worker REDIS_URL SPEC             # SPEC: JSON [origin, delay] pairs
    python -m bench.distributed writer REDIS_URL SPEC DB
    python -m bench.distributed single SPEC DB
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def profiles_for(spec: list[list]) -> list:
    """One portal profile per local site: Phú Yên's, with the site's origin and its delay."""
    from scraper.portals import get_profile
    template = get_profile("phu_yen")
    return [dataclasses.replace(template, slug=f"site_{n:02d}", status="live", successor=None, download_delay=delay,
                                start_urls=(f"{origin}/danh-sach/1.html",), home=None, sitemaps=(), feeds=(),
                                hosts=frozenset({origin.split("//", 1)[1]}))
            for n, (origin, delay) in enumerate(spec)]


def _settings(profiles: list, db: str, extra: dict):
    from scrapy.utils.project import get_project_settings

    from scraper.commands.crawlall import portal_settings
    settings = get_project_settings()
    slots = portal_settings(profiles)
    # Every local portal shares the host name 127.0.0.1: the robots.txt fetches Scrapy makes per host
    # would queue behind each other in that host's slot (on the real portals each host has its own).
    slots["DOWNLOAD_SLOTS"]["127.0.0.1"] = {"concurrency": 8, "delay": 0, "jitter": 0}
    values = {**slots, "ARCHIVE_DB": db, "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
              "PROGRESS_INTERVAL": 0, "PAGE_WORKERS": int(os.environ.get("BENCH_PAGE_WORKERS", "0")), **extra}
    for key, value in values.items():
        settings.set(key, value, priority="cmdline")
    return settings


def _timing() -> dict:
    return {"REDIS_LEASE_SECONDS": float(os.environ.get("BENCH_LEASE_SECONDS", "10")),
            "REDIS_IDLE_SECONDS": float(os.environ.get("BENCH_IDLE_SECONDS", "2"))}


def run_worker(redis_url: str, spec: list[list], db: str) -> None:
    from scrapy.crawler import CrawlerProcess

    from scraper.crawl.distributed import distributed_settings
    from scraper.spiders.all_portals import AllPortalsSpider
    profiles = profiles_for(spec)
    settings = _settings(profiles, db, _timing())
    distributed_settings(settings, redis_url)
    process = CrawlerProcess(settings)
    process.crawl(AllPortalsSpider, profiles=profiles)
    process.start()
    _exit(process)


def _exit(process) -> None:
    if process.bootstrap_failed:
        sys.exit(1)


def run_writer(redis_url: str, spec: list[list], db: str) -> None:
    from scrapy.crawler import CrawlerProcess

    from scraper.spiders.writer import ArchiveWriterSpider
    settings = _settings(profiles_for(spec), db, {"REDIS_URL": redis_url, **_timing()})
    process = CrawlerProcess(settings)
    process.crawl(ArchiveWriterSpider, profiles=profiles_for(spec))
    process.start()
    _exit(process)


def run_single(spec: list[list], db: str) -> None:
    from scrapy.crawler import CrawlerProcess

    from scraper.spiders.all_portals import AllPortalsSpider
    profiles = profiles_for(spec)
    process = CrawlerProcess(_settings(profiles, db, {}))
    process.crawl(AllPortalsSpider, profiles=profiles)
    process.start()
    _exit(process)


def serve(sites: Path, count: int, logs: Path) -> None:
    from scraper.mirror import MirrorServer
    logs.mkdir(parents=True, exist_ok=True)
    servers = [MirrorServer(sites / f"site_{n:02d}", 0, access_log=str(logs / f"site_{n:02d}.log")) for n in range(count)]
    for server in servers:
        server.start()
    print("\n".join(s.origin for s in servers), flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


# -- the pieces together, for the benchmark and the tests ------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """A redis-server of its own on 127.0.0.1, nothing saved to disk."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.proc = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(workdir)], stdout=subprocess.DEVNULL)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        for _ in range(200):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class Sites:
    """`count` generated portals of `articles` articles each, served with an access log each."""

    def __init__(self, workdir: Path, count: int, articles: int):
        from bench.sitegen import build_bench_site
        self.site, self.logs = workdir / "sites", workdir / "logs"
        for n in range(count):  # portals with articles of their own: none is a copy of another's
            build_bench_site(self.site / f"site_{n:02d}", articles, first=n * articles)
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.distributed", "serve", str(self.site), str(count), str(self.logs)],
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.origins = [self.proc.stdout.readline().strip() for _ in range(count)]

    def reset_logs(self) -> None:
        for log in self.logs.glob("*.log"):
            log.write_text("")

    def requests(self) -> dict[str, list[tuple[float, str]]]:
        """Portal -> (time, path) of every request its server answered."""
        out = {}
        for log in sorted(self.logs.glob("*.log")):
            out[log.stem] = [(float(t), p) for t, p in (line.split(" ", 1) for line in log.read_text().splitlines())]
        return out

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)


def spawn(*args: str, log: Path | None = None, log_level: str = "WARNING") -> subprocess.Popen:
    """A piece as a process of its own; its log to `log` when given (else kept for its failure)."""
    err = open(log, "w") if log else subprocess.PIPE
    return subprocess.Popen([sys.executable, "-m", "bench.distributed", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=err, text=True, env={**os.environ, "BENCH_LOG_LEVEL": log_level})


def stored(db: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return set(conn.execute("SELECT url, content_hash FROM articles"))


def distributed_run(redis: Redis, spec: list[list], db: Path, workers: int, log_level: str = "WARNING") -> dict:
    """The writer and `workers` workers, to the end; the seconds it took."""
    started = time.monotonic()
    logs = db.parent / f"{db.stem}-logs"
    logs.mkdir(exist_ok=True)
    writer = spawn("writer", redis.url, json.dumps(spec), str(db), log=logs / "writer.log", log_level=log_level)
    crew = [spawn("worker", redis.url, json.dumps(spec), str(db.with_suffix(f".worker{n}.db")), log=logs / f"worker{n}.log",
                  log_level=log_level) for n in range(workers)]
    for name, proc in [*((f"worker{n}", p) for n, p in enumerate(crew)), ("writer", writer)]:
        proc.wait(timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"the {name} failed:\n{(logs / f'{name}.log').read_text()[-3000:]}")
    return {"seconds": time.monotonic() - started}


def measure(sites: int, articles: int, worker_counts: list[int], delay: float, out_dir: Path) -> dict:
    work = Path(tempfile.mkdtemp(prefix="vnarchive-distributed-"))
    served, redis = Sites(work, sites, articles), Redis(work)
    spec = [[origin, delay] for origin in served.origins]
    rows = []
    try:
        served.reset_logs()
        t0 = time.monotonic()
        single = spawn("single", json.dumps(spec), str(work / "single.db"))
        _, err = single.communicate(timeout=900)
        if single.returncode != 0:
            raise RuntimeError(err[-3000:])
        seconds = time.monotonic() - t0
        base = stored(work / "single.db")
        requests = sum(len(r) for r in served.requests().values())
        rows.append({"mode": "single process", "workers": 0, "seconds": round(seconds, 2), "articles": len(base),
                     "items_per_s": round(len(base) / seconds, 1), "requests": requests,
                     "requests_per_article": round(requests / max(1, len(base)), 3)})
        for n in worker_counts:
            served.reset_logs()
            db = work / f"distributed-{n}.db"
            result = distributed_run(redis, spec, db, n)
            found = stored(db)
            requests = sum(len(r) for r in served.requests().values())
            rows.append({"mode": f"{n} worker{'s' if n > 1 else ''} + writer", "workers": n, "seconds": round(result["seconds"], 2),
                         "articles": len(found), "items_per_s": round(len(found) / result["seconds"], 1), "requests": requests,
                         "requests_per_article": round(requests / max(1, len(found)), 3), "same_as_single": found == base})
            print(f"  {rows[-1]}", flush=True)
    finally:
        redis.stop()
        served.stop()
        shutil.rmtree(work, ignore_errors=True)
    summary = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "sites": sites, "articles_per_site": articles, "delay": delay,
               "cores": os.cpu_count(), "rows": rows}
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "distributed.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(summary) + "\n")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description="distributed crawl pieces")
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("serve")
    s.add_argument("site")
    s.add_argument("count", type=int)
    s.add_argument("logs")
    for name in ("worker", "writer"):
        p = sub.add_parser(name)
        p.add_argument("redis")
        p.add_argument("spec")
        p.add_argument("db")
    p = sub.add_parser("single")
    p.add_argument("spec")
    p.add_argument("db")
    args = parser.parse_args()
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    if args.what == "serve":
        serve(Path(args.site), args.count, Path(args.logs))
    elif args.what == "worker":
        run_worker(args.redis, json.loads(args.spec), args.db)
    elif args.what == "writer":
        run_writer(args.redis, json.loads(args.spec), args.db)
    else:
        run_single(json.loads(args.spec), args.db)


if __name__ == "__main__":
    main()
