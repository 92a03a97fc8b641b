"""Pictures of the archive (``scrapy report``): articles per portal per month as a heat map (a broken
selector or a dead portal shows as a gap), crawl health over time (each run a mark coloured by its
verdict), and coverage of the 63 provinces as they were, grouped into the 34 of 1 July 2025.

Pure functions: rows read from an archive connection, SVG written as text (no plotting library,
so the charts look the same everywhere and are small enough to keep beside the archive).
"""

from __future__ import annotations

import html
import sqlite3
from dataclasses import dataclass

E = html.escape
VERDICT_COLOURS = {"ok": "#2a9d4b", "degraded": "#e9a23b", "broken": "#d63b3b"}
OTHER_COLOUR = "#8a8a8a"
FONT = 'font-family="sans-serif" font-size="11"'


@dataclass
class Report:
    months: list[str]                      # every month from the first to the last, "YYYY-MM"
    per_month: dict[str, dict[str, int]]   # portal -> month -> articles
    runs: list[tuple[str, str, str]]       # (portal, started_at, verdict), oldest first
    coverage: dict[str, list[tuple[str, int]]]  # province since 2025 -> [(province before, articles)]


def _month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def gather(conn: sqlite3.Connection) -> Report:
    per_month: dict[str, dict[str, int]] = {}
    for portal, month, n in conn.execute("SELECT portal, substr(published_at, 1, 7), count(*) FROM articles "
                                         "WHERE published_at IS NOT NULL GROUP BY 1, 2"):
        per_month.setdefault(portal, {})[month] = n
    months = sorted({m for counts in per_month.values() for m in counts})
    runs = [tuple(r) for r in conn.execute("SELECT portal, started_at, coalesce(verdict, '') FROM crawl_runs "
                                           "WHERE started_at IS NOT NULL ORDER BY started_at")]
    held = dict(conn.execute("SELECT p.province, count(a.id) FROM portals p LEFT JOIN articles a ON a.portal = p.slug "
                             "GROUP BY p.province"))
    coverage: dict[str, list[tuple[str, int]]] = {}
    for province, unit in conn.execute("SELECT DISTINCT province, coalesce(merged_into, province) FROM portals "
                                       "WHERE province IS NOT NULL ORDER BY 2, 1"):
        coverage.setdefault(unit, []).append((province, held.get(province, 0)))
    return Report(_month_range(months[0], months[-1]) if months else [], per_month, runs, coverage)


def _shade(n: int, peak: int) -> str:
    if n == 0:
        return "#f1f1f1"
    strength = 0.25 + 0.75 * (n / peak if peak else 1)
    r, g, b = (int(255 - (255 - c) * strength) for c in (0x1f, 0x6f, 0xb4))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap_svg(report: Report) -> str:
    """Rows: portals; columns: months; a cell's colour: articles published that month (none: pale grey)."""
    portals = sorted(report.per_month)
    cell, left, top = 14, 130, 60
    width = left + cell * max(1, len(report.months)) + 20
    height = top + cell * max(1, len(portals)) + 20
    peak = max((n for counts in report.per_month.values() for n in counts.values()), default=0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" {FONT}>',
             f'<text x="10" y="18" font-size="14">Articles per portal per month (darkest: {peak})</text>']
    for j, month in enumerate(report.months):
        if month.endswith("-01") or j == 0:
            parts.append(f'<text x="{left + j * cell}" y="{top - 8}" transform="rotate(-45 {left + j * cell} {top - 8})">{month}</text>')
    for i, portal in enumerate(portals):
        y = top + i * cell
        parts.append(f'<text x="{left - 6}" y="{y + cell - 3}" text-anchor="end">{E(portal)}</text>')
        for j, month in enumerate(report.months):
            n = report.per_month[portal].get(month, 0)
            parts.append(f'<rect x="{left + j * cell}" y="{y}" width="{cell - 1}" height="{cell - 1}" fill="{_shade(n, peak)}">'
                         f'<title>{E(portal)} {month}: {n}</title></rect>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def health_svg(report: Report) -> str:
    """Rows: portals; a mark per run at its date, coloured by its verdict."""
    portals = sorted({p for p, _, _ in report.runs})
    days = sorted({s[:10] for _, s, _ in report.runs})
    left, top, row, width = 130, 50, 16, 760
    height = top + row * max(1, len(portals)) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" {FONT}>',
             '<text x="10" y="18" font-size="14">Crawl health over time: each run, by its verdict</text>']
    for k, (verdict, colour) in enumerate([*VERDICT_COLOURS.items(), ("other", OTHER_COLOUR)]):
        parts.append(f'<circle cx="{left + k * 90}" cy="32" r="5" fill="{colour}"/><text x="{left + k * 90 + 9}" y="36">{verdict}</text>')
    span = max(1, len(days) - 1)
    where = {d: left + (width - left - 30) * i / span for i, d in enumerate(days)}
    for i, portal in enumerate(portals):
        parts.append(f'<text x="{left - 6}" y="{top + i * row + 12}" text-anchor="end">{E(portal)}</text>')
    for portal, started, verdict in report.runs:
        y = top + portals.index(portal) * row + 8
        parts.append(f'<circle cx="{where[started[:10]]:.1f}" cy="{y}" r="4" fill="{VERDICT_COLOURS.get(verdict, OTHER_COLOUR)}">'
                     f'<title>{E(portal)} {E(started)}: {E(verdict or "no verdict")}</title></circle>')
    if days:
        parts.append(f'<text x="{left}" y="{height - 10}">{days[0]}</text>')
        parts.append(f'<text x="{width - 30}" y="{height - 10}" text-anchor="end">{days[-1]}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def coverage_svg(report: Report) -> str:
    """The 34 provinces since 1 July 2025, each a box of the provinces merged into it: green where
    the archive holds articles of that province's portal, grey where it holds none yet."""
    units = sorted(report.coverage)
    cols, box_w, box_h = 4, 230, 20
    rows_needed = [1 + len(report.coverage[u]) for u in units]
    heights = [max(rows_needed[i:i + cols]) for i in range(0, len(units), cols)]
    height = 40 + sum(h * box_h + 10 for h in heights)
    held = sum(1 for u in units for _, n in report.coverage[u] if n)
    total = sum(len(report.coverage[u]) for u in units)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{cols * box_w + 20}" height="{height}" {FONT}>',
             f'<text x="10" y="18" font-size="14">Coverage: {held} of {total} provinces before 2025 have articles, '
             f'in {len(units)} provinces since</text>']
    y = 30
    for start in range(0, len(units), cols):
        for k, unit in enumerate(units[start:start + cols]):
            x = 10 + k * box_w
            parts.append(f'<text x="{x}" y="{y + 14}" font-weight="bold">{E(unit)}</text>')
            for n, (province, count) in enumerate(report.coverage[unit], 1):
                colour = "#2a9d4b" if count else "#bdbdbd"
                parts.append(f'<rect x="{x}" y="{y + n * box_h}" width="{box_w - 20}" height="{box_h - 3}" fill="{colour}">'
                             f'<title>{E(province)}: {count} articles</title></rect>')
                ink = "#fff" if count else "#333"
                parts.append(f'<text x="{x + 5}" y="{y + n * box_h + 13}" fill="{ink}">{E(province)} · {count}</text>')
        y += heights[start // cols] * box_h + 10
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def report_html(report: Report, charts: dict[str, str], datasette: str | None) -> str:
    """One page with the charts (as files beside it) and links to the same numbers in Datasette."""
    links = ""
    if datasette:
        base = datasette.rstrip("/")
        links = (f'<p>The same numbers in Datasette: <a href="{E(base)}/archive/portal_months">articles per portal per month</a>, '
                 f'<a href="{E(base)}/archive/health_over_time">crawl health over time</a>, '
                 f'<a href="{E(base)}/archive/portals">the portals</a>.</p>')
    totals = {"portals with articles": len(report.per_month), "articles": sum(sum(c.values()) for c in report.per_month.values()),
              "months": len(report.months), "runs": len(report.runs)}
    figures = "\n".join(f'<figure><img src="{E(name)}" alt="{E(title)}"><figcaption>{E(title)}</figcaption></figure>'
                        for name, title in charts.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Vietnam provincial portals archive: report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}} figure{{margin:2em 0}} img{{max-width:100%;border:1px solid #ddd}}</style>
</head><body>
<h1>Vietnam provincial portals archive</h1>
<p>{E(", ".join(f"{value:,} {name}" for name, value in totals.items()))}</p>
{links}
{figures}
</body></html>
"""
