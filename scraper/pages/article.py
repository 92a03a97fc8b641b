"""An article page: its fields, each from a method named after the field it produces.

Text fields resolve profile → platform → generic (``scraper.pages.page``); page metadata (JSON-LD,
OpenGraph, ``<meta>``) comes before printed text where it is more trustworthy (dates), after it
where portals fill it with their own name (authors). The body is the matched body element, else the
densest block of paragraph text, with the elements of other fields and the platform's and
profile's excluded parts taken out.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import ClassVar
from urllib.parse import urlsplit

from lxml import etree

from scraper.core.article import PAGE_FIELDS
from scraper.core.problems import DECODING
from scraper.core.urls import host_key
from scraper.pages.body import Body, extract_body
from scraper.pages.css import select
from scraper.pages.page import GENERIC, LAYERS, PLATFORM, PROFILE, Page, memo, node_text

# Fields whose element, printed inside the body element by some templates, is not body text.
BODY_EXCLUDED_FIELDS = ("title", "published", "updated", "lead", "author", "source")
_FIELD_MARK = "data-vnarchive-field"
_PARAGRAPHS = etree.XPath("//p | //div[not(*) or not(.//div | .//p | .//table | .//ul)]")
_PORTAL_NAME = re.compile(r"cổng thông tin|portal|ubnd|sở |trang thông tin", re.IGNORECASE)


def _inside(node, container) -> bool:
    parent = node.getparent()
    while parent is not None:
        if parent is container:
            return True
        parent = parent.getparent()
    return False


class ArticlePage(Page):
    TABLE = "article"
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

    def _field(self, name: str, layers: tuple[str, ...] = LAYERS) -> str | None:
        nodes, origin = self.select_field(name, layers=layers)
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
        return self.parse_date(raw) if raw is not None else None  # ISO from metadata or a printed date

    @memo
    def updated_at(self) -> str | None:
        raw = self._meta("updated") if self.metadata.get("updated") else self._field("updated")
        return self.parse_date(raw) if raw else None

    @memo
    def author(self) -> str | None:
        value = self._field("author")
        if value:
            return value
        meta = self.metadata.get("author")
        # Portals often put their own name in meta author; that is not a byline.
        if meta and meta != self.metadata.get("site_name") and not _PORTAL_NAME.search(meta):
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

    def body_text(self) -> str | None:
        return self.body.text

    def body_html(self) -> str | None:
        return self.body.html

    def captions(self) -> list[str]:
        return self.body.captions

    def images(self) -> list[dict]:
        return self.body.images

    @memo
    def attachments(self) -> list[dict]:
        found = list(self.body.attachments)
        nodes, _ = self.select_field("attachments")
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

    @memo
    def canonical_url(self) -> str:
        """The article's key: the page's own canonical link when it is on the same site, else its URL."""
        declared = self.absolute(self.metadata.get("canonical"))
        url = self.url
        if declared and host_key(urlsplit(declared).netloc) == host_key(urlsplit(self.url).netloc):
            url = declared
        return self.platform.canonical(url)

    # -- the body --------------------------------------------------------------------------------

    @functools.cached_property
    def body(self) -> Body:
        nodes, origin = self.select_field("body")
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
        for name in ("title", "published_raw", "updated_at", "lead", "author", "source"):
            getattr(self, name)()
        marked = [n for n in self.__dict__.get("_field_nodes", []) if n is not node and _inside(n, node)]
        for n in marked:
            n.set(_FIELD_MARK, "1")
        # Work on a copy: other fields may live inside the parts dropped from the body.
        body = copy.deepcopy(node)
        for n in marked:
            del n.attrib[_FIELD_MARK]
        for n in body.xpath(f".//*[@{_FIELD_MARK}]"):
            n.drop_tree()
        for css in self.EXCLUDE + self.platform.exclude + tuple(self.profile.article.get("exclude", ())):
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

    # -- the item --------------------------------------------------------------------------------

    def extract(self) -> dict:
        """Every field the page gives of its article (``PAGE_FIELDS``), with its context: the key,
        where it was fetched, its portal, how it was decoded, which path read each field, and the
        problems met."""
        item = {name: getattr(self, name)() for name in PAGE_FIELDS}
        if not self.decoded.confident:
            self.problem(DECODING, self.decoded.problem or "the text could not be decoded with confidence")
        item.update({
            "url": self.canonical_url(),
            "fetched_url": self.url,
            "portal": self.profile.slug,
            "province": self.profile.province,
            "fetched_at": self.fetched_at,
            "charset": self.decoded.charset,
            "extraction": dict(sorted(self.sources.items())),
            "problems": list(self.problems),
        })
        return item
