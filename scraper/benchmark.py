"""Crawl throughput: the project's spider and pipelines against a bare parsel spider, same local site.

A generated Phú Yên-style site of N article pages (and its paged listing) is served on 127.0.0.1,
by nginx when it is installed (one worker, sendfile, keep-alive, so the server is never the limit),
else by the project's mirror server in its own process. Each run is a fresh Python process; runs
alternate bare, archive, bare, archive… and the ratio of medians is the result. Items per second
are counted between ``spider_opened`` and ``spider_closed``; CPU from ``getrusage`` at the same two
signals. Results are appended to ``data/bench/crawl.jsonl`` and drawn in ``data/bench/crawl.svg``.

    scrapy benchmark --articles 5000 --repeat 3
    scrapy benchmark politeness --sites 20 --seconds 30
    scrapy benchmark recrawl --articles 1000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from scraper.dates import parse_date

# bare: a parsel spider, no pipelines. pipelines: the project's spider and pipelines, without raw
# pages (WARC) or near-duplicate clustering. archive: the project as it runs by default.
VARIANTS = ("bare", "pipelines", "archive")

SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
}


class BareSpider(scrapy.Spider):
    """The reference: listing → next page → articles, parsel CSS, a dict per article, no pipeline."""

    name = "bare"

    def __init__(self, start: str, **kw):
        super().__init__(**kw)
        self.start_urls = [start]

    async def start(self):
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        for href in response.css(".danhsach-tin .tin-item a.title::attr(href)").getall():
            yield response.follow(href, callback=self.parse_article)
        nxt = response.css(".wcm-pager a.next::attr(href)").get()
        if nxt:
            yield response.follow(nxt, callback=self.parse)

    def parse_article(self, response):
        yield {
            "url": response.url,
            "title": response.css(".tieude-tin::text").get(),
            "published": parse_date(response.css(".ngay-dang-tin::text").get()),
            "lead": response.css(".tom-tat-tin ::text").get(),
            "body": "\n".join(t.strip() for t in response.css(".noidung-tin p ::text").getall() if t.strip()),
        }


class _Meter:
    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.opened, signals.spider_opened)
        crawler.signals.connect(self.closed, signals.spider_closed)

    def opened(self, spider):
        self.t0, self.cpu0 = time.perf_counter(), _cpu()

    def closed(self, spider, reason):
        self.seconds, self.cpu = time.perf_counter() - self.t0, _cpu() - self.cpu0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_one(variant: str, origin: str, db: str) -> dict:
    """One crawl in this process; returns its measurements."""
    settings = get_project_settings()
    for key, value in SETTINGS.items():
        settings.set(key, value, priority="cmdline")
    settings.set("ARCHIVE_DB", db, priority="cmdline")
    if variant == "bare":
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    if variant == "pipelines":  # the spider and pipelines without keeping raw pages or clustering
        settings.set("WARC_ENABLED", False, priority="cmdline")
        settings.set("NEARDUP_ENABLED", False, priority="cmdline")
    process = CrawlerProcess(settings)
    start = f"{origin}/danh-sach/1.html"
    if variant == "bare":
        crawler = process.create_crawler(BareSpider)
        kwargs = {"start": start}
    else:
        crawler = process.create_crawler("phu_yen")
        kwargs = {"start_urls": start}
    meter = _Meter(crawler)
    process.crawl(crawler, **kwargs)
    process.start()
    stats = crawler.stats.get_stats()
    items = stats.get("item_scraped_count", 0)
    pages = max(1, stats.get("response_received_count", 1))
    # Page worker processes have exited by now; their CPU (start-up included) counts too.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "variant": variant,
        "items": items,
        "pages": stats.get("response_received_count", 0),
        "seconds": round(meter.seconds, 3),
        "items_per_s": round(items / meter.seconds, 1),
        "cpu_ms_per_page": round(1000 * meter.cpu / pages, 3),
        "all_cpu_ms_per_page": round(1000 * (meter.cpu + children.ru_utime + children.ru_stime) / pages, 3),
        "stored": stats.get("archive/committed/new", 0),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


# -- orchestration -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int) -> None:
    for _ in range(200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the benchmark server did not start on port {port}")


def serve(site: Path, workdir: Path) -> tuple[subprocess.Popen, str, str]:
    port = _free_port()
    nginx = shutil.which("nginx") or (Path("/usr/sbin/nginx") if Path("/usr/sbin/nginx").exists() else None)
    if nginx:
        conf = workdir / "nginx.conf"
        conf.write_text(f"""daemon off; worker_processes 1; pid {workdir}/nginx.pid; error_log {workdir}/nginx.err;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; keepalive_requests 100000; open_file_cache off;
  client_body_temp_path {workdir}; proxy_temp_path {workdir}; fastcgi_temp_path {workdir}; uwsgi_temp_path {workdir}; scgi_temp_path {workdir};
  types {{ text/html html; text/plain txt; }}
  server {{ listen 127.0.0.1:{port}; root {site}; charset utf-8; }} }}
""")
        proc = subprocess.Popen([str(nginx), "-c", str(conf), "-p", str(workdir)], stderr=subprocess.DEVNULL)
        kind = "nginx (1 worker, sendfile, keep-alive)"
    else:
        proc = subprocess.Popen([sys.executable, "-m", "scraper.mirror", str(site), "--port", str(port)], stdout=subprocess.DEVNULL)
        kind = "the project's mirror server (install nginx for a server that is never the limit)"
    _wait(port)
    return proc, f"http://127.0.0.1:{port}", kind


def orchestrate(articles: int, repeat: int, out_dir: Path) -> dict:
    from scraper.sitegen import build_bench_site

    work = Path(tempfile.mkdtemp(prefix="vnarchive-bench-"))
    try:
        site = work / "site"
        print(f"Generating a site of {articles} article pages in {site} …", flush=True)
        build_bench_site(site, articles)
        server, origin, kind = serve(site, work)
        print(f"Serving it at {origin}/ with {kind}", flush=True)
        runs: list[dict] = []
        try:
            for rep in range(1, repeat + 1):
                for variant in VARIANTS:
                    db = work / variant / f"archive-{rep}.db"  # a fresh archive for every run
                    db.parent.mkdir(exist_ok=True)
                    proc = subprocess.run(
                        [sys.executable, "-m", "scraper.benchmark", "run", variant, origin, str(db)],
                        capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent,
                    )
                    if proc.returncode != 0:
                        raise RuntimeError(f"{variant} run failed:\n{proc.stderr[-3000:]}")
                    result = json.loads(proc.stdout.strip().splitlines()[-1])
                    if result["items"] < articles:
                        raise RuntimeError(f"{variant} run {rep} scraped {result['items']} of {articles} articles:\n{proc.stderr[-3000:]}")
                    runs.append(result)
                    print(f"  run {rep}/{repeat} {variant:<8} {result['items']:>6} items in {result['seconds']:>7.2f} s "
                          f"= {result['items_per_s']:>7.1f} items/s, CPU/page {result['cpu_ms_per_page']:.2f} ms in the crawl process, "
                          f"{result['all_cpu_ms_per_page']:.2f} ms with page workers"
                          + (f", {result['stored']} stored" if variant != "bare" else ""), flush=True)
        finally:
            server.terminate()
            server.wait(10)
        summary = summarize(runs, articles, kind)
        record(summary, runs, out_dir)
        return summary
    finally:
        shutil.rmtree(work, ignore_errors=True)


def summarize(runs: list[dict], articles: int, server: str) -> dict:
    present = [v for v in VARIANTS if any(r["variant"] == v for r in runs)]
    med = {v: statistics.median(r["items_per_s"] for r in runs if r["variant"] == v) for v in present}
    cpu = {v: statistics.median(r["all_cpu_ms_per_page"] for r in runs if r["variant"] == v) for v in present}
    summary = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "articles": articles,
        "server": server,
        "runs_per_variant": len(runs) // len(present),
        "bare_items_per_s": med["bare"],
        "archive_items_per_s": med["archive"],
        "ratio": round(med["archive"] / med["bare"], 3),
        "bare_cpu_ms_per_page": cpu["bare"],
        "archive_cpu_ms_per_page": cpu["archive"],
    }
    if "pipelines" in med:
        summary.update({"pipelines_items_per_s": med["pipelines"], "pipelines_ratio": round(med["pipelines"] / med["bare"], 3),
                        "pipelines_cpu_ms_per_page": cpu["pipelines"]})
    return summary


def record(summary: dict, runs: list[dict], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "crawl.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({**summary, "runs": runs}) + "\n")
    (out_dir / "crawl.svg").write_text(svg_chart(runs, summary), encoding="utf-8")


def svg_chart(runs: list[dict], summary: dict) -> str:
    """Items/s of every run as bars, bare and archive side by side, with the medians' ratio."""
    width, height, left, bottom = 640, 320, 60, 40
    peak = max(r["items_per_s"] for r in runs) * 1.15
    n = len(runs)
    bar = (width - left - 20) / n
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             f'<text x="{left}" y="18" font-size="14">Items/s, {summary["articles"]} article pages: '
             + (f'pipelines ÷ bare = {summary["pipelines_ratio"]:.2f}, ' if "pipelines_ratio" in summary else "")
             + f'with WARC and near-duplicates (archive) ÷ bare = {summary["ratio"]:.2f}</text>']
    for i, r in enumerate(runs):
        h = (height - bottom - 30) * r["items_per_s"] / peak
        x, y = left + i * bar + 4, height - bottom - h
        colour = {"bare": "#999", "pipelines": "#7bc"}.get(r["variant"], "#2a6")
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 8:.1f}" height="{h:.1f}" fill="{colour}"/>')
        parts.append(f'<text x="{x + (bar - 8) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{r["items_per_s"]:.0f}</text>')
        parts.append(f'<text x="{x + (bar - 8) / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle">{r["variant"]}</text>')
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#000"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="crawl benchmark worker")
    sub = parser.add_subparsers(dest="what", required=True)
    r = sub.add_parser("run")
    r.add_argument("variant", choices=VARIANTS)
    r.add_argument("origin")
    r.add_argument("db")
    p = sub.add_parser("politeness-run")
    p.add_argument("origins")
    p.add_argument("delays")
    p.add_argument("db")
    p.add_argument("seconds", type=float)
    args = parser.parse_args()
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    if args.what == "run":
        print(json.dumps(run_one(args.variant, args.origin, args.db)))
    else:
        print(json.dumps(run_politeness(json.loads(args.origins), json.loads(args.delays), args.db, args.seconds)))



# -- politeness: many portals at once, each at its own rate ----------------------------------------

POLICY_DELAYS = (0.1, 0.15, 0.2, 0.3, 0.5)  # seconds: 1 s policies, time scaled 5–10×


def run_politeness(origins: list[str], delays: list[float], db: str, seconds: float) -> dict:
    """Crawl every local site as its own portal through the crawlall machinery, for `seconds`."""
    import dataclasses

    from scraper.commands.crawlall import AllPortalsSpider
    from scraper.portals import get_profile

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
    from scraper.sitegen import build_bench_site

    work = Path(tempfile.mkdtemp(prefix="vnarchive-polite-"))
    servers = []
    try:
        site = work / "site"
        build_bench_site(site, 400)
        delays = [POLICY_DELAYS[n % len(POLICY_DELAYS)] for n in range(sites)]
        origins, logs = [], []
        for n in range(sites):
            port, log = _free_port(), work / f"access-{n:02d}.log"
            servers.append(subprocess.Popen([sys.executable, "-m", "scraper.mirror", str(site), "--port", str(port),
                                             "--access-log", str(log)], stdout=subprocess.DEVNULL))
            origins.append(f"http://127.0.0.1:{port}")
            logs.append(log)
        for origin in origins:
            _wait(int(origin.rsplit(":", 1)[1]))
        print(f"{sites} local portals, policies {sorted(set(delays))} s between requests, one connection each; "
              f"crawling them together for {seconds:.0f} s …", flush=True)
        proc = subprocess.run([sys.executable, "-m", "scraper.benchmark", "politeness-run", json.dumps(origins),
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


# -- recrawl: what an unchanged portal costs the second time -------------------------------------


def recrawl(articles: int, out_dir: Path) -> dict:
    from scraper.sitegen import build_bench_site

    work = Path(tempfile.mkdtemp(prefix="vnarchive-recrawl-"))
    try:
        site = work / "site"
        info = build_bench_site(site, articles)
        port, log = _free_port(), work / "access.log"
        server = subprocess.Popen([sys.executable, "-m", "scraper.mirror", str(site), "--port", str(port), "--access-log", str(log)],
                                  stdout=subprocess.DEVNULL)
        counts = []
        try:
            _wait(port)
            for run in (1, 2):
                before = len(log.read_text().splitlines()) if log.exists() else 0
                proc = subprocess.run([sys.executable, "-m", "scraper.benchmark", "run", "archive", f"http://127.0.0.1:{port}",
                                       str(work / "archive.db")], capture_output=True, text=True,
                                      cwd=Path(__file__).resolve().parent.parent)
                if proc.returncode != 0:
                    raise RuntimeError(proc.stderr[-3000:])
                result = json.loads(proc.stdout.strip().splitlines()[-1])
                lines = log.read_text().splitlines()[before:]
                counts.append({"run": run, "requests": len(lines), "stored": result["stored"],
                               "listing_requests": sum(1 for line in lines if "/danh-sach/" in line),
                               "article_requests": sum(1 for line in lines if "/tin/" in line)})
                print(f"  run {run}: {len(lines)} requests ({counts[-1]['listing_requests']} listing pages, "
                      f"{counts[-1]['article_requests']} articles), {result['stored']} articles stored", flush=True)
        finally:
            server.terminate()
            server.wait(10)
        summary = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "articles": articles, "listing_pages": info["listing_pages"],
                   "first": counts[0], "second": counts[1], "ratio": round(counts[1]["requests"] / counts[0]["requests"], 4)}
        out_dir.mkdir(parents=True, exist_ok=True)
        with open(out_dir / "recrawl.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(summary) + "\n")
        return summary
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
