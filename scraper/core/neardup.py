"""Near-duplicate fingerprints: the same press release republished by the province, its departments
and its newspaper, told apart from articles that merely share a template.

An article's text (lead and body) becomes a set of shingles: runs of ``SHINGLE`` consecutive words
after folding (lower case, marks stripped, đ→d, so "hoà"/"hòa" and NFC/NFD spellings agree). A
MinHash signature of that set (``NUM_PERM`` permutations) estimates the Jaccard
similarity of two articles' shingle sets; its ``BANDS`` bands of ``ROWS`` values are the
locality-sensitive buckets the archive indexes, so candidates are found without comparing an
article with every other.

Two articles are republications of one another when their shingle sets are nearly the same
(Jaccard ≥ ``MIN_JACCARD``: a copy with a new title, a different byline, a changed lead) or when
one is nearly contained in the other (≥ ``MIN_CONTAINMENT`` of the shorter one's shingles: a copy
trimmed of its last paragraphs, or extended by a paragraph of the newspaper's own). Articles
written from one template with different names and figures (monthly meeting reports, say) share
many phrases but every changed figure breaks ``SHINGLE`` shingles; the measured margins are in
``python -m bench neardup`` and the README.

Pure functions of text; the spider computes signatures with the page, off the crawl's core.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np

from scraper.core.text import fold

NUM_PERM = 128
SHINGLE = 5            # words per shingle
BANDS, ROWS = 42, 3    # LSH: 42 bands × 3 rows (126 of the 128 values); a pair at Jaccard 0.5 shares a band with p ≈ 0.996
SEED = 1
MIN_SHINGLES = 20      # shorter texts are too short to call anything a copy of them
MAX_STRONG_CANDIDATES = 64  # articles sharing two buckets or more compared with a new one, at most: those sharing the most
MAX_WEAK_CANDIDATES = 32  # articles sharing a single bucket compared with a new one, at most: the most recent (scraper.archive.clusters)
MIN_JACCARD = 0.8
MIN_CONTAINMENT = 0.8

_WORD = re.compile(r"\w+")
_SHINGLE_MULT = np.uint64(0x100000001B3)  # the FNV prime: a run of words to one 64-bit value
# The signature is datasketch's MinHash with scheme "affine32" (datasketch ≥ 2), value for value
# (tests/test_neardup.py checks it against datasketch): each shingle hash mixed by the MurmurHash3
# finalizer, then NUM_PERM affine permutations h -> a·h + b mod 2^32 (a odd, drawn from numpy's
# RandomState(SEED) as datasketch draws them), the minimum of each. Written here in numpy because
# datasketch's import brings scipy: about 40 MiB more in every page worker and 0.9 s to start,
# for a computation of six lines (and 0.16 ms per article against datasketch's 0.27 ms).
SCHEME = "affine32"


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint32(16))
        h = h * np.uint32(0x85EBCA6B)
        h = h ^ (h >> np.uint32(13))
        h = h * np.uint32(0xC2B2AE35)
        return h ^ (h >> np.uint32(16))


@dataclass(frozen=True)
class Signature:
    values: bytes      # NUM_PERM unsigned 32-bit MinHash values, little-endian
    shingles: int      # size of the shingle set

    def hex(self) -> str:
        return self.values.hex()


class _WordHashes(dict):
    """CRC-32 of each word's UTF-8, kept: Vietnamese writes with a few thousand syllables, so nearly
    every word of an article was hashed before (a dict lookup in C, a fifth of hashing it again).
    Emptied past ``LIMIT`` words, so a page of random tokens cannot grow it without bound."""

    LIMIT = 200_000

    def __missing__(self, word: str) -> int:
        if len(self) >= self.LIMIT:
            self.clear()
        value = self[word] = zlib.crc32(word.encode())
        return value


_word_hash = _WordHashes().__getitem__


def shingle_hashes(text: str, folded: bool = False) -> np.ndarray:
    """The distinct 32-bit hashes of the folded word shingles of `text` (each word hashed once with
    CRC-32, each run of ``SHINGLE`` words combined polynomially, then mixed down to 32 bits).
    `folded`: the text is folded already (scraper.core.text.fold)."""
    words = _WORD.findall((text if folded else fold(unicodedata.normalize("NFC", text))).lower())
    if not words:
        return np.empty(0, dtype=np.uint64)
    word_hashes = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    width = min(SHINGLE, len(words))
    count = len(words) - width + 1
    with np.errstate(over="ignore"):
        combined = np.zeros(count, dtype=np.uint64)
        for offset in range(width):
            combined = combined * _SHINGLE_MULT + word_hashes[offset:offset + count]
        combined ^= combined >> np.uint64(33)
        combined *= np.uint64(0xFF51AFD7ED558CCD)
        combined ^= combined >> np.uint64(33)
    return np.unique(combined & np.uint64(0xFFFFFFFF))


def signature(*texts: str | None, folded: bool = False) -> Signature | None:
    """The MinHash signature of the texts taken together (lead, body), or None when there is no text."""
    hashes = shingle_hashes("\n".join(t for t in texts if t), folded=folded)
    if not len(hashes):
        return None
    a, b = _permutations()
    mixed = _fmix32(hashes.astype(np.uint32)).reshape(-1, 1)
    minimum = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for start in range(0, len(mixed), 4096):  # 2 MB at a time, whatever the article's length
            np.minimum(minimum, (mixed[start: start + 4096] * a + b).min(axis=0), out=minimum)
    return Signature(minimum.astype("<u4").tobytes(), len(hashes))


def values(blob: bytes | str) -> np.ndarray:
    return np.frombuffer(bytes.fromhex(blob) if isinstance(blob, str) else blob, dtype="<u4")


_BAND_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


def buckets(blob: bytes | str) -> list[int]:
    """The LSH bucket keys of a signature: one signed 64-bit integer per band (an SQLite INTEGER).
    Each band's ``ROWS`` values are mixed with the band's number, so equal values in different bands
    are different buckets."""
    rows = values(blob)[:BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        mixed = (rows * _BAND_MIX).sum(axis=1, dtype=np.uint64) + np.arange(BANDS, dtype=np.uint64) * np.uint64(0xFF51AFD7ED558CCD)
        mixed ^= mixed >> np.uint64(29)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(32)
    return mixed.view(np.int64).tolist()


def jaccard(a: bytes | str, b: bytes | str) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return float(np.mean(values(a) == values(b)))


def containment(j, size_a, size_b):
    """Share of the smaller set found in the larger, from the Jaccard estimate and the set sizes:
    |A∩B| = J/(1+J)·(|A|+|B|). Numbers or arrays of them."""
    j, size_a, size_b = np.asarray(j, dtype=float), np.asarray(size_a, dtype=float), np.asarray(size_b, dtype=float)
    smaller = np.minimum(size_a, size_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where((j > 0) & (smaller > 0), j / (1 + j) * (size_a + size_b) / np.maximum(smaller, 1), 0.0)
    return np.minimum(share, 1.0)


def republications(j: np.ndarray, size: int, sizes: np.ndarray) -> np.ndarray:
    """Whether one article (`size` shingles) is one text with each of many (`sizes` shingles), from
    the Jaccard estimates `j` of the pairs."""
    j, sizes = np.asarray(j, dtype=float), np.asarray(sizes, dtype=float)
    smaller = np.minimum(sizes, size)
    short_pair = (np.maximum(sizes, size) < MIN_SHINGLES) & (j >= 0.95)  # two short notices: only when identical
    return np.where(smaller >= MIN_SHINGLES, (j >= MIN_JACCARD) | (containment(j, size, sizes) >= MIN_CONTAINMENT), short_pair)


def republication(j: float, size_a: int, size_b: int) -> bool:
    """``republications`` for one pair."""
    return bool(republications(np.array([j]), size_a, np.array([size_b]))[0])
