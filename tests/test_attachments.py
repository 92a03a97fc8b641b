"""Attachments are listed always, downloaded only when asked (Scrapy's files pipeline, into data/)."""

from __future__ import annotations

import json
import shutil
import sqlite3

from scraper.mirror import MirrorServer
from tests.conftest import MIRROR, crawl

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _site(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(MIRROR / "quangngai.gov.vn", root)
    (root / "documents" / "20182" / "0").mkdir(parents=True)
    for page in (root / "pages").glob("article-*.html"):
        text = page.read_text(encoding="utf-8")
        for name in __import__("re").findall(r"/documents/20182/0/(ke-hoach-\d+\.pdf)", text):
            (root / "documents" / "20182" / "0" / name).write_bytes(PDF + name.encode())
    return root


def attachments(db):
    conn = sqlite3.connect(db)
    rows = [json.loads(r[0]) for r in conn.execute("SELECT attachments FROM articles WHERE attachments != '[]'")]
    return [a for row in rows for a in row]


def test_attachments_are_listed_not_downloaded_by_default(tmp_path):
    with MirrorServer(_site(tmp_path)) as server:
        crawl("quang_ngai", server, tmp_path / "a.db")
        fetched = list(server.counter["paths"])
    found = attachments(tmp_path / "a.db")
    assert found and all(a["type"] == "pdf" and a["url"].startswith("https://www.quangngai.gov.vn/documents/") for a in found)
    assert all("path" not in a and "fetched_url" not in a for a in found)
    assert not [p for p in fetched if p.endswith(".pdf")]


def test_downloading_is_opt_in_and_recorded(tmp_path):
    files = tmp_path / "files"
    db = tmp_path / "a.db"
    with MirrorServer(_site(tmp_path)) as server:
        crawl("quang_ngai", server, db, "-s", "DOWNLOAD_ATTACHMENTS=True", "-s", f"FILES_STORE={files}")
        first = list(server.counter["paths"])
        proc = crawl("quang_ngai", server, db, "-s", "DOWNLOAD_ATTACHMENTS=True", "-s", f"FILES_STORE={files}", "-a", "recheck=1")
    found = attachments(db)
    assert found and all(a["path"].startswith("quang_ngai/") and a["path"].endswith(".pdf") for a in found)
    for a in found:
        assert (files / a["path"]).read_bytes().startswith(PDF) and len(a["checksum"]) == 32
    assert len([p for p in first if p.endswith(".pdf")]) == len(found)
    assert "archive: quang_ngai: 0 new, 0 updated, 26 unchanged" in proc.stderr  # stored files make no article "changed"
    assert sqlite3.connect(db).execute("SELECT count(*) FROM article_versions").fetchone() == (0,)
