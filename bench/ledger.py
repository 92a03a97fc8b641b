"""Where a default crawl's CPU goes: each part of it measured by the crawl with that part added.

The bench site (bench.crawl) is crawled by six variants, interleaved round by round: the bare parsel
spider; the same spider fetching every page and reading no article page (Scrapy's own share); the
project's spider and page worker with no pipelines; + the pipelines; + WARC; + near-duplicate
clustering (the default). A part's cost is the difference of CPU per page (whole process tree) between
a variant and the one before it in the same round; the ledger is the median of those differences.

The page worker's share is then split on the site's own pages, in this process: decoding and
parsing, the rest of extraction, normalizing with the folded columns and the signature (the MinHash
signature alone beside it), and building the WARC record. Last, what the default crawl must do
whatever its Python costs (Scrapy's fetching, lxml's parse, the signature, the WARC record, the
store's share) is set against the goal of 1.5× the bare spider's CPU, and the items/s two cores
allow at that CPU against 0.85× the bare spider's.

    python -m bench ledger --articles 5000 --repeat 3      (make bench-ledger)

Results are appended to ``data/bench/ledger.jsonl`` and drawn in ``data/bench/ledger.svg``.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.crawl import LEDGER, run_rounds, served_site
from scraper.archive.schema import FTS_COLUMNS, FTS_FOLD, FTS_TEXT, FTS_TOKENIZE
from scraper.archive.warc import build_record
from scraper.core.neardup import signature
from scraper.core.normalize import prepare
from scraper.crawl.runner import read_article
from scraper.platforms import article_page
from scraper.portals import get_profile, pages_for

# (part, variant, the variant it adds to): the crawl-measured parts, in the order they add up.
PARTS = (("Scrapy: scheduling, fetching, responses", "fetch", None),
         ("the project's page reading (page worker, IPC)", "spider", "fetch"),
         ("pipelines: normalize, dedupe, store, FTS", "pipelines", "spider"),
         ("WARC files", "warc", "pipelines"),
         ("near-duplicate clustering", "archive", "warc"))
CORES = 2


def _median_by(runs: list[dict], variant: str, key: str) -> float:
    return statistics.median(r[key] for r in runs if r["variant"] == variant)


def crawl_parts(runs: list[dict]) -> dict:
    """Per-round marginal CPU ms/page of each part, as medians, with the variants' own medians."""
    by = {(r["round"], r["variant"]): r for r in runs}
    rounds = sorted({r["round"] for r in runs})
    parts = {}
    for label, variant, base in PARTS + (("the bare spider's page reading", "bare", "fetch"),):
        diffs = [by[k, variant]["all_cpu_ms_per_page"] - (by[k, base]["all_cpu_ms_per_page"] if base else 0) for k in rounds]
        parts[label] = round(statistics.median(diffs), 3)
    variants = {v: {"cpu_ms_per_page": round(_median_by(runs, v, "all_cpu_ms_per_page"), 3),
                    "crawl_process_ms_per_page": round(_median_by(runs, v, "cpu_ms_per_page"), 3),
                    "items_per_s": round(_median_by(runs, v, "items_per_s"), 1),
                    "pages_per_s": round(statistics.median(r["pages"] / r["seconds"] for r in runs if r["variant"] == v), 1)}
                for v in LEDGER}
    return {"parts": parts, "variants": variants}


def worker_split(site: Path, limit: int = 1000) -> dict:
    """The page worker's read of the site's article pages, split into its parts, in ms per page."""
    profile = get_profile("phu_yen")
    spec = pages_for(profile)
    headers, fetched = {"content-type": "text/html; charset=utf-8"}, "2026-01-01T00:00:00+07:00"
    record = {"url": "", "method": "GET", "request_headers": [("Host", "127.0.0.1")], "status": 200, "reason": "OK",
              "response_headers": [("Content-Type", "text/html; charset=utf-8")], "fetched": "2026-01-01T00:00:00Z"}
    totals = dict.fromkeys(("read_article", "decode and parse", "extract", "prepare", "signature", "WARC record"), 0.0)
    pages = sorted((site / "tin").glob("*.html"), key=lambda p: int(p.stem))[:limit]
    clock, prepared = time.process_time, []
    for path in pages:
        body, url = path.read_bytes(), f"http://127.0.0.1/tin/{path.name}"
        t0 = clock()
        read_article(profile, url, body, headers, fetched, {**record, "url": url})
        t1 = clock()
        article_page(spec, url, body, headers=headers, fetched_at=fetched, profile=profile).root
        t2 = clock()
        data = article_page(spec, url, body, headers=headers, fetched_at=fetched, profile=profile).extract()
        t3 = clock()
        prepare(data)
        t4 = clock()
        signature(data["folds"].get("lead_fold"), data["folds"].get("body_fold"), folded=True)
        t5 = clock()
        build_record(body=body, **{**record, "url": url})
        t6 = clock()
        for name, spent in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
            totals[name] += spent
        prepared.append(data)
    split = {name: round(1000 * spent / len(pages), 3) for name, spent in totals.items()}
    split["extract"] = round(split["extract"] - split["decode and parse"], 3)  # extract() parses too
    return {"pages": len(pages), **split, "plain store": round(1000 * plain_store(prepared) / len(pages), 3)}


def plain_store(items: list[dict]) -> float:
    """CPU seconds to keep the items' text in the least an archive with this search needs: one row
    each and the same FTS5 index (columns, tokenizer, folded text), committed every 50, as the
    archive commits. No Python of the project runs in it."""
    columns = ", ".join(FTS_COLUMNS)
    rows = [(i, item["url"], *(item.get(c) for c in FTS_TEXT), *(item["folds"].get(c) for c in FTS_FOLD), f"p{item['portal']}")
            for i, item in enumerate(items, 1)]
    n = len(FTS_TEXT)
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(f"{tmp}/plain.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"CREATE TABLE a (id INTEGER PRIMARY KEY, url TEXT, {', '.join(FTS_TEXT)})")
        db.execute(f"CREATE VIRTUAL TABLE f USING fts5({columns}, tokenize='{FTS_TOKENIZE}')")
        t0 = time.process_time()
        for k in range(0, len(rows), 50):
            db.execute("BEGIN")
            for row in rows[k: k + 50]:
                db.execute(f"INSERT INTO a VALUES ({', '.join('?' * (2 + n))})", row[: 2 + n])
                db.execute(f"INSERT INTO f (rowid, {columns}) VALUES ({', '.join('?' * (1 + len(FTS_COLUMNS)))})", (row[0], *row[2:]))
            db.execute("COMMIT")
        spent = time.process_time() - t0
        db.close()
    return spent


def measure(articles: int, repeat: int, out_dir: Path) -> dict:
    with served_site(articles) as (work, origin, kind):
        runs = run_rounds(LEDGER, repeat, articles, origin, work)
        split = worker_split(work / "site")
    found = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "articles": articles, "server": kind, "rounds": repeat,
             **crawl_parts(runs), "worker": split}
    v, p = found["variants"], found["parts"]
    bare = v["bare"]["cpu_ms_per_page"]
    # What no rewrite of the project's Python removes: Scrapy's share, lxml's parse, the signature
    # (numpy), the WARC record (gzip, hashing) and the text kept in SQLite with its FTS5 index.
    floor = {"Scrapy (the fetch variant)": p[PARTS[0][0]], "decode and parse": split["decode and parse"],
             "signature": split["signature"], "WARC record": split["WARC record"], "plain store with the index": split["plain store"]}
    found["floor"] = {**floor, "total": round(sum(floor.values()), 3)}
    found["budget_cpu_ms_per_page"] = round(1.5 * bare, 3)
    found["target_pages_per_s"] = round(0.85 * v["bare"]["pages_per_s"], 1)
    default = v["archive"]
    worker = default["cpu_ms_per_page"] - default["crawl_process_ms_per_page"]
    busiest = max(default["crawl_process_ms_per_page"], worker, default["cpu_ms_per_page"] / CORES)
    found["default_pages_per_s_bound"] = round(1000 / busiest, 1)
    found["floor_pages_per_s_bound"] = round(CORES * 1000 / found["floor"]["total"], 1)
    record(found, runs, out_dir)
    return found


def record(found: dict, runs: list[dict], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "ledger.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({**found, "runs": runs}, ensure_ascii=False) + "\n")
    (out_dir / "ledger.svg").write_text(svg_chart(found), encoding="utf-8")


def svg_chart(found: dict) -> str:
    """CPU ms per page as stacked bars, the bare spider and the default crawl, with the 1.5× budget."""
    p, bare_reading = found["parts"], "the bare spider's page reading"
    colours = dict(zip([label for label, _, _ in PARTS] + [bare_reading], ("#999", "#2a6", "#7bc", "#e94", "#c5a", "#9d9")))
    floor = [(k, v) for k, v in found["floor"].items() if k != "total"]
    bars = (("bare spider", [(PARTS[0][0], p[PARTS[0][0]]), (bare_reading, p[bare_reading])]),
            ("default crawl", [(label, p[label]) for label, _, _ in PARTS]),
            ("floor of the default", floor))
    width, left, row = 760, 150, 56
    scale_to = max(found["budget_cpu_ms_per_page"], sum(ms for _, ms in bars[1][1]), found["floor"]["total"]) * 1.1
    height = 80 + row * len(bars) + 20 * len(colours)
    px = (width - left - 60) / scale_to
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<text x="10" y="20" font-size="14">CPU ms per page, {found["articles"]} article pages (medians of {found["rounds"]} rounds; '
           'parts: differences of runs in the same round)</text>']
    for i, (name, segments) in enumerate(bars):
        y, x = 40 + i * row, left
        out.append(f'<text x="10" y="{y + 22}">{name}</text>')
        for j, (label, ms) in enumerate(segments):
            colour = colours.get(label, ("#bbb", "#ccc")[j % 2])
            w = max(0.0, ms) * px
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="32" fill="{colour}" stroke="#fff">'
                       f'<title>{label}: {ms:.2f} ms</title></rect>')
            if w > 28:
                out.append(f'<text x="{x + w / 2:.1f}" y="{y + 21}" text-anchor="middle" fill="#fff">{ms:.2f}</text>')
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + 21}">{sum(ms for _, ms in segments):.2f}</text>')
    bottom = 40 + row * len(bars)
    out.append(f'<text x="{left}" y="{bottom - 6}" font-size="11" fill="#555">floor: {", ".join(label for label, _ in floor)}</text>')
    budget = left + found["budget_cpu_ms_per_page"] * px
    out.append(f'<line x1="{budget:.1f}" y1="34" x2="{budget:.1f}" y2="{bottom + 4}" stroke="#c00" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{budget + 3:.1f}" y="{bottom + 16}" fill="#c00">goal: 1.5× bare = {found["budget_cpu_ms_per_page"]:.2f}</text>')
    for k, (label, colour) in enumerate(colours.items()):
        y = bottom + 40 + 20 * k
        out.append(f'<rect x="{left}" y="{y - 10}" width="12" height="12" fill="{colour}"/><text x="{left + 18}" y="{y}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def report(found: dict) -> None:
    v, p, w = found["variants"], found["parts"], found["worker"]
    print(f"\n{found['rounds']} rounds, {found['articles']} articles, served by {found['server']}; medians:")
    print(f"  {'variant':<10} {'items/s':>8} {'pages/s':>8} {'CPU ms/page':>12} {'crawl process':>14}")
    for name, row in v.items():
        print(f"  {name:<10} {row['items_per_s']:>8.1f} {row['pages_per_s']:>8.1f} {row['cpu_ms_per_page']:>12.2f} "
              f"{row['crawl_process_ms_per_page']:>14.2f}")
    print("\nCPU ms per page of each part (differences of runs in the same round):")
    for label, ms in p.items():
        print(f"  {label:<48} {ms:>6.2f}")
    print(f"\nThe page worker's read, on {w['pages']} of the site's pages in one process (ms per page):")
    for name in ("read_article", "decode and parse", "extract", "prepare", "signature", "WARC record", "plain store"):
        note = {"signature": "   (within prepare)", "plain store": "   (rows and the same FTS5 index, plain SQL: not in the worker)"}
        print(f"  {name:<48} {w[name]:>6.2f}" + note.get(name, ""))
    print("\nWhat the default crawl does whatever its Python costs:")
    for label, ms in found["floor"].items():
        print(f"  {label:<48} {ms:>6.2f}")
    print(f"  goal, 1.5× the bare spider's {v['bare']['cpu_ms_per_page']:.2f}:{'':<14} {found['budget_cpu_ms_per_page']:>6.2f}")
    print(f"\nPages/s on {CORES} cores: the default crawl's CPU allows {found['default_pages_per_s_bound']:.0f}, the floor "
          f"{found['floor_pages_per_s_bound']:.0f}; the goal, 0.85× bare, is {found['target_pages_per_s']:.0f}.")
