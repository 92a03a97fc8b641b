"""`scrapy benchmark [crawl|politeness|recrawl]`: measurements, not tests (see scraper/benchmark.py).

- crawl: items/s of the project's spider and pipelines against a bare parsel spider, same local site.
- politeness: many local portals crawled together; each one's request rate against its policy.
- recrawl: requests of an unchanged portal's second crawl against its first.
- neardup: planted republications among distinct articles; what the archive clusters (see
  scraper/republications.py).
"""

from __future__ import annotations

from pathlib import Path

from scrapy.commands import ScrapyCommand

from scraper.benchmark import orchestrate, politeness, recrawl
from scraper.settings import PROJECT_ROOT


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[crawl|politeness|recrawl|neardup] [options]"

    def short_desc(self) -> str:
        return "Measure throughput, politeness fidelity or re-crawl cost on local sites"

    def long_desc(self) -> str:
        return __doc__

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--articles", type=int, default=5000, help="article pages on the generated site (default 5000)")
        parser.add_argument("--repeat", type=int, default=3, help="runs per variant, interleaved (default 3)")
        parser.add_argument("--sites", type=int, default=20, help="politeness: how many local portals (default 20)")
        parser.add_argument("--seconds", type=float, default=30, help="politeness: how long they are crawled (default 30)")
        parser.add_argument("--out", default=str(PROJECT_ROOT / "data" / "bench"), help="where results are kept")

    def run(self, args: list[str], opts) -> None:
        kind = args[0] if args else "crawl"
        out = Path(opts.out)
        if kind == "politeness":
            s = politeness(opts.sites, opts.seconds, out)
            print(f"\n{'portal':<9} {'policy/s':>9} {'measured/s':>11} {'ratio':>7} {'requests':>9} {'first request after':>20}")
            for r in s["rows"]:
                print(f"{r['portal']:<9} {r['policy_per_s']:>9.2f} {r['measured_per_s']:>11.2f} {r['ratio']:>7.3f} {r['requests']:>9} "
                      f"{r['started_after_s']:>18.2f} s")
            print(f"\nrate ÷ policy: {s['min_ratio']:.3f} to {s['max_ratio']:.3f} (target 0.9–1.05); "
                  f"{s['starved']} of {s['sites']} portals starved (below half their rate). Appended to {out}/politeness.jsonl")
            return
        if kind == "neardup":
            import json
            import tempfile

            from scraper.republications import measure

            with tempfile.TemporaryDirectory() as tmp:
                r = measure(Path(tmp) / "neardup.db")
            print(f"{r['articles']} articles: {r['originals']} originals with {r['planted_copies']} planted republications, "
                  f"{r['distinct_articles']} distinct articles ({r['distinct_pairs']} pairs of distinct articles compared)")
            print(f"  republications clustered with their original  {r['copies_clustered']}/{r['planted_copies']}  "
                  + ", ".join(f"{k} {v}" for k, v in r["by_kind"].items()))
            print(f"  originals heading their cluster              {r['originals_heading_their_cluster']}/{r['originals']}")
            print(f"  distinct articles wrongly clustered          {r['distinct_wrongly_clustered']}/{r['distinct_articles']}")
            print(f"  planted pairs:  Jaccard ≥ {r['min_planted_jaccard']:.3f}, containment ≥ {r['min_planted_containment']:.3f}")
            print(f"  distinct pairs: Jaccard ≤ {r['max_distinct_jaccard']:.3f}, containment ≤ {r['max_distinct_containment']:.3f}")
            out.mkdir(parents=True, exist_ok=True)
            with open(out / "neardup.jsonl", "a", encoding="utf-8") as fh:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            print(f"Appended to {out}/neardup.jsonl")
            return
        if kind == "recrawl":
            s = recrawl(opts.articles, out)
            print(f"\nFirst crawl {s['first']['requests']} requests, unchanged re-crawl {s['second']['requests']} "
                  f"({s['ratio']:.2%} of the first); stored the second time: {s['second']['stored']}. "
                  f"Appended to {out}/recrawl.jsonl")
            return
        s = orchestrate(opts.articles, opts.repeat, out)
        print(f"\nMedian of {s['runs_per_variant']} runs each, {s['articles']} articles, served by {s['server']}:")
        print(f"  bare parsel spider                   {s['bare_items_per_s']:>8.1f} items/s  {s['bare_cpu_ms_per_page']:.2f} ms CPU/page")
        print(f"  spider + pipelines                   {s['pipelines_items_per_s']:>8.1f} items/s  {s['pipelines_cpu_ms_per_page']:.2f} ms CPU/page  "
              f"ratio {s['pipelines_ratio']:.3f} (target ≥ 0.8)")
        print(f"  + raw pages (WARC), near-duplicates  {s['archive_items_per_s']:>8.1f} items/s  {s['archive_cpu_ms_per_page']:.2f} ms CPU/page  "
              f"ratio {s['ratio']:.3f} (the default configuration)")
        print("  (CPU of all processes: the page workers run on another core)")
        print(f"Results appended to {opts.out}/crawl.jsonl; chart in {opts.out}/crawl.svg")
