"""Planted republications: the measurement of near-duplicate clustering.

A corpus of distinct articles (the seed and the composed sample texts of both sample portals and
the benchmark site: many written from one template, so they share whole phrases) and, for some of
them, the copies a province's departments and its newspaper publish:

- department: the same body under a new title, another byline and a "Nguồn:" line, hours later;
- newspaper: an outlet-prefixed lead, the last paragraph cut, old-style tone marks (hoà, thuý),
  a few words edited, a day later;
- extended: a paragraph of the copier's own before and after the text, days later;
- reflowed: the text in decomposed Unicode (NFD), entity-encoded, paragraphs split differently.

``measure()`` stores the whole corpus through the archive in shuffled order (copies often arrive
before their original) and reads the clusters back: every copy must share its original's cluster,
headed by the original (the earliest), and no distinct article may share a cluster with anything.
"""

from __future__ import annotations

import datetime as dt
import html
import random
import sqlite3
import statistics
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bench.sitegen import template_articles
from bench.sitegen_content import Article, compose, seed_article
from scraper.archive.rows import article_row
from scraper.archive.store import Archive
from scraper.core.neardup import MAX_STRONG_CANDIDATES, containment, jaccard
from scraper.core.normalize import normalize

PAIRED = 400  # distinct articles whose every pair is measured (their similarity margins)

# Old-style ("kiểu cũ") tone-mark placement, which many newspapers still print.
OLD_STYLE = {"hòa": "hoà", "Hòa": "Hoà", "thúy": "thuý", "Thúy": "Thuý", "khỏe": "khoẻ", "hủy": "huỷ", "tùy": "tuỳ",
             "thủy": "thuỷ", "Thủy": "Thuỷ", "lũy": "luỹ", "xóa": "xoá", "họa": "hoạ", "tòa": "toà"}
EDITS = [("đồng chí", "ông"), ("tổ chức", "tiến hành"), ("đề nghị", "yêu cầu"), ("khẩn trương", "nhanh chóng")]
OWN_PARAGRAPHS = [
    "Trước đó, nhiều cơ quan báo chí trong và ngoài tỉnh đã đăng tải thông tin về sự kiện này.",
    "Phóng viên sẽ tiếp tục cập nhật thông tin liên quan trong các số báo tiếp theo để bạn đọc nắm rõ.",
    "Bạn đọc có thể theo dõi toàn văn các văn bản liên quan trên Cổng thông tin điện tử của tỉnh.",
]


@dataclass
class Entry:
    key: str              # "original:3", "department:3", "distinct:17"
    group: str | None     # the original's key for an original and its copies; None for the rest
    item: dict


def _item(a: Article, *, portal: str, url: str, published: dt.datetime, title: str | None = None, lead: str | None = None,
          paragraphs: list[str] | None = None, author: str | None = None, source: str | None = None) -> dict:
    return {
        "url": url, "portal": portal, "province": "Phú Yên" if "phu_yen" in portal else "Quảng Ngãi",
        "title": title or a.title, "lead": lead if lead is not None else a.lead,
        "published_at": published.isoformat(), "author": author if author is not None else a.author,
        "source": source, "category": a.category,
        "body_text": "\n\n".join(paragraphs if paragraphs is not None else a.paragraphs),
        "captions": [], "images": [], "attachments": [], "fetched_at": "2025-06-30T09:00:00+07:00",
        "http_status": 200, "extraction": {},
    }


def _when(a: Article) -> dt.datetime:
    return dt.datetime(*a.published, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _old_style(text: str) -> str:
    for new, old in OLD_STYLE.items():
        text = text.replace(new, old)
    return text


def copies(a: Article, n: int) -> list[tuple[str, dict]]:
    """The four republications of article `a` (number `n` in the corpus)."""
    when, paras = _when(a), list(a.paragraphs)
    base = "phu_yen" if "Phú Yên" in " ".join(paras) or a.is_seed else "quang_ngai"
    lead = a.lead or paras[0].split(". ")[0] + "."
    edited = []
    for i, p in enumerate(paras[:-1] if len(paras) >= 3 else paras):
        old, new = EDITS[(n + i) % len(EDITS)]
        edited.append(_old_style(p.replace(old, new, 1)))
    reflowed = []
    for p in paras:
        sentences = p.split(". ")
        half = max(1, len(sentences) // 2)
        reflowed += [". ".join(sentences[:half]) + ("." if half < len(sentences) else ""), ". ".join(sentences[half:])]
    reflowed = [html.escape(unicodedata.normalize("NFD", p)).replace("Đ", "&#272;") for p in reflowed if p.strip(". ")]
    return [
        ("department", _item(a, portal=f"{base}__sotttt", url=f"https://sotttt.{base.replace('_', '')}.gov.vn/tin/{n}",
                             published=when + dt.timedelta(hours=3), title=f"{a.title} (tin Sở Thông tin và Truyền thông)",
                             author="Văn phòng Sở", paragraphs=paras + ["Nguồn: Cổng Thông tin điện tử tỉnh"])),
        ("newspaper", _item(a, portal=f"bao_{base}", url=f"https://bao{base.replace('_', '')}.vn/tin/{n}",
                            published=when + dt.timedelta(days=1), title="Tin địa phương: " + a.title.lower(),
                            lead=f"(Báo {'Phú Yên' if base == 'phu_yen' else 'Quảng Ngãi'}) - {lead}", paragraphs=edited,
                            author="Phóng viên")),
        ("extended", _item(a, portal=f"bao_{base}", url=f"https://bao{base.replace('_', '')}.vn/dien-dan/{n}",
                           published=when + dt.timedelta(days=3),
                           paragraphs=[OWN_PARAGRAPHS[n % 3]] + paras + [OWN_PARAGRAPHS[(n + 1) % 3]])),
        ("reflowed", _item(a, portal=f"{base}__stttt", url=f"https://stttt.{base.replace('_', '')}.gov.vn/tin/{n}",
                           published=when + dt.timedelta(hours=6), paragraphs=reflowed)),
    ]


def composed() -> list[Article]:
    """The seed and the composed sample texts of both sample portals and of the benchmark site."""
    return ([seed_article()] + compose("Phú Yên", 17, start=(2024, 6, 27), seed=7) + compose("Phú Yên", 6, start=(2024, 6, 20), seed=11)
            + compose("Quảng Ngãi", 20, start=(2025, 5, 30), seed=3) + compose("Quảng Ngãi", 6, start=(2025, 5, 28), seed=5)
            + compose("Phú Yên", 60, start=(2024, 6, 27), seed=1) + compose("Quảng Ngãi", 60, start=(2025, 5, 30), seed=2))


def corpus(originals: int = 8, crowd: int = 0) -> list[Entry]:
    """The seed and the composed texts, `originals` of them with their four copies each. With a
    `crowd`, the benchmark site's articles instead, that many: each distinct, but sharing much of its
    text with the others made from its template, so that thousands of them give every new article
    hundreds of candidates to compare."""
    articles = list(template_articles(crowd)) if crowd else composed()
    entries, bodies = [], set()
    step = max(1, len(articles) // originals)
    planted = set(range(0, step * originals, step))
    for n, a in enumerate(articles):
        body = "\n\n".join(a.paragraphs)
        if body in bodies:
            continue
        bodies.add(body)
        base = "phu_yen" if "Phú Yên" in body or a.is_seed else "quang_ngai"
        original = _item(a, portal=base, url=f"https://{base.replace('_', '')}.gov.vn/tin/{n}", published=_when(a))
        if n in planted:
            key = f"original:{n}"
            entries.append(Entry(key, key, original))
            entries += [Entry(f"{kind}:{n}", key, item) for kind, item in copies(a, n)]
        else:
            entries.append(Entry(f"distinct:{n}", None, original))
    return entries


def _sharing_two_buckets(db_path: Path, ids: list[int]) -> list[int]:
    """For each article, how many others of the archive share two LSH buckets or more with it."""
    conn = sqlite3.connect(db_path)
    try:
        return [conn.execute("SELECT count(*) FROM (SELECT b.article_id FROM minhash_buckets a JOIN minhash_buckets b "
                             "ON b.bucket = a.bucket AND b.article_id != a.article_id WHERE a.article_id = ? "
                             "GROUP BY b.article_id HAVING count(*) >= 2)", [i]).fetchone()[0] for i in ids]
    finally:
        conn.close()


def measure(db_path: Path, originals: int = 8, seed: int = 0, batch: int = 50, crowd: int = 0) -> dict:
    """Store the corpus in a new archive at `db_path` (shuffled; committed every `batch` articles)
    and compare the clusters found with the ones planted. With a `crowd`, also how many archived
    articles share two buckets or more with each planted copy (those the clustering could compare;
    it compares ``MAX_STRONG_CANDIDATES`` of them at most)."""
    entries = corpus(originals, crowd)
    random.Random(seed).shuffle(entries)
    archive = Archive(db_path, batch_size=batch, batch_seconds=3600)
    for e in entries:
        item = dict(e.item)
        normalize(item)
        row = article_row(item)
        archive.add(dict(row, first_seen_at=row["fetched_at"], changed_at=row["fetched_at"], version=1))
    archive.close()

    conn = sqlite3.connect(db_path)
    stored = {url: (cid, aid) for url, cid, aid in conn.execute("SELECT url, cluster_id, id FROM articles")}
    signatures = {url: (m, s) for url, m, s in conn.execute(
        "SELECT a.url, s.minhash, s.shingles FROM articles a JOIN article_signatures s ON s.article_id = a.id")}
    conn.close()
    by_key = {e.key: e for e in entries}
    cluster_of = {e.key: stored[e.item["url"]][0] for e in entries}
    members: dict[int, list[str]] = {}
    for key, cid in cluster_of.items():
        members.setdefault(cid, []).append(key)

    planted = [e for e in entries if e.group and e.group != e.key]
    clustered = [e.key for e in planted if cluster_of[e.key] == cluster_of[e.group]]
    headed = [e.group for e in entries if e.group == e.key and cluster_of[e.key] == stored[e.item["url"]][1]]
    wrongly = [e.key for e in entries if e.group is None and len(members[cluster_of[e.key]]) > 1]
    merged = [e.key for e in entries if e.group == e.key and any(by_key[k].group != e.key for k in members[cluster_of[e.key]])]

    def pair(a: Entry, b: Entry) -> tuple[float, float]:
        (ma, sa), (mb, sb) = signatures[a.item["url"]], signatures[b.item["url"]]
        j = jaccard(ma, mb)
        return j, float(containment(j, sa, sb))

    planted_pairs = [pair(e, by_key[e.group]) for e in planted]
    strong = _sharing_two_buckets(db_path, [stored[e.item["url"]][1] for e in planted])
    distinct = [e for e in entries if e.group is None or e.group == e.key][:PAIRED]
    distinct_pairs = [pair(a, b) for i, a in enumerate(distinct) for b in distinct[i + 1:]]
    return {
        "articles": len(entries),
        "crowd": crowd,
        "median_sharing_two_buckets": statistics.median(strong) if strong else 0,
        "max_sharing_two_buckets": max(strong, default=0),
        "max_strong_candidates": MAX_STRONG_CANDIDATES,
        "originals": len([e for e in entries if e.group == e.key]),
        "planted_copies": len(planted),
        "copies_clustered": len(clustered),
        "originals_heading_their_cluster": len(headed),
        "distinct_articles": len([e for e in entries if e.group is None]),
        "distinct_wrongly_clustered": len(wrongly),
        "originals_merged_with_others": len(merged),
        "clusters": len(members),
        "min_planted_jaccard": min(j for j, _ in planted_pairs),
        "min_planted_containment": min(c for _, c in planted_pairs),
        "distinct_pairs": len(distinct_pairs),
        "max_distinct_jaccard": max(j for j, _ in distinct_pairs),
        "max_distinct_containment": max(c for _, c in distinct_pairs),
        "by_kind": {kind: f"{sum(1 for k in clustered if k.startswith(kind))}/{sum(1 for e in planted if e.key.startswith(kind))}"
                    for kind in ("department", "newspaper", "extended", "reflowed")},
        "misses": sorted(set(e.key for e in planted) - set(clustered)),
        "false": sorted(wrongly + merged),
    }
