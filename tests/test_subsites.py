"""Sub-sites found in a portal's website links become discovered profiles; crawling them is opt-in."""

from __future__ import annotations

import tomllib

from scraper.core.profile import parse_profile
from scraper.pages.links import subsites, website_links
from scraper.platforms import PLATFORM_NAMES
from scraper.portals import load_profiles
from tests.conftest import scrapy
from tests.pages import case

PAGE = case("ha_noi__sotttt", "listing-chi-dao-dieu-hanh").path / "page.html"
URL = "https://sotttt.hanoi.gov.vn/chi-dao-dieu-hanh"


def test_the_website_links_dropdown_is_read():
    links = website_links(URL, PAGE.read_bytes())
    assert [link.label for link in links] == [
        "Mặt trận tổ quốc việt nam", "Bộ Văn hóa TT&DL", "Quận Thanh Xuân", "Quận Long Biên",
        "Sở thông tin truyền thông", "Sở công thương", "Cổng thông tin điện tử Chính phủ", "Báo Việt Nam Net"]


def test_only_the_provinces_own_units_are_sub_sites():
    found = subsites(website_links(URL, PAGE.read_bytes()), portal_host="hanoi.gov.vn", parent_slug="ha_noi", claimed_hosts=set())
    assert [(s.slug, s.host) for s in found] == [
        ("ha_noi__thanhxuan", "thanhxuan.gov.vn"), ("ha_noi__longbien", "longbien.gov.vn"),
        ("ha_noi__ict_hanoi", "ict-hanoi.gov.vn"), ("ha_noi__congthuonghn", "congthuonghn.gov.vn")]


def test_a_sub_domain_of_the_portal_is_a_sub_site_and_another_portal_is_not():
    page = b"""<div class="box"><h3>Li\xc3\xaan k\xe1\xba\xbft website</h3><ul>
      <li><a href="https://sotttt.quangngai.gov.vn/">C\xe1\xbb\x95ng S\xe1\xbb\x9f TTTT</a></li>
      <li><a href="https://daklak.gov.vn/">C\xe1\xbb\x95ng \xc4\x90\xe1\xba\xafk L\xe1\xba\xafk</a></li>
      <li><a href="https://www.quangngai.gov.vn/">Trang ch\xe1\xbb\xa7</a></li></ul></div>"""
    claimed = {h for p in load_profiles().values() if p.slug != "quang_ngai" for h in p.hosts}
    found = subsites(website_links("https://www.quangngai.gov.vn/", page), portal_host="www.quangngai.gov.vn",
                     parent_slug="quang_ngai", claimed_hosts=claimed)
    assert [(s.slug, s.reason) for s in found] == [("quang_ngai__sotttt", "a sub-domain of quangngai.gov.vn")]


def test_the_command_writes_profiles_that_load(tmp_path):
    page = tmp_path / "home.html"
    page.write_bytes("""<div class="lien-ket"><h3>Liên kết website</h3>
      <a href="https://sotttt.quangngai.gov.vn/">Sở Thông tin và Truyền thông</a>
      <a href="https://binhson.quangngai.gov.vn/">Huyện Bình Sơn</a>
      <a href="https://chinhphu.vn/">Cổng thông tin điện tử Chính phủ</a></div>""".encode())
    out_dir = tmp_path / "discovered"
    out = scrapy("subsites", "quang_ngai", "--page", str(page), "--url", "https://www.quangngai.gov.vn/", "--write",
                 "--dir", str(out_dir)).stdout
    assert out.startswith("2 sub-sites of quang_ngai listed on https://www.quangngai.gov.vn/:")
    written = sorted(out_dir.glob("*.toml"))
    assert [p.stem for p in written] == ["quang_ngai__binhson", "quang_ngai__sotttt"]
    for path in written:
        profile = parse_profile(path, tomllib.loads(path.read_text(encoding="utf-8")), PLATFORM_NAMES)
        assert profile.discovered and profile.parent == "quang_ngai" and profile.status == "unverified"
        assert profile.merged_into == "Quảng Ngãi" and profile.home.startswith("https://")


def test_the_hanoi_sub_sites_were_discovered_from_the_real_page():
    out = scrapy("subsites", "ha_noi", "--page", str(PAGE)).stdout
    assert out.startswith("4 sub-sites of ha_noi listed on https://sotttt.hanoi.gov.vn/chi-dao-dieu-hanh:")
    profiles = load_profiles()
    for slug in ("ha_noi__thanhxuan", "ha_noi__longbien", "ha_noi__ict_hanoi", "ha_noi__congthuonghn"):
        assert profiles[slug].discovered and "2022-08-27" in profiles[slug].evidence


def test_discovered_profiles_are_spiders_but_marked():
    profiles = load_profiles()
    discovered = [p for p in profiles.values() if p.discovered]
    assert {p.slug for p in discovered} >= {"ha_noi__thanhxuan", "ha_noi__longbien"}
    assert set(scrapy("list").stdout.split()) >= {p.slug for p in discovered}
    listing = scrapy("portals").stdout
    assert any(line.startswith("ha_noi__thanhxuan ") and "(discovered)" in line for line in listing.splitlines())
