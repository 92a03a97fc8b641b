"""Bytes into text, the project's way: strict UTF-8 first, mojibake repaired, windows-1258, the legacy
Vietnamese font encodings (TCVN3, VNI, VISCII, VPS), then charset-normalizer; NFC always.

Pure functions of bytes. The measurements behind the order are in the project's reference notes on
Vietnamese text: servers and mirrors lie about charsets, so a declaration is the last thing trusted.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import charset_normalizer

from scraper.core.text import nfc

# --------------------------------------------------------------------------------------------------
# Mojibake: UTF-8 read as Latin-1 or cp1252 ("TÃ¢y NguyÃªn" for "Tây Nguyên")

# The cp1252 characters for bytes 0x80-0x9F, and back.
_CP1252_BYTE = {}
for _b in range(0x80, 0xA0):
    try:
        _CP1252_BYTE[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        pass
# U+FFFD stands where a cp1252 reading met a byte it has no character for (0x81, 0x8D, 0x8F, 0x90,
# 0x9D): a lost byte inside a mojibake run.
_MOJIBAKE_RUN = re.compile("[\u0080-\u00ff\ufffd" + re.escape("".join(_CP1252_BYTE)) + "]{2,}")
# A UTF-8 lead byte read as Latin-1 (Ã Ä Å Æ á â ã …) followed by a continuation byte read the same way.
_MOJIBAKE_HINT = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\ufffd" + re.escape("".join(_CP1252_BYTE)) + "]")


_MOJIBAKE_MARKERS = ("Ã", "Ä", "Å", "Æ", "á»", "áº", "â€")
# The same test on UTF-8 bytes: a Latin-1 lead-byte letter (U+00C2-U+00F4) followed by a
# continuation byte's Latin-1 or cp1252 character.
_MOJIBAKE_BYTES = re.compile(
    rb"\xc3[\x82-\xb4](?:\xc2[\x80-\xbf]|\xe2[\x80-\x84]|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xcb[\x86\x9c]|\xc6\x92)")


@dataclass(frozen=True)
class Repair:
    text: str
    repaired: int  # mojibake runs turned back into the characters they stood for
    lost: int      # bytes the wrong reading dropped (C1 bytes): their characters cannot be known


_CP1252_HOLES = (0x81, 0x8D, 0x8F, 0x90, 0x9D)  # the bytes a cp1252 reading turns into U+FFFD


def _guess_lost_byte(raw: list, i: int) -> int | None:
    """The byte a cp1252 reading lost at `i`, when only one choice makes a Vietnamese letter
    (after Ä the lost byte can only be 0x90: Đ); None when several could (ề ọ ỏ Ố ờ after á»)."""
    lead = next((j for j in range(i - 1, max(-1, i - 4), -1) if raw[j] is not None and raw[j] >= 0xC0), None)
    if lead is None:
        return None
    size = 2 if raw[lead] < 0xE0 else 3 if raw[lead] < 0xF0 else 4
    window = raw[lead: lead + size]
    if len(window) != size or any(b is None for k, b in enumerate(window) if lead + k != i):
        return None
    fits = []
    for candidate in _CP1252_HOLES:
        trial = bytes(candidate if lead + k == i else b for k, b in enumerate(window))
        try:
            char = trial.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if char in _VN_LETTERS or char.lower() in _VN_LATIN1_VOWELS:
            fits.append(candidate)
    return fits[0] if len(fits) == 1 else None


def repair_mojibake(s: str) -> Repair:
    """Undo UTF-8 text that was read as Latin-1 or cp1252: 'tin tá»©c' -> 'tin tức'.

    Tolerates lost bytes (a Latin-1 reading drops the C1 bytes 0x80-0x9F): what can be decoded is,
    each lost character becomes U+FFFD and is counted, so the caller can refuse the text rather than
    store garbage. Runs that do not decode to any multi-byte character (a real 'é') are left alone.
    """
    # Vietnamese read this way always shows one of these (cheap substring tests before any regex).
    if not any(marker in s for marker in _MOJIBAKE_MARKERS) or not _MOJIBAKE_HINT.search(s):
        return Repair(s, 0, 0)
    repaired = lost = 0

    def decode(run: str) -> str:
        raw = [None if c == "\ufffd" else ord(c) if ord(c) < 0x100 else _CP1252_BYTE[c] for c in run]
        for i, byte in enumerate(raw):
            if byte is None:
                raw[i] = _guess_lost_byte(raw, i)
        # A lost byte that cannot be told becomes 0xFF, never UTF-8: its character decodes to U+FFFD.
        return bytes(0xFF if b is None else b for b in raw).decode("utf-8", errors="replace")

    def clean(m: re.Match) -> str:
        nonlocal repaired
        text = decode(m.group())
        if "\ufffd" in text or not any(ord(c) >= 0x80 for c in text):
            return m.group()
        repaired += 1
        return text

    out = _MOJIBAKE_RUN.sub(clean, s)
    if not repaired:
        return Repair(s, 0, 0)  # no run decodes cleanly: this is Latin-1 text, not mojibake

    def lossy(m: re.Match) -> str:
        # With mojibake established, a lead byte whose continuation bytes are missing lost them.
        nonlocal repaired, lost
        if not _MOJIBAKE_HINT.search(m.group()):
            return m.group()
        text = decode(m.group())
        repaired += 1
        lost += len(_LOST.findall(text))
        return text

    out = _MOJIBAKE_RUN.sub(lossy, out)
    # A lone Ä or Æ (the lead bytes of đ, ơ, ư) next to plain letters lost its second byte.
    out, orphans = _ORPHAN_LEAD.subn("\ufffd", out)
    return Repair(nfc(out), repaired, lost + orphans)


_LOST = re.compile("\ufffd+")
_ORPHAN_LEAD = re.compile("[\u00c4\u00c6](?=[A-Za-z0-9\\s])")


# --------------------------------------------------------------------------------------------------
# Decoding bytes


@dataclass(frozen=True)
class Decoded:
    text: str
    charset: str
    confident: bool = True
    problem: str | None = None


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_LEGACY_VN = {"tcvn3", "vni", "viscii", "vps"}


def declared_charset(body: bytes, content_type: str | None = None) -> str | None:
    """The charset a page declares, header first, then the first <meta charset> in its head."""
    if content_type:
        m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:\-]+)", content_type, re.IGNORECASE)
        if m:
            return m.group(1).lower()
    m = _META_CHARSET.search(body[:8192])
    return m.group(1).decode("ascii").lower() if m else None


def _norm_charset(name: str | None) -> str | None:
    if not name:
        return None
    n = name.lower().replace("_", "-")
    aliases = {"windows-1258": "cp1258", "cp1258": "cp1258", "x-cp1258": "cp1258"}
    return aliases.get(n, n)


# Characters no HTML or XML text may hold (C0 controls but tab and newlines, lone surrogates,
# U+FFFE/U+FFFF): a damaged page carries them, and lxml refuses them in the text it is given.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]+")
_ANY_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # (found 2.7× faster without "+")


# The same characters as UTF-8 bytes: text strictly decoded from UTF-8 holds no lone surrogate, and
# looking for each byte apart (memchr) is nine times faster than a scan of the text.
_NOT_TEXT_BYTES = tuple(bytes([c]) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)) + (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode a page's bytes to NFC text (without characters no text may hold; see `_decode`)."""
    decoded = _decode(body, content_type)
    if any(c in body for c in _NOT_TEXT_BYTES) if decoded.charset == "utf-8" else _ANY_NOT_TEXT.search(decoded.text):
        decoded = dataclasses.replace(decoded, text=_NOT_TEXT.sub("", decoded.text))
    return decoded


def _damaged_utf8(body: bytes) -> Decoded | None:
    """UTF-8 with a few bad bytes (a cut multi-byte letter, a stray byte) read as UTF-8: otherwise
    one byte would send a whole Vietnamese page to the legacy-font detectors. A few: at most one
    in ten thousand bytes, among many well-formed multi-byte letters (a cp1258 or TCVN3 page is
    invalid UTF-8 on nearly every letter)."""
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    if bad > max(3, len(body) // 10_000):
        return None
    letters = sum(1 for ch in text if ch > "\x7f") - bad
    if letters < 20 * bad:
        return None
    return Decoded(nfc(text), "utf-8(damaged)")


def _decode(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode a page's bytes to NFC text without trusting its declarations blindly.

    Order: strict UTF-8 (it wins over any declaration: mirrors inject UTF-8 metas, servers lie); a
    declared windows-1258; the legacy Vietnamese font encodings (TCVN3/ABC, VNI, VISCII, VPS) detected
    on a cp1252 reading; another declared charset that decodes strictly; charset-normalizer.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # The marker test runs on the bytes (fast); the repair only on pages that show a marker.
        fixed = repair_mojibake(text) if _MOJIBAKE_BYTES.search(body) else Repair(text, 0, 0)
        if not fixed.repaired:
            return Decoded(nfc(text), "utf-8")
        if fixed.lost:
            return Decoded(fixed.text, "utf-8(mojibake)", False,
                           f"UTF-8 text that had been read as Latin-1 lost bytes in {fixed.lost} place{'s' if fixed.lost != 1 else ''}: "
                           "those letters cannot be known")
        return Decoded(fixed.text, "utf-8(mojibake repaired)")
    damaged = _damaged_utf8(body)
    if damaged is not None:
        return damaged
    declared = _norm_charset(declared_charset(body, content_type))
    if declared == "cp1258":
        text = body.decode("cp1258", "replace")
        return Decoded(nfc(text), "cp1258", "\ufffd" not in text)
    try:
        surface = body.decode("cp1252")
    except UnicodeDecodeError:
        surface = body.decode("latin-1")
    legacy = _detect_legacy(surface)
    if legacy:
        return Decoded(_convert_legacy(surface, legacy), legacy)
    if declared and declared not in ("utf-8", "utf8"):
        try:
            return Decoded(nfc(body.decode(declared)), declared)
        except (UnicodeDecodeError, LookupError):
            pass
    best = charset_normalizer.from_bytes(body).best()
    if best is None or best.encoding is None:
        text = body.decode("utf-8", "replace")
        return Decoded(nfc(text), "utf-8(replace)", False, "no encoding could be detected")
    text = nfc(body.decode(best.encoding, "replace"))
    confident = best.encoding.replace("_", "-") in ("utf-8", "cp1258", "windows-1258") or _looks_vietnamese(text)
    problem = None if confident else f"charset guessed as {best.encoding} but the text does not read as Vietnamese"
    return Decoded(text, f"{best.encoding}(detected)", confident, problem)


_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_LEGACY_FONT = re.compile(r"""(?:font-family\s*:|face\s*=)\s*['"]?\s*(\.Vn|VNI|VPS)""", re.IGNORECASE)
_FONT_ENCODING = {".vn": "tcvn3", "vni": "vni", "vps": "vps"}


def _detect_legacy(surface: str) -> str | None:
    """TCVN3, VNI, VISCII or VPS: from the text a reader sees (markup dilutes the signal), and from
    the legacy font the page names (.VnTime means TCVN3, VNI-Times means VNI) when the text is short."""
    import viparse  # imported lazily: only legacy pages need it

    visible = " ".join(_TAGS.sub(" ", surface).split())
    enc = viparse.detect_text_encoding(visible)
    if enc in _LEGACY_VN:
        return enc
    font = _LEGACY_FONT.search(surface)
    return _FONT_ENCODING[font.group(1).lower()] if font else None


def _convert_legacy(surface: str, encoding: str) -> str:
    import viparse

    return nfc(viparse.fix(surface, encoding=encoding))


# Letters only Vietnamese uses (ơ, ư, đ and the tone-marked vowels) make up a measurable share of
# the letters in any Vietnamese paragraph; mis-decoded text has none or is full of symbols.
_VN_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ") | {chr(c) for c in range(0x1EA0, 0x1EFA)}
_VN_LATIN1_VOWELS = set("àáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵâêô")


def _looks_vietnamese(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 40:
        return True
    vn = sum(1 for c in letters if c in _VN_LETTERS or c in "àáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ")
    return vn / len(letters) > 0.03
