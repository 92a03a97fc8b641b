"""The archive in Datasette, as a reader's tool (a Datasette plugin: the project's ``datasette``
entry point, loaded whenever Datasette runs where the project is installed; ``make serve``).

- ``vn_match(q)``: the FTS5 expression ``scrapy search`` makes of what a person typed (without
  diacritics it matches any spelling; with them, that spelling), so the canned search finds what
  the command finds; an empty query matches nothing instead of failing.
- ``vn_excerpt(lead, body, q)``: the excerpt ``scrapy search`` shows, in the text as published,
  with the words found marked; rendered as highlighted HTML.
- A portal's slug links to its row in ``portals``.
"""

from __future__ import annotations

from urllib.parse import quote

from datasette import hookimpl
from markupsafe import Markup, escape

from scraper.archive.search import QueryError, fts_query, marks, parse, snippet

OPEN, CLOSE = "\x02", "\x03"  # marks no text holds, made HTML when the cell is shown
NOTHING = "vnarchivenomatch"  # a token no article holds: what an empty query matches
LINKED = {"articles", "article_list", "articles_per_month", "crawl_runs", "rejects", "article_aliases"}


def vn_match(q: str | None) -> str:
    if not q or not q.strip():
        return NOTHING
    try:
        return fts_query(q) or NOTHING
    except QueryError:
        return '"' + q.replace('"', '""') + '"'  # what it is, as a phrase


def vn_excerpt(lead: str | None, body: str | None, q: str | None) -> str:
    text = "\n\n".join(t for t in (lead, body) if t)
    try:
        found = marks(parse(q or ""), "auto")
    except QueryError:
        found = marks([], "auto")
    return snippet(text, found, OPEN, CLOSE)


@hookimpl
def prepare_connection(conn):
    conn.create_function("vn_match", 1, vn_match, deterministic=True)
    conn.create_function("vn_excerpt", 3, vn_excerpt, deterministic=True)


@hookimpl
def render_cell(value, column, table, database, datasette):
    if column == "excerpt" and isinstance(value, str) and OPEN in value:
        return Markup(str(escape(value)).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))
    if column == "portal" and isinstance(value, str) and value and (table in LINKED or table is None):
        href = datasette.urls.table(database, "portals") + "/" + quote(value, safe="")
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    return None
