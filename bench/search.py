"""Search at scale: ``python -m bench search [--articles 1000000]`` (``make bench-search``).

Builds an archive of generated articles through the project's own store (kept under
``data/bench/`` for re-runs, and rebuilt when the schema changes), then, interleaved per query:

- the project's search (``scraper.archive.search.search``) against stock sqlite-utils
  ``Table.search`` with the same FTS5 expression and filters: p50/p95 per query class and the
  median of per-pair ratios;
- the whole ``scrapy search`` command against ``sqlite-utils search``: CPU seconds of each process;
- the archive's size against a plain FTS5 table of the same title, lead and body.

The text is Vietnamese of varied length: sentences of the provincial news templates (so phrases
recur as they do in real news) mixed with sentences drawn from a Zipf law over their syllables and
a long tail of rare ones (so broad and rare words behave like real ones).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.sitegen_content import CONTEXT, PROVINCES, SEED_PARAGRAPHS, TOPICS
from scraper.archive.schema import MIGRATIONS
from scraper.archive.search import fts_query, search
from scraper.archive.store import Archive
from scraper.core.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
PORTALS = ["phu_yen", "quang_ngai", "khanh_hoa", "dong_nai", "ha_noi", "da_nang", "can_tho", "quang_nam", "binh_dinh", "lam_dong"]

# (class, query, filters)
QUERIES = [
    ("unaccented", "ban chi dao", {}), ("unaccented", "chuyen doi so", {}), ("unaccented", "giai ngan von dau tu cong", {}),
    ("unaccented", "an sinh xa hoi", {}), ("unaccented", "thu tuc hanh chinh", {}),
    ("accented", "Ban Chỉ đạo", {}), ("accented", "chuyển đổi số", {}), ("accented", "giải phóng mặt bằng", {}),
    ("accented", "đô thị thông minh", {}), ("accented", "khó khăn vướng mắc", {}),
    ("phrase", '"bảo vệ nền tảng tư tưởng"', {}), ("phrase", '"ban chi dao 35"', {}), ("phrase", '"kinh te xa hoi"', {}),
    ("phrase", '"chính quyền số"', {}),
    ("broad", "tinh", {}), ("broad", "nam", {}), ("broad", "tỉnh", {}), ("broad", "năm", {}), ("broad", "cong tac", {}),
    ("rare", "{rare0}", {}), ("rare", "{rare1}", {}), ("rare", "{rare2} {rare3}", {}),
    ("portal", "ban chi dao", {"portals": ["quang_ngai"]}), ("portal", "tinh", {"portals": ["phu_yen"]}),
    ("portal", "chuyen doi so", {"portals": ["da_nang"]}),
    ("date", "ban chi dao", {"since": "2024-06-01"}), ("date", "tinh", {"since": "2025-01-01", "until": "2025-03-31"}),
    ("date", "giai phong mat bang", {"since": "2023-01-01", "until": "2023-12-31"}), ("date", "nam", {"since": "2025-06-01"}),
    ("date", "chuyen doi so", {"until": "2022-12-31"}),
]


# -- the corpus ------------------------------------------------------------------------------------

class Corpus:
    """Vietnamese news text: template sentences and Zipf-drawn syllables with a rare tail."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.templates = [s for p in SEED_PARAGRAPHS for s in re.split(r"(?<=[.;])\s+", p)]
        self.templates += [s for _, _, lead, paras in TOPICS for s in [lead, *paras]] + list(CONTEXT)
        words = re.findall(r"[^\W\d_]+", " ".join(self.templates).replace("{", " ").replace("}", " "))
        counts: dict[str, int] = {}
        for w in words:
            counts[w.lower()] = counts.get(w.lower(), 0) + 1
        common = sorted(counts, key=counts.get, reverse=True)
        onsets = ["b", "c", "ch", "d", "đ", "g", "gh", "h", "k", "kh", "l", "m", "n", "ng", "nh", "p", "ph", "qu", "r", "s", "t", "th",
                  "tr", "v", "x"]
        rimes = ["a", "ai", "am", "an", "ang", "anh", "ao", "ăm", "ăn", "ăng", "âm", "ân", "âu", "e", "em", "en", "eo", "ê", "êm", "ên",
                 "i", "im", "in", "inh", "iu", "o", "oa", "oai", "oan", "oang", "ôm", "ôn", "ông", "ơi", "ơn", "u", "um", "un", "ung",
                 "uy", "ư", "ưa", "ưng", "ươi", "ương"]
        tail = {o + r for o in onsets for r in rimes} - set(common)
        self.vocabulary = common + sorted(tail)
        ranks = np.arange(1, len(self.vocabulary) + 1, dtype=float)
        self.weights = 1 / ranks ** 1.07
        self.weights /= self.weights.sum()
        self.rare = sorted(tail)[-40:]  # the end of the tail: a handful of articles each

    def _slots(self, province: str) -> dict:
        info = PROVINCES[province]
        return {"p": province, "d": self.rng.choice(info["districts"]), "l": self.rng.choice(info["leaders"]), "z": info["zone"],
                "m": self.rng.randint(1, 12), "y": self.rng.randint(2019, 2025), "n": self.rng.randint(12, 950),
                "k": self.rng.randint(2, 60), "q": self.rng.randint(38, 75)}

    def _drawn(self, n: int) -> str:
        picks = self.np.choice(len(self.vocabulary), size=n, p=self.weights)
        words = [self.vocabulary[i] for i in picks]
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def article(self, n: int) -> dict:
        province = self.rng.choice(list(PROVINCES))
        slots = self._slots(province)
        _, title_t, lead_t, _ = self.rng.choice(TOPICS)
        paragraphs = []
        for _ in range(max(2, int(self.np.lognormal(1.6, 0.6)))):
            sentences = []
            for _ in range(self.rng.randint(2, 6)):
                if self.rng.random() < 0.5:
                    sentences.append(self.rng.choice(self.templates).format(**slots))
                else:
                    sentences.append(self._drawn(self.rng.randint(8, 28)))
            paragraphs.append(" ".join(sentences))
        published = dt.datetime(2019, 1, 1, 7) + dt.timedelta(minutes=int(n * 3.1 + self.rng.randint(0, 600)))
        return {"url": f"https://{self.rng.choice(PORTALS).replace('_', '')}.gov.vn/tin-tuc/bai-{n}.html",
                "portal": PORTALS[n % len(PORTALS)], "province": province,
                "title": f"{title_t.format(**slots)} ({n})", "lead": lead_t.format(**slots), "body_text": "\n\n".join(paragraphs),
                "body_html": "".join(f"<p>{p}</p>" for p in paragraphs), "author": self.rng.choice(PROVINCES[province]["authors"]),
                "published_at": published.strftime("%Y-%m-%dT%H:%M:00+07:00"), "fetched_at": "2026-01-01T00:00:00+07:00",
                "captions": [], "images": [], "attachments": []}


# -- building --------------------------------------------------------------------------------------

def _schema_version() -> int:
    return len(MIGRATIONS)


def build(db: Path, articles: int) -> dict:
    """The benchmark archive, through the project's store (reused when it is whole and current)."""
    meta = db.with_suffix(".json")
    if db.exists() and meta.exists():
        known = json.loads(meta.read_text())
        if known.get("articles") == articles and known.get("complete"):
            if known.get("schema") != _schema_version():
                known.update(_upgrade(db), schema=_schema_version())
                meta.write_text(json.dumps(known))
            return known
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"), meta):
        stale.unlink(missing_ok=True)
    corpus = Corpus()
    archive = Archive(db, batch_size=2000, batch_seconds=3600, clusters=False)
    started = time.monotonic()
    from scraper.archive.rows import article_row
    for n in range(articles):
        item = corpus.article(n)
        normalize(item)  # (no near-duplicate signature: clustering is not what is measured here)
        row = article_row(item)
        row.update(first_seen_at=item["fetched_at"], changed_at=item["fetched_at"], version=1)
        archive.add(row)
        if n and n % 50_000 == 0:
            rate = n / (time.monotonic() - started)
            print(f"  built {n:,} of {articles:,} articles ({rate:,.0f}/s, about {(articles - n) / rate / 60:.0f} min left)", flush=True)
    archive.close()
    known = {"articles": articles, "schema": _schema_version(), "complete": True, "rare": corpus.rare[:4],
             "build_seconds": round(time.monotonic() - started)}
    meta.write_text(json.dumps(known))
    return known


def _upgrade(db: Path) -> dict:
    """Migrate the kept archive as a crawl opening it would, then VACUUM it (what the migration's
    message asks of its user), so that its size is that of an archive built on the new schema."""
    print(f"Migrating {db} to schema {_schema_version()}", flush=True)
    started = time.monotonic()
    Archive(db, clusters=False).close()
    migrated = time.monotonic()
    conn = sqlite3.connect(db)
    conn.execute("VACUUM")
    conn.close()
    done = time.monotonic()
    print(f"  migrated in {migrated - started:,.0f} s, vacuumed in {done - migrated:,.0f} s", flush=True)
    return {"migrate_seconds": round(migrated - started), "vacuum_seconds": round(done - migrated)}


def plain_index(db: Path) -> int:
    """Bytes of a plain FTS5 table (stock tokenizer) holding the same title, lead and body."""
    plain = db.with_name(db.stem + "-plain.db")
    if not plain.exists():
        src = sqlite3.connect(db)
        out = sqlite3.connect(plain)
        out.execute("CREATE VIRTUAL TABLE plain USING fts5(title, lead, body)")
        out.executemany("INSERT INTO plain VALUES (?, ?, ?)", src.execute("SELECT title, lead, body_text FROM articles"))
        out.commit()
        out.execute("VACUUM")
        out.close()
        src.close()
    return plain.stat().st_size


def table_sizes(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall())
    finally:
        conn.close()


# -- measuring -------------------------------------------------------------------------------------

def _stock(conn: sqlite3.Connection, expr: str, filters: dict) -> int:
    """Stock sqlite-utils Table.search, called as a user would (every column), with the same expression and filters."""
    import sqlite_utils
    where, args = [], {}
    if filters.get("portals"):
        where.append("portal = :portal")
        args["portal"] = filters["portals"][0]
    if filters.get("since"):
        where.append("published_at >= :since")
        args["since"] = filters["since"]
    if filters.get("until"):
        where.append("substr(published_at, 1, 10) <= :until")
        args["until"] = filters["until"]
    table = sqlite_utils.Database(conn)["articles"]
    return len(list(table.search(expr, limit=10, where=" AND ".join(where) or None, where_args=args or None)))


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def measure(db: Path, repeat: int, rare: list[str]) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    queries = [(cls, q.format(**{f"rare{i}": w for i, w in enumerate(rare)}), f) for cls, q, f in QUERIES]
    project: dict[str, list[float]] = {}
    stock: dict[str, list[float]] = {}
    ratios = []
    for query in queries:  # warm the page cache once
        search(conn, query[1], **query[2])
    for r in range(repeat):
        for cls, q, filters in queries:
            expr = fts_query(q)
            pair = []
            for who in (("project", "stock") if r % 2 == 0 else ("stock", "project")):
                t = time.perf_counter()
                if who == "project":
                    search(conn, q, limit=10, **filters)
                else:
                    _stock(conn, expr, filters)
                seconds = time.perf_counter() - t
                (project if who == "project" else stock).setdefault(cls, []).append(seconds)
                pair.append((who, seconds))
            times = dict(pair)
            ratios.append(times["project"] / max(times["stock"], 1e-6))
    conn.close()
    classes = {cls: {"project_p50_ms": _pct(project[cls], 50) * 1000, "project_p95_ms": _pct(project[cls], 95) * 1000,
                     "stock_p50_ms": _pct(stock[cls], 50) * 1000, "stock_p95_ms": _pct(stock[cls], 95) * 1000}
               for cls in dict.fromkeys(c for c, _, _ in queries)}
    every = [t for ts in project.values() for t in ts]
    return {"classes": classes, "ratio_median": statistics.median(ratios), "ratio_min": min(ratios), "ratio_max": max(ratios),
            "project_p95_ms": _pct(every, 95) * 1000}


def _child_cpu(args: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, cwd=ROOT, capture_output=True, check=True, timeout=300,
                   env=dict(os.environ, PYTHONDONTWRITEBYTECODE="0"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def commands(db: Path, repeat: int = 5) -> dict:
    """CPU of the whole `scrapy search` command against `sqlite-utils search`, interleaved."""
    bindir = Path(sys.executable).parent
    ours = [str(bindir / "scrapy"), "search", "ban chi dao", "--db", str(db), "--limit", "10"]
    theirs = [str(bindir / "sqlite-utils"), "search", str(db), "articles", fts_query("ban chi dao"), "--limit", "10", "-c", "title"]
    _child_cpu(ours), _child_cpu(theirs)  # bytecode and page cache warm
    pairs = [(_child_cpu(ours), _child_cpu(theirs)) for _ in range(repeat)]
    return {"scrapy_search_cpu_s": statistics.median(a for a, _ in pairs), "sqlite_utils_cpu_s": statistics.median(b for _, b in pairs),
            "ratio_median": statistics.median(a / b for a, b in pairs), "ratio_min": min(a / b for a, b in pairs),
            "ratio_max": max(a / b for a, b in pairs)}


def run(articles: int, repeat: int, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    db = out / f"search-{articles}.db"
    print(f"Archive of {articles:,} generated articles: {db}", flush=True)
    known = build(db, articles)
    result = {"articles": articles, "when": dt.date.today().isoformat(), "build_seconds": known.get("build_seconds")}
    result["search"] = measure(db, repeat, known["rare"])
    result["command"] = commands(db)
    size, plain = db.stat().st_size, plain_index(db)
    result["size"] = {"archive_bytes": size, "plain_fts_bytes": plain, "ratio": size / plain, "tables": table_sizes(db)}
    with open(out / "search.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(result, ensure_ascii=False) + "\n")
    return result


def report(r: dict) -> None:
    s = r["search"]
    print(f"\n{r['articles']:,} articles, per query class, ms (the project, then stock sqlite-utils):")
    print(f"{'class':<11} {'p50':>9} {'p95':>9}   {'stock p50':>9} {'stock p95':>9}")
    for cls, c in s["classes"].items():
        print(f"{cls:<11} {c['project_p50_ms']:>9.1f} {c['project_p95_ms']:>9.1f}   {c['stock_p50_ms']:>9.1f} {c['stock_p95_ms']:>9.1f}")
    print(f"project ÷ stock per pair: median {s['ratio_median']:.2f} ({s['ratio_min']:.2f}–{s['ratio_max']:.2f}); "
          f"project p95 over all queries {s['project_p95_ms']:.1f} ms")
    c = r["command"]
    print(f"whole command CPU: scrapy search {c['scrapy_search_cpu_s']:.2f} s, sqlite-utils search {c['sqlite_utils_cpu_s']:.2f} s, "
          f"ratio {c['ratio_median']:.2f} ({c['ratio_min']:.2f}–{c['ratio_max']:.2f})")
    z = r["size"]
    print(f"archive {z['archive_bytes'] / 2**20:,.0f} MiB, plain FTS5 of title, lead, body {z['plain_fts_bytes'] / 2**20:,.0f} MiB: "
          f"{z['ratio']:.2f}×")
    for name, size in list(z["tables"].items())[:8]:
        print(f"  {name:<36} {size / 2**20:>9,.0f} MiB")
