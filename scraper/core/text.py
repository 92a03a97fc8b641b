"""Vietnamese text rules shared by pages, normalization and search: NFC, folding, clean-up, bylines.

Everything here is a pure function of its arguments. The short version of the design: unescape,
NFC, then fold a length-preserving copy for diacritic-insensitive search. Decoding bytes into text
is ``scraper.core.decoding``.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

# --------------------------------------------------------------------------------------------------
# Folding


def _build_fold_table() -> dict[int, str]:
    # đ has no Unicode decomposition, so neither NFD nor FTS5 remove_diacritics touch it; fold it
    # ourselves. ð/Ð (eth) are what cp1258 bytes for đ/Đ become when read as cp1252.
    table = {0x0111: "d", 0x0110: "D", 0x00F0: "d", 0x00D0: "D"}
    for cp in range(0x00C0, 0x2000):
        if cp in table:
            continue
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and len(base) == 1:
            table[cp] = base
    return table


_FOLD_TABLE = _build_fold_table()
# The fold the search index holds: the Latin-1 letters and the Vietnamese ones (ă, đ, ĩ, ũ, ơ, ư and
# the block of toned vowels), each to its base letter, case kept. scraper.archive.schema writes it
# in plain SQL from this table, so any SQLite client keeps the index in step; the search folds a
# query with the same table (a letter outside it, such as "š", is matched as it is spelled).
_VIETNAMESE = {0x0102, 0x0103, 0x0110, 0x0111, 0x0128, 0x0129, 0x0168, 0x0169, 0x01A0, 0x01A1, 0x01AF, 0x01B0}
INDEX_FOLD = {chr(cp): base for cp, base in sorted(_FOLD_TABLE.items())
              if cp <= 0xFF or cp in _VIETNAMESE or 0x1EA0 <= cp <= 0x1EF9}
_INDEX_FOLD_TABLE = str.maketrans(INDEX_FOLD)
_COMBINING = re.compile(r"[\u0300-\u036f]")
_COMBINING_RUN = re.compile(r"[\u0300-\u036f]+")


def fold(s: str) -> str:
    """Strip Vietnamese diacritics, keeping length and case: 'Đắc Lâm' -> 'Dac Lam'.

    The input is NFC-normalised first; on NFC input the output has the same length, so an offset in
    the folded text is the same offset in the original (search snippets rely on this).
    """
    s = unicodedata.normalize("NFC", s)
    # Fast path (C code only): decompose, drop the marks, map đ. It keeps the length unless the
    # text holds characters whose decomposition is not base + marks (Hangul, say): then the table.
    out = _COMBINING_RUN.sub("", unicodedata.normalize("NFD", s))
    if len(out) != len(s):
        out = _COMBINING.sub("", s.translate(_FOLD_TABLE))
    if "đ" in out or "Đ" in out or "\u00f0" in out or "\u00d0" in out:
        out = out.replace("đ", "d").replace("Đ", "D").replace("\u00f0", "d").replace("\u00d0", "D")
    return out


# Text of only these characters (ASCII, Latin-1, the Vietnamese letters, punctuation and currency
# signs) folds the same by INDEX_FOLD as by `fold`: nearly every article. Text with anything else
# (another script's accents, a lone combining mark) may fold differently by the two.
_FOLDS_ALIKE = re.compile("[^\x00-\xff" + "".join(chr(cp) for cp in sorted(_VIETNAMESE)) + "\u1ea0-\u1ef9\u2010-\u205e\u20a0-\u20c0]")


def index_fold(s: str) -> str:
    """The search index's fold of NFC text (INDEX_FOLD): 'Đắc Lâm' -> 'Dac Lam', same length."""
    s = unicodedata.normalize("NFC", s)
    if len(s) < 256:
        return s.translate(_INDEX_FOLD_TABLE)
    # An article's body: the same table as an array lookup, 7× faster than str.translate on 5 kB.
    import numpy as np  # here, not at the top: a search folds short queries and never needs it

    codes = np.frombuffer(s.encode("utf-32-le"), dtype="<u4").copy()
    small = codes < len(_index_fold_codes())
    codes[small] = _index_fold_codes()[codes[small]]
    return codes.tobytes().decode("utf-32-le")


@functools.cache
def _index_fold_codes():
    """INDEX_FOLD as an array: the code point each code point below the highest it maps folds to."""
    import numpy as np

    codes = np.arange(max(map(ord, INDEX_FOLD)) + 1, dtype="<u4")
    for letter, base in INDEX_FOLD.items():
        codes[ord(letter)] = ord(base)
    return codes


def folds_alike(s: str) -> bool:
    """Whether `fold` and `index_fold` give the same text for NFC `s` (see _FOLDS_ALIKE)."""
    return _FOLDS_ALIKE.search(s) is None


def has_diacritics(s: str) -> bool:
    """True when folding would change the string (it carries a tone, a vowel mark or đ)."""
    return fold(s) != unicodedata.normalize("NFC", s)


# --------------------------------------------------------------------------------------------------
# Normalisation

_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def unescape(s: str) -> str:
    """Resolve HTML entities left in a string (double-escaped content, JSON-LD, regex captures)."""
    # Two rounds catch "&amp;agrave;"; a third level of escaping is not seen in practice.
    for _ in range(2):
        if not _ENTITY.search(s):
            break
        s = html.unescape(s)
    return s


# A character clean_inline changes (beside doubled spaces and spaces at either end, tested apart:
# one character class scans seven times faster than an alternation).
_NEEDS_CLEANING = re.compile(r"[&\n\t\r\f\v\u00a0\u00d0\u00f0\u2000-\u200b\u202f\u205f\u3000\ufeff]")


def clean_inline(s: str | None) -> str | None:
    """One line of text: entities resolved, NFC, eth mapped to đ, whitespace folded, trimmed."""
    if s is None:
        return None
    if (s and "  " not in s and not s[0].isspace() and not s[-1].isspace() and not _NEEDS_CLEANING.search(s)
            and unicodedata.is_normalized("NFC", s)):
        return s  # already clean: the common case when pipelines see page output again
    s = nfc(unescape(s))
    if "\u00f0" in s or "\u00d0" in s:
        s = s.replace("\u00f0", "\u0111").replace("\u00d0", "\u0110")
    s = _SPACES.sub(" ", s.replace("\n", " ")).strip()
    return s or None


def clean_block_text(s: str | None) -> str | None:
    """Multi-paragraph text: each paragraph cleaned like a line, paragraphs separated by one blank line."""
    if s is None:
        return None
    paras = [clean_inline(p) for p in _BLANK_LINES.split(s.replace("\r\n", "\n"))]
    paras = [p for p in paras if p]
    return "\n\n".join(paras) or None


def paragraphs(s: str | None) -> list[str]:
    return [p for p in (s or "").split("\n\n") if p]


def dedupe_consecutive(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not out or out[-1] != line:
            out.append(line)
    return out


# --------------------------------------------------------------------------------------------------
# Leads, bylines, footers

# "(Dân trí) - ", "(Mic.gov.vn) - ", "(BNP) - ", "VOV.VN - ", "TPO - "
_OUTLET_PREFIX = re.compile(
    r"^\s*(?:\((?P<paren>[^()]{2,30})\)|(?P<caps>[A-ZĐ][A-ZĐ0-9.]{1,14}))\s*[-–—:]\s+"
)


def strip_outlet_prefix(lead: str | None) -> str | None:
    """Cut a news outlet's prefix from the start of a lead; the rest of the lead is untouched."""
    if not lead:
        return lead
    m = _OUTLET_PREFIX.match(lead)
    if not m:
        return lead
    rest = lead[m.end():]
    return rest if rest else lead


_FOOTER = re.compile(
    r"(ghi rõ nguồn[^\n]*?khi phát hành lại[^\n]*"
    r"|bản quyền thuộc về[^\n]*"
    r"|[^\n]*khi phát hành lại thông tin từ nguồn này[^\n]*)",
    re.IGNORECASE,
)


def is_footer(line: str) -> bool:
    """Redistribution notices ("Ghi rõ nguồn … khi phát hành lại") are site chrome, not article text."""
    low = line.lower()
    if "phát hành lại" not in low and "bản quyền" not in low:
        return False
    return bool(_FOOTER.search(line))


_SOURCE_LINE = re.compile(r"^\s*(?:\(?\s*)?(?:Nguồn tin|Nguồn|Theo)\s*[:：]?\s+(?P<src>.{2,150}?)\s*\)?\s*$", re.IGNORECASE)
_BYLINE_PREFIX = re.compile(
    r"^\s*(?:(?:tin|bài|ảnh|tin và ảnh|tin, ảnh|bài, ảnh|bài và ảnh|tin/ảnh|bài/ảnh|video)\s*[:：]\s*)",
    re.IGNORECASE,
)
_CAPTION_CREDIT = re.compile(r"^\s*\(?\s*(?:ảnh|nguồn ảnh|photo)\s*[:：\-]", re.IGNORECASE)


def source_of(line: str) -> str | None:
    """'Nguồn: https://zingnews.vn' -> 'https://zingnews.vn'; 'Theo Báo Phú Yên' -> 'Báo Phú Yên'."""
    m = _SOURCE_LINE.match(line)
    if not m:
        return None
    src = m.group("src").strip()
    if line.strip().lower().startswith("theo") and not _looks_like_name(src, max_words=10):
        return None  # "Theo kế hoạch, ..." is a sentence, not a source line
    return src


def _looks_like_name(s: str, max_words: int = 8) -> bool:
    s = s.strip()
    if not s or len(s) > 80 or s[-1] in ".!?;:,":
        return False
    words = [w for w in re.split(r"[\s\-–—/,]+", s) if w]
    alpha = [w for w in words if w[0].isalpha()]
    if not (1 <= len(words) <= max_words) or not alpha:
        return False
    capitalised = sum(1 for w in alpha if w[0].isupper())
    return capitalised / len(alpha) >= 0.6


def author_of(line: str) -> str | None:
    """The author when `line` is a byline: a short line of 2–8 capitalised words, no final period.

    'Đắc Lâm' -> 'Đắc Lâm'; 'Tin, ảnh: Minh Quân' -> 'Minh Quân'; 'Văn Phượng –Sở TTTT Phú Yên' stays whole.
    """
    s = _BYLINE_PREFIX.sub("", line).strip()
    if _CAPTION_CREDIT.match(line) or source_of(line):
        return None
    words = s.split()
    if len(words) < 2 and not (len(words) == 1 and s.isupper() and 2 <= len(s) <= 12):
        return None  # one bare word is more often a label than a name, unless an initialism ("PV")
    return s if _looks_like_name(s) else None


def is_photo_credit(line: str) -> bool:
    return bool(_CAPTION_CREDIT.match(line))
