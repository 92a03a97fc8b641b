"""`scrapy savefixture`: a page saved as a fixture, with its provenance and a draft the page tests accept."""

from __future__ import annotations

import json

from scraper.mirror import MirrorServer
from tests.conftest import MIRROR, scrapy
from tests.pages import Case, case


def test_a_saved_page_becomes_a_real_capture_case_whose_draft_holds(tmp_path):
    seed = case("phu_yen", "article-seed")
    saved = tmp_path / "saved.html"
    saved.write_bytes(seed.body)
    out = scrapy("savefixture", "phu_yen", str(saved), "--url", seed.meta["url"], "--case", "article-seed-copy",
                 "--dir", str(tmp_path / "fixtures")).stdout
    where = tmp_path / "fixtures" / "real" / "phu_yen" / "article-seed-copy"
    assert f"Wrote {where}/" in out
    assert (where / "page.html").read_bytes() == seed.body
    meta = json.loads((where / "meta.json").read_text(encoding="utf-8"))
    assert meta["url"] == seed.meta["url"] and meta["source"] == "real capture" and meta["saved_from"] == str(saved)
    assert meta["fetched_at"] and meta["saved_at"]
    expected = json.loads((where / "expected.json").read_text(encoding="utf-8"))
    assert expected["title"] == seed.expected["title"] and expected["published_at"] == seed.expected["published_at"]
    # The draft is in the shape the fixture tests read, and the current page classes satisfy it.
    item = Case("phu_yen", "article-seed-copy", where).item()
    body = item["body_text"]
    assert body.startswith(expected["body"]["starts"]) and body.endswith(expected["body"]["ends"])
    assert len(body.split("\n\n")) == expected["body"]["paragraphs"]


def test_a_listing_fetched_from_a_url_and_a_reconstruction_sit_apart(tmp_path):
    with MirrorServer(MIRROR / "quangngai.gov.vn") as server:
        url = f"{server.origin}/web/portal-qni/tin-noi-bat"
        scrapy("savefixture", "quang_ngai", url, "--case", "listing-from-mirror", "--dir", str(tmp_path))
        scrapy("savefixture", "quang_ngai", url, "--case", "listing-rebuilt", "--dir", str(tmp_path),
               "--reconstruction", "served by the sample mirror, itself a reconstruction")
    fetched = tmp_path / "real" / "quang_ngai" / "listing-from-mirror"
    rebuilt = tmp_path / "reconstructed" / "quang_ngai" / "listing-rebuilt"
    assert json.loads((rebuilt / "meta.json").read_text())["source"] == "reconstruction"
    assert json.loads((rebuilt / "meta.json").read_text())["note"].startswith("served by the sample mirror")
    expected = json.loads((fetched / "expected.json").read_text(encoding="utf-8"))
    assert expected["count"] > 0 and expected["first"]["url"].startswith(server.origin)
    assert json.loads((fetched / "meta.json").read_text())["headers"]["Content-Type"].startswith("text/html")


def test_an_existing_case_is_kept_and_bad_arguments_are_clear(tmp_path):
    seed = case("phu_yen", "article-seed")
    args = ["savefixture", "phu_yen", str(seed.path / "page.html"), "--case", "article-x", "--dir", str(tmp_path)]
    scrapy(*args)
    again = scrapy(*args, check=False)
    assert again.returncode == 2 and "exists; give --force to replace it" in again.stderr
    bad = scrapy("savefixture", "phu_yen", "missing.html", "--case", "article-y", "--dir", str(tmp_path), check=False)
    assert bad.returncode == 2 and "Cannot read missing.html" in bad.stderr and "Traceback" not in bad.stderr
    named = scrapy("savefixture", "phu_yen", str(seed.path / "page.html"), "--case", "Seed 2", check=False)
    assert named.returncode != 0 and "name it article-" in named.stderr and "Traceback" not in named.stderr
