"""The seed article round-trips: crawled from the reconstructed Phú Yên portal by the real spider and
pipelines, every field a reader sees on it is stored exactly, and every search for it finds it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scraper.archive.search import search
from tests.conftest import SHARED

SEED_TXT = Path(__file__).parent / "fixtures" / "seed" / "phu-yen-ban-chi-dao-35-2024-01-19.txt"


def read_seed(text: str) -> dict:
    """What a person reads off the seed text: title, date line, the indented paragraphs, the
    caption lines (the title repeated between paragraphs) and the short last line."""
    lines = text.split("\n")
    title = lines[0]
    # Paragraphs are the indented lines (the indent is no-break spaces, as a CMS editor writes it).
    paragraphs = [line.strip() for line in lines if line[:1].isspace() and line.strip()]
    captions = [line for line in lines[1:] if line == title]
    author = [line for line in lines if line.strip()][-1]
    return {"title": title, "date_line": lines[2], "paragraphs": paragraphs, "captions": captions, "author": author}


SEED = read_seed(SEED_TXT.read_text(encoding="utf-8"))


def test_the_fixture_copy_is_the_shared_seed():
    shared = SHARED / "seed" / SEED_TXT.name
    if not shared.exists():
        pytest.skip(f"{shared} is not beside this checkout")
    assert SEED_TXT.read_bytes() == shared.read_bytes()


@pytest.fixture(scope="module")
def seed_row(sample_archive):
    conn = sqlite3.connect(sample_archive)
    conn.row_factory = sqlite3.Row
    (row,) = conn.execute("SELECT * FROM articles WHERE title = ?", [SEED["title"]]).fetchall()
    portal = conn.execute("SELECT * FROM portals WHERE slug = 'phu_yen'").fetchone()
    yield dict(row), dict(portal)
    conn.close()


def test_title(seed_row):
    assert seed_row[0]["title"] == "Ban Chỉ đạo 35 tỉnh tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024"


def test_published_at(seed_row):
    assert SEED["date_line"] == "10:22, 19/01/2024 [GMT+7]"
    assert seed_row[0]["published_at"] == "2024-01-19T10:22:00+07:00"
    assert seed_row[0]["published_raw"] == SEED["date_line"]


def test_author_is_the_short_last_line(seed_row):
    assert SEED["author"] == "Đắc Lâm"
    assert seed_row[0]["author"] == "Đắc Lâm"


def test_body_is_exactly_the_three_paragraphs(seed_row):
    body = seed_row[0]["body_text"]
    assert body.split("\n\n") == SEED["paragraphs"]
    assert body.startswith("Chiều 18/01, Ban Chỉ đạo 35 tỉnh")
    assert body.endswith("thông tin xấu, độc trên không gian mạng.")


def test_repeated_title_lines_are_captions_not_body(seed_row):
    row = seed_row[0]
    assert SEED["title"] not in row["body_text"] and "Đắc Lâm" not in row["body_text"]
    assert json.loads(row["captions"]) == SEED["captions"][:2]
    assert [img["caption"] for img in json.loads(row["images"])] == [SEED["title"], SEED["title"]]


def test_portal_and_its_successor(seed_row):
    row, portal = seed_row
    assert (row["portal"], row["province"]) == ("phu_yen", "Phú Yên")
    assert (portal["status"], portal["successor"], portal["platform"]) == ("retired", "dak_lak", "websphere")


@pytest.mark.parametrize("query", ["ban chi dao 35", "Ban Chỉ đạo 35", '"bảo vệ nền tảng tư tưởng"', "dau tranh phan bac", "Đắc Lâm", "dac "
                                                                                                                                      "lam"])
def test_every_listed_search_finds_it(sample_archive, query):
    conn = sqlite3.connect(sample_archive)
    total, hits, _ = search(conn, query, limit=100)
    assert SEED["title"] in [h.title for h in hits]
