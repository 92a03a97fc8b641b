"""Articles as rows of the archive: what an item writes, and when two versions of an article differ.

Both are derived from the article's field table (``scraper.core.article``): the record fields are
the columns, the content fields are compared, list fields are JSON, and images and attachments are
compared by what identifies them (a downloaded file's path and checksum are not content).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from scraper.core.article import CONTENT_FIELDS, IDENTITY, INDEX_FIELDS, RECORD_FIELDS, SIGNATURE_FIELDS
from scraper.core.dates import VN_TZ
from scraper.core.neardup import signature


def now_iso() -> str:
    return dt.datetime.now(VN_TZ).replace(microsecond=0).isoformat()


def to_json(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def article_row(item: dict) -> dict:
    """The `articles` row of a normalized item: its record fields (lists as JSON), its signature and
    the folds of its searched fields (which the index alone holds: scraper.archive.schema). Where a
    crawl fetched an attachment from (a mirror, say) is not part of the record."""
    row = {k: to_json(item.get(k)) for k in (*RECORD_FIELDS, *SIGNATURE_FIELDS) if k in item and k != "attachments"}
    if row.get("warc_file"):  # the page is in a WARC file: its body HTML is made again from there (`scrapy body`)
        row["body_html"] = None
    if "attachments" in item:
        row["attachments"] = to_json([{k: v for k, v in a.items() if k != "fetched_url"} for a in item.get("attachments") or []])
    row.update({k: item[k] for k in INDEX_FIELDS if item.get(k)})  # for the search index only (scraper.archive.store)
    return row


def with_signature(row: dict) -> dict:
    """The row with its signature as bytes (computed here when the item came without one)."""
    if isinstance(row.get("minhash"), str):
        return dict(row, minhash=bytes.fromhex(row["minhash"]))
    if not row.get("minhash") and (row.get("body_text") or row.get("lead")):
        found = signature(row.get("lead"), row.get("body_text"))
        return dict(row, minhash=found.values if found else None, shingles=found.shingles if found else None)
    return row


def _comparable(column: str, value):
    if column in IDENTITY and value:
        entries = json.loads(value) if isinstance(value, str) else value
        return [tuple(e.get(k) for k in IDENTITY[column]) for e in entries]
    return value or None


def content_differs(old: dict, new_row: dict) -> list[str]:
    """The content columns on which an archived row and a new row differ."""
    return [k for k in CONTENT_FIELDS if _comparable(k, old.get(k)) != _comparable(k, new_row.get(k))]
