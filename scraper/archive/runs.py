"""A crawl run's record: the ``crawl_runs`` row of one portal, from the crawl's stats.

Spiders and pipelines count each event for the crawl and for its portal (``portals/<slug>/…``);
this turns those counts into what a person reads: requests, new, updated, unchanged, rejected,
errors, the listings walked to their end, notes and a health verdict.
"""

from __future__ import annotations

import datetime as dt
import json

from scraper.archive.health import verdict
from scraper.archive.rows import now_iso


def run_values(stats: dict, slug: str, committed: dict, reason: str, shared: bool, report: dict) -> dict:
    """The crawl_runs row of one portal. Spider and pipelines count each event for the crawl and for
    its portal (``portals/<slug>/…``); requests are per portal only when the crawl covered several
    (in a one-portal crawl Scrapy's own counts, robots.txt included, are that portal's)."""
    own = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith(f"portals/{slug}/")}
    errors = sum(v for k, v in own.items() if k.startswith("portal/errors/"))
    if not shared:
        errors += stats.get("spider_exceptions/count", 0)
        own.setdefault("requests", stats.get("downloader/request_count", 0))
        own.setdefault("responses", stats.get("downloader/response_count", 0))
    values = {
        "finished_at": now_iso(),
        "finish_reason": reason,
        "requests": own.get("requests", 0),
        "responses": own.get("responses", 0),
        "new": committed.get("new", 0),
        "updated": committed.get("updated", 0),
        # Unchanged: fetched again and found the same, answered 304, or known and not fetched again.
        "unchanged": own.get("archive/unchanged", 0) + own.get("archive/committed/unchanged", 0) + own.get("incremental/known_skipped", 0)
        + own.get("incremental/not_modified", 0),
        "aliases": committed.get("aliases", 0),
        "rejected": committed.get("rejected", 0),
        "errors": errors,
        "walks": json.dumps(report.get("walks", []), ensure_ascii=False),
        "stats": json.dumps({k: _plain(v) for k, v in sorted(own.items())}, ensure_ascii=False),
    }
    notes = run_notes(own)
    if report.get("archive_errors"):
        notes.append(f"{len(report['archive_errors'])} commits failed and were retried (last: {report['archive_errors'][-1]})")
    if report.get("unsaved"):
        notes.append(f"{report['unsaved']} writes were still pending when the run ended")
    values["notes"] = "; ".join(notes) or None
    values["verdict"] = verdict(values, own)
    return values


def run_notes(stats: dict) -> list[str]:
    """What a person should know about a run that the counts do not say."""
    notes = []
    if stats.get("robots/disallowed_everything"):
        notes.append("robots.txt disallows everything: nothing fetched")
    if stats.get("extraction/errors"):
        notes.append(f"{stats['extraction/errors']} pages made the page classes fail")
    misses = {k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("extraction/problems/selector-miss/")}
    if misses:
        notes.append("profile selectors matched nothing: " + ", ".join(f"{k} ×{v}" for k, v in sorted(misses.items())))
    return notes


def _plain(value):
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value
