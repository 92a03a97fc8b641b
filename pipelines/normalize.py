"""NormalizePipeline: one clean form for every field before anything is compared, hashed or stored.

Entities unescaped, NFC, whitespace folded; caption lines and repeated title lines out of the body
(into ``captions``); redistribution footers out; a byline on the last line into ``author`` and a
"Nguồn:"/"Theo" line into ``source``; outlet prefixes cut from the lead; dates at +07:00; URLs
canonical. Normalizing a normalized item changes nothing. A date that is missing, impossible or in
the future of the fetch time is a reject.
"""

from __future__ import annotations

import hashlib
import json

from itemadapter import ItemAdapter

from pipelines import count, shared_archive
from pipelines.validate import reject
from scraper.dates import date_problem, to_vn
from scraper.neardup import signature
from scraper.text import (
    author_of,
    clean_block_text,
    clean_inline,
    dedupe_consecutive,
    fold,
    is_footer,
    nfc,
    paragraphs,
    source_of,
    strip_outlet_prefix,
)
from scraper.urls import canonical_url


def content_hash(body_text: str | None) -> str | None:
    return hashlib.sha256(body_text.encode("utf-8")).hexdigest() if body_text else None


def normalize(item: ItemAdapter) -> None:
    """Normalize `item` in place (pure apart from that; no clock, no I/O)."""
    title = clean_inline(item.get("title"))
    item["title"] = title
    for name in ("author", "source", "category", "published_raw"):
        item[name] = clean_inline(item.get(name))
    lead = clean_inline(item.get("lead"))
    item["lead"] = strip_outlet_prefix(lead) if lead else None

    captions = [c for c in (clean_inline(c) for c in item.get("captions") or []) if c]
    paras = [p for p in paragraphs(clean_block_text(item.get("body_text"))) if not is_footer(p)]
    title_key = (title or "").casefold()
    # The title repeated inside the body is a heading or an image's alt text or caption line (the
    # page recorded it as a caption where it stood by an image). It goes before consecutive
    # duplicates are merged, so that normalizing twice gives the same text.
    body = dedupe_consecutive([p for p in paras if not (title_key and p.casefold() == title_key)])
    author, source = item.get("author"), item.get("source")
    while len(body) > 1:
        last = body[-1]
        found_source = source_of(last)
        if found_source and (not source or source == found_source):
            source = found_source
        elif author and last == author:
            pass
        elif not author and author_of(last):
            author = author_of(last)
        else:
            break
        body.pop()
    if item.get("lead") and body and strip_outlet_prefix(body[0]) == item["lead"]:
        body = body[1:] or body  # a lead repeated as the first paragraph is said once
    item["author"], item["source"] = author, source
    item["body_text"] = "\n\n".join(body) or None
    item["captions"] = captions
    item["images"] = [
        {**img, "caption": clean_inline(img.get("caption")), "alt": clean_inline(img.get("alt"))}
        for img in item.get("images") or []
    ]
    item["attachments"] = [
        {**att, "name": clean_inline(att.get("name"))} for att in item.get("attachments") or []
    ]
    if item.get("body_html"):
        item["body_html"] = nfc(item["body_html"])
    if item.get("url"):
        item["url"] = canonical_url(item["url"])
    # The page parsed the date (it knows the portal's date order); here it only moves to +07:00.
    item["published_at"] = to_vn(item.get("published_at"))
    item["updated_at"] = to_vn(item.get("updated_at"))
    item["content_hash"] = content_hash(item["body_text"])


# What normalize() reads and writes: an item whose stamp over these still matches was normalized
# where its page was read and has not been touched since.
PREPARED_FIELDS = ("url", "title", "lead", "author", "source", "category", "published_raw", "published_at", "updated_at",
                   "body_text", "body_html", "captions", "images", "attachments")
FOLDED = {"title": "title_fold", "lead": "lead_fold", "body_text": "body_fold", "author": "author_fold"}


def stamp(item) -> str:
    """A digest of what normalize() reads and writes (texts as they are, lists as JSON)."""
    digest = hashlib.sha1()
    for key in PREPARED_FIELDS:
        value = item.get(key)
        if key == "attachments" and value:
            # Where a crawl of a copy fetches an attachment from is bookkeeping, added after normalizing.
            value = [{k: v for k, v in a.items() if k != "fetched_url"} for a in value]
        if value is None:
            digest.update(b"\x00")
        elif isinstance(value, str):
            digest.update(b"s" + value.encode("utf-8", "surrogatepass") + b"\x1e")
        else:
            digest.update(b"j" + json.dumps(value, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass") + b"\x1e")
    return digest.hexdigest()


def prepare(data: dict) -> dict:
    """Normalize an item where its page was read (a page worker, off the crawl's core), and add what
    the store derives from the normalized text: the folded search columns and the near-duplicate
    signature. The stamp lets NormalizePipeline see that the item needs nothing more (normalizing a
    normalized item changes nothing); an item changed since is normalized again there."""
    normalize(ItemAdapter(data))
    data["folds"] = {column: fold(data[field]) if data.get(field) else None for field, column in FOLDED.items()}
    found = signature(data["folds"]["lead_fold"], data["folds"]["body_fold"], folded=True)
    data["minhash"], data["shingles"] = (found.hex(), found.shingles) if found else (None, None)
    data["prepared"] = stamp(data)
    return data


class NormalizePipeline:
    def __init__(self, crawler):
        self.archive = shared_archive(crawler)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if adapter.get("prepared") and adapter["prepared"] == stamp(adapter):
            count(self.stats, adapter.get("portal"), "normalize/prepared")
        else:
            # Not prepared, or changed since (a date taken from the listing, say): normalize here,
            # and let the store derive the folds and the signature from the result.
            for key in ("prepared", "folds", "minhash", "shingles"):
                if key in adapter:
                    adapter[key] = None
            normalize(adapter)
        problem = date_problem(adapter.get("published_at"), now=adapter.get("fetched_at"))
        if problem and adapter.get("published_raw") and not adapter.get("published_at"):
            problem = f"unreadable date {adapter['published_raw']!r}"
        if problem:
            raise reject(self.archive, self.stats, adapter, problem, "normalize")
        if not adapter.get("body_text"):
            raise reject(self.archive, self.stats, adapter, "empty body after clean-up", "normalize")
        return item
