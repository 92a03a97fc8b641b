"""CSS selection for page objects: an index of the page's classes and ids, and XPath for the rest.

Pages try a dozen selectors each (profile, platform, generic layers), and a class selector compiled
to XPath scans the whole document: about 60–120 µs on a 30 KB portal page, more than parsing it.
Most selectors are simple (``.a .b``, ``h1.title``, ``#noidung``), so one pass builds an index of
elements by class and id, and simple selectors are answered from it in microseconds. A selector
naming a class or id the page does not have matches nothing without any search. Everything else
(attribute selectors, most pseudo-classes, comma lists) goes to lxml's compiled XPath, exactly as
parsel would run it. ``tests/test_css.py`` checks that both ways give the same nodes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lxml import etree
from parsel.csstranslator import HTMLTranslator

_TRANSLATOR = HTMLTranslator()
# Attribute nodes come back as strings that know their element: cheaper than element proxies.
_CLASS_ATTRS = etree.XPath("//@class")
_ID_ATTRS = etree.XPath("//@id")
_TEXT_CHILDREN = etree.XPath("text()")
_COMPOUND = re.compile(r"^(?P<tag>[A-Za-z][A-Za-z0-9-]*|\*)?(?P<rest>(?:[.#][A-Za-z0-9_-]+)*)(?P<pseudo>:first-child|:last-child)?$")
_PART = re.compile(r"([.#])([A-Za-z0-9_-]+)")
_PSEUDO_ELEMENT = re.compile(r"::(text|attr\(([A-Za-z0-9_:-]+)\))\s*$")


@functools.lru_cache(maxsize=4096)
def compiled(css: str) -> etree.XPath:
    return etree.XPath(_TRANSLATOR.css_to_xpath(css))


@dataclass(frozen=True)
class Compound:
    tag: str | None
    classes: frozenset[str]
    id: str | None
    pseudo: str | None

    def matches(self, el) -> bool:
        if self.tag and el.tag != self.tag:
            return False
        if self.id and el.get("id") != self.id:
            return False
        if self.classes and not self.classes <= set((el.get("class") or "").split()):
            return False
        if self.pseudo:
            step = el.getnext if self.pseudo == ":last-child" else el.getprevious
            sibling = step()
            while sibling is not None and not isinstance(sibling.tag, str):
                sibling = sibling.getnext() if self.pseudo == ":last-child" else sibling.getprevious()
            return sibling is None
        return True


@dataclass(frozen=True)
class Plan:
    """A simple selector: compounds joined by descendant (" ") or child (">") combinators."""

    compounds: tuple[Compound, ...]
    combinators: tuple[str, ...]  # between compounds[i] and compounds[i + 1]
    pseudo_element: str | None    # None, "text" or "attr"
    attr: str | None
    needs: tuple[frozenset[str], frozenset[str]]  # classes and ids it cannot match without


@functools.lru_cache(maxsize=4096)
def plan(css: str) -> Plan | None:
    """The index plan for `css`, or None when XPath must answer it."""
    text = css.strip()
    if "," in text or "[" in text or "(" in text.split("::")[0]:
        return None
    pseudo_element = attr = None
    m = _PSEUDO_ELEMENT.search(text)
    if m and (m.start() == 0 or text[m.start() - 1].isspace()):
        return None  # ".a ::text" means every descendant text node: XPath says it best
    if m:
        pseudo_element = "text" if m.group(1) == "text" else "attr"
        attr = m.group(2)
        text = text[: m.start()].strip()
    tokens = text.replace(">", " > ").split()
    compounds, combinators, pending = [], [], " "
    for token in tokens:
        if token == ">":
            pending = ">"
            continue
        cm = _COMPOUND.match(token)
        if not cm or not token:
            return None
        parts = _PART.findall(cm.group("rest"))
        ids = [n for k, n in parts if k == "#"]
        if len(ids) > 1:
            return None
        tag = cm.group("tag")
        compounds.append(Compound(None if tag in (None, "*") else tag.lower(), frozenset(n for k, n in parts if k == "."),
                                  ids[0] if ids else None, cm.group("pseudo")))
        if len(compounds) > 1:
            combinators.append(pending)
        pending = " "
    if not compounds or (pending == ">" and tokens and tokens[-1] == ">"):
        return None
    needs = (frozenset().union(*(c.classes for c in compounds)), frozenset(c.id for c in compounds if c.id))
    return Plan(tuple(compounds), tuple(combinators), pseudo_element, attr, needs)


class PageIndex:
    """Elements of one parsed page by class and by id, in document order."""

    def __init__(self, root):
        self.root = root
        self.by_class: dict[str, list] = {}
        self.by_id: dict[str, list] = {}
        for value in _CLASS_ATTRS(root):
            element = value.getparent()
            for name in value.split():
                self.by_class.setdefault(name, []).append(element)
        for value in _ID_ATTRS(root):
            if value:
                self.by_id.setdefault(str(value), []).append(value.getparent())
        self.classes = set(self.by_class)
        self.ids = set(self.by_id)

    def has(self, needs: tuple[frozenset[str], frozenset[str]]) -> bool:
        return needs[0] <= self.classes and needs[1] <= self.ids


def _within(el, context) -> bool:
    while el is not None:
        if el is context:
            return True
        el = el.getparent()
    return False


def _ancestors_match(el, compounds, combinators, context) -> bool:
    """Whether the compounds before the subject match el's ancestors (right to left), inside context."""
    node = el
    for i in range(len(compounds) - 1, -1, -1):
        combinator = combinators[i]
        if node is context:
            return False
        node = node.getparent()
        if combinator == ">":
            if node is None or not compounds[i].matches(node) or not _within(node, context):
                return False
            continue
        while node is not None and not compounds[i].matches(node):
            if node is context:
                return False
            node = node.getparent()
        if node is None or not _within(node, context):
            return False
    return True


def select(node, css: str, index: PageIndex | None = None, *, indexed: bool = True) -> list:
    """Elements (or strings, for ``::text`` and ``::attr()``) matching `css` under `node`, as parsel's
    ``Selector.css`` would return them.

    `index` is the page's index; `indexed` says whether `node` belongs to the indexed tree (a copy
    of part of it does not: then the index only rules out selectors naming absent classes or ids).
    """
    p = plan(css)
    if index is not None and p is not None:
        if not index.has(p.needs):
            return []
        if indexed:
            return _from_index(node, p, index)
    return compiled(css)(node)


def _indexed(compound: Compound, index: PageIndex) -> list | None:
    if compound.id:
        return index.by_id.get(compound.id, [])
    if compound.classes:
        return min((index.by_class.get(c, []) for c in compound.classes), key=len)
    return None


def _from_index(context, p: Plan, index: PageIndex) -> list:
    subject = p.compounds[-1]
    candidates = _indexed(subject, index)
    if candidates is None:
        # ".breadcrumb li:last-child": look for the subject only under the elements the index
        # knows for the nearest ancestor compound that names a class or an id.
        anchors = next((found for c in reversed(p.compounds[:-1]) if (found := _indexed(c, index)) is not None), None)
        if anchors is None:
            candidates = list(context.iter(subject.tag) if subject.tag else context.iter())
        else:
            seen: set = set()
            candidates = []
            for anchor in anchors:
                for el in anchor.iter(subject.tag) if subject.tag else anchor.iter():
                    if el not in seen:
                        seen.add(el)
                        candidates.append(el)
            if len(anchors) > 1:
                order = {el: n for n, el in enumerate(context.iter())} if len(candidates) > 1 else {}
                candidates.sort(key=lambda el: order.get(el, -1))
    out = []
    for el in candidates:
        if not isinstance(el.tag, str) or not subject.matches(el) or not _within(el, context):
            continue
        if len(p.compounds) > 1 and not _ancestors_match(el, p.compounds[:-1], p.combinators, context):
            continue
        out.append(el)
    if p.pseudo_element == "text":
        return [t for el in out for t in _TEXT_CHILDREN(el)]
    if p.pseudo_element == "attr":
        return [el.get(p.attr) for el in out if el.get(p.attr) is not None]
    return out
