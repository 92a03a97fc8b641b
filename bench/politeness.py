"""Politeness across many portals: local portals with different policies crawled together through
``scrapy crawlall``'s machinery, each one's request rate measured against its policy.

    python -m bench politeness --sites 20 --seconds 30
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from bench.servers import free_port, wait
from bench.sitegen import build_bench_site
from scraper.portals import get_profile
from scraper.spiders.all_portals import AllPortalsSpider

POLICY_DELAYS = (0.1, 0.15, 0.2, 0.3, 0.5)  # seconds: 1 s policies, time scaled 5–10×


def run_politeness(origins: list[str], delays: list[float], db: str, seconds: float) -> dict:
    """Crawl every local site as its own portal through the crawlall machinery, for `seconds`."""
    template = get_profile("phu_yen")
    profiles = [
        dataclasses.replace(template, slug=f"site_{n:02d}", status="live", successor=None, download_delay=delay,
                            start_urls=(f"{o}/danh-sach/1.html",), home=None, hosts=frozenset({o.split("//", 1)[1]}))
        for n, (o, delay) in enumerate(zip(origins, delays))
    ]
    settings = get_project_settings()
    for key, value in {
        # Every local portal shares the host name 127.0.0.1, so the robots.txt fetches Scrapy makes
        # per host would queue behind each other in that host's slot; on the real portals each host
        # has a slot of its own. The portals' own requests use their portal slots.
        "DOWNLOAD_SLOTS": {"127.0.0.1": {"concurrency": 8, "delay": 0, "jitter": 0},
                           **{p.slug: {"concurrency": 1, "delay": p.download_delay, "jitter": 0} for p in profiles}},
        "CONCURRENT_REQUESTS": max(16, 2 * len(profiles)),
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY_JITTER": 0, "LOG_LEVEL": "WARNING",
        "CLOSESPIDER_TIMEOUT": seconds, "ARCHIVE_DB": db, "PROGRESS_INTERVAL": 0,
    }.items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(AllPortalsSpider, profiles=profiles)
    process.start()
    return {"portals": len(profiles)}


def politeness(sites: int, seconds: float, out_dir: Path) -> dict:
    work = Path(tempfile.mkdtemp(prefix="vnarchive-polite-"))
    servers = []
    try:
        site = work / "site"
        build_bench_site(site, 400)
        delays = [POLICY_DELAYS[n % len(POLICY_DELAYS)] for n in range(sites)]
        origins, logs = [], []
        for n in range(sites):
            port, log = free_port(), work / f"access-{n:02d}.log"
            servers.append(subprocess.Popen([sys.executable, "-m", "scraper.mirror", str(site), "--port", str(port),
                                             "--access-log", str(log)], stdout=subprocess.DEVNULL))
            origins.append(f"http://127.0.0.1:{port}")
            logs.append(log)
        for origin in origins:
            wait(int(origin.rsplit(":", 1)[1]))
        print(f"{sites} local portals, policies {sorted(set(delays))} s between requests, one connection each; "
              f"crawling them together for {seconds:.0f} s …", flush=True)
        proc = subprocess.run([sys.executable, "-m", "bench.politeness", json.dumps(origins),
                               json.dumps(delays), str(work / "archive.db"), str(seconds)],
                              capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-3000:])
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(10)
    rows = []
    all_stamps = [sorted(float(line.split(" ", 1)[0]) for line in log.read_text().splitlines() if not line.endswith("/robots.txt"))
                  for log in logs]
    first = min(st[0] for st in all_stamps if st)
    last = max(st[-1] for st in all_stamps if st)
    for n, (stamps, delay) in enumerate(zip(all_stamps, delays)):
        # Steady state: from 3 s after the crawl's first request to 1 s before its last, the same
        # window for every portal, so a portal that starts late or stalls shows as a low rate.
        lo, hi = first + 3, last - 1
        window = [t for t in stamps if lo <= t <= hi]
        rate = len(window) / (hi - lo) if hi > lo else 0.0
        rows.append({"portal": f"site_{n:02d}", "delay": delay, "policy_per_s": round(1 / delay, 2),
                     "measured_per_s": round(rate, 2), "ratio": round(rate * delay, 3), "requests": len(stamps),
                     "started_after_s": round(stamps[0] - first, 2) if stamps else None})
    shutil.rmtree(work, ignore_errors=True)
    ratios = [r["ratio"] for r in rows]
    summary = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "sites": sites, "seconds": seconds,
               "min_ratio": min(ratios), "max_ratio": max(ratios), "starved": sum(1 for r in rows if r["ratio"] < 0.5),
               "rows": rows}
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "politeness.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(summary) + "\n")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description="politeness benchmark worker: one crawl of the local portals")
    parser.add_argument("origins")
    parser.add_argument("delays")
    parser.add_argument("db")
    parser.add_argument("seconds", type=float)
    args = parser.parse_args()
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    print(json.dumps(run_politeness(json.loads(args.origins), json.loads(args.delays), args.db, args.seconds)))


if __name__ == "__main__":
    main()
