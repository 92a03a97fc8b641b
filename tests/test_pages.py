"""Platform pages on saved pages, one test per field, so a broken selector is one named failure."""

from __future__ import annotations

import unicodedata

import pytest
from itemadapter import ItemAdapter

from pipelines.validate import ValidatePipeline
from scraper.core.text import clean_inline
from scraper.pages.structure import links_make
from tests.pages import cases

ARTICLE_FIELDS = [(c, f) for c in cases("article") for f in c.expected]
LISTING_FIELDS = [(c, f) for c in cases("listing") for f in c.expected]


@pytest.fixture(scope="module")
def items():
    return {c.id: c.item() for c in cases("article")}


@pytest.mark.parametrize("case,field", ARTICLE_FIELDS, ids=[f"{c.id}:{f}" for c, f in ARTICLE_FIELDS])
def test_article_field(case, field, items):
    item, expected = items[case.id], case.expected[field]
    if field == "body":
        body = item["body_text"] or ""
        assert body.startswith(expected["starts"])
        assert body.endswith(expected["ends"])
        assert len(body.split("\n\n")) == expected["paragraphs"]
        for text in expected.get("excludes", []):
            assert text not in body, f"{text!r} must not be in the body"
        if expected.get("nfc"):
            assert unicodedata.is_normalized("NFC", body) and unicodedata.is_normalized("NFC", item["title"])
    elif field == "image_count":
        assert len(item["images"]) == expected
        assert all(img["url"].startswith("http") for img in item["images"])
    elif field == "extraction":
        assert {k: item["extraction"].get(k) for k in expected} == expected
    elif field == "problems":
        assert [str(p) for p in item["problems"]] == expected
    elif field == "reject":
        assert ValidatePipeline.reason(ItemAdapter(item)) == expected
    else:
        assert item[field] == expected


@pytest.mark.parametrize("case,field", LISTING_FIELDS, ids=[f"{c.id}:{f}" for c, f in LISTING_FIELDS])
def test_listing_field(case, field):
    page = case.page()
    entries = page.entries()
    expected = case.expected[field]
    if field == "count":
        assert len(entries) == expected
    elif field in ("first", "last"):
        entry = entries[0 if field == "first" else -1]
        assert {k: getattr(entry, k) for k in expected} == expected
    elif field == "titles":
        assert [e.title for e in entries] == expected
    elif field == "published":
        assert [e.published_at for e in entries] == expected
    elif field == "next_page":
        assert page.next_page() == expected
    else:
        raise AssertionError(f"unknown expectation {field!r} in {case.path}/expected.json")


@pytest.mark.parametrize("case", cases(), ids=[c.id for c in cases()])
def test_fixture_is_documented(case):
    """Every fixture says where its bytes came from; reconstructions say so."""
    meta = case.meta
    assert meta["source"] in ("real capture", "reconstruction")
    assert meta["url"].startswith("https://") and meta["fetched_at"] and meta["note"]


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_links_make_their_share_of_the_body_as_summed_link_by_link(case):
    """The not-article test's count of the body's link texts, which stops searching once the links
    left cannot decide it, answers as the plain sum over every link does, at every share."""
    page = case.page()
    root = page.root
    body = " ".join(clean_inline(" ".join(el.itertext())) or "" for el in root.iter("p", "li", "h2", "h3"))
    linked = [clean_inline(" ".join(a.itertext())) or "" for a in root.iter("a")]
    total = sum(len(text) for text in linked if len(text) >= 8 and text in body)
    for share in (0, 0.5 * total, total - 1, total, total + 1, 0.5 * len(body)):
        assert links_make(root, body, share) is (total > share)
