"""A category listing page: the article links on it, their titles and dates, its feeds, the page after it.

Items come from the profile's or the platform's item selector; with none matching, from the page's
main repeated block of headlines (``scraper.pages.structure``), else every link on the page's own
site that the platform recognises as an article (the generic path).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

from scraper.core.urls import host_key
from scraper.pages.css import select
from scraper.pages.page import GENERIC, PLATFORM, Page, href_of, node_text
from scraper.pages.paging import labelled_next, numbered_next, numbered_text_next, rel_next
from scraper.pages.sections import Section, news_sections
from scraper.pages.structure import Block, main_block

STRUCTURE = "structure"  # items found by the page's repeated block of headlines


@dataclass(frozen=True)
class ListingEntry:
    url: str
    title: str | None = None
    date_raw: str | None = None
    published_at: str | None = None


class ListingPage(Page):
    TABLE = "listing"

    def __init__(self, *args, shapes: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.shapes = tuple(shapes)  # item shapes learned on earlier pages of this listing

    @functools.cached_property
    def block(self) -> Block | None:
        """The page's main repeated block of article links (``scraper.pages.structure``)."""
        return main_block(self.root, self.url, shapes=self.shapes)

    def is_article_url(self, url: str) -> bool:
        """Whether a link looks like an article on this platform; used when no item selector matches."""
        return self.platform.is_article_url(url)

    def entries(self) -> list[ListingEntry]:
        items, origin = self.select_field("item")
        out: list[ListingEntry] = []
        seen: set[str] = set()
        if items:
            self.sources["items"] = origin
            for item in items:
                link_nodes, _ = self.select_field("link", root=item)
                links = link_nodes or select(item, "a[href]")
                url = self.absolute(href_of(links[0])) if links else None
                if not url or url in seen:
                    continue
                seen.add(url)
                title_nodes, _ = self.select_field("title", root=item)
                date_nodes, _ = self.select_field("date", root=item)
                title = node_text(title_nodes) or node_text(link_nodes)
                date_raw = node_text(date_nodes)
                out.append(ListingEntry(url, title, date_raw, self.parse_date(date_raw)))
            return out
        # Generic path: the page's main repeated block of headlines, else every same-site link the
        # platform recognises as an article.
        if self.block is not None:
            self.sources["items"] = STRUCTURE
            return [ListingEntry(e.url, e.title, e.date_raw, self.parse_date(e.date_raw)) for e in self.block.entries]
        self.sources["items"] = GENERIC
        host = host_key(urlsplit(self.url).netloc)
        titles: dict[str, str | None] = {}
        for a in select(self.root, "a[href]"):
            url = self.absolute(a.get("href"))
            if url and host_key(urlsplit(url).netloc) == host and self.is_article_url(url):
                # An image link and a text link often point to the same article: keep the text.
                titles[url] = titles.get(url) or node_text([a])
        return [ListingEntry(url, title) for url, title in titles.items()]

    def sections(self) -> list[Section]:
        """The page's links to its site's news sections (a home page's menu, a category's sub-categories)."""
        return news_sections(self.root, self.url)

    def feed_links(self) -> list[str]:
        """RSS/Atom feeds the page links to (<link rel="alternate"> and visible feed links)."""
        found = []
        for node in select(self.root, 'link[rel~="alternate"][type*="rss"], link[rel~="alternate"][type*="atom"], '
                                      'a[href$=".rss"], a[href*="/rss/"]'):
            url = self.absolute(node.get("href"))
            if url and url not in found:
                found.append(url)
        return found

    def next_page(self) -> str | None:
        """The URL of the next listing page, or None on the last page: the profile's or platform's
        `next` selector, ``rel=next``, then the platform's paging (see ``scraper.pages.paging``)."""
        nodes, origin = self.select_field("next")
        if nodes:
            url = self.absolute(href_of(nodes[0]))
            if url and url != self.url:
                self.sources["next"] = origin
                return url
        paging = self.platform.paging
        ways = [(GENERIC, lambda: rel_next(self))]  # tried in order, the first found wins
        if paging.numbered is not None or paging.paths is not None:
            ways.append((PLATFORM, lambda: numbered_next(self, paging)))
        if paging.labels:
            ways.append((GENERIC, lambda: labelled_next(self)))
            ways.append((GENERIC, lambda: numbered_text_next(self, paging)))
        for origin, find in ways:
            url = find()
            if url:
                self.sources["next"] = origin
                return url
        return None
