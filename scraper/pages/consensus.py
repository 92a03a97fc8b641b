"""The generic body: several extractors read the page, and the text they agree on most is kept.

A page no profile or platform selector reads is read by the project's own densest-block element
and by two well-kept extractors of the field, trafilatura (twice: favouring precision, and as it
runs by default, both without its own fallbacks) and readability-lxml, all on the text as the project decoded it (legacy encodings
included). Each candidate scores by how much of its text (runs of four words) the others share,
and the best one is kept (a tie goes to the first of ORDER). Measured on Zyte's public benchmark
(``python -m bench extract``, body F1): each candidate alone, after the project's clean-up, 0.914
(the project's element) to 0.963 (trafilatura favouring precision); the agreed text 0.971.

What the project does better than the extractors is kept whichever text wins: captions and photo
credits found in the page are taken out of the body text, and the body's HTML, images and captions
come from the page element that holds the agreed text (``scraper.pages.body``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import lxml.html
from lxml import etree

from scraper.core.dates import parse_date
from scraper.core.text import clean_inline, is_photo_credit

SHINGLE = 4
_WORD = re.compile(r"\w+")
# Which candidate wins a tie: the one most accurate alone first.
ORDER = ("trafilatura-precise", "trafilatura", "readability", "resiliparse", "dom")
_BLOCKS = ("div", "article", "section", "main", "td", "body", "table", "tbody", "center", "font", "span", "form", "li")


@dataclass(frozen=True)
class Candidate:
    name: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def shingles(text: str) -> Counter:
    words = _WORD.findall(text.lower())
    return Counter(tuple(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))) if words else Counter()


def agreement(a: Counter, b: Counter) -> float:
    """F1 of two shingle multisets: 1 when they read the same text."""
    if not a or not b:
        return 0.0
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


_TABLE_ROW = re.compile(r"^\|(.*)\|$")
_TABLE_RULE = re.compile(r"^[|\-: ]+$")


def _line(line: str) -> str | None:
    """A text line as a paragraph: trafilatura writes a table row as "| cell | cell |"; its cells are text."""
    line = clean_inline(line) or ""
    row = _TABLE_ROW.match(line)
    if row:
        if _TABLE_RULE.match(line):
            return None
        line = clean_inline(" ".join(cell for cell in row.group(1).split(" | "))) or ""
    return line or None


def _paragraphs(text: str | None) -> tuple[str, ...]:
    return tuple(p for p in (_line(line) for line in (text or "").splitlines()) if p)


def external_candidates(html: str) -> list[Candidate]:
    """What trafilatura and readability-lxml read of a page's (decoded) HTML; an extractor that fails
    on a page gives no candidate, never an error."""
    # Imported here: only a page no profile or platform selector reads needs them (trafilatura alone
    # is 26 MiB in a page worker that may never see such a page).
    import trafilatura
    from readability import Document
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    found = []
    # fast: without trafilatura's own fallback extractors, which readability and the project's own
    # element stand in for here (measured: the same F1 at two thirds of the time).
    for name, options in (("trafilatura-precise", {"favor_precision": True}), ("trafilatura", {})):
        try:
            text = trafilatura.extract(html, include_comments=False, fast=True, **options)
        except Exception:  # a third-party extractor must not take a page down with it
            text = None
        if text:
            found.append(Candidate(name, _paragraphs(text)))
    try:
        text = extract_plain_text(HTMLTree.parse(html), main_content=True, list_bullets=False, alt_texts=False, links=False,
                                  form_fields=False, noscript=False)
        if text:
            found.append(Candidate("resiliparse", _paragraphs(text)))
    except Exception:  # same
        pass
    try:
        summary = Document(html).summary(html_partial=True)
        node = lxml.html.fromstring(summary)
        lines = [clean_inline(" ".join(el.itertext())) for el in node.iter("p", "li", "h2", "h3", "h4", "pre", "blockquote", "td")]
        paragraphs = tuple(p for p in lines if p)
        if not paragraphs:
            paragraphs = _paragraphs("\n".join(node.itertext()))
        if paragraphs:
            found.append(Candidate("readability", paragraphs))
    except Exception:  # same: readability raises on empty or odd documents
        pass
    return found


def choose(candidates: Iterable[Candidate]) -> Candidate | None:
    """The candidate the others agree with most."""
    candidates = sorted((c for c in candidates if c.paragraphs), key=lambda c: ORDER.index(c.name) if c.name in ORDER else len(ORDER))
    if not candidates:
        return None
    sets = {c.name: shingles(c.text) for c in candidates}

    def support(c: Candidate) -> float:
        return sum(agreement(sets[c.name], sets[o.name]) for o in candidates if o is not c)

    return max(candidates, key=support)


def holder(root: etree._Element, text: str) -> etree._Element | None:
    """The page element whose text is most like `text` (for its HTML, images and captions)."""
    target = shingles(text)
    size = len(text)
    best, best_score = None, 0.0
    for el in root.iter(*_BLOCKS):
        length = len(el.text_content())
        if length < 0.6 * size or length > 4 * size + 500:
            continue
        score = agreement(shingles(el.text_content()), target)
        if score > best_score:
            best, best_score = el, score
    return best if best_score >= 0.5 else None


_DATE_WORDS = re.compile(r"\b(thứ|hai|ba|tư|năm|sáu|bảy|chủ|nhật|ngày|tháng|cập|nhật|đăng|lúc|gmt|am|pm|sa|ch)\b|[\d:/.,|()\-+\[\]]",
                         re.IGNORECASE)


DATE_LINE_CHARS = 60  # a date line is no longer


def is_date_line(paragraph: str) -> bool:
    """A line that only says when ("Thứ sáu, 15/03/2024, 09:30"): page chrome, not body text."""
    return len(paragraph) <= DATE_LINE_CHARS and parse_date(paragraph) is not None and not _DATE_WORDS.sub(" ", paragraph).split()


def without_captions(paragraphs: Iterable[str], captions: Iterable[str]) -> list[str]:
    """Body paragraphs without the page's captions, photo credits and date lines."""
    known = {c.casefold() for c in captions}
    return [p for p in paragraphs if p.casefold() not in known and not is_photo_credit(p) and not is_date_line(p)]
