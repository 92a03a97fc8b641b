"""What an unchanged portal costs the second time: a local site crawled twice, requests counted.

    python -m bench recrawl --articles 500
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.servers import free_port, wait
from bench.sitegen import build_bench_site


def recrawl(articles: int, out_dir: Path) -> dict:
    work = Path(tempfile.mkdtemp(prefix="vnarchive-recrawl-"))
    try:
        site = work / "site"
        info = build_bench_site(site, articles)
        port, log = free_port(), work / "access.log"
        server = subprocess.Popen([sys.executable, "-m", "scraper.mirror", str(site), "--port", str(port), "--access-log", str(log)],
                                  stdout=subprocess.DEVNULL)
        counts = []
        try:
            wait(port)
            for run in (1, 2):
                before = len(log.read_text().splitlines()) if log.exists() else 0
                proc = subprocess.run([sys.executable, "-m", "bench.crawl", "run", "archive", f"http://127.0.0.1:{port}",
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
