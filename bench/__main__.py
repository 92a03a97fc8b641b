"""The project's measurements, never its tests: ``python -m bench <what>`` (``make bench``).

- crawl: items/s of the project's spider and pipelines against a bare parsel spider, same local site.
- ledger: where the default crawl's CPU goes, part by part, against the goal of 1.5× the bare spider's.
- politeness: many local portals crawled together; each one's request rate against its policy.
- distributed: the same local portals crawled by 1, 2, 3 workers and one writer on a real Redis, against one process.
- recrawl: requests of an unchanged portal's second crawl against its first.
- neardup: planted republications among distinct articles; what the archive clusters.
- search: the project's search against stock sqlite-utils on a large generated archive; the
  whole command's CPU; the archive's size against a plain FTS5 index.
- kills: crawls killed with SIGKILL at random points; the archive whole and complete after each.
- extract: article bodies of a public extraction benchmark (``--zyte DIR``), the project against trafilatura;
  ``--vietnamese``: also on reconstructed Vietnamese portal pages, with what the project keeps apart.

Everything runs on 127.0.0.1; results are appended under ``data/bench/``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.crawl import orchestrate
from bench.distributed import measure as distributed
from bench.extract import BenchmarkError, vietnamese
from bench.extract import run as extract
from bench.kills import kills
from bench.ledger import measure as ledger
from bench.ledger import report as ledger_report
from bench.politeness import politeness
from bench.recrawl import recrawl
from bench.republications import measure
from bench.search import report as search_report
from bench.search import run as search_run

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("crawl", "ledger", "politeness", "recrawl", "neardup", "extract", "kills", "search", "distributed")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", nargs="?", default="crawl", choices=KINDS)
    parser.add_argument("--articles", type=int, default=None,
                        help="article pages on the generated site (default 5000); search: articles in the archive (default 1000000); "
                             "neardup: the benchmark site's articles instead of the composed corpus, that many (default: the corpus)")
    parser.add_argument("--repeat", type=int, default=None, help="runs per variant, interleaved (default 3); kills: how many (default 20)")
    parser.add_argument("--seed", type=int, default=None, help="kills: the random seed of the kill points")
    parser.add_argument("--sites", type=int, default=20, help="politeness, distributed: how many local portals (default 20)")
    parser.add_argument("--workers", default="1,2,3", help="distributed: the numbers of workers to run (default 1,2,3)")
    parser.add_argument("--delay", type=float, default=0.05, help="distributed: each portal's delay between requests (default 0.05 s)")
    parser.add_argument("--seconds", type=float, default=30, help="politeness: how long they are crawled (default 30)")
    parser.add_argument("--zyte", metavar="DIR", help="extract: a checkout of scrapinghub/article-extraction-benchmark")
    parser.add_argument("--extractors", default="project,trafilatura", help="extract: which to run (default project,trafilatura)")
    parser.add_argument("--worst", type=int, default=0, help="extract: list the project's N worst pages")
    parser.add_argument("--vietnamese", action="store_true", help="extract: also on reconstructed Vietnamese portal pages")
    parser.add_argument("--out", default=str(ROOT / "data" / "bench"), help="where results are kept (default data/bench)")
    args = parser.parse_args()
    kind, out = args.kind, Path(args.out)
    if kind == "extract":
        if args.vietnamese:
            vietnamese(out / "extract")
            if not args.zyte:
                return
        if not args.zyte:
            parser.error("extract needs --zyte DIR: a checkout of github.com/scrapinghub/article-extraction-benchmark")
        try:
            extract(Path(args.zyte).expanduser(), out / "extract", extractors=args.extractors.split(","), worst=args.worst)
        except BenchmarkError as exc:
            parser.exit(2, f"python -m bench extract: {exc}\n")
        return
    if kind == "search":
        search_report(search_run(args.articles or 1_000_000, args.repeat or 3, out))
        print(f"Appended to {out}/search.jsonl")
        return
    if kind == "ledger":
        ledger_report(ledger(args.articles or 5000, args.repeat or 3, out))
        print(f"Appended to {out}/ledger.jsonl; chart in {out}/ledger.svg")
        return
    if kind == "kills":
        s = kills(args.repeat or 20, out, args.seed)
        print(f"\n{s['ok']}/{s['kills']} kills left a whole archive that lost nothing reported committed and that the next run "
              f"completed; {s['after_commits']} of them after commits. Appended to {out}/kills.jsonl")
        return
    if kind == "distributed":
        s = distributed(args.sites, args.articles or 50, [int(n) for n in args.workers.split(",")], args.delay, out)
        print(f"\n{s['sites']} portals × {s['articles_per_site']} articles, {s['delay']} s between a portal's requests, "
              f"{s['cores']} cores:")
        print(f"  {'mode':<22} {'seconds':>8} {'articles':>9} {'items/s':>8} {'requests':>9} {'per article':>12} {'same archive':>13}")
        for r in s["rows"]:
            same = "" if r["workers"] == 0 else ("yes" if r["same_as_single"] else "NO")
            print(f"  {r['mode']:<22} {r['seconds']:>8.1f} {r['articles']:>9} {r['items_per_s']:>8.1f} {r['requests']:>9} "
                  f"{r['requests_per_article']:>12.3f} {same:>13}")
        print(f"Appended to {out}/distributed.jsonl")
        return
    if kind == "politeness":
        s = politeness(args.sites, args.seconds, out)
        print(f"\n{'portal':<9} {'policy/s':>9} {'measured/s':>11} {'ratio':>7} {'requests':>9} {'first request after':>20}")
        for r in s["rows"]:
            print(f"{r['portal']:<9} {r['policy_per_s']:>9.2f} {r['measured_per_s']:>11.2f} {r['ratio']:>7.3f} {r['requests']:>9} "
                  f"{r['started_after_s']:>18.2f} s")
        print(f"\nrate ÷ policy: {s['min_ratio']:.3f} to {s['max_ratio']:.3f} (target 0.9–1.05); "
              f"{s['starved']} of {s['sites']} portals starved (below half their rate). Appended to {out}/politeness.jsonl")
        return
    if kind == "neardup":
        with tempfile.TemporaryDirectory() as tmp:
            r = measure(Path(tmp) / "neardup.db", crowd=args.articles or 0)
        print(f"{r['articles']} articles: {r['originals']} originals with {r['planted_copies']} planted republications, "
              f"{r['distinct_articles']} distinct articles ({r['distinct_pairs']} pairs of distinct articles compared)"
              + (f": the benchmark site's, {r['crowd']} of them" if r["crowd"] else ""))
        if r["crowd"]:
            print(f"  archived articles sharing 2+ buckets with a copy: median {r['median_sharing_two_buckets']:.0f}, "
                  f"max {r['max_sharing_two_buckets']} (compared: the {r['max_strong_candidates']} sharing the most)")
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
        s = recrawl(args.articles or 5000, out)
        print(f"\nFirst crawl {s['first']['requests']} requests, unchanged re-crawl {s['second']['requests']} "
              f"({s['ratio']:.2%} of the first); stored the second time: {s['second']['stored']}. "
              f"Appended to {out}/recrawl.jsonl")
        return
    s = orchestrate(args.articles or 5000, args.repeat or 3, out)
    print(f"\n{s['runs_per_variant']} rounds, {s['articles']} articles, served by {s['server']}; each variant ÷ the bare run "
          "of the same round, median (min–max):")
    print(f"  {'variant':<38} {'items/s':>8} {'÷ bare':>20} {'CPU ms/page':>12} {'÷ bare':>20} {'peak MiB':>9} {'÷ bare':>20}")
    print(f"  {'bare parsel spider':<38} {s['bare_items_per_s']:>8.1f} {'1':>20} {s['bare_cpu_ms_per_page']:>12.2f} {'1':>20} "
          f"{s['bare_tree_peak_mib']:>9.0f} {'1':>20}")
    for variant, label in (("pipelines", "spider + pipelines"), ("archive", "+ WARC, near-duplicates (the default)")):
        pairs = s.get(f"{variant}_pairs")
        if not pairs:
            continue
        cells = [f"{p['median']:.3f} ({p['min']:.3f}–{p['max']:.3f})" for p in pairs.values()]
        print(f"  {label:<38} {s[f'{variant}_items_per_s']:>8.1f} {cells[0]:>20} {s[f'{variant}_cpu_ms_per_page']:>12.2f} "
              f"{cells[1]:>20} {s[f'{variant}_tree_peak_mib']:>9.0f} {cells[2]:>20}")
    print("  (CPU and memory of the whole process tree: the page workers run beside the crawl)")
    print(f"Results appended to {out}/crawl.jsonl; chart in {out}/crawl.svg")


if __name__ == "__main__":
    main()
