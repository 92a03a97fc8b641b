"""What a page says about itself in machine-readable form: JSON-LD, OpenGraph, <meta>, <time>.

Pure: a parsel Selector in, a flat dict of raw strings out. The generic extractor reads this first,
and every platform falls back to it when its selectors find nothing.
"""

from __future__ import annotations

import json
from typing import Any

from parsel import Selector

from scraper.text import clean_inline, unescape

ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "Report", "ReportageNewsArticle", "AnalysisNewsArticle"}


def _walk_jsonld(node: Any):
    if isinstance(node, list):
        for child in node:
            yield from _walk_jsonld(child)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in node:
                yield from _walk_jsonld(node[key])


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) or None
    if isinstance(value, dict):
        return _name(value.get("name"))
    if isinstance(value, str):
        return clean_inline(unescape(value))
    return None


def jsonld_article(sel: Selector) -> dict[str, Any]:
    """The first JSON-LD object of an article type, or {}; broken JSON is skipped, never raised."""
    for raw in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        for node in _walk_jsonld(data):
            kinds = node.get("@type")
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            if kinds & ARTICLE_TYPES:
                return node
    return {}


def page_metadata(sel: Selector) -> dict[str, str | None]:
    """Flat metadata: title, published, updated, author, lead, category, canonical, site_name."""
    ld = jsonld_article(sel)

    def meta(*names: str) -> str | None:
        for name in names:
            for attr in ("property", "name", "itemprop"):
                value = sel.xpath(f"//meta[@{attr}=$n]/@content", n=name).get()
                if value and value.strip():
                    return clean_inline(value)
        return None

    time_attr = sel.css("article time[datetime]::attr(datetime), time[pubdate]::attr(datetime), time[datetime]::attr(datetime)").get()
    return {
        "title": _name(ld.get("headline")) or meta("og:title", "twitter:title", "dc.title"),
        "published": _name(ld.get("datePublished"))
        or meta("article:published_time", "datePublished", "pubdate", "publishdate", "dc.date", "date")
        or clean_inline(time_attr),
        "updated": _name(ld.get("dateModified")) or meta("article:modified_time", "dateModified", "og:updated_time"),
        "author": _name(ld.get("author")) or meta("author", "article:author", "dc.creator"),
        "lead": _name(ld.get("description")) or meta("og:description", "description", "twitter:description"),
        "category": _name(ld.get("articleSection")) or meta("article:section"),
        "canonical": sel.css('link[rel="canonical"]::attr(href)').get() or meta("og:url"),
        "site_name": meta("og:site_name") or _name((ld.get("publisher") or {}) if isinstance(ld.get("publisher"), dict) else None),
        "type": meta("og:type"),
        "is_article": "yes" if ld else None,
    }
