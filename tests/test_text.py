"""Vietnamese text handling: folding, decoding, normalisation, bylines."""

from __future__ import annotations

import unicodedata

import pytest

from scraper.core.decoding import decode_html
from scraper.core.text import (
    author_of,
    clean_block_text,
    clean_inline,
    fold,
    has_diacritics,
    is_footer,
    source_of,
    strip_outlet_prefix,
    unescape,
)


@pytest.mark.parametrize("text,folded", [
    ("Đắc Lâm", "Dac Lam"),
    ("Ban Chỉ đạo 35", "Ban Chi dao 35"),
    ("bảo vệ nền tảng tư tưởng của Đảng", "bao ve nen tang tu tuong cua Dang"),
    ("ĐỒNG NAI", "DONG NAI"),
    ("Thuỷ lợi, hoà bình", "Thuy loi, hoa binh"),
])
def test_fold_strips_every_mark_and_keeps_length_and_case(text, folded):
    assert fold(text) == folded
    assert len(fold(text)) == len(text)


def test_fold_reads_decomposed_input_as_nfc():
    assert fold(unicodedata.normalize("NFD", "Đắc Lâm")) == "Dac Lam"


def test_has_diacritics():
    assert has_diacritics("đạo") and has_diacritics("Đ") and not has_diacritics("ban chi dao 35")


def test_entities_named_and_numeric_are_resolved():
    assert unescape("Ch&iacute;nh ph&#7911; B&#7897; ph&#x1EAD;n &#034;x&#034;") == 'Chính phủ Bộ phận "x"'
    assert unescape("&amp;agrave;") == "à"  # double-escaped content


def test_clean_inline_makes_nfc_folds_spaces_and_maps_eth():
    assert clean_inline(unicodedata.normalize("NFD", "  Quảng\u00a0Ngãi \n ") ) == "Quảng Ngãi"
    assert clean_inline("\u00d0ắk L\u00e1k") == "Đắk Lák"
    assert clean_inline("   ") is None


def test_clean_block_text_keeps_paragraphs():
    assert clean_block_text("  một  \n\n\n hai\t ba \n\n") == "một\n\nhai ba"


@pytest.mark.parametrize("lead,clean", [
    ("(Dân trí) - Sáng 12/5, UBND tỉnh họp.", "Sáng 12/5, UBND tỉnh họp."),
    ("(Mic.gov.vn) - Bộ TT&TT tổ chức hội nghị.", "Bộ TT&TT tổ chức hội nghị."),
    ("VOV.VN - Chiều nay, Quốc hội thảo luận.", "Chiều nay, Quốc hội thảo luận."),
    ("TPO - Hà Nội mưa lớn.", "Hà Nội mưa lớn."),
    ("(BNP) - Tỉnh Bắc Ninh khai mạc hội chợ.", "Tỉnh Bắc Ninh khai mạc hội chợ."),
    ("Sáng 12/5 - một ngày đẹp trời, tỉnh họp.", "Sáng 12/5 - một ngày đẹp trời, tỉnh họp."),
])
def test_outlet_prefix_is_cut_from_the_lead(lead, clean):
    assert strip_outlet_prefix(lead) == clean


@pytest.mark.parametrize("line,author", [
    ("Đắc Lâm", "Đắc Lâm"),
    ("Tin, ảnh: Minh Quân", "Minh Quân"),
    ("Văn Phượng –Sở TTTT Phú Yên", "Văn Phượng –Sở TTTT Phú Yên"),
    ("PV", "PV"),
    ("Hội nghị kết thúc lúc 17 giờ cùng ngày.", None),
    ("Ảnh: Ngô Xuân", None),
    ("Nguồn: Báo Phú Yên", None),
    ("đề nghị các cơ quan thực hiện", None),
])
def test_byline(line, author):
    assert author_of(line) == author


@pytest.mark.parametrize("line,source", [
    ("Nguồn: https://zingnews.vn", "https://zingnews.vn"),
    ("Theo Báo Phú Yên", "Báo Phú Yên"),
    ("Theo kế hoạch, các đơn vị sẽ hoàn thành trước ngày 30/6.", None),
])
def test_source_line(line, source):
    assert source_of(line) == source


def test_redistribution_footers_are_recognised():
    assert is_footer('Ghi rõ nguồn tin "http://daklak.gov.vn" khi phát hành lại thông tin.')
    assert is_footer('Ghi rõ nguồn: “Cổng thông tin điện tử Sở Thông tin và Truyền thông Thành phố Hà Nội ” khi phát hành lại thông '
                     'tin từ nguồn này.')
    assert not is_footer("Ghi nhận các kiến nghị của địa phương.")


def test_decode_prefers_strict_utf8_over_a_lying_declaration():
    body = '<meta charset="iso-8859-1"><p>Cộng hoà xã hội chủ nghĩa Việt Nam</p>'.encode()
    decoded = decode_html(body, "text/html; charset=iso-8859-1")
    assert decoded.charset == "utf-8" and "Cộng hoà" in decoded.text


def test_decode_reads_utf8_with_a_stray_byte_as_utf8_not_as_a_legacy_font():
    text = "<p>Ủy ban nhân dân tỉnh Quảng Ngãi tổ chức hội nghị tổng kết công tác năm 2024.</p>" * 20
    body = text.encode()
    at = body.index(b"</p>", 500)
    body = body[:at] + b"\xff" + body[at:] + "ệ".encode()[:2]  # a stray byte, and a letter cut at the end
    decoded = decode_html(body)
    assert decoded.charset == "utf-8(damaged)" and decoded.confident
    assert decoded.text.count("Ủy ban nhân dân tỉnh Quảng Ngãi") == 20


def test_decode_drops_characters_no_text_may_hold():
    decoded = decode_html("<p>Tin\x00 tức\x01\x0b mới\x1f\ufffe</p>\t\n".encode())
    assert decoded.text == "<p>Tin tức mới</p>\t\n"


def cp1258_form(text: str) -> str:
    """Vietnamese as windows-1258 writes it: vowel letters precomposed, tone marks combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in tones)) + "".join(c for c in d if c in tones))
    return "".join(out)


def test_decode_declared_windows_1258_to_nfc():
    text = "Độc lập - Tự do - Hạnh phúc"
    raw = (b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258"><p>'
           + cp1258_form(text).encode("cp1258") + b"</p>")
    decoded = decode_html(raw)
    assert decoded.charset == "cp1258" and text in decoded.text and unicodedata.is_normalized("NFC", decoded.text)


def test_the_index_fold_of_long_text_is_the_table_s_for_every_character():
    """Long text folds by an array lookup, short text by str.translate: both are INDEX_FOLD, letter
    for letter, over every code point below U+2000 and a sample beyond (Hangul, CJK, emoji)."""
    import unicodedata

    from scraper.core.text import _INDEX_FOLD_TABLE, index_fold
    text = unicodedata.normalize("NFC", "".join(chr(cp) for cp in range(0x20, 0x2000)) + "가나다 中文 😀 Đắc Lâm ")
    assert len(text) >= 256
    assert index_fold(text) == text.translate(_INDEX_FOLD_TABLE)
    assert index_fold(text[-300:]) == text[-300:].translate(_INDEX_FOLD_TABLE)
    assert index_fold("Đắc Lâm " * 40) == "Dac Lam " * 40


def test_text_the_two_folds_agree_on_is_told_apart_from_text_they_may_not():
    """`folds_alike` promises `fold` and `index_fold` give the same text (the signature then reuses the
    index's fold): checked for every code point it lets through."""
    import unicodedata

    from scraper.core.text import fold, folds_alike, index_fold
    alike = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF
             and unicodedata.normalize("NFC", chr(cp)) == chr(cp) and folds_alike(chr(cp))]
    assert len(alike) > 400
    assert all(fold(ch) == index_fold(ch) for ch in alike)
    sample = "Ban Chỉ đạo “phòng chống” thiên tai – tỉnh Phú Yên… 12 000 ₫ × 2 ½ «Ðà» " * 10
    assert folds_alike(sample) and fold(sample) == index_fold(sample)
    assert not folds_alike("Škoda") and fold("Škoda") != index_fold("Škoda")
