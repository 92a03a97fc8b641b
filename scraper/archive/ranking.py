"""How search orders its matches, in a time bounded whatever the archive's size.

FTS5's bm25 weighs each term by how rare it is (its IDF), and finds that out by reading every row
of the index that holds the term, whichever matches it is asked to rank: at a million articles a
common word ("tỉnh", "ban", a portal's filter token) costs 100–400 ms before the first match is
scored. So relevance is ranked in two ways:

- every term is rarer than BM25_MAX_DOCS articles: bm25, as stock tools rank (the weights of
  scraper.archive.schema.FTS_RANK, the title most);
- a term is commoner: by where the query matches, then by publication date: the whole query as a
  phrase in the title, every term in the title, every term in the lead, elsewhere. Each tier is an
  FTS5 query of its own, so nothing reads more than the matches it ranks.

Either way a query with more than RANK_WINDOW matches is ranked within its most recent publication
months (the first of WINDOW_MONTHS, counted back from the archive's newest article, that holds
that many), the latest archived of those. ``order="newest"`` sorts every match by publication date.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Sequence

from scraper.archive.schema import FTS_FILTERS

COUNT_LIMIT = 10_000  # matches are counted exactly up to this many; past it a search says "more than"
RANK_WINDOW = 2_000
WINDOW_MONTHS = (1, 3, 12, 36, 120)
BM25_MAX_DOCS = COUNT_LIMIT  # so a query with more matches than COUNT_LIMIT never needs asking
DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def group(columns: Sequence[str], expr: str) -> str:
    return "{" + " ".join(columns) + "}: " + expr


def months(since: str | None, until: str | None) -> str:
    """The index's tokens for the publication months from `since` to `until` (YYYY[-MM[-DD]]):
    "y2025" for a whole year, "m202506" for a month (scraper.archive.schema.SEARCH_FILTERS_SQL)."""
    first = (int(since[:4]), int(since[5:7]) if len(since) >= 7 else 1) if since else (1990, 1)
    last = (int(until[:4]), int(until[5:7]) if len(until) >= 7 else 12) if until else (dt.date.today().year + 1, 12)
    terms = []
    for year in range(first[0], last[0] + 1):
        low = first[1] if year == first[0] else 1
        high = last[1] if year == last[0] else 12
        terms += [f"y{year}"] if (low, high) == (1, 12) else [f"m{year}{month:02d}" for month in range(low, high + 1)]
    return "(" + " OR ".join(terms) + ")" if terms else "m000000"


def count(conn: sqlite3.Connection, matches: str, params: list, bound: int) -> int:
    """How many rows `matches` finds, counted up to `bound` (bound + 1 meaning more)."""
    return conn.execute(f"SELECT count(*) FROM (SELECT articles_fts.rowid FROM {matches} LIMIT {bound + 1})",
                        params).fetchone()[0]


def bm25_affordable(conn: sqlite3.Connection, expressions: list[str]) -> bool:
    """Whether each of the query's terms (and filters) is in fewer than BM25_MAX_DOCS articles."""
    return all(count(conn, "articles_fts WHERE articles_fts MATCH ?", [e], BM25_MAX_DOCS) <= BM25_MAX_DOCS
               for e in expressions)


def window(conn: sqlite3.Connection, matches: str, params: list) -> tuple[list, str]:
    """The parameters and the rowid condition that narrow a query with more than RANK_WINDOW
    matches to RANK_WINDOW of them: the most recent months holding that many, the latest archived."""
    narrowed = _recent(conn, matches, params) or params
    (floor,) = conn.execute(f"SELECT articles_fts.rowid FROM {matches} ORDER BY articles_fts.rowid DESC "
                            f"LIMIT 1 OFFSET {RANK_WINDOW - 1}", narrowed).fetchone()
    return narrowed, f" AND articles_fts.rowid >= {int(floor)}"


def _recent(conn: sqlite3.Connection, matches: str, params: list) -> list | None:
    """`params` with the match narrowed to the most recent months that hold RANK_WINDOW matches,
    or None when no such window of up to WINDOW_MONTHS[-1] months does."""
    (newest,) = conn.execute("SELECT max(published_at) FROM articles WHERE published_at <= ?",
                             [(dt.date.today() + dt.timedelta(days=1)).isoformat()]).fetchone()
    if not newest or not DATE.match(newest[:7]):
        return None
    year, month = int(newest[:4]), int(newest[5:7])
    for span in WINDOW_MONTHS:
        first = year * 12 + month - span
        since = f"{first // 12:04d}-{first % 12 + 1:02d}"
        narrowed = [f"({params[0]}) AND {group(FTS_FILTERS, months(since, newest[:7]))}", *params[1:]]
        if count(conn, matches, narrowed, RANK_WINDOW - 1) >= RANK_WINDOW:
            return narrowed
    return None


def tiered(conn: sqlite3.Connection, sql_where: str, params: list, extra: str, tiers: list[str], limit: int) -> list[int]:
    """The ids of the best `limit` matches by tier (each an FTS5 expression the match must also
    meet, best first; the matches in none come last), newest published first within a tier."""
    found: list[int] = []
    for tier in [*tiers, None]:
        if len(found) >= limit:
            break
        match = params[0] if tier is None else f"({params[0]}) AND ({tier})"
        seen = f" AND articles_fts.rowid NOT IN ({','.join(map(str, found))})" if found else ""
        found += [r[0] for r in conn.execute(
            f"SELECT a.id FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE {sql_where}{extra}{seen} "
            "ORDER BY a.published_at DESC, a.id DESC LIMIT ?", [match, *params[1:], limit - len(found)])]
    return found


def newest(conn: sqlite3.Connection, sql_where: str, params: list, total: int, limit: int) -> list[int]:
    """The ids of the matches newest first by publication date. Few matches: all of them sorted.
    Many: the archive walked newest first (its published_at index), a page at a time, keeping the matches."""
    if total <= COUNT_LIMIT:
        return [r[0] for r in conn.execute(
            f"SELECT a.id FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            f"WHERE {sql_where} ORDER BY a.published_at DESC, a.id DESC LIMIT ?", [*params, limit])]
    found: list[int] = []
    walk = conn.execute("SELECT id FROM articles INDEXED BY idx_articles_published_at WHERE published_at IS NOT NULL "
                        "ORDER BY published_at DESC")
    while len(found) < limit:
        ids = [r[0] for r in walk.fetchmany(256)]
        if not ids:
            break
        hits = {r[0] for r in conn.execute(f"SELECT a.id FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                                           f"WHERE {sql_where} AND articles_fts.rowid IN ({','.join('?' * len(ids))})",
                                           [*params, *ids])}
        found += [i for i in ids if i in hits]
    return found[:limit]
