"""Properties of the text pipeline, checked on generated input (hypothesis)."""

from __future__ import annotations

import copy
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter

from scraper.core.decoding import decode_html
from scraper.core.normalize import normalize
from scraper.core.text import fold
from scraper.pages.article import ArticlePage

VOWELS = "aăâeêioôơuưy"
TONED = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")]
LETTERS = TONED + [c.upper() for c in TONED] + list("bcdđghklmnpqrstvxĐ")
BASE = {c: unicodedata.normalize("NFD", c)[0] for c in TONED + [c.upper() for c in TONED]}
BASE.update({"đ": "d", "Đ": "D"})

words = st.lists(st.sampled_from(LETTERS), min_size=1, max_size=7).map("".join)
lines = st.lists(words, min_size=1, max_size=12).map(" ".join)
texts = st.lists(lines, min_size=1, max_size=6).map("\n\n".join)


@given(st.sampled_from(LETTERS))
def test_fold_maps_every_vietnamese_letter_to_its_base(letter):
    expected = BASE.get(letter, letter)
    assert fold(letter) == expected


@given(texts)
def test_fold_keeps_length(text):
    assert len(fold(text)) == len(unicodedata.normalize("NFC", text))


@given(title=lines, body=texts, lead=st.one_of(st.none(), lines), nfd=st.booleans())
@settings(max_examples=200)
def test_normalize_is_idempotent(title, body, lead, nfd):
    form = "NFD" if nfd else "NFC"
    item = {"title": unicodedata.normalize(form, title), "body_text": unicodedata.normalize(form, body),
            "lead": lead, "captions": [], "images": [], "attachments": [], "url": "http://www.x.gov.vn/a?utm_source=z",
            "published_raw": "10:22, 19/01/2024 [GMT+7]", "fetched_at": "2024-02-01T00:00:00+07:00"}
    once = ItemAdapter(copy.deepcopy(item))
    normalize(once)
    twice = ItemAdapter(copy.deepcopy(once.asdict()))
    normalize(twice)
    assert twice.asdict() == once.asdict()
    assert all(unicodedata.is_normalized("NFC", once[k]) for k in ("title", "body_text") if once[k])


@given(st.binary(max_size=2000))
@settings(max_examples=300)
def test_no_bytes_make_the_text_pipeline_raise(raw):
    decoded = decode_html(raw)
    assert unicodedata.is_normalized("NFC", decoded.text)
    page = ArticlePage("https://x.gov.vn/a", raw, fetched_at="2024-01-01T00:00:00+07:00")
    data = page.extract()
    normalize(ItemAdapter(data))
