"""Checks against the real portals and the Wayback Machine, for whoever has the network.

Deselected by default (the suite runs offline); run them with ``pytest -m live``. Each portal check
reads the portal's robots.txt, then one listing page and the first article it links to, with the
project's user agent and a pause between requests: a profile whose selectors or URLs no longer fit
fails here with the reason.
"""

from __future__ import annotations

import json
import time
import urllib.request
from urllib.parse import quote, urljoin

import pytest
from protego import Protego

from scraper.crawl.runner import read_article, read_listing
from scraper.portals import load_profiles
from scraper.settings import USER_AGENT

pytestmark = pytest.mark.live

CHECKED = [p for p in load_profiles().values() if p.status in ("live", "unverified") and p.start_urls and not p.discovered]
SEED_URL = ("https://www.phuyen.gov.vn/wps/portal/Home/chi-tiet-tin?1dmy&current=true&urile=wcm%3Apath%3A%2Fphuyen%2Fsite%2F"
            "tin-tuc%2Ftin-tuc-su-kien%2Fban-chi-dao-35-tinh-tong-ket-cong-tac-nam-2023-trien-khai-nhiem-vu-nam-2024")
SEED_TITLE = "Ban Chỉ đạo 35 tỉnh tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024"


def fetch(url: str) -> tuple[bytes, dict]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read(), {"content-type": response.headers.get("Content-Type", "")}


@pytest.mark.parametrize("profile", CHECKED, ids=lambda p: p.slug)
def test_a_portal_lists_its_articles_and_its_pages_read(profile):
    listing_url = profile.start_urls[0]
    robots = Protego.parse(fetch(urljoin(listing_url, "/robots.txt"))[0].decode("utf-8", "replace"))
    if not robots.can_fetch(listing_url, USER_AGENT):
        pytest.skip(f"{profile.slug}: robots.txt does not let the archive read {listing_url}")
    body, headers = fetch(listing_url)
    listing = read_listing(profile, listing_url, body, headers, time.strftime("%Y-%m-%dT%H:%M:%S+07:00"))
    assert "error" not in listing, listing.get("error")
    assert listing["entries"], f"{profile.slug}: no article links on {listing_url} ({listing['problems']})"
    time.sleep(profile.download_delay)
    article_url = listing["entries"][0]["url"]
    body, headers = fetch(article_url)
    data = read_article(profile, article_url, body, headers, time.strftime("%Y-%m-%dT%H:%M:%S+07:00"))
    assert "error" not in data, data.get("error")
    assert data["title"] and data["body_text"] and data["published_at"], (article_url, data["problems"])


def test_the_wayback_machine_still_holds_the_phu_yen_seed():
    profile = load_profiles()["phu_yen"]
    query = f"https://web.archive.org/cdx/search/cdx?url={quote(SEED_URL, safe='')}&output=json&filter=statuscode:200&limit=5"
    rows = json.loads(fetch(query)[0] or b"[]")
    assert len(rows) > 1, "the Wayback Machine lists no capture of the seed article"
    timestamp = rows[1][rows[0].index("timestamp")]
    original = rows[1][rows[0].index("original")]
    time.sleep(2)
    body, headers = fetch(f"https://web.archive.org/web/{timestamp}id_/{original}")
    data = read_article(profile, original, body, headers, time.strftime("%Y-%m-%dT%H:%M:%S+07:00"))
    assert data["title"] == SEED_TITLE and data["published_at"] == "2024-01-19T10:22:00+07:00"
