"""Fuzzing (hypothesis) of what reads hostile input: every platform's article and listing pages, the
normalizer, the search-query parser and the search itself. Pages are the saved fixtures, damaged:
cut short, bytes flipped, nested thousands deep, attributes of a megabyte, NUL bytes, invalid
UTF-8. None may raise; the crawl's own entry points (``read_article``, ``read_listing``) are used,
so a failure shows as an ``error`` with its traceback.

``FUZZ_EXAMPLES`` sets the examples per test (default 20: the suite's run); ``make fuzz`` runs
500 each and prints hypothesis's statistics. Each input has ``HANG_BOUND`` seconds: a hang
detector, not a speed check.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter

from scraper.archive.search import QueryError, fts_query, search
from scraper.core.normalize import prepare
from scraper.crawl.runner import read_article, read_listing
from scraper.portals import load_profiles
from tests.conftest import ROOT

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
HANG_BOUND = dt.timedelta(seconds=30)
FUZZ = settings(max_examples=EXAMPLES, deadline=HANG_BOUND, derandomize=not os.environ.get("FUZZ_EXAMPLES"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])

SEEDS = sorted(p for p in (ROOT / "tests" / "fixtures").rglob("*.html"))
PLATFORMS = {}
for _slug, _profile in sorted(load_profiles().items()):
    PLATFORMS.setdefault(_profile.platform, _profile)  # one portal of each platform (and "unknown": generic)

INVALID_UTF8 = [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x90\x28\xbc", b"\xed\xa0\x80", b"\xc0\xaf"]


@st.composite
def damaged(draw) -> bytes:
    """A saved page, damaged one to three ways."""
    body = draw(st.sampled_from(SEEDS)).read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(body)))
        how = draw(st.sampled_from(("cut", "flip", "nest", "attribute", "nul", "utf8", "garbage", "unclosed")))
        if how == "cut":
            body = body[:at]
        elif how == "flip":
            flips = draw(st.lists(st.tuples(st.integers(0, max(len(body) - 1, 0)), st.integers(1, 255)), max_size=40))
            data = bytearray(body)
            for pos, mask in flips:
                if data:
                    data[pos % len(data)] ^= mask
            body = bytes(data)
        elif how == "nest":
            depth = draw(st.integers(100, 12_000))
            tag = draw(st.sampled_from((b"div", b"span", b"table", b"p", b"b")))
            body = body[:at] + b"<" + tag + b">" * 1 + (b"<" + tag + b">") * (depth - 1) + body[at:]
        elif how == "attribute":
            size = draw(st.integers(10_000, 1_000_000))
            body = body[:at] + b'<p class="x" title="' + b"\xe1\xbb\x87" * (size // 3) + b'">x</p>' + body[at:]
        elif how == "nul":
            body = body[:at] + b"\0" * draw(st.integers(1, 5000)) + body[at:]
        elif how == "utf8":
            body = body[:at] + b"".join(draw(st.lists(st.sampled_from(INVALID_UTF8), min_size=1, max_size=50))) + body[at:]
        elif how == "garbage":
            body = body[:at] + draw(st.binary(min_size=1, max_size=4000)) + body[at:]
        else:
            body = body[:at] + draw(st.sampled_from((b"<!--", b"<script>", b"<![CDATA[", b'<a href="', b"<title>", b"<"))) + body[at:]
    return body


HEADERS = st.sampled_from([{"content-type": "text/html; charset=utf-8"}, {"content-type": "text/html"}, {},
                           {"content-type": "text/html; charset=windows-1258"}, {"content-type": "text/html; charset=bogus"},
                           {"content-type": "application/pdf", "last-modified": "not a date"}])


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@FUZZ
@given(body=damaged(), headers=HEADERS)
def test_no_damaged_page_makes_an_article_page_fail(platform, body, headers):
    page = read_article(PLATFORMS[platform], "https://portal.example.gov.vn/tin-tuc/bai-viet-1.html", body, headers,
                        "2025-06-20T08:30:00+07:00", entry={"title": "Tiêu đề", "date_raw": "20/06/2025", "published_at": "2025-06-20"})
    assert "error" not in page, page.get("traceback")
    for name in ("title", "body_text", "lead", "author"):
        assert page.get(name) is None or isinstance(page[name], str)


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@FUZZ
@given(body=damaged(), headers=HEADERS, home=st.booleans())
def test_no_damaged_page_makes_a_listing_page_fail(platform, body, headers, home):
    page = read_listing(PLATFORMS[platform], "https://portal.example.gov.vn/tin-tuc", body, headers, "2025-06-20T08:30:00+07:00",
                        home=home)
    assert "error" not in page, page.get("traceback")
    assert all(entry["url"].startswith(("http://", "https://")) for entry in page["entries"])


odd_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000) | st.sampled_from(
    ["\0" * 100, "\u0301" * 500, "Đ" * 100_000, "\r\n\t\x0b\x0c" * 50, "\ufeff\u200b\u00ad" * 100])


@FUZZ
@given(title=odd_text, body=odd_text, lead=st.none() | odd_text, author=st.none() | odd_text, raw=st.none() | odd_text,
       url=st.sampled_from(["https://x.gov.vn/a?utm_source=z#f", "http://X.GOV.VN:80/%7Ea/../b", "https://x.gov.vn/" + "a" * 5000,
                            "https://x.gov.vn/\u1ec7?\0=1"]),
       captions=st.lists(odd_text, max_size=5))
def test_the_normalizer_takes_any_text(title, body, lead, author, raw, url, captions):
    item = ItemAdapter({"title": title, "body_text": body, "lead": lead, "author": author, "source": None, "category": None,
                        "published_raw": raw, "published_at": None, "updated_at": None, "captions": captions,
                        "images": [{"src": "https://x.gov.vn/i.jpg", "caption": c, "alt": c} for c in captions],
                        "attachments": [], "url": url, "body_html": body})
    prepare(item)
    assert item["body_text"] is None or isinstance(item["body_text"], str)


queries = st.text(max_size=4000) | st.lists(st.sampled_from(['"', "*", "-", "OR", "AND", "NOT", "(", ")", "^", ":", "NEAR", "ban",
                                                              "chỉ đạo", "\0", "title:", "{", "}", "+", "'"]), max_size=3000).map(" ".join)


@FUZZ
@given(query=queries)
def test_the_query_parser_takes_any_query_or_says_why_not(query):
    try:
        expression = fts_query(query)
    except QueryError as exc:
        assert str(exc)
    else:
        assert expression


@pytest.fixture(scope="module")
def archive(sample_archive: Path):
    conn = sqlite3.connect(f"file:{sample_archive}?mode=ro", uri=True)
    yield conn
    conn.close()


@FUZZ
@given(query=queries, mode=st.sampled_from(["auto", "exact", "fold"]))
def test_a_search_of_the_archive_takes_any_query_or_says_why_not(archive, query, mode):
    try:
        total, hits, _ = search(archive, query, mode=mode, limit=5)
    except QueryError as exc:
        assert str(exc)
    else:
        assert total >= len(hits)
