"""Page objects: bytes in, fields out, no I/O and no clock.

``ArticlePage`` and ``ListingPage`` resolve every field the same way: the portal profile's selectors,
then the platform's defaults, then the generic path (page metadata, text density). Each field records
which path produced it (``extraction``), and a profile selector that matches nothing is a *problem*
the spider logs and counts: a portal that changed its markup fails loudly, not silently.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from scraper.dates import parse_date
from scraper.pages.body import Body, extract_body
from scraper.pages.css import PageIndex, select
from scraper.pages.metadata import page_metadata
from scraper.portals import Profile
from scraper.text import Decoded, clean_inline, decode_html
from scraper.urls import canonical_url, host_key

PROFILE, PLATFORM, GENERIC = "profile", "platform", "generic"
# A profile selector for one of these that matches nothing means the portal changed its markup.
# Optional fields (author, lead, a listing's next link on its last page) are often absent.
LOUD_FIELDS = {"article": ("title", "published", "body"), "listing": ("item",)}


def memo(method):
    """Cache a zero-argument page method: fields call each other, selectors should run once."""
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self):
        cache = self.__dict__.setdefault("_memo", {})
        if name not in cache:
            cache[name] = method(self)
        return cache[name]

    return wrapper


_VISIBLE_TEXT = etree.XPath(".//text()[not(ancestor::script or ancestor::style)]")


class Page:
    """A fetched page: its URL, its bytes decoded our way, and a selector over the result."""

    platform: ClassVar[str] = "generic"
    # Extra query parameters the platform drops from canonical URLs (on top of the generic rules).
    DROP_PARAMS: ClassVar[re.Pattern | None] = None
    KEEP_PARAMS: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        url: str,
        body: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        fetched_at: str | None = None,
        profile: Profile | None = None,
    ):
        self.url = url
        self.raw = body
        self.headers = {k.lower(): v for k, v in (headers or {}).items()}
        self.fetched_at = fetched_at
        self.profile = profile or Profile.anonymous(self.platform)
        self.problems: list[str] = []
        self.sources: dict[str, str] = {}

    @functools.cached_property
    def decoded(self) -> Decoded:
        return decode_html(self.raw, self.headers.get("content-type"))

    @functools.cached_property
    def root(self) -> etree._Element:
        """The parsed page (lxml.html, parsed as parsel parses it)."""
        return Selector(text=self.decoded.text or "<html></html>").root

    @functools.cached_property
    def metadata(self) -> dict[str, str | None]:
        return page_metadata(self.root)

    @functools.cached_property
    def index(self) -> PageIndex:
        """The page's elements by class and id: most selectors are answered from it."""
        return PageIndex(self.root)

    def absolute(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if href.startswith(("javascript:", "mailto:", "tel:", "#")):
            return None
        return urljoin(self.url, href)

    @classmethod
    def canonical(cls, url: str) -> str:
        """The archive key for a URL on this platform."""
        return canonical_url(url, keep=cls.KEEP_PARAMS, drop=cls.DROP_PARAMS)

    # -- selector resolution ---------------------------------------------------------------------

    GENERIC_SELECTORS: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    def _layers(self, table: str, name: str, defaults: Mapping[str, tuple[str, ...]], layers: tuple[str, ...]):
        if PROFILE in layers and getattr(self.profile, table).get(name):
            yield PROFILE, getattr(self.profile, table)[name]
        if PLATFORM in layers and defaults.get(name):
            yield PLATFORM, defaults[name]
        if GENERIC in layers and self.GENERIC_SELECTORS.get(name):
            yield GENERIC, self.GENERIC_SELECTORS[name]

    def _select(
        self,
        table: str,
        name: str,
        defaults: Mapping[str, tuple[str, ...]],
        root: etree._Element | None = None,
        layers: tuple[str, ...] = (PROFILE, PLATFORM, GENERIC),
    ):
        """(nodes, origin) from the first layer whose selectors match; a missed profile selector is a problem."""
        root = root if root is not None else self.root
        for origin, selectors in self._layers(table, name, defaults, layers):
            for css in selectors:
                nodes = select(root, css, self.index)
                if nodes:
                    return nodes, origin
            if origin == PROFILE and name in LOUD_FIELDS.get(table, ()):
                problem = f"selector-miss:{table}.{name}: profile selector {' | '.join(selectors)!r} matched nothing"
                if problem not in self.problems:
                    self.problems.append(problem)
        return None, None


def node_text(nodes: list | None) -> str | None:
    """Visible text of the first node (or the string a ::text/::attr selector returned)."""
    if not nodes:
        return None
    first = nodes[0]
    if isinstance(first, str):
        return clean_inline(first)
    return clean_inline(" ".join(_VISIBLE_TEXT(first)))


def href_of(node) -> str | None:
    return node if isinstance(node, str) else node.get("href")


@dataclass(frozen=True)
class ListingEntry:
    url: str
    title: str | None = None
    date_raw: str | None = None
    published_at: str | None = None


class ListingPage(Page):
    """A category listing: the article links on it, their dates, and the pages after it."""

    SELECTORS: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    NEXT_LABELS = re.compile(r"^\s*(sau|tiếp|tiếp theo|trang sau|next|›|»|>|>>)\s*$", re.IGNORECASE)

    def is_article_url(self, url: str) -> bool:
        """Whether a link looks like an article on this platform; used when no item selector matches."""
        return False

    def entries(self) -> list[ListingEntry]:
        items, origin = self._select("listing", "item", self.SELECTORS)
        out: list[ListingEntry] = []
        seen: set[str] = set()
        if items:
            self.sources["items"] = origin
            for item in items:
                link_nodes, _ = self._select("listing", "link", self.SELECTORS, root=item)
                links = link_nodes or select(item, "a[href]")
                url = self.absolute(href_of(links[0])) if links else None
                if not url or url in seen:
                    continue
                seen.add(url)
                title_nodes, _ = self._select("listing", "title", self.SELECTORS, root=item)
                date_nodes, _ = self._select("listing", "date", self.SELECTORS, root=item)
                title = node_text(title_nodes) or node_text(link_nodes)
                date_raw = node_text(date_nodes)
                out.append(ListingEntry(url, title, date_raw, self.parse_date(date_raw)))
            return out
        # Generic path: every same-site link the platform recognises as an article.
        self.sources["items"] = GENERIC
        host = host_key(urlsplit(self.url).netloc)
        titles: dict[str, str | None] = {}
        for a in select(self.root, "a[href]"):
            url = self.absolute(a.get("href"))
            if url and host_key(urlsplit(url).netloc) == host and self.is_article_url(url):
                # An image link and a text link often point to the same article: keep the text.
                titles[url] = titles.get(url) or node_text([a])
        return [ListingEntry(url, title) for url, title in titles.items()]

    def parse_date(self, raw: str | None) -> str | None:
        return parse_date(raw, month_first=self.profile.month_first, now=self.fetched_at)

    def feed_links(self) -> list[str]:
        """RSS/Atom feeds the page links to (<link rel="alternate"> and visible feed links)."""
        found = []
        for node in select(self.root, 'link[rel~="alternate"][type*="rss"], link[rel~="alternate"][type*="atom"], a[href$=".rss"], a[href*="/rss/"]'):
            url = self.absolute(node.get("href"))
            if url and url not in found:
                found.append(url)
        return found

    def next_page(self) -> str | None:
        """The URL of the next listing page, or None on the last page."""
        nodes, origin = self._select("listing", "next", self.SELECTORS)
        if nodes:
            url = self.absolute(href_of(nodes[0]))
            if url and url != self.url:
                self.sources["next"] = origin
                return url
        for a in select(self.root, 'a[rel~="next"], link[rel~="next"]'):
            url = self.absolute(a.get("href"))
            if url and url != self.url:
                self.sources["next"] = GENERIC
                return url
        for a in select(self.root, "a[href]"):
            label = a.text_content() or a.get("title", "") or a.get("aria-label", "")
            if self.NEXT_LABELS.match(label):
                url = self.absolute(a.get("href"))
                if url and url != self.url:
                    self.sources["next"] = GENERIC
                    return url
        return None


BODY_EXCLUDED_FIELDS = ("title", "published", "updated", "lead", "author", "source")
_FIELD_MARK = "data-vnarchive-field"


def _inside(node, container) -> bool:
    parent = node.getparent()
    while parent is not None:
        if parent is container:
            return True
        parent = parent.getparent()
    return False


_PARAGRAPHS = etree.XPath("//p | //div[not(*) or not(.//div | .//p | .//table | .//ul)]")


class ArticlePage(Page):
    """One article. Field methods are named after the item fields they produce."""

    SELECTORS: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    # Parts of a body element that are never article text (related-news boxes, share and print bars).
    EXCLUDE: ClassVar[tuple[str, ...]] = (
        ".related", ".tin-lien-quan", ".tinlienquan", ".other-news", ".share", ".social", ".print", ".tools",
        ".tags", ".rating", ".comment", ".comments", ".binh-luan",
    )
    # The generic layer: class names common to Vietnamese CMSs, tried after the platform's own.
    GENERIC_SELECTORS = {
        "title": ("h1.title", "h1.article-title", "h1.detail-title", ".title-detail", "h1"),
        "published": (".publish-date", ".date-time", ".detail-time", ".ngay-dang", ".ngaydang", "span.date", "div.date", ".time"),
        "lead": (".sapo", ".summary", ".detail-sapo", ".lead", ".mota"),
        "body": (".detail-content", ".article-content", ".content-detail", ".noi-dung", ".noidung", "#noidung", "article .content"),
        "author": (".author", ".tac-gia", ".tacgia"),
    }

    def _field(self, name: str, layers: tuple[str, ...] = (PROFILE, PLATFORM, GENERIC)) -> str | None:
        nodes, origin = self._select("article", name, self.SELECTORS, layers=layers)
        value = node_text(nodes)
        if value:
            self.sources[name] = origin
            node = nodes[0] if not isinstance(nodes[0], str) else nodes[0].getparent()
            if node is not None and name in BODY_EXCLUDED_FIELDS:
                self.__dict__.setdefault("_field_nodes", []).append(node)
        return value

    def _meta(self, name: str) -> str | None:
        value = self.metadata.get(name)
        if value:
            self.sources[name] = GENERIC
        return value

    # -- fields ----------------------------------------------------------------------------------

    @memo
    def title(self) -> str | None:
        return self._field("title", (PROFILE, PLATFORM)) or self._meta("title") or self._field("title", (GENERIC,))

    @memo
    def published_raw(self) -> str | None:
        # Machine-readable metadata is preferred over the printed date.
        return self._meta("published") if self.metadata.get("published") else self._field("published")

    @memo
    def published_at(self) -> str | None:
        raw = self.published_raw()
        if raw is None:
            return None
        return self.parse_date(raw)  # ISO from metadata or a printed date: parse_date reads both

    @memo
    def updated_at(self) -> str | None:
        raw = self._meta("updated") if self.metadata.get("updated") else self._field("updated")
        return self.parse_date(raw) if raw else None

    def parse_date(self, raw: str | None) -> str | None:
        return parse_date(raw, month_first=self.profile.month_first, now=self.fetched_at)

    @memo
    def author(self) -> str | None:
        value = self._field("author")
        if value:
            return value
        meta = self.metadata.get("author")
        site = self.metadata.get("site_name")
        # Portals often put their own name in meta author; that is not a byline.
        if meta and meta != site and not re.search(r"cổng thông tin|portal|ubnd|sở |trang thông tin", meta, re.IGNORECASE):
            self.sources["author"] = GENERIC
            return meta
        return None

    @memo
    def lead(self) -> str | None:
        value = self._field("lead")
        if value:
            return value
        # A meta description is the sapo only on a page that declares itself an article; elsewhere
        # it is often the site's own blurb, the same on every page.
        if self.metadata.get("type") == "article" or self.metadata.get("is_article"):
            return self._meta("lead")
        return None

    @memo
    def source(self) -> str | None:
        return self._field("source")

    @memo
    def category(self) -> str | None:
        return self._field("category") or self._meta("category")

    @memo
    def canonical_url(self) -> str:
        """The article's key: the page's own canonical link when it is on the same site, else its URL."""
        declared = self.absolute(self.metadata.get("canonical"))
        url = self.url
        if declared and host_key(urlsplit(declared).netloc) == host_key(urlsplit(self.url).netloc):
            url = declared
        return self.canonical(url)

    @functools.cached_property
    def body(self) -> Body:
        nodes, origin = self._select("article", "body", self.SELECTORS)
        if nodes is None:
            node = self._densest_block()
            origin = GENERIC
        else:
            node = nodes[0]
        if node is None or isinstance(node, str):
            return Body()
        self.sources["body_text"] = origin
        # The title, date, lead or byline element of a template that prints them inside the body
        # element is not body text: mark them, copy, and drop the marked ones from the copy.
        for field in ("title", "published_raw", "updated_at", "lead", "author", "source"):
            getattr(self, field)()
        marked = [n for n in self.__dict__.get("_field_nodes", []) if n is not node and _inside(n, node)]
        for n in marked:
            n.set(_FIELD_MARK, "1")
        # Work on a copy: other fields may live inside the parts dropped from the body.
        body = copy.deepcopy(node)
        for n in marked:
            del n.attrib[_FIELD_MARK]
        for n in body.xpath(f".//*[@{_FIELD_MARK}]"):
            n.drop_tree()
        for css in self.EXCLUDE + tuple(self.profile.article.get("exclude", ())):
            for junk in select(body, css, self.index, indexed=False):
                if junk is not body:
                    junk.drop_tree()
        return extract_body(body, self.url, title=self.title(), owned=True)

    def _densest_block(self) -> etree._Element | None:
        """The element that directly holds the most paragraph text (generic fallback).

        Each paragraph's text scores for its parent, half for its grandparent; link-heavy
        containers (menus, "Tin khác" boxes) are discounted by their share of link text.
        """
        scores: dict = {}
        for p in _PARAGRAPHS(self.root):
            text = len(p.text_content().strip())
            if text < 25:
                continue
            parent = p.getparent()
            for node, share in ((parent, 1.0), (parent.getparent() if parent is not None else None, 0.5)):
                if node is not None:
                    scores[node] = scores.get(node, 0.0) + share * text
        best, best_score = None, 0.0
        for node, score in scores.items():
            text = len(node.text_content()) or 1
            links = sum(len(a.text_content()) for a in node.iter("a"))
            score *= 1 - min(links / text, 1.0)
            if score > best_score:
                best, best_score = node, score
        return best if best is not None and best_score >= 80 else None

    @memo
    def attachments(self) -> list[dict]:
        found = list(self.body.attachments)
        nodes, _ = self._select("article", "attachments", self.SELECTORS)
        for a in (nodes or []):
            if isinstance(a, str):
                continue
            for link in (select(a, "a[href]") if a.tag != "a" else [a]):
                url = self.absolute(link.get("href"))
                if url and not any(x["url"] == url for x in found):
                    name = node_text([link]) or url.rsplit("/", 1)[-1]
                    ext = url.rsplit(".", 1)[-1].lower() if "." in url.rsplit("/", 1)[-1] else None
                    found.append({"url": url, "name": name, "type": ext})
        return found

    def looks_like_article(self) -> bool:
        """Whether the page has the marks of an article page at all (a title and a body)."""
        return bool(self.title()) and bool(self.body.paragraphs)

    def extract(self) -> dict:
        """Every field of the item this page yields; bookkeeping fields included."""
        title = self.title()
        published_raw = self.published_raw()
        body = self.body
        item = {
            "url": self.canonical_url(),
            "fetched_url": self.url,
            "portal": self.profile.slug,
            "province": self.profile.province,
            "title": title,
            "lead": self.lead(),
            "published_raw": published_raw,
            "published_at": self.published_at(),
            "updated_at": self.updated_at(),
            "author": self.author(),
            "source": self.source(),
            "category": self.category(),
            "body_text": body.text,
            "body_html": body.html,
            "captions": body.captions,
            "images": body.images,
            "attachments": self.attachments(),
            "fetched_at": self.fetched_at,
            "charset": self.decoded.charset,
            "looks_like_article": self.looks_like_article(),
        }
        if not self.decoded.confident:
            self.problems.append(f"decoding: {self.decoded.problem}")
        item["extraction"] = {k: v for k, v in sorted(self.sources.items())}
        item["problems"] = list(self.problems)
        return item


