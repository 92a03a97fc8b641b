"""Canonical URLs: generic rules and the platforms' article keys."""

from __future__ import annotations

import pytest

from scraper.core.urls import canonical_url, rebase
from scraper.platforms import platform

Liferay, WebSphere = platform("liferay"), platform("websphere")


@pytest.mark.parametrize("url,key", [
    ("http://www.phuyen.gov.vn/a/b#top", "https://phuyen.gov.vn/a/b"),
    ("https://PhuYen.gov.vn:443/a;jsessionid=0A1B2C/b?utm_source=fb&fbclid=x&id=5", "https://phuyen.gov.vn/a/b?id=5"),
    ("https://x.gov.vn/tin?page=3&id=9&PHPSESSID=abc", "https://x.gov.vn/tin?id=9"),
    ("https://x.gov.vn/tin?b=2&a=1", "https://x.gov.vn/tin?a=1&b=2"),
    ("https://www.quangngai.gov.vn/web/portal-qni/xem-chi-tiet/-/asset_publisher/Content/abc?12150284", "https://quangngai.gov.vn/web/portal-qni/xem-chi-tiet/-/asset_publisher/Content/abc?12150284"),
    ("https://x.gov.vn/tin-t%E1%BB%A9c/a%20b", "https://x.gov.vn/tin-t%E1%BB%A9c/a%20b"),
])
def test_generic_canonical(url, key):
    assert canonical_url(url) == key
    assert canonical_url(key) == key  # canonical is a fixed point


def test_websphere_key_is_the_wcm_path_never_the_state_url():
    url = "http://www.phuyen.gov.vn/wps/portal/Home/chi-tiet-tin?1dmy&current=true&urile=wcm%3Apath%3A%2Fphuyen%2Fsite%2Ftin-tuc%2Fa"
    assert WebSphere.canonical(url) == "https://phuyen.gov.vn/wps/portal/Home/chi-tiet-tin?urile=wcm:path:/phuyen/site/tin-tuc/a"
    state = "http://www.phuyen.gov.vn/wps/portal/Home/!ut/p/z1/04_Sj9CPykssy0xPLMnMz0vMAfIjo8zi/dz/d5/L2dBISEvZ0FBIS9nQSEh/"
    assert WebSphere.canonical(state) == "https://phuyen.gov.vn/wps/portal/Home/"
    print_view = "https://vinhlong.gdt.gov.vn/wps/wcm/connect/VinhLong/site/news/x?presentationTemplate=Lib%2Fpt&MOD=AJPERES"
    assert WebSphere.canonical(print_view) == \
        "https://vinhlong.gdt.gov.vn/wps/wcm/connect/VinhLong/site/news/x"


def test_liferay_key_drops_portlet_state_and_language_tails():
    url = ("https://sotttt.hanoi.gov.vn/web/sotttt-eng/culture/-/view_content/737358-thang-long.html/vi"
           "?p_p_id=101_INSTANCE_x&p_p_lifecycle=0&_101_INSTANCE_x_cur=2&_101_INSTANCE_x_redirect=%2Fweb")
    assert Liferay.canonical(url) == "https://sotttt.hanoi.gov.vn/web/sotttt-eng/culture/-/view_content/737358-thang-long.html"


def test_rebase_maps_a_mirror_back_to_the_portal():
    assert rebase("http://127.0.0.1:8001/wps/portal/x?y=1", "http://127.0.0.1:8001", "https://www.phuyen.gov.vn") == \
        "https://www.phuyen.gov.vn/wps/portal/x?y=1"
    assert rebase("https://127.0.0.1:8001/a", "http://127.0.0.1:8001", "https://www.phuyen.gov.vn") == "https://www.phuyen.gov.vn/a"
    assert rebase("http://127.0.0.1:9999/a", "http://127.0.0.1:8001", "https://www.phuyen.gov.vn") == "http://127.0.0.1:9999/a"
