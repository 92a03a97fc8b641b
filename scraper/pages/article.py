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
from scraper.core.text import clean_inline, strip_outlet_prefix
from scraper.core.urls import host_key
from scraper.pages.body import Body, drop_link_blocks, extract_body, paragraphs_html
from scraper.pages.consensus import (
    DATE_LINE_CHARS,
    Candidate,
    choose,
    external_candidates,
    holder,
    is_date_line,
    without_captions,
)
from scraper.pages.css import select
from scraper.pages.page import GENERIC, LAYERS, PLATFORM, PROFILE, Page, memo, node_text
from scraper.pages.structure import MIN_ITEMS, form_kind, hidden, in_chrome, is_search_page, links_make, main_block, soft_404

# Fields whose element, printed inside the body element by some templates, is not body text.
FORM_PAGE_TEXT = 800  # a page with a form and less text than this is the form's page (login, poll)
DATE_SCAN = 12
LEAD_SCAN = 4               # elements after the headline looked at for a sapo
LEAD_SIZE = (60, 700)       # characters a sapo has  # elements after the headline looked at for a printed date
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
    # The text the generic path's extractors agreed on (scraper.pages.consensus), when it read the body.
    agreed: Candidate | None = None
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
            # Only an element that holds little more than the field is the field's: a wrapper a
            # loose class name matched ("summary" around a whole story) stays in the body.
            if node is not None and name in BODY_EXCLUDED_FIELDS and len(node.text_content()) <= 2 * len(value) + 80:
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
        """The publication time as the page gives it: machine-readable metadata first (when it reads
        as a date), then the printed date."""
        meta = self.metadata.get("published")
        if meta and self.parse_date(meta):
            self._published_from = "metadata"
            return self._meta("published")
        printed = self._field("published") or self._date_by_title()
        if printed:
            self._published_from = "page"
            return printed
        if meta:
            self._published_from = "metadata"
            return self._meta("published")
        return None

    def _date_by_title(self) -> str | None:
        """A date printed on its own near the headline ("Thứ sáu, 15/03/2024, 09:30" in a class no
        selector knows): the first short element after the title element that reads as a date, within
        a few elements of it."""
        heading = next(iter(self.root.iter("h1")), None)
        if heading is None:
            return None
        seen = 0
        for el in heading.itersiblings() if heading.getparent() is not None else ():
            for node in el.iter():
                if not isinstance(node.tag, str) or node.tag in ("script", "style"):
                    continue
                seen += 1
                if seen > DATE_SCAN:
                    return None
                text = clean_inline(" ".join(node.itertext()))
                if text and len(text) <= 100 and is_date_line(text) and self.parse_date(text):
                    self.sources["published"] = GENERIC
                    self.__dict__.setdefault("_field_nodes", []).append(node)
                    return text
        return None

    @memo
    def published_at(self) -> str | None:
        raw = self.published_raw()
        return self.parse_date(raw) if raw is not None else None  # ISO from metadata or a printed date

    def published_from(self) -> str | None:
        """Where the page's own publication time came from: "metadata" or "page" (printed)."""
        return self.__dict__.get("_published_from") if self.published_at() else None

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
        return self._lead_by_title()

    def _lead_by_title(self) -> str | None:
        """The sapo printed between the headline and the body in an element no selector knows: a
        block of one or two sentences right after the title, set in bold or opening with an outlet's
        prefix ("(KHO) - …"), the way Vietnamese news pages print it."""
        heading = next(iter(self.root.iter("h1")), None)
        if heading is None or heading.getparent() is None:
            return None
        seen = 0
        for el in heading.itersiblings():
            if not isinstance(el.tag, str):
                continue
            seen += 1
            if seen > LEAD_SCAN:
                return None
            text = clean_inline(" ".join(el.itertext())) or ""
            if not LEAD_SIZE[0] <= len(text) <= LEAD_SIZE[1]:
                continue
            bold = "".join(clean_inline(" ".join(b.itertext())) or "" for b in el.iter("strong", "b"))
            if len(bold) >= 0.8 * len(text) or strip_outlet_prefix(text) != text:
                self.sources["lead"] = GENERIC
                self.__dict__.setdefault("_field_nodes", []).append(el)
                return text
            return None  # the first block of text after the title is the lead or there is none
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

    @memo
    def not_article(self) -> str | None:
        """Why the page is not an article page, from its structure (never its date), or None."""
        headings = [clean_inline(" ".join(h.itertext())) or "" for h in self.root.iter("h1", "h2")][:5]
        error = soft_404(self.title(), headings, self.body.text)
        if error:
            return f"a soft 404 (the page says {error!r})"
        form = form_kind(self.root) if len(self.body.text or "") < FORM_PAGE_TEXT else None
        if form:
            return form
        if not self.title():
            return "no title"
        if not self.body.paragraphs:
            return "no article body"
        if is_search_page(self.url, self.title()):
            return "a search page"
        body = self.body.text or ""
        # A listing's body is mostly its entries' titles, which are link texts: a page whose link
        # texts cannot make half its body is an article, without looking for its repeated blocks.
        if not links_make(self.root, body, 0.5 * len(body)):
            return None
        block = main_block(self.root, self.url)
        if block is not None and len(block.entries) >= MIN_ITEMS:
            listed = sum(len(e.title) for e in block.entries if e.title in body)
            if listed > 0.5 * len(body):
                return f"a listing ({len(block.entries)} links to articles)"
        return None

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
        nodes, origin = self.select_field("body", layers=(PROFILE, PLATFORM))
        if nodes and not isinstance(nodes[0], str):
            self.sources["body_text"] = origin
            return self._body_of(nodes[0])
        return self._generic_body()

    def _generic_body(self) -> Body:
        """No profile or platform selector holds the body: the generic layer's element (a common
        class name, else the densest block) and the extractors of ``scraper.pages.consensus`` are
        candidates, and the text they agree on is the body."""
        nodes, _ = self.select_field("body", layers=(GENERIC,))
        node = nodes[0] if nodes and not isinstance(nodes[0], str) else self._densest_block()
        own = self._body_of(node, prune=True) if node is not None else Body()
        winner = choose([Candidate("dom", tuple(own.paragraphs)), *external_candidates(self.html)])
        if winner is None:
            return Body()
        self.sources["body_text"], self.sources["body_by"] = GENERIC, winner.name
        self.agreed = winner  # the agreed text as the extractors read it, before the fields are taken out
        if winner.name == "dom":
            return own
        element = holder(self.root, winner.text)
        found = self._body_of(element) if element is not None else Body()
        fields = {v.casefold() for v in (self.title(), self.published_raw(), self.lead(), self.author()) if v}
        paragraphs = [p for p in without_captions(winner.paragraphs, found.captions) if p.casefold() not in fields]
        return Body(paragraphs=paragraphs, captions=found.captions, images=found.images, attachments=found.attachments,
                    html=found.html or paragraphs_html(paragraphs))

    def _body_of(self, node: etree._Element, *, prune: bool = False) -> Body:
        """The body in `node`: without the elements of other fields, the platform's and profile's
        excluded parts and (with `prune`, for an element found by density) link-dense blocks."""
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
        title = (self.title() or "").casefold()
        for heading in list(body.iter("h1", "h2")) if title else ():
            if heading is not body and (clean_inline(" ".join(heading.itertext())) or "").casefold() == title:
                heading.drop_tree()  # the headline printed inside the element that holds the body
        for line in [el for el in body.iter("div", "p", "span", "time") if el is not body and len(el) <= 1]:
            raw = " ".join(line.itertext())
            if len(raw) > 3 * DATE_LINE_CHARS and len("".join(raw.split())) > 3 * DATE_LINE_CHARS:
                continue  # a paragraph: too long to clean down to a date line, even decomposed (NFD)
            text = clean_inline(raw)
            if text and line.getparent() is not None and is_date_line(text):
                line.drop_tree()  # "Thứ sáu, 15/03/2024, 09:30": the date line, not body text
        for css in self.EXCLUDE + self.platform.exclude + tuple(self.profile.article.get("exclude", ())):
            for junk in select(body, css, self.index, indexed=False):
                if junk is not body:
                    junk.drop_tree()
        if prune:
            drop_link_blocks(body)
        return extract_body(body, self.url, title=self.title(), owned=True)

    def _densest_block(self) -> etree._Element | None:
        """The element that directly holds the most paragraph text (generic fallback).

        Each paragraph's text scores for its parent, half for its grandparent; paragraphs that are
        mostly a link (menu entries, headlines of other articles) and those in page chrome
        (navigation, header, footer, by tag or class) or hidden from readers do not count, and
        containers are discounted by their share of link text."""
        scores: dict = {}
        shares: dict = {}
        for p in _PARAGRAPHS(self.root):
            text = len(p.text_content().strip())
            if text < 25 or in_chrome(p, shares) or hidden(p):
                continue
            links = sum(len(a.text_content().strip()) for a in p.iter("a"))
            if links > 0.5 * text:
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
