"""What a page says about itself in machine-readable form: JSON-LD, OpenGraph, <meta>, <time>.

Pure: a parsed page in, a flat dict of raw strings out. The generic extractor reads this first,
and every platform falls back to it when its selectors find nothing. One pass over the <meta>,
<link> and <script> elements: this runs on every article page.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from scraper.core.text import clean_inline, unescape

ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "Report", "ReportageNewsArticle", "AnalysisNewsArticle"}

# Field -> meta names, most trusted first.
META_NAMES = {
    "title": ("og:title", "twitter:title", "dc.title"),
    "published": ("article:published_time", "datepublished", "pubdate", "publishdate", "dc.date", "date"),
    "updated": ("article:modified_time", "datemodified", "og:updated_time"),
    "author": ("author", "article:author", "dc.creator"),
    "lead": ("og:description", "description", "twitter:description"),
    "category": ("article:section",),
    "site_name": ("og:site_name",),
    "type": ("og:type",),
    "canonical_meta": ("og:url",),
}


_MICRODATA_DATES = ("datepublished", "datemodified")


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


def _jsonld_article(scripts: list[str]) -> dict[str, Any]:
    """The first JSON-LD object of an article type, or {}; broken JSON is skipped, never raised."""
    for raw in scripts:
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


def page_metadata(root: etree._Element) -> dict[str, str | None]:
    """Flat metadata: title, published, updated, author, lead, category, canonical, site_name, type."""
    metas: dict[str, str] = {}
    scripts: list[str] = []
    canonical = time_attr = None
    for el in root.iter("meta", "link", "script", "time", "span"):
        tag = el.tag
        if tag == "span":
            # schema.org microdata on a (hidden) element: NukeViet's datePublished, dateModified.
            prop = (el.get("itemprop") or "").lower()
            if prop in _MICRODATA_DATES and el.text and el.text.strip():
                metas.setdefault(prop, el.text.strip())
        elif tag == "meta":
            content = el.get("content")
            if content and content.strip():
                for attr in ("property", "name", "itemprop"):
                    key = el.get(attr)
                    if key:
                        metas.setdefault(key.strip().lower(), content)
        elif tag == "link":
            if canonical is None and "canonical" in (el.get("rel") or "").lower().split():
                canonical = el.get("href")
        elif tag == "script":
            if (el.get("type") or "").lower() == "application/ld+json" and el.text:
                scripts.append(el.text)
        elif time_attr is None and el.get("datetime"):
            time_attr = el.get("datetime")

    def meta(field: str) -> str | None:
        for name in META_NAMES[field]:
            if name in metas:
                return clean_inline(metas[name])
        return None

    ld = _jsonld_article(scripts) if scripts else {}
    publisher = ld.get("publisher")
    return {
        "title": _name(ld.get("headline")) or meta("title"),
        "published": _name(ld.get("datePublished")) or meta("published") or clean_inline(time_attr),
        "updated": _name(ld.get("dateModified")) or meta("updated"),
        "author": _name(ld.get("author")) or meta("author"),
        "lead": _name(ld.get("description")) or meta("lead"),
        "category": _name(ld.get("articleSection")) or meta("category"),
        "canonical": canonical or meta("canonical_meta"),
        "site_name": meta("site_name") or (_name(publisher) if isinstance(publisher, dict) else None),
        "type": meta("type"),
        "is_article": "yes" if ld else None,
    }
