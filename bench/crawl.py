"""Crawl throughput: the project's spider and pipelines against a bare parsel spider, same local site.

A generated Phú Yên-style site of N article pages (and its paged listing) is served on 127.0.0.1,
by nginx when it is installed (one worker, sendfile, keep-alive, so the server is never the limit),
else by the project's mirror server in its own process. Each run is a fresh Python process; runs
alternate bare, pipelines, archive, bare, … and each variant is compared with the bare run of the
same round: the result is the median of those per-pair ratios, with their range. Items per second
are counted between ``spider_opened`` and ``spider_closed``; CPU from ``getrusage`` at the same two
signals (page workers included); memory is the peak resident memory of the run's whole process
tree, sampled every 50 ms. Results are appended to ``data/bench/crawl.jsonl`` and drawn in
``data/bench/crawl.svg``.

    python -m bench crawl --articles 5000 --repeat 3      (make bench)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
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

from bench.memory import PeakMemory
from bench.servers import serve
from bench.sitegen import build_bench_site
from scraper.core.dates import parse_date

# bare: a parsel spider, no pipelines. pipelines: the project's spider and pipelines, without raw
# pages (WARC) or near-duplicate clustering. archive: the project as it runs by default.
VARIANTS = ("bare", "pipelines", "archive")
# For the ledger (bench.ledger), each adding one part of the default crawl to the one before it:
# fetch: the bare spider fetching every page but reading no article page (Scrapy's own share);
# spider: the project's spider and page worker, no pipelines; warc: + the pipelines and raw pages.
LEDGER = ("bare", "fetch", "spider", "pipelines", "warc", "archive")
# What each variant turns off of the project's default configuration.
_OFF = {"spider": {"ITEM_PIPELINES": {}, "WARC_ENABLED": False, "NEARDUP_ENABLED": False},
        "pipelines": {"WARC_ENABLED": False, "NEARDUP_ENABLED": False},
        "warc": {"NEARDUP_ENABLED": False}}

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


class FetchSpider(BareSpider):
    """The bare spider fetching the same pages, reading no article page: what Scrapy itself costs."""

    name = "fetch"

    def parse_article(self, response):
        yield {"url": response.url}


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
    if variant in ("bare", "fetch"):
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    for key, value in _OFF.get(variant, {}).items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    start = f"{origin}/danh-sach/1.html"
    if variant in ("bare", "fetch"):
        crawler = process.create_crawler(BareSpider if variant == "bare" else FetchSpider)
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


def orchestrate(articles: int, repeat: int, out_dir: Path) -> dict:
    with served_site(articles) as (work, origin, kind):
        runs = run_rounds(VARIANTS, repeat, articles, origin, work)
    summary = summarize(runs, articles, kind)
    record(summary, runs, out_dir)
    return summary


@contextlib.contextmanager
def served_site(articles: int):
    """A generated site of `articles` article pages, served on 127.0.0.1: (work dir, origin, server)."""
    work = Path(tempfile.mkdtemp(prefix="vnarchive-bench-"))
    try:
        site = work / "site"
        print(f"Generating a site of {articles} article pages in {site} …", flush=True)
        build_bench_site(site, articles)
        server, origin, kind = serve(site, work)
        print(f"Serving it at {origin}/ with {kind}", flush=True)
        try:
            yield work, origin, kind
        finally:
            server.terminate()
            server.wait(10)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_rounds(variants: tuple[str, ...], repeat: int, articles: int, origin: str, work: Path) -> list[dict]:
    """`repeat` rounds of one run of each variant, in order, each in a fresh process and archive."""
    runs: list[dict] = []
    for rep in range(1, repeat + 1):
        for variant in variants:
            db = work / variant / f"archive-{rep}.db"  # a fresh archive for every run
            db.parent.mkdir(exist_ok=True)
            proc = subprocess.Popen(
                [sys.executable, "-m", "bench.crawl", "run", variant, origin, str(db)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent,
            )
            with PeakMemory(proc.pid) as memory:
                stdout, stderr = proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"{variant} run failed:\n{stderr[-3000:]}")
            result = json.loads(stdout.strip().splitlines()[-1])
            result["round"], result["tree_peak_mib"] = rep, round(memory.peak / 2**20, 1)
            if result["items"] < articles:
                raise RuntimeError(f"{variant} run {rep} scraped {result['items']} of {articles} articles:\n{stderr[-3000:]}")
            runs.append(result)
            print(f"  run {rep}/{repeat} {variant:<9} {result['items']:>6} items in {result['seconds']:>7.2f} s "
                  f"= {result['items_per_s']:>7.1f} items/s, CPU/page {result['cpu_ms_per_page']:.2f} ms in the crawl process, "
                  f"{result['all_cpu_ms_per_page']:.2f} ms with page workers, {result['tree_peak_mib']:.0f} MiB peak"
                  + (f", {result['stored']} stored" if result["stored"] else ""), flush=True)
    return runs


def _pairs(runs: list[dict], variant: str, key: str) -> dict:
    """`variant` ÷ bare of the same round, for `key`: the median and range of the per-pair ratios."""
    bare = {r["round"]: r[key] for r in runs if r["variant"] == "bare"}
    ratios = [r[key] / bare[r["round"]] for r in runs if r["variant"] == variant and bare.get(r["round"])]
    return {"median": round(statistics.median(ratios), 3), "min": round(min(ratios), 3), "max": round(max(ratios), 3)}


def summarize(runs: list[dict], articles: int, server: str) -> dict:
    present = [v for v in VARIANTS if any(r["variant"] == v for r in runs)]
    med = {v: statistics.median(r["items_per_s"] for r in runs if r["variant"] == v) for v in present}
    cpu = {v: statistics.median(r["all_cpu_ms_per_page"] for r in runs if r["variant"] == v) for v in present}
    mem = {v: statistics.median(r["tree_peak_mib"] for r in runs if r["variant"] == v) for v in present}
    summary = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "articles": articles,
        "server": server,
        "runs_per_variant": len(runs) // len(present),
        "bare_items_per_s": med["bare"],
        "archive_items_per_s": med["archive"],
        "bare_cpu_ms_per_page": cpu["bare"],
        "archive_cpu_ms_per_page": cpu["archive"],
        "bare_tree_peak_mib": mem["bare"],
        "archive_tree_peak_mib": mem["archive"],
    }
    for variant in present[1:]:
        summary[f"{variant}_pairs"] = {"items_per_s": _pairs(runs, variant, "items_per_s"),
                                       "cpu_ms_per_page": _pairs(runs, variant, "all_cpu_ms_per_page"),
                                       "tree_peak_mib": _pairs(runs, variant, "tree_peak_mib")}
    summary["ratio"] = summary["archive_pairs"]["items_per_s"]["median"]
    if "pipelines" in med:
        summary.update({"pipelines_items_per_s": med["pipelines"], "pipelines_ratio": summary["pipelines_pairs"]["items_per_s"]["median"],
                        "pipelines_cpu_ms_per_page": cpu["pipelines"], "pipelines_tree_peak_mib": mem["pipelines"]})
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
    r.add_argument("variant", choices=LEDGER)
    r.add_argument("origin")
    r.add_argument("db")
    args = parser.parse_args()
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    print(json.dumps(run_one(args.variant, args.origin, args.db)))


if __name__ == "__main__":
    main()
