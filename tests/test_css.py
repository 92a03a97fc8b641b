"""The page index answers simple selectors exactly as XPath (parsel's way) does."""

from __future__ import annotations

import itertools

import pytest

from scraper.pages.article import ArticlePage
from scraper.pages.css import PageIndex, compiled, plan, select
from scraper.platforms import PLATFORMS
from scraper.portals import load_profiles
from tests.pages import cases


def every_selector() -> list[str]:
    found: set[str] = set()
    for spec in PLATFORMS.values():
        for values in itertools.chain(spec.article.values(), spec.listing.values()):
            found.update(values)
        found.update(spec.exclude)
    for values in ArticlePage.GENERIC_SELECTORS.values():
        found.update(values)
    found.update(ArticlePage.EXCLUDE)
    for profile in load_profiles().values():
        for table in (profile.article, profile.listing):
            for values in table.values():
                found.update(values)
    found.update(["h1::text", "a::attr(href)", "div > p", "ul li:first-child", ".x .y > .z", "#noidung p", "body *", "li:last-child a"])
    return sorted(found)


SELECTORS = every_selector()


@pytest.mark.parametrize("case", cases(), ids=[c.id for c in cases()])
def test_index_and_xpath_agree_on_every_page(case):
    page = case.page()
    index = PageIndex(page.root)
    contexts = [page.root] + [n for n in select(page.root, "div, li, ul, section") if len(n)][:40]
    for css in SELECTORS:
        for context in contexts:
            assert select(context, css, index) == compiled(css)(context), (css, context.tag)


@pytest.mark.parametrize("css,simple", [
    (".a .b", True), ("h1.title", True), ("#noidung", True), ("div > p", True), ("li:last-child", True),
    ("h1::text", True), ("a::attr(href)", True), (".a ::text", False), ("a[href]", False), ("a, b", False),
    ("p:nth-child(2)", False),
])
def test_which_selectors_the_index_answers(css, simple):
    assert (plan(css) is not None) is simple


def test_a_selector_naming_an_absent_class_matches_nothing_without_search():
    page = ArticlePage("https://x.gov.vn/", b"<div class='a'><p class='b'>x</p></div>")
    assert select(page.root, ".a .nowhere", page.index) == []
    assert [e.text for e in select(page.root, ".a .b", page.index)] == ["x"]
