"""Platform fingerprints (portals.md §4): every saved page is recognised as its profile's platform, each
fingerprint row on a small page of its own, links to other hosts never decide, the draft profile
loads, and `scrapy detect` runs for real on a file, on a local URL and on a port nobody answers."""

from __future__ import annotations

import json
import socket
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from scraper.core.profile import SLUG, parse_profile
from scraper.mirror import MirrorServer
from scraper.platforms import PLATFORM_NAMES, PLATFORMS
from scraper.platforms.draft import draft_profile
from scraper.platforms.fingerprint import ORDER, UNKNOWN, detect
from scraper.portals import get_profile, load_profiles
from scraper.settings import USER_AGENT
from tests.conftest import scrapy, write_site
from tests.pages import case as fixture_case
from tests.pages import cases

DETECT_FIXTURES = Path(__file__).parent / "fixtures" / "synthetic"
# Platforms a profile can name and get page classes for ("generic" is the fallback, not a platform).
WITH_PAGES = frozenset(PLATFORMS) - {"generic"}
SUPPORTED = sorted(WITH_PAGES)


def detect_case(path: Path):
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    content_type = {k.lower(): v for k, v in meta.get("headers", {}).items()}.get("content-type")
    return meta["url"], (path / "page.html").read_bytes(), content_type


def draft_of(url: str, body: bytes, detection=None):
    detection = detection or detect(url, body)
    return draft_profile(url, body, detection, load_profiles().values(), SUPPORTED)


def load_draft(draft) -> dict:
    data = tomllib.loads(draft.text)
    parse_profile(Path(f"{draft.slug}.toml"), data, PLATFORM_NAMES)  # raises ProfileError if it does not load
    return data


def page(head: str = "", body: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Trang</title>{head}</head><body>{body}</body></html>".encode()


HOST = "https://portal.example.gov.vn/trang-chu"

# --------------------------------------------------------------------------------------------------
# Saved fixture pages

FIXTURE_CASES = cases()


def test_fixture_pages_exist_for_both_platforms_with_pages():
    platforms = {get_profile(c.slug).platform for c in FIXTURE_CASES}
    assert {"websphere", "liferay", "unknown"} <= platforms


@pytest.mark.parametrize("case", FIXTURE_CASES, ids=[c.id for c in FIXTURE_CASES])
def test_fixture_page_is_detected_as_its_profiles_platform(case):
    profile = get_profile(case.slug)
    detection = detect(*detect_case(case.path))
    if profile.platform == UNKNOWN:
        # An "unknown" profile gets the generic pages; a page that shows a platform with page classes
        # means the profile should name it (or the detection is wrong): either way, look.
        assert detection.platform not in WITH_PAGES, (
            f"{case.id}: profile says unknown but the page shows {detection.platform}:\n" + "\n".join(detection.evidence))
    else:
        # A page of another era of the portal (Đồng Nai's SharePoint pages) says which platform built it.
        assert detection.platform == case.meta.get("platform", profile.platform), "\n".join(detection.evidence)
        assert detection.confidence in ("high", "medium")


@pytest.mark.parametrize("case", FIXTURE_CASES, ids=[c.id for c in FIXTURE_CASES])
def test_fixture_page_draft_loads_and_keeps_the_profiles_slug(case):
    url, body, content_type = detect_case(case.path)
    detection = detect(url, body, content_type)
    draft = draft_profile(url, body, detection, load_profiles().values(), SUPPORTED, content_type)
    data = load_draft(draft)
    profile = get_profile(case.slug)
    assert draft.slug == case.slug  # the page's host is one the profile covers
    assert data["province"] == profile.province
    assert data["platform"] == (detection.platform if detection.platform in WITH_PAGES else UNKNOWN)


@pytest.mark.parametrize("name", ["listing-chi-dao-dieu-hanh", "listing-english-culture-trap"])
def test_real_hanoi_pages_are_liferay_by_their_own_markup(name):
    detection = detect(*detect_case(fixture_case("ha_noi__sotttt", name).path))
    assert detection.platform == "liferay"
    assert detection.confidence == "high"
    assert any("var Liferay" in line or "p_p_id" in line for line in detection.evidence)
    assert detection.scores.keys() == {"liferay"}  # the page's "Liên kết website" list names no platform


# --------------------------------------------------------------------------------------------------
# One fingerprint at a time, on the page's own host

ROWS = [
    # (fingerprint row of §4, head, body, platform, evidence that must be reported)
    ("wps-portal-link", "", '<a href="/wps/portal/Home/tin-tuc">Tin</a>', "websphere", "/wps/portal in an <a href>"),
    ("wcm-connect-img", "", '<img src="/wps/wcm/connect/lib/3f2a/logo.png">', "websphere", "/wps/wcm/connect in an <img src>"),
    ("mod-ajperes", "", '<img src="/anh/1.jpg?MOD=AJPERES">', "websphere", "MOD=AJPERES in an <img src>"),
    ("cacheid", '<link rel="stylesheet" href="/theme.css?CACHEID=ROOTWORKSPACE-3f2a">', "", "websphere", "CACHEID= in a <link href>"),
    ("wptheme-class", "", '<div class="wpthemeControl a_box">x</div>', "websphere", "wpthemeControl"),
    ("var-liferay", "<script>var Liferay={Browser:{}};</script>", "", "liferay", "var Liferay= in a <head> script"),
    ("p-p-id", "", '<a href="/trang-chu?p_p_id=101_INSTANCE_ab&amp;p_p_lifecycle=0">2</a>', "liferay", "p_p_id= in an <a href>"),
    ("asset-publisher", "", '<a href="/tin/-/asset_publisher/hfn/content/bai">x</a>', "liferay", "/-/asset_publisher/ in an <a href>"),
    ("view-content", "", '<a href="/chi-dao/-/view_content/3615536-thong-bao">x</a>', "liferay", "/-/view_content/ in an <a href>"),
    ("portlet-boundary", "", '<div class="portlet-boundary portlet-boundary_101_">x</div>', "liferay", "portlet-boundary_ in a class name"),
    ("lfr-class", "", '<ul class="pager lfr-pagination-buttons"><li>1</li></ul>', "liferay", "lfr- classes in a class name"),
    ("pages-aspx", "", '<a href="/Pages/tintucsukien.aspx?gId=2">x</a>', "sharepoint", "/Pages/*.aspx in an <a href>"),
    ("trang-aspx", "", '<a href="/Trang/ChiTietTinTuc.aspx?nid=1234">x</a>', "sharepoint", "/Trang/*.aspx in an <a href>"),
    ("lists", "", '<a href="/Lists/News/tintuccamau.aspx">x</a>', "sharepoint", "/Lists/ in an <a href>"),
    ("rte-field", "", '<div class="ms-rtestate-field">x</div>', "sharepoint", "ms-rtestate-field in a class name"),
    ("external-class", "", '<div class="ExternalClass4B3F9A0C2D1E">x</div>', "sharepoint", "ExternalClass in a class name"),
    ("webcenter-portal", "", '<a href="/webcenter/portal/ubnd/pages_tin-tuc">x</a>', "webcenter", "/webcenter/portal/ in an <a href>"),
    ("ddocname", "", '<a href="/chi-tiet?dDocName=PORTAL512708">x</a>', "webcenter", "dDocName= in an <a href>"),
    ("drupal-files", "", '<img src="/sites/default/files/articles/a.jpg">', "drupal", "sites/default/files/ in an <img src>"),
    ("nukeviet-path", "", '<a href="/vi/quyetdinhkhen/khen-thuong-123.html">x</a>', "nukeviet", "/vi/<module>/<alias> in an <a href>"),
    ("nukeviet-generator", '<meta name="generator" content="NukeViet v4.5">', "", "nukeviet", "<meta name=generator>"),
    ("asp-page", "", '<a href="/tintuc.asp?id=2051">x</a>', "classic-asp", "*.asp pages in an <a href>"),
]


@pytest.mark.parametrize("row,head,body,platform,evidence", ROWS, ids=[r[0] for r in ROWS])
def test_each_fingerprint_alone_decides_on_the_pages_own_host(row, head, body, platform, evidence):
    detection = detect(HOST, page(head, body))
    assert detection.platform == platform, "\n".join(detection.evidence)
    assert any(evidence in line for line in detection.evidence), "\n".join(detection.evidence)


def test_every_platform_row_has_a_page():
    assert {r[3] for r in ROWS} == set(ORDER)


def test_the_page_url_alone_is_evidence():
    detection = detect("https://quangnam.gov.vn/webcenter/portal/ubnd/pages_tin-tuc/chi-tiet?dDocName=PORTAL512708", page())
    assert detection.platform == "webcenter"
    assert any("in the page URL" in line for line in detection.evidence)


def test_a_plain_page_is_unknown_with_no_evidence():
    detection = detect(HOST, page(body="<p>Tin tức</p><a href='/gioi-thieu.html'>Giới thiệu</a>"))
    assert (detection.platform, detection.score, detection.confidence, detection.evidence) == (UNKNOWN, 0, "none", ())


def test_fingerprint_words_in_the_text_are_not_evidence():
    body = "<p>Hệ thống chạy trên /wps/portal và Liferay: var Liferay = ... p_p_id= sites/default/files/</p>"
    assert detect(HOST, page(body=body)).platform == UNKNOWN


def test_lower_case_pages_aspx_is_not_sharepoint():
    assert detect(HOST, page(body='<a href="/pages/tin-tuc.aspx">x</a>')).platform == UNKNOWN


# --------------------------------------------------------------------------------------------------
# The synthetic pages in tests/fixtures/synthetic/


def test_drupal_page_is_drupal_and_its_draft_names_no_platform_without_pages():
    url, body, ctype = detect_case(DETECT_FIXTURES / "drupal-subsite")
    detection = detect(url, body, ctype)
    assert detection.platform == "drupal" and detection.label == "Drupal"
    assert any(line.startswith("Drupal +3: sites/default/files/ in an <img src>") for line in detection.evidence)
    draft = draft_profile(url, body, detection, load_profiles().values(), SUPPORTED, ctype)
    data = load_draft(draft)
    assert data["platform"] == UNKNOWN
    assert 'platform = "unknown"  # recognised as Drupal' in draft.text
    assert draft.slug == "an_giang__longxuyen"
    assert (data["province"], data["parent"]) == ("An Giang", "an_giang")
    assert data["name"] == "Cổng thông tin điện tử thành phố Long Xuyên"
    assert data["start_urls"] == ["https://longxuyen.angiang.gov.vn/tin-tuc-su-kien", "https://longxuyen.angiang.gov.vn/thong-bao"]


def test_classic_asp_page_is_classic_asp():
    detection = detect(*detect_case(DETECT_FIXTURES / "classic-asp"))
    assert detection.platform == "classic-asp"
    assert any("*.asp pages in the page URL" in line for line in detection.evidence)
    assert any("*.asp pages in an <a href>: default.asp" in line for line in detection.evidence)


def test_aspnet_webforms_page_with_only_ctl00_ids_is_not_sharepoint():
    detection = detect(*detect_case(DETECT_FIXTURES / "aspnet-webforms"))
    assert detection.platform == UNKNOWN
    assert detection.scores == {}
    assert [line for line in detection.evidence if "ctl00_" in line] == [
        "note: ctl00_ ids (ASP.NET WebForms; not SharePoint by themselves) in an id: ctl00_Head1 (8 times)"]


def test_sharepoint_web_part_ids_are_more_than_ctl00():
    """SharePoint names a web part g_<GUID> inside the ctl00_ chain (Bình Dương's date span, portals.md §3.3)."""
    span = '<span id="ctl00_ctl33_g_23ce25f7_72cf_4c4a_b013_922bcdc41ed2_ctl00_Label_DateTime_Now">1</span>'
    assert detect(HOST, page(body=span)).platform == "sharepoint"


def test_a_link_to_another_hosts_websphere_does_not_decide():
    detection = detect(*detect_case(DETECT_FIXTURES / "stray-websphere-link"))
    assert detection.platform == UNKNOWN
    assert detection.evidence == (
        "IBM WebSphere Portal +1: /wps/portal in an <a href> to another host: https://www.cantho.gov.vn/wps/portal/",)


def test_many_links_to_other_hosts_never_decide():
    links = "".join(f'<a href="https://so{n}.cantho.gov.vn/wps/portal/Home">Sở {n}</a>'
                    f'<option value="https://huyen{n}.camau.gov.vn/wps/wcm/connect/x.png?MOD=AJPERES&amp;CACHEID=1">{n}</option>'
                    for n in range(12))
    detection = detect(HOST, page(body=links))
    assert detection.platform == UNKNOWN
    assert detection.scores["websphere"] == 2


def test_own_evidence_outweighs_links_to_other_platforms():
    body = ('<div class="ms-rtestate-field">x</div><a href="/Trang/ChiTietTinTuc.aspx?nid=1">x</a>'
            + "".join(f'<a href="https://p{n}.example.vn/wps/portal/">{n}</a>' for n in range(5))
            + '<a href="https://daklak.gov.vn/tin/-/asset_publisher/x/content/y">y</a>')
    detection = detect("https://www.quangninh.gov.vn/Trang/tin-tuc-su-kien.aspx", page(body=body))
    assert detection.platform == "sharepoint"
    assert detection.scores["sharepoint"] > detection.scores["websphere"] == 1  # five links, one kind of clue
    assert any("to another host" in line and line.startswith("Liferay +1") for line in detection.evidence)


def test_www_and_bare_host_are_the_same_site():
    detection = detect("https://phuyen.gov.vn/", page(body='<a href="https://www.phuyen.gov.vn/wps/portal/Home">x</a>'))
    assert detection.platform == "websphere"


def test_shapes_count_only_when_no_signature_qualifies():
    """A Liferay site with language paths (/vi/web/…) is Liferay, not NukeViet-style."""
    body = '<a href="/vi/web/guest/tin-tuc">Tin</a><div class="portlet-boundary portlet-boundary_101_"></div>'
    detection = detect(HOST, page(body=body))
    assert detection.platform == "liferay"
    assert detection.scores["nukeviet"] == 3


def test_detection_reads_legacy_encodings_the_projects_way():
    body = ('<html><head><meta charset="windows-1258"><title>Tin t\u1ee9c</title></head><body>'
            '<a href="/wps/portal/Home">Trang ch\u1ee7</a></body></html>')
    raw = body.replace("\u1ee9", "u\u0301").replace("\u1ee7", "u\u0309").encode("cp1258", "ignore")
    assert detect("https://cantho.gov.vn/", raw).platform == "websphere"


# --------------------------------------------------------------------------------------------------
# Draft profiles


def test_draft_for_a_new_sub_site_guesses_province_slug_parent_and_news_categories():
    body = page(
        head='<meta property="og:site_name" content="Sở Y tế tỉnh Quảng Ngãi">',
        body=('<nav><a href="/">Trang chủ</a><a href="/gioi-thieu">Giới thiệu</a>'
              '<a href="/tin-tuc-su-kien">Tin tức - Sự kiện</a><a href="/chi-dao-dieu-hanh#top">Chỉ đạo điều hành</a>'
              '<a href="https://baochinhphu.vn/tin-tuc">Tin tức</a></nav>'
              '<a href="/tin-tuc-su-kien">Tin tức - Sự kiện</a>'
              '<a href="/thong-bao-lich-tiep-cong-dan-thang-6-nam-2025">Thông báo lịch tiếp công dân tháng 6 năm 2025</a>'
              '<script>var Liferay={};</script>'))
    url = "https://soyte.quangngai.gov.vn/trang-chu"
    draft = draft_of(url, body)
    data = load_draft(draft)
    assert draft.slug == "quang_ngai__soyte"
    assert {k: data[k] for k in ("name", "province", "platform", "home", "status", "parent")} == {
        "name": "Sở Y tế tỉnh Quảng Ngãi", "province": "Quảng Ngãi", "platform": "liferay",
        "home": "https://soyte.quangngai.gov.vn/", "status": "unverified", "parent": "quang_ngai"}
    assert data["start_urls"] == ["https://soyte.quangngai.gov.vn/tin-tuc-su-kien", "https://soyte.quangngai.gov.vn/chi-dao-dieu-hanh"]
    assert "guesses" in draft.text and "check each one" in draft.text


def test_draft_name_falls_back_to_the_title_suffix():
    body = "<html><head><title>Chỉ đạo điều hành - Sở Tư pháp</title></head><body></body></html>".encode()
    data = load_draft(draft_of("https://stp.hanoi.gov.vn/chi-dao-dieu-hanh", body))
    assert data["name"] == "Sở Tư pháp"
    assert data["province"] == "Hà Nội"


def test_draft_slug_drops_the_city_prefix_of_a_province_name():
    draft = draft_of("https://sotttt.hochiminhcity.gov.vn/", page())
    assert draft.slug == "ho_chi_minh__sotttt"
    assert load_draft(draft)["province"] == "TP Hồ Chí Minh"


def test_draft_for_an_unmatched_host_leaves_a_clear_placeholder_and_still_loads():
    draft = draft_of("https://www.mic.gov.vn/Pages/TinTuc/tinchitiet.aspx", page())
    data = load_draft(draft)
    assert data["province"] == ""
    assert data["platform"] == ("sharepoint" if "sharepoint" in WITH_PAGES else UNKNOWN)
    assert 'province = ""  # FILL IN: no existing profile\'s home or hosts match mic.gov.vn' in draft.text
    assert draft.slug == "mic" and SLUG.match(draft.slug)
    assert "No link on this page reads like a news category" in draft.text and data["start_urls"] == []


def test_draft_text_survives_quotes_and_backslashes_in_names():
    body = page(head='<meta property="og:site_name" content="Cổng &quot;Một cửa&quot; C:\\tinh">')
    assert load_draft(draft_of("https://motcua.laocai.gov.vn/", body))["name"] == 'Cổng "Một cửa" C:\\tinh'


# --------------------------------------------------------------------------------------------------
# `scrapy detect`, run for real


def draft_part(stdout: str) -> dict:
    assert "Draft profile (save as scraper/portals/" in stdout
    return tomllib.loads(stdout.split("after checking it):\n", 1)[1])


def test_command_on_a_saved_page_reads_meta_json_beside_it():
    proc = scrapy("detect", "tests/fixtures/real/ha_noi__sotttt/listing-chi-dao-dieu-hanh/page.html")
    assert proc.stdout.startswith("Platform: Liferay (liferay; score ")
    assert "var Liferay= in a <head> script" in proc.stdout
    assert "Draft profile (save as scraper/portals/ha_noi__sotttt.toml after checking it)" in proc.stdout
    data = draft_part(proc.stdout)
    parse_profile(Path("ha_noi__sotttt.toml"), data, PLATFORM_NAMES)
    assert (data["platform"], data["province"], data["home"]) == ("liferay", "Hà Nội", "https://sotttt.hanoi.gov.vn/")


def test_command_on_a_saved_page_with_url_option(tmp_path):
    (tmp_path / "saved.html").write_bytes((DETECT_FIXTURES / "classic-asp" / "page.html").read_bytes())
    proc = scrapy("detect", str(tmp_path / "saved.html"), "--url", "http://www.tiengiang.gov.vn/tintuc.asp?cat=1")
    assert proc.stdout.startswith("Platform: classic ASP (classic-asp; ")
    assert "The project has no page classes for classic ASP" in proc.stdout
    data = draft_part(proc.stdout)
    assert (data["platform"], data["province"]) == (UNKNOWN, "Tiền Giang")


def test_command_on_a_saved_page_without_its_address_detects_but_drafts_nothing(tmp_path):
    (tmp_path / "saved.html").write_bytes((DETECT_FIXTURES / "drupal-subsite" / "page.html").read_bytes())
    proc = scrapy("detect", str(tmp_path / "saved.html"))
    assert proc.stdout.startswith("Platform: Drupal (drupal; ")
    assert "No draft profile: the page's original address is unknown" in proc.stdout


def test_command_on_a_local_url(tmp_path):
    body = (fixture_case("quang_ngai", "listing-first-page").path / "page.html").read_bytes()
    root = write_site(tmp_path / "site", {"/web/portal-qni/tin-noi-bat": body}, {})
    with MirrorServer(root) as server:
        proc = scrapy("detect", f"{server.origin}/web/portal-qni/tin-noi-bat")
        missing = scrapy("detect", f"{server.origin}/khong-co", check=False)
        assert server.counter["paths"] == ["/web/portal-qni/tin-noi-bat", "/khong-co"]
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.strip() == f"Cannot read {server.origin}/khong-co: HTTP 404 Not Found"
    assert proc.stdout.startswith("Platform: Liferay (liferay; ")
    assert "/-/asset_publisher/ in an <a href>" in proc.stdout
    data = draft_part(proc.stdout)
    parse_profile(Path("new_portal.toml"), data, PLATFORM_NAMES)
    assert data["home"] == f"{server.origin}/" and data["province"] == ""
    assert data["start_urls"][0] == f"{server.origin}/web/portal-qni/tin-noi-bat"


def test_command_fetches_with_the_projects_user_agent():
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers.get("User-Agent", ""))
            body = page(body='<a href="/tintuc.asp?id=1">Tin tức</a>')
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        proc = scrapy("detect", f"http://127.0.0.1:{server.server_address[1]}/default.asp")
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [USER_AGENT]
    assert proc.stdout.startswith("Platform: classic ASP")


def test_command_on_a_url_nobody_answers_exits_2_without_a_traceback():
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = scrapy("detect", f"http://127.0.0.1:{port}/tin-tuc", "--timeout", "5", check=False)
    assert proc.returncode == 2
    assert f"Cannot read http://127.0.0.1:{port}/tin-tuc: " in proc.stderr
    assert "refused" in proc.stderr.lower()
    assert "Traceback" not in proc.stderr + proc.stdout


def test_command_on_a_missing_file_exits_2(tmp_path):
    proc = scrapy("detect", str(tmp_path / "nothing.html"), check=False)
    assert proc.returncode == 2
    assert "No such file" in proc.stderr and "Traceback" not in proc.stderr


def test_command_help_has_examples():
    proc = scrapy("detect", "-h")
    assert "Examples:" in proc.stdout and "scrapy detect saved.html --url https://" in proc.stdout
