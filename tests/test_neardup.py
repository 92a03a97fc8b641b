"""Near-duplicates: planted republications clustered, distinct articles left alone, clusters kept
right as articles arrive, change and leave; search collapses a cluster into its earliest article."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter

from bench.republications import corpus, measure
from scraper.archive.clusters import _candidates, rebuild
from scraper.archive.rows import article_row
from scraper.archive.schema import MIGRATIONS
from scraper.archive.search import QueryError, search
from scraper.archive.store import Archive, open_database
from scraper.core.neardup import MAX_STRONG_CANDIDATES, MAX_WEAK_CANDIDATES, jaccard, republication, republications, signature
from scraper.core.normalize import normalize
from scraper.crawl.runner import read_article
from scraper.portals import get_profile
from tests.conftest import scrapy
from tests.pages import case

SEED = case("phu_yen", "article-seed")


@pytest.mark.parametrize("seed,batch", [(0, 50), (1, 1), (2, 7)])
def test_every_planted_republication_is_clustered_and_no_distinct_article_is(tmp_path, seed, batch):
    result = measure(tmp_path / "a.db", seed=seed, batch=batch)
    assert result["planted_copies"] == 32 and result["distinct_articles"] >= 150
    assert result["misses"] == [] and result["copies_clustered"] == 32
    assert result["false"] == [] and result["distinct_wrongly_clustered"] == 0
    assert result["originals_heading_their_cluster"] == 8  # the earliest article names the cluster
    assert result["clusters"] == result["articles"] - result["planted_copies"]
    # The margins the rules keep on this corpus: every copy is far above the line, every
    # template-made pair of distinct articles well below it.
    assert result["min_planted_containment"] >= 0.88
    assert result["max_distinct_containment"] <= 0.75 and result["max_distinct_jaccard"] < 0.7


def test_copies_are_found_among_more_alike_articles_than_the_bound_compares(tmp_path, monkeypatch):
    # The benchmark site's template-made articles: each new one shares two buckets or more with
    # dozens of archived ones. With the bound at 4, most candidates go uncompared; the copies share
    # the most buckets with their original, so every one is still found.
    monkeypatch.setattr("scraper.archive.clusters.MAX_STRONG_CANDIDATES", 4)
    result = measure(tmp_path / "a.db", crowd=800, batch=100)
    assert result["median_sharing_two_buckets"] > 4 * 2 and result["planted_copies"] == 32
    assert result["misses"] == [] and result["originals_heading_their_cluster"] == 8
    assert result["false"] == []


def test_a_signature_ignores_spelling_and_layout_but_not_content():
    text = "Ủy ban nhân dân tỉnh Phú Yên tổ chức hội nghị tổng kết công tác năm 2023 tại thành phố Tuy Hòa. " * 3
    same = signature(text)
    assert same.values == signature(text.replace("Hòa", "Hoà").replace("Ủy", "Uỷ")).values  # old tone placement
    import unicodedata
    assert same.values == signature(unicodedata.normalize("NFD", text)).values
    assert same.values == signature(text.replace(". ", ".\n\n")).values
    other = signature(text.replace("2023", "2024").replace("tổng kết", "sơ kết"))
    assert jaccard(same.values, other.values) < 0.8
    assert signature(None, "") is None


def test_short_texts_are_only_republications_when_identical():
    assert not republication(0.9, 12, 15)
    assert republication(1.0, 12, 12)
    assert republication(0.85, 200, 210) and republication(0.55, 150, 300)  # a copy cut to half keeps its half
    assert not republication(0.5, 200, 200)


def test_the_crawl_signature_is_the_signature_of_the_stored_text():
    data = read_article(get_profile("phu_yen"), SEED.meta["url"], SEED.body, SEED.meta.get("headers") or {}, SEED.meta["fetched_at"])
    item = ItemAdapter(dict(data))
    normalize(item)
    assert data["minhash"] == signature(item["lead"], item["body_text"]).hex()
    assert data["shingles"] == signature(item["lead"], item["body_text"]).shingles


def _store(db, *items):
    archive = Archive(db, batch_size=1000)
    for item in items:
        adapter = ItemAdapter(dict(item))
        normalize(adapter)
        row = article_row(adapter.asdict())
        archive.add(dict(row, first_seen_at=row["fetched_at"], changed_at=row["fetched_at"], version=1))
    archive.close()


def _clusters(db) -> dict[str, str]:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT a.url, h.url FROM articles a JOIN articles h ON h.id = a.cluster_id").fetchall()
    conn.close()
    return dict(rows)


def _seed_and_copies():
    entries = {e.key: e.item for e in corpus() if e.key.endswith(":0")}  # the seed is the first original
    return entries["original:0"], entries["department:0"], entries["newspaper:0"]


def test_an_earlier_original_arriving_late_heads_the_cluster_and_a_changed_head_leaves_it(tmp_path):
    db = tmp_path / "a.db"
    original, department, newspaper = _seed_and_copies()
    _store(db, newspaper)
    _store(db, department)
    assert _clusters(db) == {newspaper["url"]: department["url"], department["url"]: department["url"]}
    _store(db, original)  # recovered later, published first: it heads the cluster now
    assert set(_clusters(db).values()) == {original["url"]}

    # The original's page changes to a different text: it leaves; the copies stay together under
    # the earliest of them, and the old text's buckets no longer find it.
    archive = Archive(db)
    old = archive.article_by_url(original["url"])
    changed = dict(original, body_text="Nội dung bài viết đã được thay thế bằng một thông báo hoàn toàn khác. " * 8, lead=None)
    adapter = ItemAdapter(changed)
    normalize(adapter)
    archive.change(old, article_row(adapter.asdict()))
    archive.close()
    clusters = _clusters(db)
    assert clusters[original["url"]] == original["url"]
    assert clusters[department["url"]] == clusters[newspaper["url"]] == department["url"]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")  # re-labels left the index whole
    conn.close()


def test_search_collapses_a_cluster_into_its_earliest_article(tmp_path):
    db = tmp_path / "a.db"
    measure(db)
    conn = sqlite3.connect(db)
    total, hits, _ = search(conn, '"ban chi dao 35"', limit=10)
    assert total == 5 and len({h.url for h in hits}) == 5
    total, hits, _ = search(conn, '"ban chi dao 35"', limit=10, collapse=True)
    assert total == 1
    (hit,) = hits
    assert hit.url == "https://phuyen.gov.vn/tin/0" and hit.published_at == "2024-01-19T10:22:00+07:00"
    assert len(hit.republications) == 4 and "[Ban Chỉ đạo 35]" in hit.snippet
    # Filtered to the newspaper, the cluster still shows as its original.
    total, hits, _ = search(conn, '"ban chi dao 35"', portals=["bao_phu_yen"], collapse=True)
    assert total == 1 and hits[0].url == "https://phuyen.gov.vn/tin/0" and "[ban chỉ đạo 35]" in hits[0].snippet.lower()
    conn.close()


def test_neardups_command_lists_clusters_and_a_rebuild_finds_the_same_ones(tmp_path):
    db = tmp_path / "a.db"
    measure(db)
    before = _clusters(db)
    out = scrapy("neardups", "--db", str(db), "--limit", "1").stdout
    assert out.startswith("8 clusters of republished articles (largest 1)") and "original " in out
    out = scrapy("neardups", "--db", str(db), "--rebuild").stdout
    assert "Rebuilt signatures of 202 articles" in out and "8 clusters of republications holding 40 articles" in out
    assert _clusters(db) == before


def test_an_archive_from_before_signatures_is_upgraded_and_rebuilt(tmp_path):
    db = tmp_path / "old.db"
    import sqlite_utils

    old = sqlite_utils.Database(db)
    for migration in MIGRATIONS[:3]:
        migration(old)
    old.execute("PRAGMA user_version = 3")
    original, department, _ = _seed_and_copies()
    for n, item in enumerate((original, department), 1):
        adapter = ItemAdapter(dict(item))
        normalize(adapter)
        row = {k: v for k, v in article_row(adapter.asdict()).items() if k in old["articles"].columns_dict}
        old["articles"].insert(dict(row, id=n, version=1))
    old.close()

    out = scrapy("neardups", "--db", str(db), check=False)
    assert out.returncode == 2 and "predates near-duplicate clusters: run scrapy neardups --rebuild" in out.stderr
    conn = sqlite3.connect(db)
    with pytest.raises(QueryError, match="predates near-duplicate clusters"):
        search(conn, "ban chi dao", collapse=True)
    conn.close()
    open_database(db).close()  # a crawl opening it upgrades the schema; the old articles have no signature yet
    out = scrapy("neardups", "--db", str(db))
    assert "2 articles have no signature yet: run scrapy neardups --rebuild" in out.stderr
    scrapy("neardups", "--db", str(db), "--rebuild")
    assert set(_clusters(db).values()) == {original["url"]}
    db_ = open_database(db)
    assert db_.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    db_.close()


def test_rebuild_reports_progress(tmp_path):
    db = tmp_path / "a.db"
    measure(db)
    conn = open_database(db).conn
    seen = []
    result = rebuild(conn, batch=50, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(50, 202), (100, 202), (150, 202), (200, 202), (202, 202)] and result["clusters"] == 8


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 1), st.integers(0, 500), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 500)), min_size=1, max_size=20))
def test_the_rule_for_many_candidates_is_the_rule_for_one(size_mine, size, others):
    j = np.array([o[0] for o in others])
    sizes = np.array([o[1] for o in others])
    assert list(republications(j, size, sizes)) == [republication(a, size, b) for a, b in others]
    assert republication(size_mine, size, size) == bool(republications(np.array([size_mine]), size, np.array([size]))[0])


def test_candidates_are_bounded_the_most_alike_and_the_most_recent_first():
    holders = {k: set(range(1000, 1100)) for k in range(10)}  # a hundred articles sharing ten buckets
    holders[10] = set(range(1000, 1010)) | {7, 8}  # ten of them share one more, and two others two each
    holders[11] = {7, 8, 9}
    chosen = _candidates(1, list(range(12)), holders)
    assert chosen[:10] == list(range(1009, 999, -1))  # those sharing the most buckets first, recent first among equals
    assert len(chosen) == MAX_STRONG_CANDIDATES + 1 and 9 in chosen  # the strong ones bounded; the one weak one kept
    assert not {7, 8} & set(chosen)  # sharing two: outranked by the 64 sharing ten
    single = {k: {2000 + k} for k in range(42)}  # 42 articles sharing one bucket each: the 32 most recent
    assert _candidates(1, list(range(42)), single) == list(range(2041, 2041 - MAX_WEAK_CANDIDATES, -1))
    assert _candidates(1, [0], {0: {1}}) == []  # never itself


def test_the_archive_ranks_candidates_as_the_rule_does(tmp_path):
    import sqlite3

    from scraper.archive.clusters import _archived_candidates
    holders = {k: set(range(1000, 1100)) for k in range(10)}
    holders[10] = set(range(1000, 1010)) | {7, 8}
    holders[11] = {7, 8, 9} | set(range(3000, 3050))
    conn = sqlite3.connect(tmp_path / "buckets.db")
    conn.execute("CREATE TABLE minhash_buckets (bucket INTEGER, article_id INTEGER, PRIMARY KEY (bucket, article_id)) WITHOUT ROWID")
    conn.executemany("INSERT INTO minhash_buckets VALUES (?, ?)", [(k, a) for k, ids in holders.items() for a in ids])
    keys = list(range(12))
    assert _archived_candidates(conn, keys, 1) == _candidates(1, keys, holders)
    conn.execute("DELETE FROM minhash_buckets WHERE article_id BETWEEN 1000 AND 1099")
    # The two sharing two buckets, then the 32 most recent sharing one; never the article itself.
    assert _archived_candidates(conn, keys, 3049) == [8, 7, *range(3048, 3048 - MAX_WEAK_CANDIDATES, -1)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcđêơư ", min_size=1, max_size=12), min_size=1, max_size=400))
def test_the_signature_is_datasketchs_minhash_value_for_value(words):
    from datasketch import MinHash

    from scraper.core.neardup import NUM_PERM, SCHEME, SEED, shingle_hashes, signature
    text = " ".join(words)
    hashes = shingle_hashes(text)
    found = signature(text)
    if not len(hashes):
        assert found is None
        return
    reference = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=int)
    reference.update_batch(hashes.tolist())
    assert found.values == reference.hashvalues.astype("<u4").tobytes() and found.shingles == len(hashes)


def test_a_long_article_is_signed_as_datasketch_signs_it():
    from datasketch import MinHash

    from scraper.core.neardup import NUM_PERM, SCHEME, SEED, shingle_hashes, signature
    text = " ".join(f"từ{n % 9973} ngữ{n % 7919}" for n in range(30_000))  # past several chunks of 4,096 shingles
    reference = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=int)
    reference.update_batch(shingle_hashes(text).tolist())
    assert signature(text).values == reference.hashvalues.astype("<u4").tobytes()


def test_word_hashes_are_crc32_whether_kept_or_not_and_the_store_of_them_stays_bounded():
    import zlib

    from scraper.core.neardup import _WordHashes
    hashes = _WordHashes()
    hashes.LIMIT = 3
    words = ["ban", "chỉ", "đạo", "tỉnh", "ban", "phú", "yên"]
    assert [hashes[w] for w in words] == [zlib.crc32(w.encode()) for w in words]
    assert len(hashes) <= 3
