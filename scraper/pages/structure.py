"""What a page is, from its structure: a listing of articles, an article, or neither (and why).

Pure: a parsed page in, values out. A listing is a repeated block: sibling elements of one shape
(tag and classes), each holding a link on the page's own site whose text reads as a headline, most
with a date, a thumbnail or a summary beside it. Menus, breadcrumbs and footers are repeated blocks
too, but of short labels inside page chrome; "most read" and "related news" boxes are repeated
blocks of headlines inside side columns, kept apart from the page's main one by size and place.
A page is not an article when it is a listing, a form to log in, search or vote, or an error page
served with status 200 (a "soft 404"); none of this looks at the page's date.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from scraper.core.text import clean_inline, fold
from scraper.core.urls import host_key

MIN_ITEMS = 3            # a repeated block has at least this many items (a learned shape needs one)
MIN_HEADLINE_WORDS = 4   # a headline is a link text of this many words or more
_DATE = re.compile(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}|\d{4}-\d{2}-\d{2}")
_STATE_CLASSES = re.compile(r"^(active|current|selected|first|last|odd|even|clearfix|item-?\d+|col-.*|row|hidden.*|show|open)$",
                            re.IGNORECASE)
# A class or id token that names page chrome: "nav", "main-menu", "site-footer", "breadcrumb", …
_CHROME_TOKEN = re.compile(r"^((nav|navbar|navigation|menu|megamenu|footer|header|breadcrumbs?|topbar|sitemap|lienket|lien-ket|weblink|"
                           r"pagination|pager|phan-?trang)([-_].*)?|.*[-_](nav|navbar|navigation|menu|footer|breadcrumbs?)([-_].*)?)$",
                           re.IGNORECASE)
CHROME_DEPTH = 5  # class names of this many ancestors count: a wrapper far above is layout, not chrome
_SIDE = re.compile(r"(sidebar|side-bar|col-right|right-col|cot-phai|box-right|aside|widget|most-?read|doc-?nhieu|xem-?nhieu|"
                   r"tin-?lien-?quan|related|other-?news|tin-?khac|tin-?cung)", re.IGNORECASE)
# An error page's words, not a news title's: "404 - Trang không tồn tại", "Lỗi 404", "Page not found",
# "Trang bạn yêu cầu không tồn tại" (a title such as "Không tìm thấy dấu hiệu vi phạm" or one
# numbered "(404)" is news).
_SOFT_404 = re.compile(r"^\W*(?:(?:error|lỗi)\s*)?404\b|\b404\s*[-–:|]|\b(?:error|lỗi)\s*404\b|"
                       r"\b(?:trang|page|bài viết|nội dung|đường dẫn)\s+(?:này\s+)?(?:không tồn tại|không tìm thấy|not found|"
                       r"đã bị xóa|đã bị gỡ|bị gỡ bỏ)|page not found|không tìm thấy trang|trang bạn (?:yêu cầu|tìm)|"
                       r"lỗi truy cập", re.IGNORECASE)
_LOGIN_WORDS = re.compile(r"đăng nhập|login|log in|sign in|mật khẩu|password", re.IGNORECASE)
_SEARCH_SEGMENTS = {"tim-kiem", "timkiem", "search", "tra-cuu", "tracuu", "ket-qua-tim-kiem", "searchresults"}
_SEARCH_KEYS = {"q", "keyword", "keywords", "tukhoa", "searchtext", "search", "query", "kw"}
_POLL_WORDS = re.compile(r"bình chọn|thăm dò|khảo sát|poll|survey|ý kiến", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    url: str
    title: str
    date_raw: str | None = None
    thumbnail: bool = False


@dataclass(frozen=True)
class Block:
    """A repeated block of links to articles."""

    shape: str                  # the items' tag and classes ("div.news-item"): a CSS selector for them
    entries: tuple[Entry, ...]
    score: float
    side: bool                  # in a side column (most read, related news), not the page's main block

    @property
    def selector(self) -> str:
        return self.shape


def _classes(el: etree._Element) -> list[str]:
    return [c for c in (el.get("class") or "").split() if not _STATE_CLASSES.match(c)]


def shape(el: etree._Element) -> str:
    """A CSS selector for an element's kind: its tag and its stable classes."""
    return el.tag + "".join(f".{c}" for c in sorted(_classes(el)) if re.fullmatch(r"[A-Za-z_][\w-]*", c))


def _ancestry(el: etree._Element) -> str:
    parts = []
    for a in el.iterancestors():
        if isinstance(a.tag, str):
            parts.append(f"{a.tag} {a.get('class') or ''} {a.get('id') or ''}")
    return " ".join(parts)


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def hidden(el: etree._Element) -> bool:
    """Not shown to readers: inside an element styled display:none or marked hidden (microdata
    copies of an article, templates, closed menus)."""
    for a in (el, *el.iterancestors()):
        if isinstance(a.tag, str) and (a.get("hidden") is not None or _HIDDEN_STYLE.search(a.get("style") or "")):
            return True
    return False


def link_share(el: etree._Element, cache: dict | None = None) -> float:
    """How much of an element's text is link text (0 to 1)."""
    if cache is not None and el in cache:
        return cache[el]
    text = len(" ".join(el.text_content().split())) or 1
    share = min(1.0, sum(len(" ".join(a.text_content().split())) for a in el.iter("a")) / text)
    if cache is not None:
        cache[el] = share
    return share


def in_chrome(el: etree._Element, cache: dict | None = None) -> bool:
    """Inside navigation or a footer: a nav or footer element above it, or, on it or one of its
    nearest ancestors, a class or id naming chrome ("main-menu", "breadcrumb") on an element that is
    mostly links (a layout wrapper that happens to carry such a class is not chrome)."""
    for depth, a in enumerate((el, *el.iterancestors())):
        if not isinstance(a.tag, str):
            continue
        if a.tag in ("nav", "footer"):
            return True
        if depth <= CHROME_DEPTH and any(_CHROME_TOKEN.match(t) for t in f"{a.get('class') or ''} {a.get('id') or ''}".split()):
            if link_share(a, cache) > 0.5:
                return True
    return False


def _headline(item: etree._Element, base: str, host: str) -> Entry | None:
    """The item's link to an article on the page's own site, with its headline text."""
    best = None
    for a in item.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(base, href)
        if host_key(urlsplit(url).netloc) != host:
            continue
        text = clean_inline(" ".join(a.itertext())) or clean_inline(a.get("title"))
        if not text:
            continue
        if best is None or len(text) > len(best[1]):
            best = (url, text)
    if best is None or len(best[1].split()) < MIN_HEADLINE_WORDS:
        return None
    text = " ".join(item.itertext())
    date = _DATE.search(text)
    return Entry(best[0], best[1], date.group(0) if date else None, item.find(".//img") is not None)


def repeated_blocks(root: etree._Element, url: str, *, shapes: tuple[str, ...] = ()) -> list[Block]:
    """Every repeated block of article links on the page, best first. `shapes` are item shapes
    learned on earlier pages of the same listing: items of those shapes count even when few."""
    host = host_key(urlsplit(url).netloc)
    groups: dict[tuple, list] = defaultdict(list)
    for parent in root.iter():
        if not isinstance(parent.tag, str):
            continue
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in ("script", "style", "option", "br"):
                groups[(id(parent), shape(child))].append(child)
    blocks = []
    for (_, item_shape), items in groups.items():
        learned = item_shape in shapes
        if len(items) < MIN_ITEMS and not learned:
            continue
        if in_chrome(items[0]) and not learned:
            continue
        entries = [e for e in (_headline(i, url, host) for i in items) if e]
        if not entries or (len(entries) < MIN_ITEMS and not learned) or len(entries) < 0.6 * len(items):
            continue
        words = sum(len(e.title.split()) for e in entries) / len(entries)
        extras = sum(bool(e.date_raw) + e.thumbnail for e in entries) / len(entries)
        side = bool(_SIDE.search(_ancestry(items[0]) + " " + (items[0].get("class") or "")))
        score = len(entries) * min(words, 20) * (1 + extras) * (0.4 if side else 1.0)
        seen, unique = set(), []
        for e in entries:
            if e.url not in seen:
                seen.add(e.url)
                unique.append(e)
        blocks.append(Block(item_shape, tuple(unique), score, side))
    return sorted(blocks, key=lambda b: -b.score)


def main_block(root: etree._Element, url: str, *, shapes: tuple[str, ...] = ()) -> Block | None:
    """The page's main listing block, if it has one."""
    blocks = repeated_blocks(root, url, shapes=shapes)
    for block in blocks:
        if block.shape in shapes:
            return block
    mains = [b for b in blocks if not b.side]
    return mains[0] if mains else None


def soft_404(title: str | None, headings: list[str], body: str | None) -> str | None:
    """The words of an error page served as if it were a page ("404 - Trang không tồn tại")."""
    for text in [title or "", *headings]:
        m = _SOFT_404.search(text)
        if m and len(text) < 120:
            return clean_inline(text)
    if body and len(body) < 400:
        m = _SOFT_404.search(body)
        if m:
            return clean_inline(body[:100])
    return None


def form_kind(root: etree._Element) -> str | None:
    """A login, search or poll form that is the point of the page (in its main part, not its chrome)."""
    for form in root.iter("form"):
        if in_chrome(form) or _SIDE.search(_ancestry(form) + " " + (form.get("class") or "")):
            continue  # the header's search box, a side column's poll: on every page of the site
        inputs = [(i.get("type") or "text").lower() for i in form.iter("input")]
        text = " ".join(form.itertext())
        if "password" in inputs and _LOGIN_WORDS.search(text + " " + (form.get("action") or "")):
            return "a login page"
        if inputs.count("radio") >= 2 and _POLL_WORDS.search(text):
            return "a poll"
    return None


def is_search_page(url: str, title: str | None) -> bool:
    """A site search's result page: a path segment or query key that names search, or its title says so.

    A slug that merely contains the words ("tim-kiem-cuu-nan", search and rescue) is an article.
    """
    parts = urlsplit(url)
    segments = {fold(s).lower().rsplit(".", 1)[0] for s in parts.path.split("/") if s}
    keys = {k.lower() for k, _, _ in (p.partition("=") for p in parts.query.split("&")) if k}
    return bool(segments & _SEARCH_SEGMENTS or keys & _SEARCH_KEYS
                or re.search(r"kết quả tìm kiếm|search results", title or "", re.IGNORECASE))


def links_make(root: etree._Element, body: str, share: float) -> bool:
    """Whether the texts of the page's links (those of 8 characters or more) that the body holds
    make more than `share` characters of it. The body is searched only while the links left could
    still decide it, the longest links first (the answer is the sum's, in any order: the links left
    rule it out soonest that way); a link of one text node is read without walking it (half the time
    of a page's links)."""
    texts = [text for text in (clean_inline(a.text if not len(a) else " ".join(a.itertext())) for a in root.iter("a"))
             if text and len(text) >= 8]
    texts.sort(key=len, reverse=True)
    found, left = 0, sum(map(len, texts))
    for text in texts:
        if found + left <= share:
            return False
        left -= len(text)
        if text in body:
            found += len(text)
    return found > share
