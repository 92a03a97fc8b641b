"""Full-text search over the archive for people: Vietnamese typed with or without diacritics.

A query is read into terms (words, "quoted phrases", OR, -exclusions, prefix*). A term typed
without diacritics matches the folded columns, so ``ban chi dao`` finds "Ban Chỉ đạo" and ``dac lam``
finds "Đắc Lâm"; a term typed with diacritics matches its exact spelling (and the other tone
placement, ``hoà``/``hòa``), so ``đồ`` does not find "đó". The FTS5 expression built here uses only
stock syntax, so it can be pasted into ``sqlite3`` or ``sqlite-utils search`` as it is.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
import sqlite3
import unicodedata
from dataclasses import dataclass

from scraper.archive import ranking
from scraper.archive.ranking import COUNT_LIMIT, DATE, group, months
from scraper.archive.schema import FTS_FILTERS, FTS_FOLD, FTS_TEXT, has_clusters
from scraper.core.article import FOLDED
from scraper.core.text import fold, has_diacritics, index_fold, nfc

MAX_VARIANTS = 16
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD = re.compile(r"\w+")
_LEX = re.compile(r'"(?P<phrase>[^"]*)"(?P<pstar>\*)?|(?P<word>[^\s"]+)')


class QueryError(ValueError):
    """A query that cannot be searched; the message says why in words, not a traceback."""


def tone_variants(syllable: str) -> set[str]:
    """The spellings of a syllable under both tone placements: 'hoà' -> {'hoà', 'hòa'}."""
    d = unicodedata.normalize("NFD", syllable)
    tone = [c for c in d if c in _TONES]
    if not tone:
        return {syllable}
    bare = "".join(c for c in d if c not in _TONES)
    m = re.search(r"(?<![qQ])([oO])([aAeE])$|(?<![qQ])([uU])([yY])$", bare)
    if not m:
        return {syllable}
    i = m.start()
    return {
        nfc(bare[: i + 1] + tone[0] + bare[i + 1:]),
        nfc(bare[: i + 2] + tone[0] + bare[i + 2:]),
        syllable,
    }


@dataclass
class Term:
    tokens: list[str]
    prefix: bool = False
    negated: bool = False
    operator: str = "AND"  # how it joins the previous term


MAX_QUERY_CHARS = 500  # a query is a few words; past these bounds it is refused at once, with the reason
MAX_TERMS = 24


def parse(query: str) -> list[Term]:
    q = nfc(query or "").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(q):,} characters long; keep it under {MAX_QUERY_CHARS} (a few words or a phrase)")
    if q.count('"') % 2:
        raise QueryError('unbalanced quote: close the phrase with a second "')
    terms: list[Term] = []
    pending_op, negate = "AND", False
    for m in _LEX.finditer(q):
        word = m.group("word")
        if word in ("OR", "AND", "NOT"):
            if not terms:
                raise QueryError(f"the query cannot start with {word}")
            if word == "NOT":
                negate = True
            else:
                pending_op = word
            continue
        prefix = bool(m.group("pstar"))
        text = m.group("phrase") if m.group("phrase") is not None else word
        if word and word.startswith("-") and len(word) > 1:
            negate, text = True, word[1:]
        if word and word.endswith("*"):
            prefix, text = True, text.rstrip("*")
        tokens = _WORD.findall(text)
        if not tokens:
            continue
        terms.append(Term(tokens, prefix, negate, pending_op))
        pending_op, negate = "AND", False
    if not terms:
        raise QueryError("nothing to search for: type at least one word")
    words = sum(len(t.tokens) for t in terms)
    if len(terms) > MAX_TERMS or words > 2 * MAX_TERMS:
        raise QueryError(f"the query has {words} words; keep it to {MAX_TERMS} words and phrases at most")
    if terms[0].negated:
        raise QueryError("the query cannot start with an exclusion: say what to look for first")
    if pending_op != "AND" or negate:
        raise QueryError("the query ends with an operator: say what should follow it")
    return terms


def _phrase(tokens: list[str], prefix: bool) -> str:
    return '"' + " ".join(tokens) + '"' + ("*" if prefix else "")


def term_expression(term: Term, mode: str = "auto") -> str:
    """The FTS5 expression for one term. mode: auto (accents decide), exact, fold."""
    folded = [index_fold(t).lower() for t in term.tokens]
    accented = [has_diacritics(t) for t in term.tokens]
    if mode == "fold" or (mode == "auto" and not any(accented)):
        return group(FTS_FOLD, _phrase(folded, term.prefix))
    if mode == "exact" or all(accented):
        combos = list(itertools.islice(itertools.product(*(sorted(tone_variants(t.lower())) for t in term.tokens)), MAX_VARIANTS))
        alternatives = " OR ".join(_phrase(list(c), term.prefix) for c in combos)
        return group(FTS_TEXT, f"({alternatives})" if len(combos) > 1 else alternatives)
    # Mixed ("Ban Chỉ dao"): the folded phrase, and each accented syllable spelled as typed.
    parts = [group(FTS_FOLD, _phrase(folded, term.prefix))]
    for token, acc in zip(term.tokens, accented):
        if acc:
            variants = sorted(tone_variants(token.lower()))
            parts.append(group(FTS_TEXT, "(" + " OR ".join(f'"{v}"' for v in variants) + ")" if len(variants) > 1 else f'"{variants[0]}"'))
    return "(" + " AND ".join(parts) + ")"


def fts_query(query: str, mode: str = "auto") -> str:
    """The stock FTS5 MATCH expression for a query typed by a person."""
    if mode not in ("auto", "exact", "fold"):
        raise QueryError(f"unknown mode {mode!r}: use auto, exact or fold")
    out = ""
    for i, term in enumerate(parse(query)):
        expr = term_expression(term, mode)
        if i == 0:
            out = expr
        elif term.negated:
            out = f"({out}) NOT {expr}"
        else:
            out = f"{out} {term.operator} {expr}"
    return out


@dataclass
class Hit:
    id: int
    url: str
    portal: str
    province: str
    title: str
    published_at: str | None
    author: str | None
    snippet: str
    republications: list[str] | None = None  # with collapse: the URLs of the cluster's other articles


@dataclass
class Marks:
    """What an excerpt marks, as two regular expressions: the query's words as the index folds them
    (matched in the folded text) and as spelled (matched in the text); a phrase where its words
    follow each other."""
    folded: re.Pattern | None
    exact: re.Pattern | None

    def spans(self, text: str) -> list[tuple[int, int]]:
        found = [m.span() for m in self.exact.finditer(text)] if self.exact else []
        if self.folded:
            found += [m.span() for m in self.folded.finditer(index_fold(text))]  # same length, same offsets
        return sorted(found)


def marks(terms: list[Term], mode: str) -> Marks:
    """What the excerpts of a query's hits mark, as term_expression matches it."""
    folded, exact = [], []
    for term in (t for t in terms if not t.negated):
        accented = [has_diacritics(w) for w in term.tokens]
        spelled = mode == "exact" or (mode == "auto" and all(accented))
        words = [sorted(tone_variants(w.lower())) if spelled else [index_fold(w).lower()] for w in term.tokens]
        pattern = r"\W+".join("(?:" + "|".join(map(re.escape, w)) + ")" for w in words) + (r"\w*" if term.prefix else "")
        (exact if spelled else folded).append(pattern)

    def compiled(patterns: list[str]) -> re.Pattern | None:
        return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.IGNORECASE) if patterns else None

    return Marks(compiled(folded), compiled(exact))


SNIPPET_WORDS = 24
_BEFORE = 4  # words of context before the first mark of the excerpt


def snippet(body: str, marked: Marks, open_: str = "[", close: str = "]") -> str:
    """SNIPPET_WORDS words of `body` around its densest run of marks, marked (neighbours as one:
    "[Ban Chỉ đạo]", not "[Ban] [Chỉ] [đạo]"). FTS5's snippet() cannot be asked, since the folded
    text lives only in the index; the matching runs in the regular expression engine, so a long
    article costs little more than a short one."""
    body = nfc(body or "")
    spans = marked.spans(body)
    anchor = 0
    if spans:
        reach = [s for s, _ in spans]
        span_chars = SNIPPET_WORDS * 6  # about the length of SNIPPET_WORDS Vietnamese words
        best = max(range(len(spans)), key=lambda i: (bisect.bisect_right(reach, spans[i][0] + span_chars) - i, -i))
        anchor = spans[best][0]
    before = [m.start() for m in _WORD.finditer(body, max(0, anchor - 60), anchor)]
    start = before[-_BEFORE] if len(before) >= _BEFORE else (0 if anchor < 60 else (before[0] if before else anchor))
    words = list(itertools.islice(_WORD.finditer(body, start), SNIPPET_WORDS + 1))
    if len(words) <= SNIPPET_WORDS and start:  # the end of the text is near: its last SNIPPET_WORDS words
        tail = list(_WORD.finditer(body, max(0, len(body) - SNIPPET_WORDS * 12)))
        tail = tail if len(tail) >= SNIPPET_WORDS or len(body) <= SNIPPET_WORDS * 12 else list(_WORD.finditer(body))
        words = tail[-SNIPPET_WORDS:]
        start = words[0].start() if words else 0
    if not words:
        return ""
    first = 0 if not _WORD.search(body, 0, start) else words[0].start()
    end = len(body) if len(words) <= SNIPPET_WORDS else words[SNIPPET_WORDS - 1].end()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if b <= first or a >= end:
            continue
        if merged and (a <= merged[-1][1] or not body[merged[-1][1]: a].strip()):
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    out, last = [], first
    for a, b in merged:
        a, b = max(a, first), min(b, end)
        out += [body[last: a], open_, body[a: b], close]
        last = b
    out.append(body[last: end])
    excerpt = ("…" if first else "") + "".join(out) + ("…" if end < len(body) else "")
    return " ".join(excerpt.split())


def _province_key(name: str) -> str:
    key = fold(nfc(name)).lower().strip()
    for prefix in ("thanh pho ", "tp. ", "tp ", "tinh "):
        if key.startswith(prefix):
            key = key[len(prefix):]
    return " ".join(key.replace("-", " ").split())


def provinces_like(conn: sqlite3.Connection, name: str) -> list[str]:
    """Province names in the archive that match `name` typed with or without diacritics; a province
    formed in the 2025 merger brings the provinces merged into it ("Đắk Lắk" includes "Phú Yên")."""
    key = _province_key(name)
    pairs = conn.execute("SELECT province, merged_into FROM portals").fetchall()
    pairs += [(r[0], None) for r in conn.execute("SELECT DISTINCT province FROM articles")]
    matched = {p for p, _ in pairs if p and _province_key(p) == key}
    units = {u for _, u in pairs if u and _province_key(u) == key}
    matched |= {p for p, u in pairs if p and u in units}
    return sorted(matched)


def _keys(prefix: str, values: list[str]) -> str:
    return "(" + " OR ".join(f'"{prefix}{nfc(v).replace("_" if prefix == "p" else " ", "")}"' for v in values) + ")"


def date_message(name: str, value: str) -> str:
    return f"--{name} takes a date as YYYY-MM-DD (or YYYY-MM, YYYY), not {value!r}"


def valid_date(value: str) -> bool:
    if not DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value if len(value) == 10 else (value + "-01-01")[:10])
    except ValueError:
        return False
    return True


def _month_end(day: str) -> str:
    """The last day of the month of `day` (YYYY-MM-DD)."""
    first = dt.date(int(day[:4]), int(day[5:7]), 1) + dt.timedelta(days=31)
    return (first.replace(day=1) - dt.timedelta(days=1)).isoformat()


def _tiers(terms: list[Term], expr: str) -> list[str]:
    """Where a match ranks best, best first (scraper.archive.ranking.tiered): the query's words as
    one phrase in the title, every term in the title, every term in the lead."""
    positive = [t for t in terms if not t.negated]
    tiers = [group([name, FOLDED[name]], f"({expr})") for name in ("title", "lead")]
    if len(positive) > 1 and all(t.operator == "AND" and not t.prefix for t in positive):
        tiers.insert(0, group([FOLDED["title"]], _phrase([index_fold(w).lower() for t in positive for w in t.tokens], False)))
    return tiers


def search(
    conn: sqlite3.Connection,
    query: str,
    *,
    mode: str = "auto",
    portals: list[str] | None = None,
    province: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 10,
    highlight: tuple[str, str] = ("[", "]"),
    collapse: bool = False,
    order: str = "relevance",
) -> tuple[int, list[Hit], str]:
    """(number of matches — COUNT_LIMIT + 1 meaning "more than COUNT_LIMIT" —, the best `limit`
    hits, the FTS5 expression used). `order`: relevance (bm25, or where the query matches when a
    term is common: scraper.archive.ranking) or newest (by publication date). With `collapse`, a
    cluster of near-duplicates counts and shows once, as its earliest article."""
    if order not in ("relevance", "newest"):
        raise QueryError(f"unknown order {order!r}: use relevance or newest")
    for name, value in (("since", since), ("until", until)):
        if value and not valid_date(value):
            raise QueryError(date_message(name, value))
    terms = parse(query)
    expr = fts_query(query, mode)
    filters, where, params = [], [], []
    # The filters are answered by the index's tokens (every profile's slug and province has a
    # token of its own: tests/test_search.py); only a day within a month is checked on the rows.
    if portals:
        filters.append(group(FTS_FILTERS, _keys("p", portals)))
    if province:
        names = provinces_like(conn, province)
        if not names:
            raise QueryError(f"no province called {province!r} in the archive")
        filters.append(group(FTS_FILTERS, _keys("v", names)))
    if since or until:
        filters.append(group(FTS_FILTERS, months(since, until)))
    if since and since[8:] not in ("", "01"):
        where.append("+a.published_at >= ?")  # "+": checked on the index's matches, not used to find them
        params.append(since)
    if until and len(until) == 10 and until != _month_end(until):
        where.append("substr(a.published_at, 1, 10) <= ?")
        params.append(until)
    match = f"({expr}) AND {' AND '.join(filters)}" if filters else expr
    sql_where = " AND ".join(["articles_fts MATCH ?", *where])
    params = [match, *params]
    try:
        if collapse:
            if not has_clusters(conn):
                raise QueryError("this archive predates near-duplicate clusters: run scrapy neardups --rebuild first")
            return _collapsed(conn, sql_where, params, limit, highlight, marks(terms, mode)) + (expr,)
        # The index alone answers what needs no row (counting, finding the window), unless a day
        # within a month must be checked on the rows.
        matches = f"articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE {sql_where}" if where else \
            "articles_fts WHERE articles_fts MATCH ?"
        total, marked = ranking.count(conn, matches, params, COUNT_LIMIT), marks(terms, mode)
        if order == "newest":
            ids = ranking.newest(conn, sql_where, params, total, limit)
        else:
            window, extra = (params, "") if total <= ranking.RANK_WINDOW else ranking.window(conn, matches, params)
            if total <= COUNT_LIMIT and ranking.bm25_affordable(conn, [term_expression(t, mode) for t in terms if not t.negated] + filters):
                return total, [_hit(row, highlight, marked) for row in conn.execute(
                    f"SELECT {_HIT_COLUMNS} FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                    f"WHERE {sql_where}{extra} ORDER BY rank LIMIT ?", [*window, limit])], expr
            ids = ranking.tiered(conn, sql_where, window, extra, _tiers(terms, expr), limit)
        rows = {r[0]: r for r in conn.execute(
            f"SELECT {_HIT_COLUMNS} FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            f"WHERE articles_fts MATCH ? AND a.id IN ({','.join('?' * len(ids))})", [params[0], *ids])} if ids else {}
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise QueryError("the archive has no articles yet: run a crawl first") from None
        raise QueryError(f"the search engine could not read this query ({exc})") from None
    return total, [_hit(rows[i], highlight, marked) for i in ids if i in rows], expr


_HIT_COLUMNS = "a.id, a.url, a.portal, a.province, a.title, a.published_at, a.author, a.body_text"


def _hit(row: tuple, highlight: tuple[str, str], marked: Marks) -> Hit:
    *head, body = row
    return Hit(*head, snippet(body, marked, *highlight))


def _collapsed(conn: sqlite3.Connection, sql_where: str, params: list, limit: int, highlight: tuple[str, str],
               marked: Marks) -> tuple[int, list[Hit]]:
    """One hit per near-duplicate cluster, ranked by its best-matching article and shown as the
    cluster's earliest article (the original of a republished press release)."""
    matches = f"""SELECT coalesce(a.cluster_id, a.id) AS cluster, min(rank) AS best,
                         max(a.id = coalesce(a.cluster_id, a.id)) AS head_matched
                  FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE {sql_where} GROUP BY cluster"""
    total = conn.execute(f"SELECT count(*) FROM ({matches})", params).fetchone()[0]
    hits = []
    for cluster, _, head_matched in conn.execute(f"{matches} ORDER BY best LIMIT ?", params + [limit]).fetchall():
        # The head's own excerpt when it matched the query too; else the best match's.
        where = "a.id = ?" if head_matched else f"coalesce(a.cluster_id, a.id) = ? AND {sql_where}"
        row = conn.execute(f"SELECT {_HIT_COLUMNS} FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                           f"WHERE articles_fts MATCH ? AND {where} ORDER BY rank LIMIT 1",
                           [params[0], cluster] + ([] if head_matched else params)).fetchone()
        hit = _hit(row, highlight, marked)
        if not head_matched:  # show the earliest article, with the matching one's excerpt
            head = conn.execute("SELECT id, url, portal, province, title, published_at, author FROM articles WHERE id = ?",
                                [cluster]).fetchone()
            hit = Hit(*head, hit.snippet)
        hit.republications = [u for (u,) in conn.execute(
            "SELECT url FROM articles WHERE cluster_id = ? AND id != ? ORDER BY published_at, id", [cluster, cluster])]
        hits.append(hit)
    return total, hits
