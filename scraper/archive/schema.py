"""The archive's schema, written once: numbered migrations applied in order, tracked in PRAGMA user_version.

A migration is a function of a sqlite-utils Database. Opening an archive applies the missing ones,
each in its own transaction, so an old archive file is upgraded in place and a new one is built by
the same code path. Never edit a migration that has shipped; add the next one.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only named in annotations: reading the archive never imports it
    import sqlite_utils

from scraper.core.article import FOLDED, RECORD_FIELDS, SEARCHED
from scraper.core.text import INDEX_FOLD

logger = logging.getLogger(__name__)

# Full-text search: the exact NFC text and a length-preserving folded copy (marks stripped, đ→d),
# in one stock FTS5 table with remove_diacritics 0. Stock sqlite3, sqlite-utils and Datasette all
# open it; no custom tokenizer. The folded columns make "ban chi dao" find "Ban Chỉ đạo". The
# columns are the article's searched fields (scraper.core.article), in the order the index holds them.
FTS_TEXT = ["title", "lead", "body_text", "author"]
FTS_FOLD = [FOLDED[name] for name in FTS_TEXT]
# Indexed for filtering, not for ranking (bm25 weight 0): a portal, province or date filter is
# intersected with the query inside the index instead of probing every match's row. The column is
# generated from the row in plain SQL (so stock tools keep the index in step), as tokens no word
# is spelled like: "pquangngai vQuảngNgãi y2025 m202506" (``{search_filters}: "m202506"``).
FTS_FILTERS = ["search_filters"]
SEARCH_FILTERS_SQL = ("'p' || replace(portal, '_', '') || coalesce(' v' || replace(province, ' ', ''), '') || coalesce("
                      "' y' || substr(published_at, 1, 4) || ' m' || substr(published_at, 1, 4) || substr(published_at, 6, 2), '')")
FTS_COLUMNS = FTS_TEXT + FTS_FOLD + FTS_FILTERS
# bm25 weights in FTS_COLUMNS order, each folded column weighing as its text: the title most.
FTS_RANK = f"bm25({', '.join([str(SEARCHED[name]) for name in FTS_TEXT * 2] + ['0.0'] * len(FTS_FILTERS))})"
FTS_TOKENIZE = "unicode61 remove_diacritics 0"
# The archive's own columns of `articles`, beside the item's record fields.
ARCHIVE_COLUMNS = ("id", "first_seen_at", "changed_at", "version", "cluster_id")

# The folded copies live only in the index (since m007). The view `article_folds` computes them
# from the row in plain SQL, INDEX_FOLD as replace() calls, FOLD_STEP to a step of a WITH chain
# (SQLite's parser nests no deeper than about thirty calls), and the index's triggers read it, so
# any SQLite client that writes an article keeps the index in step. Only the columns the index
# holds re-index a row when they change (a cluster id does not).
FOLD_STEP = 20
INDEXED_SOURCES = ("title", "lead", "body_text", "author", "portal", "province", "published_at")


def _folds_view() -> str:
    pairs = list(INDEX_FOLD.items())
    steps = [f"s0 AS (SELECT id, {', '.join(f'{t} AS {f}' for t, f in zip(FTS_TEXT, FTS_FOLD))} FROM articles)"]
    for k in range(0, len(pairs), FOLD_STEP):
        columns = []
        for name in FTS_FOLD:
            expr = name
            for ch, base in pairs[k: k + FOLD_STEP]:
                expr = f"replace({expr}, '{ch}', '{base}')"
            columns.append(f"{expr} AS {name}")
        steps.append(f"s{len(steps)} AS (SELECT id, {', '.join(columns)} FROM s{len(steps) - 1})")
    return (f"CREATE VIEW article_folds AS WITH {', '.join(steps)} "
            f"SELECT id, {', '.join(FTS_FOLD)} FROM s{len(steps) - 1}")


def _index_values(row: str) -> str:
    return ", ".join(f"f.{c}" if c in FTS_FOLD else f"{row}.{c}" for c in FTS_COLUMNS)


def _trigger_index(row: str, delete: bool = False) -> str:
    """The trigger statement that adds the article `row` (new or old) to the index, or deletes it."""
    head, command = ("articles_fts, rowid", "'delete', ") if delete else ("rowid", "")
    return (f"INSERT INTO articles_fts ({head}, {', '.join(FTS_COLUMNS)}) SELECT {command}{row}.id, {_index_values(row)} "
            f"FROM article_folds f WHERE f.id = {row}.id;")


# Index articles from their rows (add " WHERE a.id = ?" for one): what the FTS5 'rebuild' command
# would do, which cannot here, since the folded columns are not in the content table.
REINDEX = (f"INSERT INTO articles_fts (rowid, {', '.join(FTS_COLUMNS)}) SELECT a.id, {_index_values('a')} "
           "FROM articles a JOIN article_folds f ON f.id = a.id")


# A row the archive's own writer indexes itself, with the folds the page worker made (one pass in
# C instead of the replace() chain), has its id in `articles_indexed_by_writer` while it is inserted
# (scraper.archive.store). The values the index gets are the same either way.
INDEX_GIVEN = (f"INSERT INTO articles_fts (rowid, {', '.join(FTS_COLUMNS)}) SELECT id, "
               + ", ".join("?" if c in FTS_FOLD else c for c in FTS_COLUMNS) + " FROM articles WHERE id = ?")
_INSERT_TRIGGER = (f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles WHEN NOT EXISTS "
                   f"(SELECT 1 FROM articles_indexed_by_writer WHERE id = new.id) BEGIN {_trigger_index('new')} END")
_M007_INSERT_TRIGGER = f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN {_trigger_index('new')} END"
INDEX_TRIGGERS = (
    _INSERT_TRIGGER,
    f"CREATE TRIGGER articles_fts_delete BEFORE DELETE ON articles BEGIN {_trigger_index('old', delete=True)} END",
    f"CREATE TRIGGER articles_fts_unindex BEFORE UPDATE OF {', '.join(INDEXED_SOURCES)} ON articles "
    f"BEGIN {_trigger_index('old', delete=True)} END",
    f"CREATE TRIGGER articles_fts_reindex AFTER UPDATE OF {', '.join(INDEXED_SOURCES)} ON articles BEGIN {_trigger_index('new')} END",
)

# The articles table as the first migration created it. (Later columns are added by later
# migrations; ARTICLE_COLUMNS below is the table as it is now.)
_M001_ARTICLE_COLUMNS = {
    "id": int,
    "url": str,
    "portal": str,
    "province": str,
    "title": str,
    "lead": str,
    "published_at": str,
    "updated_at": str,
    "author": str,
    "source": str,
    "category": str,
    "body_text": str,
    "body_html": str,
    "captions": str,
    "images": str,
    "attachments": str,
    "fetched_at": str,
    "content_hash": str,
    "extraction": str,
    "published_raw": str,
    "charset": str,
    "fetched_url": str,
    "first_seen_at": str,
    "changed_at": str,
    "version": int,
    "title_fold": str,
    "lead_fold": str,
    "body_fold": str,
    "author_fold": str,
}


# The articles table as it is now: the article's record fields and the archive's own columns
# (tests/test_schema.py checks this against the table the migrations build).
ARTICLE_COLUMNS = (*RECORD_FIELDS, *ARCHIVE_COLUMNS)


def _m001_initial(db: sqlite_utils.Database) -> None:
    db["articles"].create(_M001_ARTICLE_COLUMNS, pk="id", not_null={"url", "portal", "title", "body_text"})
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["portal", "published_at"])
    db["articles"].create_index(["province", "published_at"])
    db["articles"].create_index(["published_at"])
    columns = FTS_TEXT + FTS_FOLD  # the index as it first was (m006 adds the filter columns)
    db["articles"].enable_fts(columns, tokenize=FTS_TOKENIZE, create_triggers=True)
    rank = f"bm25({', '.join(str(SEARCHED[name]) for name in FTS_TEXT * 2)})"
    db.execute(f"INSERT INTO articles_fts(articles_fts, rank) VALUES('rank', '{rank}')")

    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "version": int,
            "url": str,
            "title": str,
            "lead": str,
            "published_at": str,
            "author": str,
            "body_text": str,
            "body_html": str,
            "content_hash": str,
            "seen_from": str,     # when this version was first archived
            "replaced_at": str,   # when a newer version replaced it
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_versions"].create_index(["article_id", "version"], unique=True)

    db["article_aliases"].create(
        {"url": str, "article_id": int, "portal": str, "content_hash": str, "first_seen_at": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_aliases"].create_index(["article_id"])

    db["rejects"].create(
        {
            "url": str,
            "portal": str,
            "reason": str,
            "stage": str,        # validate / normalize: which pipeline refused it
            "http_status": int,
            "title": str,
            "fetched_url": str,
            "rejected_at": str,
            "times": int,        # how many crawls have rejected it
            "item": str,         # what was extracted, as JSON, for re-examination
        },
        pk="url",
    )
    db["rejects"].create_index(["portal", "rejected_at"])

    db["portals"].create(
        {
            "slug": str,
            "name": str,
            "province": str,
            "successor": str,
            "platform": str,
            "status": str,
            "hosts": str,
            "start_urls": str,
            "updated_at": str,
        },
        pk="slug",
    )

    db["crawl_runs"].create(
        {
            "id": int,
            "portal": str,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "requests": int,
            "responses": int,
            "new": int,
            "updated": int,
            "unchanged": int,
            "aliases": int,
            "rejected": int,
            "errors": int,
            "stats": str,
        },
        pk="id",
    )
    db["crawl_runs"].create_index(["portal", "started_at"])


def _m002_portal_history(db: sqlite_utils.Database) -> None:
    """The 2025 merger and the portals' state: what each portal became, how we know, how robots treat us."""
    portals = db["portals"]
    for column in ("home", "merged_into", "merged_from", "retired_on", "evidence", "robots", "parent", "notes"):
        portals.add_column(column, str)
    portals.add_column("discovered", int)
    db["crawl_runs"].add_column("notes", str)  # e.g. "robots.txt disallows everything"


def _m003_incremental(db: sqlite_utils.Database) -> None:
    """HTTP validators for conditional re-checks; per run, the listings walked to their end and a verdict."""
    db["articles"].add_column("etag", str)
    db["articles"].add_column("last_modified", str)
    db["crawl_runs"].add_column("walks", str)
    db["crawl_runs"].add_column("verdict", str)


def _m004_preservation(db: sqlite_utils.Database) -> None:
    """Where an article came from when it came from a web archive; near-duplicate clusters; kinds of run.

    Articles archived before this migration have no signature: `scrapy neardups --rebuild` computes
    them and their clusters (it is not done here, so that opening an old archive stays quick)."""
    articles = db["articles"]
    articles.add_column("captured_at", str)       # the web archive's capture time (recovered portals)
    articles.add_column("capture_archive", str)   # which web archive held the capture
    articles.add_column("cluster_id", int)        # near-duplicates share the id of the cluster's earliest article
    articles.create_index(["cluster_id"])
    # The MinHash signature of each article's lead and body (scraper.core.neardup), with what clustering
    # needs of the article, in a narrow table: clustering never reads the wide article rows.
    db["article_signatures"].create(
        {"article_id": int, "minhash": bytes, "shingles": int, "published_at": str, "cluster_id": int},
        pk="article_id", not_null={"minhash", "shingles"},
    )
    db["article_signatures"].create_index(["cluster_id"])
    # Locality-sensitive buckets of the signatures: articles sharing a bucket are candidates.
    db.execute("CREATE TABLE minhash_buckets (bucket INTEGER NOT NULL, article_id INTEGER NOT NULL, "
               "PRIMARY KEY (bucket, article_id)) WITHOUT ROWID")
    db["crawl_runs"].add_column("kind", str)       # crawl, reextract, recover
    db.execute("UPDATE crawl_runs SET kind = 'crawl' WHERE kind IS NULL")


def _m005_discovery(db: sqlite_utils.Database) -> None:
    """Where an article's date came from; what discovery crawls learn of each portal.

    Articles archived before this migration had their date from the page itself or its listing
    (a page without either was rejected), so they are marked accordingly."""
    db["articles"].add_column("published_from", str)
    if db["portals"].exists() and "seen" not in db["portals"].columns_dict:
        db["portals"].add_column("seen", str)  # what was seen of each real portal, and where (its profile's [seen])
    db.execute("UPDATE articles SET published_from = CASE WHEN json_extract(extraction, '$.published') = 'listing' "
               "THEN 'listing' WHEN json_extract(extraction, '$.published') = 'generic' THEN 'metadata' ELSE 'page' END")
    # One row per thing a crawl learned of a portal from its home page: a news section, a listing
    # walked (with the shape of its items), the shape of its article URLs, its platform.
    db["portal_discovery"].create(
        {"portal": str, "kind": str, "value": str, "label": str, "evidence": str, "first_seen_at": str, "last_seen_at": str,
         "runs": int},
        pk=("portal", "kind", "value"),
    )


def _m006_search_filters(db: sqlite_utils.Database) -> None:
    """The portal, province and publication month indexed beside the text (a generated column), so
    that a filtered search is answered inside the index; the index is rebuilt from the articles."""
    db.execute(f"ALTER TABLE articles ADD COLUMN search_filters TEXT GENERATED ALWAYS AS ({SEARCH_FILTERS_SQL}) VIRTUAL")
    db["articles"].disable_fts()
    db["articles"].enable_fts(FTS_COLUMNS, tokenize=FTS_TOKENIZE, create_triggers=True)
    db.execute(f"INSERT INTO articles_fts(articles_fts, rank) VALUES('rank', '{FTS_RANK}')")


def _m007_folds_in_the_index_only(db: sqlite_utils.Database) -> None:
    """The folded copies leave `articles` for the index alone (the view article_folds and the
    triggers above); nothing the index answers changes. A row whose stored fold differs from the
    view's (a letter outside INDEX_FOLD, folded by the older rule) is re-indexed first, so that
    the index holds exactly what the triggers will one day delete."""
    conn = db.conn
    conn.execute(_folds_view())
    differ = " OR ".join(f"a.{c} IS NOT f.{c}" for c in FTS_FOLD)
    stale = [r[0] for r in conn.execute(f"SELECT a.id FROM articles a JOIN article_folds f ON f.id = a.id WHERE {differ}")]
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles'").fetchall():
        conn.execute(f"DROP TRIGGER [{name}]")
    stored = ", ".join(FTS_COLUMNS)
    for id_ in stale:
        conn.execute(f"INSERT INTO articles_fts (articles_fts, rowid, {stored}) SELECT 'delete', id, {stored} FROM articles "
                     "WHERE id = ?", [id_])
        conn.execute(f"{REINDEX} WHERE a.id = ?", [id_])
    for name in FTS_FOLD:
        conn.execute(f"ALTER TABLE articles DROP COLUMN {name}")
    for trigger in (_M007_INSERT_TRIGGER, *INDEX_TRIGGERS[1:]):
        conn.execute(trigger)
    freed = conn.execute("PRAGMA freelist_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
    if freed > 64 * 2**20:
        logger.warning("The folded copies of the articles now live in the search index only: %.0f MB of the archive "
                       "are free; `sqlite-utils vacuum %s` returns them to the disk (it needs that much free space "
                       "for a while)", freed / 1e6, db.conn.execute("PRAGMA database_list").fetchone()[2] or "<archive>")


def _m008_pages_in_warc(db: sqlite_utils.Database) -> None:
    """Where each article's page is kept in the WARC files. An article whose page is there is stored
    without its body HTML, which the page class makes again from that page (`scrapy body`);
    articles archived before keep theirs."""
    for table in ("articles", "article_versions"):
        db[table].add_column("warc_file", str)
        db[table].add_column("warc_offset", int)


def _m009_reading_views(db: sqlite_utils.Database) -> None:
    """Views for people browsing the archive (Datasette, sqlite3): the articles as a reader lists them
    (no body, HTML or extraction columns), with their year and month to facet by, and articles per
    portal per month (where a broken selector or a dead portal shows as a gap)."""
    db.execute("""CREATE VIEW IF NOT EXISTS article_list AS
        SELECT id, title, published_at, substr(published_at, 1, 4) AS year, substr(published_at, 1, 7) AS month,
               portal, province, author, category, url
        FROM articles""")
    db.execute("""CREATE VIEW IF NOT EXISTS articles_per_month AS
        SELECT portal, substr(published_at, 1, 7) AS month, count(*) AS articles
        FROM articles WHERE published_at IS NOT NULL GROUP BY portal, month""")


def _m010_index_given_folds(db: sqlite_utils.Database) -> None:
    """The archive's writer indexes new articles with folds made beside the page (INDEX_GIVEN): the
    insert trigger skips a row whose id is in `articles_indexed_by_writer` (empty outside an insert)."""
    db.execute("CREATE TABLE articles_indexed_by_writer (id INTEGER PRIMARY KEY)")
    db.execute("DROP TRIGGER articles_fts_insert")
    db.execute(_INSERT_TRIGGER)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m001_initial,
    _m002_portal_history,
    _m003_incremental,
    _m004_preservation,
    _m005_discovery,
    _m006_search_filters,
    _m007_folds_in_the_index_only,
    _m008_pages_in_warc,
    _m009_reading_views,
    _m010_index_given_folds,
]


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the migrations this file has not yet seen; returns the schema version reached."""
    while True:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise RuntimeError(
                f"archive schema version {version} is newer than this code knows ({len(MIGRATIONS)}); upgrade the project"
            )
        if version == len(MIGRATIONS):
            return version
        db.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the write lock: another crawl opening the same new archive may have
            # migrated it while this one waited.
            if db.execute("PRAGMA user_version").fetchone()[0] == version:
                MIGRATIONS[version](db)
                db.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            db.rollback()
            raise
        db.commit()


def has_clusters(conn: sqlite3.Connection) -> bool:
    """Whether the archive's schema has near-duplicate clusters (an older one gets them when a crawl opens it)."""
    return any(row[1] == "cluster_id" for row in conn.execute("PRAGMA table_info(articles)"))
