"""`scrapy extract`: saved pages read offline into exactly the rows a crawl stores, with the verdict."""

from __future__ import annotations

import json
import sqlite3

from tests.conftest import MIRROR, scrapy
from tests.pages import case

VOLATILE = {"fetched_at", "fetched_url"}


def lines(proc) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def test_extract_reproduces_the_rows_a_crawl_of_the_mirror_stored(sample_archive, tmp_path):
    manifest = tmp_path / "pages.jsonl"
    entries = []
    for host, slug, origin in (("phuyen.gov.vn", "phu_yen", "https://www.phuyen.gov.vn"),
                               ("quangngai.gov.vn", "quang_ngai", "https://www.quangngai.gov.vn")):
        routes = json.loads((MIRROR / host / "routes.json").read_text(encoding="utf-8"))
        for target, route in routes.items():
            if "article" in route.get("file", ""):
                entries.append({"path": str(MIRROR / host / route["file"]), "url": origin + target, "portal": slug})
    manifest.write_text("\n".join(json.dumps(e) for e in entries), encoding="utf-8")
    out = lines(scrapy("extract", "--manifest", str(manifest)))
    assert len(out) == len(entries) == 50 and {o["verdict"] for o in out} == {"stored"}
    conn = sqlite3.connect(sample_archive)
    conn.row_factory = sqlite3.Row
    stored = {r["url"]: dict(r) for r in conn.execute("SELECT * FROM articles")}
    conn.close()
    for line in out:
        row = line["row"]
        archived = stored[row["url"]]
        # The crawl kept the page in WARC: its row names the record instead of holding the body HTML.
        assert archived["warc_file"] and archived["body_html"] is None and row["body_html"]
        differing = {k for k in row if k not in VOLATILE | {"body_html", "warc_file", "warc_offset"} and row[k] != archived[k]}
        assert not differing, f"{row['url']}: {differing}"


def test_without_a_portal_a_page_goes_through_detection_and_the_generic_pages():
    fixture = case("khanh_hoa", "article-metadata-only")
    (line,) = lines(scrapy("extract", str(fixture.path / "page.html")))  # its address from the meta.json beside it
    assert line["verdict"] == "stored" and line["portal"] == "unknown" and line["platform"] == "generic"
    expected = fixture.expected
    row = line["row"]
    assert row["title"] == expected["title"] and row["published_at"] == expected["published_at"] and row["author"] == expected["author"]
    assert row["body_text"].startswith(expected["body"]["starts"]) and row["published_from"] == "metadata"
    assert json.loads(row["extraction"])["body_text"] == "generic"


def test_a_page_that_is_not_an_article_is_rejected_with_the_reason_and_bad_input_is_told_plainly(tmp_path):
    page = case("phu_yen", "page-not-article")
    (line,) = lines(scrapy("extract", str(page.path / "page.html"), "--portal", "phu_yen"))
    assert line["verdict"] == "rejected" and line["reason"] == "not an article page: no title"
    missing = scrapy("extract", str(tmp_path / "nothing.html"), "--url", "https://example.gov.vn/a.html", check=False)
    assert missing.returncode == 1 and json.loads(missing.stdout)["verdict"] == "unreadable" and "Traceback" not in missing.stderr
    (tmp_path / "page.html").write_bytes(b"<html><body><h1>x</h1></body></html>")
    nowhere = scrapy("extract", str(tmp_path / "page.html"), check=False)
    assert "no address" in json.loads(nowhere.stdout)["reason"]
    unknown = scrapy("extract", str(tmp_path / "page.html"), "--portal", "atlantis", check=False)
    assert unknown.returncode == 2 and "no portal 'atlantis'" in unknown.stderr and "Traceback" not in unknown.stderr
