"""The archive file: one SQLite database, opened once per crawl and shared by the pipelines.

Writes are buffered and committed in batches (``BEGIN IMMEDIATE … COMMIT``), never one commit per
item, so a crawl holds the write lock for milliseconds at a time and two crawls can share a file.
Lookups (is this URL archived? is this body already archived under another URL?) see the buffer
first, then the database, so dedupe decisions are right before anything is committed. No Scrapy
here: commands, pipelines and tests use the same code.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from scraper.archive.clusters import Entry, assign
from scraper.archive.discovery import record_discovery
from scraper.archive.rows import content_differs, now_iso, to_json, with_signature
from scraper.archive.schema import ARTICLE_COLUMNS, FTS_FOLD, INDEX_GIVEN, migrate
from scraper.core.article import FOLDED, INDEX_FIELDS

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 60_000
CLOSE_ATTEMPTS = 5  # commits tried at close before what is pending is saved aside
def open_database(path: str | Path) -> sqlite_utils.Database:
    """A connection to the archive at `path`, created and migrated as needed, in WAL mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        db.enable_wal()
    # WAL + NORMAL: a commit survives a killed process; only a power cut can lose the last commits.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    migrate(db)
    return db


@dataclass
class Pending:
    """Writes waiting for the next commit."""

    inserts: dict[str, dict] = field(default_factory=dict)        # url -> row
    updates: dict[str, tuple[dict, dict]] = field(default_factory=dict)  # url -> (old row, new row)
    aliases: dict[str, dict] = field(default_factory=dict)        # url -> alias row
    rejects: dict[str, dict] = field(default_factory=dict)        # url -> reject row
    by_hash: dict[str, str] = field(default_factory=dict)         # content_hash -> url of a pending insert

    def __len__(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self.aliases) + len(self.rejects)


class Archive:
    """Buffered reads and writes of one archive database.

    A batch counts as stored once its transaction has committed; until then lookups see it in
    memory. (Writing batches from a thread of their own was measured against this and lost: the
    crawl process is bound by the GIL, and the threads' switching cost more than SQLite's work run
    beside the crawl gained. The page work runs in worker processes instead.)
    """

    def __init__(self, path: str | Path, *, batch_size: int = 200, batch_seconds: float = 5.0,
                 on_commit: Callable[[dict[str, int]], None] | None = None, clusters: bool = True):
        self.path = Path(path)
        self.db = open_database(self.path)
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.on_commit = on_commit
        self.clusters = clusters  # file near-duplicate signatures and clusters as articles are written
        self.pending = Pending()
        self._last_commit = time.monotonic()
        self.committed = {"new": 0, "updated": 0, "unchanged": 0, "aliases": 0, "rejected": 0, "commits": 0}
        self.committed_by_portal: dict[str, dict[str, int]] = {}
        self.errors: list[str] = []          # commits that failed (their batches stayed pending)
        self.spilled: Path | None = None     # where writes that could never be committed were saved

    # -- lookups ---------------------------------------------------------------------------------

    def article_by_url(self, url: str) -> dict | None:
        if url in self.pending.inserts:
            return self.pending.inserts[url]
        if url in self.pending.updates:
            return self.pending.updates[url][1]
        return self._one("SELECT * FROM articles WHERE url = ?", (url,))

    def _one(self, sql: str, params: tuple) -> dict | None:
        # The connection directly, not Database.query(): lookups run for every item, and query()
        # wraps each statement in a savepoint.
        cursor = self.db.conn.execute(sql, params)
        row = cursor.fetchone()
        return dict(zip((d[0] for d in cursor.description), row)) if row else None

    def url_by_hash(self, content_hash: str) -> str | None:
        """URL of an archived (or pending) article with this body hash."""
        if content_hash in self.pending.by_hash:
            return self.pending.by_hash[content_hash]
        row = self._one("SELECT url FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1", (content_hash,))
        return row["url"] if row else None

    def is_alias(self, url: str) -> bool:
        if url in self.pending.aliases:
            return True
        return self._one("SELECT 1 AS found FROM article_aliases WHERE url = ?", (url,)) is not None

    # -- writes (buffered) -----------------------------------------------------------------------

    def add(self, row: dict) -> None:
        row = _columns(row)
        self.pending.inserts[row["url"]] = row
        if row.get("content_hash"):
            self.pending.by_hash.setdefault(row["content_hash"], row["url"])
        self.pending.rejects.pop(row["url"], None)
        self._maybe_commit()

    def change(self, old: dict, row: dict) -> None:
        row = _columns(row)
        url = row["url"]
        if url in self.pending.inserts or url in self.pending.updates:
            # Changed again before the last change was committed (several captures of one page):
            # that one is written first, so that every version is kept.
            self.commit()
        self.pending.updates[url] = (old, row)
        self._maybe_commit()

    def alias(self, url: str, article_url: str, portal: str, content_hash: str) -> None:
        self.pending.aliases[url] = {
            "url": url, "article_url": article_url, "portal": portal,
            "content_hash": content_hash, "first_seen_at": now_iso(),
        }
        self._maybe_commit()

    def reject(self, row: dict) -> None:
        self.pending.rejects[row["url"]] = row
        self._maybe_commit()

    def _maybe_commit(self) -> None:
        if len(self.pending) >= self.batch_size or time.monotonic() - self._last_commit >= self.batch_seconds:
            self.commit()

    def commit(self) -> bool:
        """Write everything pending in one transaction. A batch that cannot be written (the disk
        full, the database locked past the busy timeout) stays pending for the next commit, and the
        error is kept in `errors`; returns whether everything pending is now written."""
        pending, self.pending = self.pending, Pending()
        self._last_commit = time.monotonic()
        if not len(pending):
            return True
        try:
            self._record(*self._write(self.db, pending))
        except sqlite3.Error as exc:
            self.pending = _restored(pending, self.pending)
            self.errors.append(f"{type(exc).__name__}: {exc}")
            logger.error("archive: a batch of %d could not be written (%s: %s); it is kept and written at the next commit",
                         len(pending), type(exc).__name__, exc)
            return False
        return True

    def _record(self, done: dict[str, int], by_portal: dict[str, dict[str, int]]) -> None:
        """Count a committed batch, log it, and tell the crawl."""
        for key, value in done.items():
            self.committed[key] += value
        self.committed["commits"] += 1
        for portal, counts in by_portal.items():
            for key, value in counts.items():
                self.committed_by_portal.setdefault(portal, dict.fromkeys(counts, 0))
                self.committed_by_portal[portal][key] = self.committed_by_portal[portal].get(key, 0) + value
        logger.info("archive: committed %s (in all: %d new, %d updated)",
                    ", ".join(f"{v} {k}" for k, v in done.items() if v) or "nothing", self.committed["new"], self.committed["updated"])
        if self.on_commit:
            self.on_commit(by_portal)

    @staticmethod
    def _settle_races(db: sqlite_utils.Database, pending: Pending) -> tuple[list[dict], list[tuple[dict, dict]], list[dict]]:
        """New rows checked again under the write lock: another crawl of the same portal may have
        stored the same article since this one looked. Such a row becomes an update when its
        content differs and is dropped when it does not, so concurrent writers never collide."""
        inserts, updates, unchanged = [], [], []
        urls = list(pending.inserts)
        existing: dict[str, dict] = {}
        for start in range(0, len(urls), 500):
            chunk = urls[start:start + 500]
            for row in db.query(f"SELECT * FROM articles WHERE url IN ({','.join('?' * len(chunk))})", chunk):
                existing[row["url"]] = row
        for url, row in pending.inserts.items():
            current = existing.get(url)
            if current is None:
                inserts.append(row)
            elif content_differs(current, row):
                updates.append((current, row))
            else:
                unchanged.append(row)
        return inserts, updates, unchanged

    def _write(self, db: sqlite_utils.Database, pending: Pending) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
        """One transaction for a batch: inserts, updates with their previous versions, aliases,
        rejects. Returns what was written, in all and by portal."""
        done = {"new": 0, "updated": 0, "unchanged": 0, "aliases": 0, "rejected": 0}
        written: dict[str, list[dict]] = {"new": [], "updated": [], "unchanged": [], "aliases": [], "rejected": []}
        db.execute("BEGIN IMMEDIATE")
        try:
            # Ids are given here, under the write lock, so that near-duplicate clusters (which name
            # their earliest article's id) are settled before the rows are written.
            next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]
            inserts, updates, raced = self._settle_races(db, pending)
            written["unchanged"] = raced
            for offset, row in enumerate(inserts):
                row["id"] = next_id + offset
            for url, (old, row) in pending.updates.items():
                current = next(db.query("SELECT * FROM articles WHERE url = ?", [url]), None)
                if current is None:  # deleted meanwhile by another process: store it afresh
                    row["id"] = next_id + len(inserts)
                    inserts.append(row)
                else:
                    updates.append((current, row))
            entries = [Entry(r["id"], r.get("published_at"), r.pop("minhash", None), r.pop("shingles", None)) for r in inserts]
            entries += [Entry(c["id"], r.get("published_at"), r.pop("minhash", None), r.pop("shingles", None)) for c, r in updates]
            clusters = assign(db.conn, entries) if self.clusters else {e.id: None for e in entries}
            for row in inserts:
                row["cluster_id"] = clusters[row["id"]]
            if inserts:
                _insert_indexed(db.conn, inserts)
            written["new"] = inserts
            for current, row in updates:
                row.pop("folds", None)  # an update is indexed again by the triggers
                version = current.get("version") or 1
                db["article_versions"].insert({
                    "article_id": current["id"], "version": version, "url": current["url"],
                    "title": current["title"], "lead": current["lead"], "published_at": current["published_at"],
                    "author": current["author"], "body_text": current["body_text"], "body_html": current["body_html"],
                    "content_hash": current["content_hash"], "warc_file": current.get("warc_file"),
                    "warc_offset": current.get("warc_offset"),
                    "seen_from": current.get("changed_at") or current.get("first_seen_at"),
                    "replaced_at": row.get("changed_at"),
                })
                row = dict(row, version=version + 1, first_seen_at=current.get("first_seen_at"), cluster_id=clusters[current["id"]])
                db["articles"].update(current["id"], row)
                written["updated"].append(row)
            for alias in pending.aliases.values():
                target = next(db.query("SELECT id FROM articles WHERE url = ?", [alias["article_url"]]), None)
                if target is None:
                    continue
                row = {k: v for k, v in alias.items() if k != "article_url"}
                db["article_aliases"].insert(dict(row, article_id=target["id"]), replace=True)
                written["aliases"].append(row)
            stored = [r["url"] for r in inserts] + [r["url"] for _, r in updates]
            for start in range(0, len(stored), 500):  # valid now: no longer a reject
                chunk = stored[start:start + 500]
                db.execute(f"DELETE FROM rejects WHERE url IN ({','.join('?' * len(chunk))})", chunk)
            for reject in pending.rejects.values():
                prior = next(db.query("SELECT times FROM rejects WHERE url = ?", [reject["url"]]), None)
                db["rejects"].upsert(dict(reject, times=(prior["times"] if prior else 0) + 1), pk="url")
                written["rejected"].append(reject)
            db.commit()
        except BaseException:
            db.rollback()
            raise
        by_portal: dict[str, dict[str, int]] = {}
        for key, rows in written.items():
            done[key] = len(rows)
            for row in rows:
                counts = by_portal.setdefault(row.get("portal") or "", dict.fromkeys(done, 0))
                counts[key] += 1
        return done, by_portal

    # -- portals and runs ------------------------------------------------------------------------

    def record_portals(self, portals: list[dict]) -> None:
        """Keep the portals table in step with the profiles' rows (only rows that differ are written)."""
        existing = {r["slug"]: r for r in self.db.query("SELECT * FROM portals")}
        rows = []
        for row in portals:
            old = existing.get(row["slug"])
            if old is None or any(old.get(k) != v for k, v in row.items()):
                rows.append(dict(row, updated_at=now_iso()))
        if rows:
            with self._writing():
                self.db["portals"].upsert_all(rows, pk="slug")

    def record_discovery(self, portal: str, found: dict) -> int:
        """Keep what a discovery run learned of `portal` (``scraper.archive.discovery``)."""
        with self._writing():
            return record_discovery(self.db, portal, found, now_iso())

    @contextlib.contextmanager
    def _writing(self):
        """A write transaction that takes the write lock first (BEGIN IMMEDIATE), so it waits its
        turn behind another crawl's commit instead of failing when it comes to write."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    def start_run(self, portal: str, kind: str = "crawl") -> int:
        with self._writing():
            return self.db["crawl_runs"].insert({"portal": portal, "started_at": now_iso(), "kind": kind}).last_pk

    def finish_run(self, run_id: int, values: dict) -> None:
        with self._writing():
            self.db["crawl_runs"].update(run_id, {k: to_json(v) for k, v in values.items()})

    def close(self) -> None:
        """Commit what is pending (retrying a few times); what still cannot be written is saved
        beside the archive as JSON Lines, never lost, and the log says where."""
        try:
            for attempt in range(CLOSE_ATTEMPTS):
                if self.commit():
                    break
                time.sleep(attempt + 1)
            else:
                self.spilled = self._spill()
        finally:
            self.db.close()

    def _spill(self) -> Path:
        path = self.path.with_name(f"{self.path.name}.unsaved-{time.strftime('%Y%m%dT%H%M%S')}.jsonl")
        with open(path, "a", encoding="utf-8") as fh:
            for kind, rows in (("insert", self.pending.inserts.values()), ("update", (new for _, new in self.pending.updates.values())),
                               ("alias", self.pending.aliases.values()), ("reject", self.pending.rejects.values())):
                for row in rows:
                    fh.write(json.dumps({"kind": kind, "row": {k: v for k, v in row.items() if not isinstance(v, bytes)}},
                                        ensure_ascii=False, default=str) + "\n")
        logger.error("archive: %d writes could not be committed (%s); they are saved in %s", len(self.pending),
                     self.errors[-1] if self.errors else "?", path)
        return path


def _restored(failed: Pending, since: Pending) -> Pending:
    """A batch that could not be written, put back before what came after it."""
    for name in ("inserts", "updates", "aliases", "rejects", "by_hash"):
        getattr(failed, name).update(getattr(since, name))
    return failed


def _insert_indexed(conn: sqlite3.Connection, rows: list[dict]) -> None:
    """Insert new article rows and index them. A row that brings the folds of its searched fields
    (the page worker made them, ``scraper.core.normalize.prepare``) is indexed here with them: its
    id goes to `articles_indexed_by_writer` for the length of the insert, which the insert trigger
    skips, and its index row is written with the folds given. That saves the trigger's fold in
    plain SQL (0.85 ms of the 1.3 ms an article's indexing costs, measured on the benchmark site's
    articles); every other row, and every row another SQLite client writes, is indexed by the trigger."""
    folds = {r["id"]: r["folds"] for r in rows if _folds_fit(r)}
    for r in rows:
        r.pop("folds", None)
    if folds:
        conn.executemany("INSERT INTO articles_indexed_by_writer (id) VALUES (?)", [(i,) for i in folds])
    for columns, group in _by_columns(rows):
        conn.executemany(f"INSERT INTO articles ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' * len(columns))})",
                         [[r[c] for c in columns] for r in group])
    if folds:
        conn.executemany(INDEX_GIVEN, [(*(f[c] for c in FTS_FOLD), i) for i, f in folds.items()])
        conn.execute("DELETE FROM articles_indexed_by_writer")


def _folds_fit(row: dict) -> bool:
    """Whether a row's folds are of its own text: a fold keeps the length of the text it folds."""
    folds = row.get("folds")
    return bool(folds) and all(len(folds.get(FOLDED[name]) or "") == len(row.get(name) or "") for name in FOLDED)


def _by_columns(rows: list[dict]) -> list[tuple[tuple[str, ...], list[dict]]]:
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return list(groups.items())


def _columns(row: dict) -> dict:
    """The articles columns of a row (lists as JSON) and its signature (as bytes), for writing."""
    row = with_signature(row)
    columns = {k: to_json(row[k]) for k in (*ARTICLE_COLUMNS, "minhash", "shingles") if k not in ("id", "cluster_id") and k in row}
    return columns | {k: row[k] for k in INDEX_FIELDS if k in row}  # for the index, as they are
