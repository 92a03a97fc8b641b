"""Sitemaps, RSS and Atom feeds, and robots.txt: the other ways a portal lists its articles.

Pure functions of bytes. A sitemap index names more sitemaps; a sitemap (``<urlset>``) names pages
with an optional last-modified date; a feed names articles with a publication date.
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector

from scraper.core.dates import parse_date
from scraper.core.decoding import decode_html
from scraper.core.text import clean_inline

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps protocol's own limit, uncompressed


@dataclass(frozen=True)
class Entry:
    url: str
    published_at: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Sitemap:
    sitemaps: list[str]   # children of a sitemap index
    entries: list[Entry]  # pages of a urlset


def _xml(body: bytes) -> Selector:
    if body[:2] == b"\x1f\x8b":  # a .xml.gz served as it is
        try:
            body = gzip.decompress(body)[:MAX_SITEMAP_BYTES]
        except (OSError, EOFError, zlib.error):
            return Selector(text="<empty/>", type="xml")
    text = decode_html(body).text
    try:
        sel = Selector(text=text.lstrip("\ufeff"), type="xml")
    except ValueError:
        return Selector(text="<empty/>", type="xml")
    sel.remove_namespaces()
    return sel


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    """The child sitemaps and the page entries of a sitemap or sitemap index; broken XML gives none."""
    sel = _xml(body)
    children = [urljoin(base_url, u.strip()) for u in sel.xpath("/sitemapindex/sitemap/loc/text()").getall() if u.strip()]
    entries = []
    for url in sel.xpath("/urlset/url"):
        loc = (url.xpath("loc/text()").get() or "").strip()
        if loc:
            lastmod = url.xpath("lastmod/text() | news/publication_date/text()").get()
            title = url.xpath("news/title/text()").get()
            entries.append(Entry(urljoin(base_url, loc), parse_date(lastmod) if lastmod else None, clean_inline(title)))
    return Sitemap(children, entries)


def parse_feed(body: bytes, base_url: str) -> list[Entry]:
    """The items of an RSS 2.0, RSS 1.0 or Atom feed: link, publication date, title."""
    sel = _xml(body)
    entries = []
    for item in sel.xpath("//item"):
        link = (item.xpath("link/text()").get() or item.xpath("guid[not(@isPermaLink='false')]/text()").get() or "").strip()
        if link:
            date = item.xpath("pubDate/text() | date/text()").get()
            entries.append(Entry(urljoin(base_url, link), _feed_date(date), clean_inline(item.xpath("title/text()").get())))
    for entry in sel.xpath("//entry"):
        link = entry.xpath("link[@rel='alternate']/@href | link[not(@rel)]/@href").get()
        if link:
            date = entry.xpath("published/text() | updated/text()").get()
            entries.append(Entry(urljoin(base_url, link.strip()), _feed_date(date), clean_inline(entry.xpath("title/text()").get())))
    return entries


_RFC822 = re.compile(r"(\d{1,2})\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w*\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
                     r"\s*([+-]\d{4}|GMT|UTC|Z)?", re.IGNORECASE)
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def _feed_date(value: str | None) -> str | None:
    """RSS dates are RFC 822 ('Fri, 19 Jan 2024 10:22:00 +0700'); Atom's are ISO 8601."""
    if not value:
        return None
    m = _RFC822.search(value)
    if not m:
        return parse_date(value)
    day, mon, year, hh, mm, ss, tz = m.groups()
    offset = "+00:00" if (tz or "").upper() in ("GMT", "UTC", "Z") else (f"{tz[:3]}:{tz[3:]}" if tz else "+07:00")
    return parse_date(f"{year}-{_MONTHS[mon[:3].lower()]:02d}-{int(day):02d}T{int(hh):02d}:{mm}:{ss or '00'}{offset}")


def robots_sitemaps(text: str) -> list[str]:
    """The Sitemap: lines of a robots.txt."""
    return [m.group(1).strip() for m in re.finditer(r"(?im)^\s*sitemap\s*:\s*(\S+)", text)]
