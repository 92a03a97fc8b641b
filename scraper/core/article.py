"""The article: the one item type, and the one table of its fields.

``Article`` is what a spider knows about one article page. Each field says what it is for, and
everything else is derived from this table: the ``articles`` columns an item fills, the fields an
article page extracts, the fields compared to tell a changed article from an unchanged one, the
fields an article cannot be stored without, and the columns of the full-text index with their
weights. Scrapy takes it as an item like any dataclass (itemadapter).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

RECORD = "record"        # a column of the `articles` table: the archive's record of the article
SIGNATURE = "signature"  # written beside the article, to `article_signatures`
INDEX = "index"          # written to the search index with the row, never a column of its own
CRAWL = "crawl"          # bookkeeping the pipelines read, never stored as a column

# A body longer than this (a page that is one huge table, a runaway template) is cut, and says so;
# its HTML may be twice as long.
BODY_MAX_CHARS = 400_000


def _field(kind: str, doc: str, *, page: bool = False, content: bool = False, required: str | None = None,
           json: bool = False, identity: tuple[str, ...] = (), search: float | None = None):
    return dataclasses.field(default=None, metadata={
        "kind": kind, "doc": doc, "page": page, "content": content, "required": required, "json": json,
        "identity": identity, "search": search,
    })


@dataclass
class Article:
    """One article page, as read and normalized."""

    url: str | None = _field(RECORD, "canonical URL: the article's key")
    portal: str | None = _field(RECORD, "portal slug (phu_yen)")
    province: str | None = _field(RECORD, "the province the portal served when it published (Phú Yên)")
    title: str | None = _field(RECORD, "the headline", page=True, content=True, required="title", search=10.0)
    lead: str | None = _field(RECORD, "the sapo or summary, its outlet prefix cut", page=True, content=True, search=3.0)
    published_at: str | None = _field(RECORD, "ISO 8601 at +07:00, a bare date when the source gives no time, or none",
                                      page=True, content=True)
    published_from: str | None = _field(RECORD, "where the date came from: page, metadata, listing, feed, url, http, none",
                                        page=True)
    updated_at: str | None = _field(RECORD, "when the page says it was last updated", page=True, content=True)
    author: str | None = _field(RECORD, "the byline", page=True, content=True, search=2.0)
    source: str | None = _field(RECORD, "'Nguồn: …' or 'Theo …': where the text comes from", page=True, content=True)
    category: str | None = _field(RECORD, "the portal's category of the article", page=True, content=True)
    body_text: str | None = _field(RECORD, "paragraphs separated by one blank line; no captions, no byline",
                                   page=True, content=True, required="body", search=1.0)
    body_html: str | None = _field(RECORD, "the article body element only, sanitized; not stored where the page is kept in "
                                   "a WARC file (warc_file): `scrapy body` reads it from there", page=True)
    captions: list | None = _field(RECORD, "caption strings, in page order", page=True, content=True, json=True)
    images: list | None = _field(RECORD, "{url, alt, caption} of every image of the body", page=True, content=True,
                                 json=True, identity=("url", "caption", "alt"))
    attachments: list | None = _field(RECORD, "{url, name, type} of every file the article links to", page=True,
                                      content=True, json=True, identity=("url", "name", "type"))
    fetched_at: str | None = _field(RECORD, "when the page was fetched (ISO 8601, +07:00)")
    content_hash: str | None = _field(RECORD, "sha256 of the normalized body_text")
    extraction: dict | None = _field(RECORD, "{field: profile | platform | generic | listing}: which path read each",
                                     json=True)
    published_raw: str | None = _field(RECORD, "the date string as printed, kept for re-parsing", page=True)
    charset: str | None = _field(RECORD, "how the bytes were decoded (utf-8, cp1258, tcvn3, …)")
    fetched_url: str | None = _field(RECORD, "the URL actually fetched (a mirror's, when crawling one)")
    etag: str | None = _field(RECORD, "HTTP validators of the fetched page, for conditional re-checks")
    last_modified: str | None = _field(RECORD, "the page's Last-Modified header")
    captured_at: str | None = _field(RECORD, "recovered from a web archive: its capture time")
    capture_archive: str | None = _field(RECORD, "recovered from a web archive: which one (web.archive.org, …)")
    warc_file: str | None = _field(RECORD, "the WARC file holding the page as it was fetched (in the archive's warc/ directory)")
    warc_offset: int | None = _field(RECORD, "where the page's records start in warc_file")

    minhash: str | None = _field(SIGNATURE, "MinHash signature of the normalized lead and body (hex)")
    shingles: int | None = _field(SIGNATURE, "how many word shingles the signature summarizes")
    folds: dict | None = _field(INDEX, "the searched fields folded as the index holds them ({title_fold: …}; see FOLDED)")

    http_status: int | None = _field(CRAWL, "status of the response the item came from")
    problems: list | None = _field(CRAWL, "what went wrong while the page was fetched or read (Problem values)")
    not_article: str | None = _field(CRAWL, "why the page is not an article page (a listing, a login page, a soft 404, …)",
                                     page=True)
    archive_action: str | None = _field(CRAWL, "set by dedupe: new or changed")


FIELDS: tuple[dataclasses.Field, ...] = dataclasses.fields(Article)
NAMES = tuple(f.name for f in FIELDS)
RECORD_FIELDS = tuple(f.name for f in FIELDS if f.metadata["kind"] == RECORD)
SIGNATURE_FIELDS = tuple(f.name for f in FIELDS if f.metadata["kind"] == SIGNATURE)
INDEX_FIELDS = tuple(f.name for f in FIELDS if f.metadata["kind"] == INDEX)
# What an article page reads off the page: each is a method of the same name (scraper.pages.article).
PAGE_FIELDS = tuple(f.name for f in FIELDS if f.metadata["page"])
CONTENT_FIELDS = tuple(f.name for f in FIELDS if f.metadata["content"])
JSON_FIELDS = frozenset(f.name for f in FIELDS if f.metadata["json"])
IDENTITY = {f.name: f.metadata["identity"] for f in FIELDS if f.metadata["identity"]}
# An article cannot be stored without these; the value is how a reject reason names each.
REQUIRED = {f.name: f.metadata["required"] for f in FIELDS if f.metadata["required"]}
# The text columns of the full-text index, with their bm25 weights (the title weighs most).
SEARCHED = {f.name: f.metadata["search"] for f in FIELDS if f.metadata["search"] is not None}
# Each searched field's folded copy in the search index (scraper.core.text.fold: marks stripped, đ→d).
FOLDED = {"title": "title_fold", "lead": "lead_fold", "body_text": "body_fold", "author": "author_fold"}


def article(data: dict) -> Article:
    """An Article from a dict of its fields; a key that is not a field is an error naming it."""
    unknown = set(data) - set(NAMES)
    if unknown:
        raise TypeError(f"not article fields: {', '.join(sorted(unknown))}")
    return Article(**data)
