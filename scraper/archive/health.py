"""Health of the portals, from their crawl runs: which are broken and why.

A run's verdict is written with the run; ``scrapy health`` reads the latest runs of every portal
(and the runs before them, for trends) and exits non-zero when any portal is broken, so a
scheduler can alert. A portal whose profile selectors stopped matching while the generic path
still reads its pages is "degraded": listed, but no alarm.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

OK = "ok"
# The crawl still works, by the generic path, but the profile no longer fits the portal's markup:
# worth a look, not an alarm.
DEGRADED = "degraded"
# Network errors that mean nobody is at the address (Scrapy's names and Twisted's).
NO_HOST = ("CannotResolveHostError", "DownloadConnectionRefusedError", "DNSLookupError", "ConnectionRefusedError", "NoRouteError")


def verdict(run: dict, stats: dict) -> str:
    """One line saying what is wrong with a run, or "ok"."""
    listing_pages = stats.get("portal/listing_pages", 0)
    empty = stats.get("portal/listing_empty", 0)
    seen = run.get("new", 0) + run.get("updated", 0) + run.get("unchanged", 0)
    misses = sum(v for k, v in stats.items() if k.startswith("extraction/problems/selector-miss/article."))
    listing_misses = sum(v for k, v in stats.items() if k.startswith("extraction/problems/selector-miss/listing."))
    articles = sum(v for k, v in stats.items() if k.startswith("discovery/") and k.endswith("/articles"))
    network = sum(v for k, v in stats.items() if k.startswith("portal/network_errors/"))
    if stats.get("robots/disallowed_everything"):
        return "broken: robots.txt disallows everything"
    no_host = sum(stats.get(f"portal/network_errors/{kind}", 0) for kind in NO_HOST)
    if stats.get("robotstxt/unavailable") and not no_host:
        return "broken: robots.txt unavailable (a server error or no answer): nothing fetched; the next run asks again"
    if run.get("responses", 0) == 0 and (network or run.get("errors", 0)):
        return "broken: host unreachable (retired?)"
    if listing_pages and empty == listing_pages:
        return "broken: listings show no articles (selectors stopped matching?)"
    if articles and misses / articles > 0.2:
        return f"{DEGRADED}: profile selectors stopped matching on {misses} of {articles} articles (read by the generic path)"
    requests = max(run.get("requests", 0), 1)
    if run.get("errors", 0) >= 3 and run["errors"] / requests > 0.1:
        return f"broken: HTTP errors on {run['errors']} of {run.get('requests', 0)} requests"
    stored = run.get("new", 0) + run.get("updated", 0) + run.get("rejected", 0)
    if run.get("rejected", 0) >= 3 and run["rejected"] / max(stored, 1) > 0.3:
        return f"broken: {run['rejected']} of {stored} articles rejected"
    if seen == 0 and not run.get("rejected") and run.get("finish_reason") == "finished":
        return "broken: no articles found"
    if listing_pages and listing_misses / listing_pages > 0.5:
        return (f"{DEGRADED}: listing selectors stopped matching on {min(listing_misses, listing_pages)} of {listing_pages} "
                "listing pages (read by their structure)")
    return OK


@dataclass
class Finding:
    portal: str
    status: str
    last_run: str | None
    verdict: str
    detail: str = ""

    @property
    def broken(self) -> bool:
        return self.verdict.startswith("broken")

    @property
    def degraded(self) -> bool:
        return self.verdict.startswith(DEGRADED)


def assess(conn: sqlite3.Connection, profiles) -> list[Finding]:
    """The health of every profile that is crawled on schedule (not retired, not an opt-in sub-site)."""
    findings = []
    for slug, profile in sorted(profiles.items()):
        if profile.status == "retired" or profile.discovered:
            continue
        runs = conn.execute(
            "SELECT started_at, finish_reason, verdict, new, updated, rejected FROM crawl_runs "
            "WHERE portal = ? AND finished_at IS NOT NULL AND coalesce(kind, 'crawl') = 'crawl' ORDER BY id DESC LIMIT 6", [slug]
        ).fetchall()
        if not runs:
            findings.append(Finding(slug, profile.status, None, "not crawled yet"))
            continue
        started, reason, run_verdict, new, updated, rejected = runs[0]
        verdict_now = run_verdict or OK
        detail = ""
        ratios = [r / max(n + u + r, 1) for _, _, _, n, u, r in runs[1:] if (n + u + r)]
        if verdict_now == OK and ratios and (new + updated + rejected) >= 3:
            ratio = rejected / (new + updated + rejected)
            baseline = sum(ratios) / len(ratios)
            if ratio > 0.1 and ratio > 2 * baseline:
                verdict_now = f"broken: reject ratio rising ({ratio:.0%} against {baseline:.0%} before)"
        if reason != "finished" and verdict_now == OK:
            verdict_now = f"broken: last run ended with {reason}"
        findings.append(Finding(slug, profile.status, started, verdict_now, detail))
    return findings


def findings_json(findings: list[Finding]) -> str:
    return "\n".join(json.dumps(f.__dict__, ensure_ascii=False) for f in findings)
