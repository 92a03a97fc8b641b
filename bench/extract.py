"""Article-body extraction measured on a public benchmark: the project's generic path (the page
classes a portal without a profile is read with) against the benchmark's hand-checked bodies.

The benchmark is Zyte's article-extraction-benchmark (github scrapinghub/article-extraction-benchmark):
181 real news pages (``html/<id>.html.gz``) and ``ground-truth.json``. Fetch it yourself; this reads
it from the directory you give and scores with the benchmark's own ``evaluate.py`` from that
directory (token-shingle precision, recall and F1), so the numbers are the benchmark's. trafilatura,
when installed, is run on the same pages with the benchmark's own settings, in the same run.

    python -m bench extract --zyte ~/article-extraction-benchmark        (make bench-extract ZYTE=DIR)

Each extractor's output is also written in the benchmark's format (``data/bench/extract/<name>.json``),
so the benchmark's own ``evaluate.py`` can be run on it there.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

from scraper.core.normalize import normalize
from scraper.core.profile import Profile
from scraper.core.text import strip_outlet_prefix
from scraper.platforms import article_page, platform


class BenchmarkError(Exception):
    """The benchmark directory is not usable; the message says why."""


def load_benchmark(directory: Path):
    """(pages as {id: (url, bytes)}, ground truth as {id: text}, the benchmark's evaluate module)."""
    truth_path, html_dir, evaluate_path = directory / "ground-truth.json", directory / "html", directory / "evaluate.py"
    for needed in (truth_path, html_dir, evaluate_path):
        if not needed.exists():
            raise BenchmarkError(f"{needed} is missing: give the checkout of scrapinghub/article-extraction-benchmark")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    spec = importlib.util.spec_from_file_location("zyte_evaluate", evaluate_path)
    evaluate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(evaluate)
    pages = {}
    for key, entry in truth.items():
        path = html_dir / f"{key}.html.gz"
        if not path.exists():
            raise BenchmarkError(f"{path} is missing")
        pages[key] = (entry.get("url") or "https://example.org/", gzip.decompress(path.read_bytes()))
    return pages, {k: v.get("articleBody", "") for k, v in truth.items()}, evaluate


def project_body(url: str, body: bytes) -> str:
    """The article text the project keeps for a page read with the generic pages: its ``body_text``,
    after its ``lead`` when the lead opens the body the extractors agreed on (the project stores a lead printed
    atop the body once, as a field of its own). A lead taken from the meta description alone, which
    the benchmark's bodies do not hold, is left out."""
    page = article_page(platform("generic"), url, body, profile=Profile.anonymous("generic"))
    item = page.extract()
    normalize(item)
    text = item.get("body_text") or ""
    lead = item.get("lead")
    printed = [strip_outlet_prefix(p) for p in page.agreed.paragraphs[:2]] if page.agreed else []
    if lead and lead in printed and lead not in text:
        text = f"{lead}\n\n{text}"
    return text


def trafilatura_body(url: str, body: bytes) -> str | None:
    """trafilatura as the benchmark runs it (its own decoding of the page, no comments)."""
    import trafilatura

    return trafilatura.extract(body.decode("utf-8", "replace"), include_comments=False)


def score(evaluate, truth: dict[str, str], predicted: dict[str, str]) -> dict:
    tp_fp_fns = [evaluate.string_shingle_matching(true=truth[k], pred=predicted.get(k) or "") for k in truth]
    metrics = evaluate.metrics_from_tp_fp_fns(tp_fp_fns)
    metrics["accuracy"] = statistics.mean(evaluate.get_accuracy(true=truth[k], pred=predicted.get(k) or "") for k in truth)
    metrics["per_page"] = {k: _f1(evaluate, *t) for k, t in zip(truth, tp_fp_fns)}
    return metrics


def _f1(evaluate, tp: float, fp: float, fn: float) -> float:
    precision, recall = evaluate.precision_score(tp, fp, fn), evaluate.recall_score(tp, fp, fn)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def run(directory: Path, out_dir: Path, *, extractors: list[str], worst: int = 0) -> dict:
    pages, truth, evaluate = load_benchmark(directory)
    available = {"project": project_body}
    try:
        import trafilatura  # noqa: F401  (only asks whether it is installed)
        available["trafilatura"] = trafilatura_body
    except ImportError:
        print("trafilatura is not installed: measuring the project alone (pip install trafilatura to compare)", file=sys.stderr)
    results = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in extractors:
        if name not in available:
            continue
        started = time.process_time()
        predicted = {key: available[name](url, body) or "" for key, (url, body) in pages.items()}
        seconds = time.process_time() - started
        metrics = score(evaluate, truth, predicted)
        metrics["cpu_ms_per_page"] = 1000 * seconds / len(pages)
        results[name] = metrics
        (out_dir / f"{name}.json").write_text(json.dumps(
            {"version": "", "output": {k: {"articleBody": v} for k, v in predicted.items()}}, ensure_ascii=False), encoding="utf-8")
    print(f"\n{len(pages)} pages of {directory.name}, scored with its own evaluate.py:\n")
    print(f"{'':<14} {'F1':>6} {'precision':>10} {'recall':>7} {'accuracy':>9} {'CPU ms/page':>12}")
    for name, m in results.items():
        print(f"{name:<14} {m['f1']:>6.3f} {m['precision']:>10.3f} {m['recall']:>7.3f} {m['accuracy']:>9.3f} {m['cpu_ms_per_page']:>12.1f}")
    if worst and "project" in results:
        print(f"\nThe project's {worst} worst pages (F1):")
        for key, f1 in sorted(results["project"]["per_page"].items(), key=lambda kv: kv[1])[:worst]:
            others = "  ".join(f"{n} {results[n]['per_page'][key]:.2f}" for n in results if n != "project")
            print(f"  {f1:.2f}  {others}  {pages[key][0]}  ({key[:12]})")
    summary = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "pages": len(pages),
               **{name: {k: round(v, 4) for k, v in m.items() if k != "per_page"} for name, m in results.items()}}
    with open(out_dir.parent / "extract.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(summary) + "\n")
    return results


def vietnamese(out_dir: Path) -> dict:
    """The project's generic path against trafilatura on Vietnamese portal pages whose true text is
    known: the reconstructed vendor-CMS portal (``bench.sitegen_vendor``), read as an unknown portal's
    pages. Scored on the body (the composed paragraphs, token-shingle F1 as the Zyte benchmark
    scores), and on what the project keeps apart: captions and photo credits, the outlet prefix of the
    lead ("(KHO) - "), the byline. Reconstructions: the markup is written after the reference's notes
    on such portals and the texts are composed, so this shows the handling of their parts, not
    accuracy on real pages (that is the Zyte benchmark's)."""
    import tempfile

    import trafilatura

    from bench.sitegen_vendor import ORIGIN, Site, build_vendor

    with tempfile.TemporaryDirectory() as tmp:
        found = build_vendor(Path(tmp) / "site")
        routes = json.loads((Path(tmp) / "site" / "routes.json").read_text(encoding="utf-8"))
        pages = {ORIGIN + t: (Path(tmp) / "site" / r["file"]).read_bytes() for t, r in routes.items() if ORIGIN + t in found["articles"]}
    truth = {}
    site = Site(dated=True)
    for cat, a, n in site.articles:
        truth[ORIGIN + site.url(cat, a, n)] = a
    rows = {"project": [], "trafilatura": []}
    for url, body in pages.items():
        a = truth[url]
        captions = [f"{c}. Ảnh: {a.author or 'PV'}" for c in a.images]
        page = article_page(platform("generic"), url, body, profile=Profile.anonymous("generic"))
        item = page.extract()
        normalize(item)
        outputs = {"project": (item.get("body_text") or "", item.get("lead") or ""),
                   "trafilatura": (trafilatura.extract(body.decode("utf-8"), include_comments=False) or "", "")}
        for name, (text, lead) in outputs.items():
            rows[name].append({
                "f1": _shingle_f1("\n".join(a.paragraphs), text),
                "caption_in_body": any(c in text for c in captions),
                "prefix_in_text": "(KHO) -" in text or "(KHO) -" in lead,
                "byline_in_body": bool(a.author) and text.rstrip().endswith(a.author),
                "lead_kept": bool(a.lead) and (a.lead in lead or a.lead in text),
            })
    summary = {name: {"pages": len(r), "f1": statistics.mean(x["f1"] for x in r),
                      **{k: sum(x[k] for x in r) for k in ("caption_in_body", "prefix_in_text", "byline_in_body", "lead_kept")}}
               for name, r in rows.items()}
    print(f"\n{len(pages)} Vietnamese article pages of a reconstructed vendor-CMS portal, read as an unknown portal's:\n")
    print(f"{'':<12} {'body F1':>8} {'captions in body':>17} {'(KHO) - kept':>13} {'byline in body':>15} {'lead kept':>10}")
    for name, s in summary.items():
        print(f"{name:<12} {s['f1']:>8.3f} {s['caption_in_body']:>17} {s['prefix_in_text']:>13} {s['byline_in_body']:>15} "
              f"{s['lead_kept']:>10}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / "extract-vietnamese.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **summary}) + "\n")
    return summary


def _shingle_f1(true: str, pred: str, n: int = 4) -> float:
    """Token 4-shingle F1, as the Zyte benchmark's evaluate.py computes it per page."""
    import re
    from collections import Counter

    def grams(text: str) -> Counter:
        tokens = re.findall(r"\w+", text.lower())
        return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))) if tokens else Counter()

    t, p = grams(true), grams(pred)
    common = sum((t & p).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(t.values())
    return 2 * precision * recall / (precision + recall)
