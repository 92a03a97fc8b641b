"""Every route a portal offers (listings, sitemaps found through robots.txt, feeds), deduplicated;
crawl traps left alone; a robots.txt that shuts everyone out reported, not taken for success."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sqlite3
from collections import Counter
from urllib.parse import quote

import pytest

from scraper.core.profile import parse_profile
from scraper.core.urls import trap_reason
from scraper.mirror import MirrorServer, route_key
from scraper.platforms import PLATFORM_NAMES
from scraper.spiders.portal import make_spider
from tests.conftest import MIRROR, crawl, scrapy

SEED_PATH = "/wps/portal/Home/chi-tiet-tin?1dmy&current=true&urile=" + quote(
    "wcm:path:/phuyen/site/tin-tuc/tin-tuc-su-kien/ban-chi-dao-35-tinh-tong-ket-cong-tac-nam-2023-trien-khai-nhiem-vu-nam-2024", safe="")


def _site(tmp_path):
    """The Phú Yên mirror, with the seed taken off its listing (only the sitemap leads to it), a
    sitemap index named in robots.txt (one child gzipped), and an RSS feed linked from the listing."""
    root = tmp_path / "site"
    shutil.copytree(MIRROR / "phuyen.gov.vn", root)
    routes = json.loads((root / "routes.json").read_text(encoding="utf-8"))
    articles = [t for t, r in routes.items() if "article" in r.get("file", "")]
    last = root / "pages" / "listing-tin-tuc-su-kien-3.html"
    html = last.read_text(encoding="utf-8")
    start = html.index('<div class="tin-item"><a class="title" href="' + SEED_PATH.replace("&", "&amp;"))
    html = html[:start] + html[html.index("</div>", start) + len("</div>"):]
    last.write_text(html, encoding="utf-8")
    first = root / "pages" / "listing-tin-tuc-su-kien-1.html"
    first.write_text(first.read_text(encoding="utf-8").replace(
        "</head>", '<link rel="alternate" type="application/rss+xml" title="Tin mới" href="/rss/tin-moi.rss"></head>'), encoding="utf-8")
    origin = "https://www.phuyen.gov.vn"
    url = lambda t: origin + t.replace("&", "&amp;")  # noqa: E731 (XML escaping of a URL)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /wps/myportal/\nSitemap: https://www.phuyen.gov.vn/sitemap_index.xml\n")
    (root / "sitemap_index.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{origin}/sitemap-1.xml</loc></sitemap><sitemap><loc>{origin}/sitemap-2.xml.gz</loc></sitemap></sitemapindex>")
    (root / "sitemap-1.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{url(t)}</loc><lastmod>2024-06-01</lastmod></url>" for t in articles[:5])
        + f"<url><loc>{origin}/wps/portal/Home/gioi-thieu</loc></url></urlset>")
    (root / "sitemap-2.xml.gz").write_bytes(gzip.compress(
        ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
         f"<url><loc>{url(SEED_PATH)}</loc><lastmod>2024-01-19T10:22:00+07:00</lastmod></url></urlset>").encode()))
    (root / "rss").mkdir()
    (root / "rss" / "tin-moi.rss").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin mới</title>'
        + "".join(f"<item><title>Tin</title><link>{url(t)}</link><pubDate>Fri, 21 Jun 2024 08:00:00 +0700</pubDate></item>"
                  for t in [t for t in articles if t != SEED_PATH][3:8])
        + "</channel></rss>")
    return root


def test_every_route_is_followed_and_each_article_fetched_once(tmp_path):
    db = tmp_path / "a.db"
    with MirrorServer(_site(tmp_path)) as server:
        proc = crawl("phu_yen", server, db)
        fetched = Counter(server.counter["paths"])
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 24
    assert conn.execute("SELECT count(*) FROM articles WHERE title LIKE 'Ban Chỉ đạo 35%'").fetchone()[0] == 1
    articles = {p: n for p, n in fetched.items() if "chi-tiet-tin" in p}
    assert len(articles) == 24 and set(articles.values()) == {1}, "every article page fetched exactly once"
    assert fetched["/sitemap-2.xml.gz"] == 1 and fetched["/rss/tin-moi.rss"] == 1
    assert "/wps/portal/Home/gioi-thieu" not in fetched  # in the sitemap, but not an article
    stats = {k: int(v) for k, v in re.findall(r"'(discovery/[a-z_/]+)': (\d+)", proc.stderr)}
    assert stats["discovery/robots/sitemaps"] == 1 and stats["discovery/sitemap/files"] == 3
    assert stats["discovery/feed/files"] == 1 and stats["discovery/sitemap/not_articles"] == 1
    # Which route reaches an article first is a race; each article is counted once as found and
    # once as a duplicate by every other route that names it.
    found = lambda route: stats.get(f"discovery/{route}/articles", 0) + stats.get(f"discovery/{route}/duplicates", 0)  # noqa: E731
    assert found("sitemap") == 6 and found("feed") == 5  # the seed and five others; the feed names five others
    assert stats.get("discovery/sitemap/articles", 0) >= 1  # the seed: nothing else leads to it


def test_a_robots_txt_that_shuts_everyone_out_is_reported(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(MIRROR / "phuyen.gov.vn", root)
    (root / "robots.txt").write_text("User-Agent: *\nDisallow: /\nSitemap: https://www.phuyen.gov.vn/sitemap.xml\n")
    db = tmp_path / "a.db"
    with MirrorServer(root) as server:
        proc = crawl("phu_yen", server, db)
        paths = list(server.counter["paths"])
    assert "robots.txt at http://127.0.0.1" in proc.stderr and "disallows every page this crawl would fetch" in proc.stderr
    assert paths == ["/robots.txt"]  # read once; not even the sitemap it names
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    assert conn.execute("SELECT notes FROM crawl_runs").fetchone()[0] == "robots.txt disallows everything: nothing fetched"
    listing = scrapy("portals", "--db", str(db)).stdout
    (row,) = [line for line in listing.splitlines() if line.startswith("phu_yen ")]
    assert "robots.txt disallows everything" in row


def test_every_request_waiting_for_robots_txt_is_checked_against_it(tmp_path):
    # Seven pages of one host asked for at once, before its robots.txt is in: each waits for the
    # same fetch, and each is held to the rules it brings, not only the first to wait.
    root = tmp_path / "site"
    shutil.copytree(MIRROR / "phuyen.gov.vn", root)
    (root / "robots.txt").write_text("User-Agent: *\nDisallow: /wps/portal/Home/chi-tiet-tin\n")
    articles = [path for path in json.loads((root / "routes.json").read_text()) if path.startswith("/wps/portal/Home/chi-tiet-tin")]
    db = tmp_path / "a.db"
    with MirrorServer(root) as server:
        proc = crawl("phu_yen", server, db, "-a", "start_urls=" + ",".join(server.origin + path for path in articles[:7]))
        paths = list(server.counter["paths"])
    assert proc.returncode == 0
    assert paths == ["/robots.txt"]  # once, for the rules and for the spider
    assert re.search(r"'robotstxt/forbidden': 7\b", proc.stderr), proc.stderr[-2000:]


def test_a_profile_may_opt_out_of_robots(tmp_path):
    path = tmp_path / "tinh_mau.toml"
    path.write_text('name = "x"\nprovince = "y"\nplatform = "liferay"\nhome = "https://x.gov.vn/"\nrobots = "ignore"\n')
    spider = make_spider(parse_profile(path, __import__("tomllib").loads(path.read_text()), PLATFORM_NAMES))
    assert spider.custom_settings["ROBOTSTXT_OBEY"] is False


@pytest.mark.parametrize("url,reason", [
    ("https://x.gov.vn/en/en/en/tin", "repeated path segments"),
    ("https://x.gov.vn/en/vi/en/vi/en/vi/tin", "repeated path segments"),
    ("https://sotttt.hanoi.gov.vn/web/sotttt-eng/culture/-/view_content/737358-x.html/vi", "language segment after a page (renders a "
                                                                                           "listing, not the page)"),
    ("https://x.gov.vn/lich-cong-tac?month=5&year=2024", "calendar parameters"),
    ("https://x.gov.vn/tin-tuc?sort=date&dir=asc", "sort, print or share parameters"),
    ("https://x.gov.vn/tin/123?print=1", "sort, print or share parameters"),
    ("https://x.gov.vn/print/tin-123.html", "print, share or calendar page"),
    ("https://x.gov.vn/tin-tuc/bai-viet-123.html", None),
    ("https://x.gov.vn/tin-tuc?page=3", None),
])
def test_crawl_traps(url, reason):
    assert trap_reason(url) == reason


def test_routes_json_keys_match_requests():
    assert route_key("/a?urile=wcm%3Apath%3A%2Fx") == route_key("/a?urile=wcm:path:/x")
