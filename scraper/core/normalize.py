"""Normalization: one clean form for every field, before anything is compared, hashed or stored.

Entities unescaped, NFC, whitespace folded; caption lines and repeated title lines out of the body
(into ``captions``); redistribution footers out; a byline on the last line into ``author`` and a
"Nguồn:"/"Theo" line into ``source``; outlet prefixes cut from the lead; dates at +07:00; URLs
canonical. Normalizing a normalized item changes nothing.

A pure step run once, right after the page is read (in the page worker): ``prepare`` normalizes an
article's fields and adds what the archive derives from the clean text alone, the folded search
columns and the near-duplicate signature.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import MutableMapping

from scraper.core.article import FOLDED
from scraper.core.dates import to_vn
from scraper.core.neardup import signature
from scraper.core.text import (
    author_of,
    clean_block_text,
    clean_inline,
    dedupe_consecutive,
    fold,
    folds_alike,
    index_fold,
    is_footer,
    nfc,
    paragraphs,
    source_of,
    strip_outlet_prefix,
)
from scraper.core.urls import canonical_url

# The folded copy of each searched text column: marks removed, đ → d, same length.
_AUTHOR_LABEL = re.compile(r"^\s*(?:tác giả|người viết|bài viết|author|by)\s*[:：]\s*", re.IGNORECASE)


def content_hash(body_text: str | None) -> str | None:
    return hashlib.sha256(body_text.encode("utf-8")).hexdigest() if body_text else None


def normalize(item: MutableMapping) -> None:
    """Normalize an article's fields in place (pure apart from that; no clock, no I/O)."""
    title = clean_inline(item.get("title"))
    item["title"] = title
    for name in ("author", "source", "category", "published_raw"):
        item[name] = clean_inline(item.get(name))
    # A byline or source element read with its label ("Tác giả: Minh Châu", "Nguồn tin: Sở Y tế").
    if item["author"]:
        item["author"] = _AUTHOR_LABEL.sub("", item["author"]) or item["author"]
    if item["source"]:
        item["source"] = source_of(item["source"]) or item["source"]
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


def prepare(item: MutableMapping) -> MutableMapping:
    """Normalize an article and add what the archive derives from its clean text: the searched
    fields folded as the index holds them, and the near-duplicate signature of its lead and body."""
    normalize(item)
    folds = {FOLDED[name]: index_fold(item[name]) if item.get(name) else None for name in FOLDED}
    item["folds"] = folds
    # The signature's fold is `fold`; on nearly all text it is the index's fold, already made.
    texts = [folds[FOLDED[name]] if folds_alike(item[name]) else fold(item[name]) for name in ("lead", "body_text")
             if item.get(name)]
    found = signature(*texts, folded=True)
    item["minhash"], item["shingles"] = (found.hex(), found.shingles) if found else (None, None)
    return item
