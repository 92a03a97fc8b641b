"""`scrapy benchmark`: items/s of the project's spider and pipelines against a bare parsel spider on
the same generated local site (see scraper/benchmark.py). A measurement, not a test."""

from __future__ import annotations

from pathlib import Path

from scrapy.commands import ScrapyCommand

from scraper.benchmark import orchestrate
from scraper.settings import PROJECT_ROOT


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Measure crawl throughput: archive pipeline vs a bare spider on a local site"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--articles", type=int, default=5000, help="article pages on the generated site (default 5000)")
        parser.add_argument("--repeat", type=int, default=3, help="runs per variant, interleaved (default 3)")
        parser.add_argument("--out", default=str(PROJECT_ROOT / "data" / "bench"), help="where results are kept")

    def run(self, args: list[str], opts) -> None:
        s = orchestrate(opts.articles, opts.repeat, Path(opts.out))
        print(f"\nMedian of {s['runs_per_variant']} runs each, {s['articles']} articles, served by {s['server']}:")
        print(f"  bare parsel spider      {s['bare_items_per_s']:>8.1f} items/s  {s['bare_cpu_ms_per_page']:.2f} ms CPU/page")
        print(f"  spider + pipelines      {s['archive_items_per_s']:>8.1f} items/s  {s['archive_cpu_ms_per_page']:.2f} ms CPU/page "
              "(all processes: the page workers run on another core)")
        print(f"  ratio                   {s['ratio']:>8.3f}   (target ≥ 0.8)")
        print(f"Results appended to {opts.out}/crawl.jsonl; chart in {opts.out}/crawl.svg")
