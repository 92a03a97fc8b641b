"""SharePoint and WebCenter pages: article keys, which links are articles, date order, paging."""

from __future__ import annotations

import pytest

from scraper.core.urls import canonical_url
from scraper.platforms import article_page, listing_page, platform
from scraper.portals import get_profile, load_profile, pages_for

SHAREPOINT, WEBCENTER = platform("sharepoint"), platform("webcenter")

SP_LIST_ROW = (
    '<table class="ms-listviewtable"><tr class="ms-viewheadertr"><th><a href="javascript:">Tiêu đề</a></th></tr>'
    '<tr><td class="ms-vb-title"><a href="/Lists/TinTuc/DispForm.aspx?ID=7">Tin một</a></td>'
    '<td class="ms-vb2"><nobr>{date}</nobr></td></tr></table>'
)
SP_CATEGORY_ITEM = '<div class="lnew"><a href="newsdetail.aspx?NewsId=7">Tin một</a> <span>({date})</span></div>'


def listing(spec, url: str, html: str, profile=None):
    return listing_page(spec, url, html.encode("utf-8"), fetched_at="2024-03-16T08:00:00+07:00", profile=profile)


@pytest.mark.parametrize("url,key", [
    ("http://www.quangninh.gov.vn/Trang/ChiTietTinTuc.aspx?nid=124503&gId=2#top",
     "https://quangninh.gov.vn/Trang/ChiTietTinTuc.aspx?nid=124503"),
    # Hải Dương's links carry the title as a parameter: decoration, like the category.
    ("https://web01.haiduong.gov.vn/Trang/ChiTietTinTuc.aspx?nid=13066&title=khu-di-tich-quoc-gia.html",
     "https://web01.haiduong.gov.vn/Trang/ChiTietTinTuc.aspx?nid=13066"),
    # Ids are per site: a department's nid keeps its path. ASP.NET reads NID as nid.
    ("https://www.quangninh.gov.vn/So/soxaydung/Trang/ChiTietTinTuc.aspx?NID=5479",
     "https://quangninh.gov.vn/So/soxaydung/Trang/ChiTietTinTuc.aspx?nid=5479"),
    ("https://mic.gov.vn/mic_2020/Pages/TinTuc/139482/Bo-TTTT-ban-hanh-ke-hoach.html?cm=5",
     "https://mic.gov.vn/mic_2020/Pages/TinTuc/139482/"),
    ("https://www.dongnai.gov.vn/Pages/newsdetail.aspx?CatId=2&NewsId=245873",
     "https://dongnai.gov.vn/Pages/newsdetail.aspx?NewsId=245873"),
    ("https://moet.gov.vn/tintuc/Pages/tin-tong-hop.aspx?ItemID=8123&gId=3",
     "https://moet.gov.vn/tintuc/Pages/tin-tong-hop.aspx?ItemID=8123"),
    (("https://www.dongnai.gov.vn/Lists/TinTuc/DispForm.aspx?ID=152"
      "&Source=https%3A%2F%2Fwww.dongnai.gov.vn%2FLists%2FTinTuc%2FAllItems.aspx&ContentTypeId=0x0100"),
     "https://dongnai.gov.vn/Lists/TinTuc/DispForm.aspx?ID=152"),
    # No SharePoint id: listing parameters go, an unknown one stays (dropping it could merge two articles).
    ("https://x.gov.vn/Pages/chitiet.aspx?id=77&gId=2&Page=3", "https://x.gov.vn/Pages/chitiet.aspx?id=77"),
])
def test_sharepoint_key_is_the_item_id(url, key):
    assert SHAREPOINT.canonical(url) == key
    assert SHAREPOINT.canonical(key) == key
    assert canonical_url(key) == key  # the normalize pipeline canonicalizes again


@pytest.mark.parametrize("url,key", [
    (("https://quangnam.gov.vn/webcenter/portal/ubnd/pages_tin-tuc/chi-tiet?dDocName=PORTAL512708&_afrLoop=4412087351929614"
      "&_afrWindowMode=0&_adf.ctrl-state=1b2k3m4n5p_4#%40%3F_afrLoop%3D4412087351929614"),
     "https://quangnam.gov.vn/webcenter/portal/ubnd/pages_tin-tuc/chi-tiet?dDocName=PORTAL512708"),
    ("http://www.quangnam.gov.vn/webcenter/portal/ubnd/pages_tin-tuc/chi-tiet;jsessionid=AbC123?ddocname=PORTAL512708&lang=vi",
     "https://quangnam.gov.vn/webcenter/portal/ubnd/pages_tin-tuc/chi-tiet?dDocName=PORTAL512708"),
    # Not an article: ADF state goes, what names the listing stays.
    ("https://www.mof.gov.vn/webcenter/portal/tttc/r/o/ttsk?_afrLoop=2000043207816979&docType=TinBai",
     "https://mof.gov.vn/webcenter/portal/tttc/r/o/ttsk?docType=TinBai"),
])
def test_webcenter_key_is_the_doc_name(url, key):
    assert WEBCENTER.canonical(url) == key
    assert WEBCENTER.canonical(key) == key
    assert canonical_url(key) == key


@pytest.mark.parametrize("url,article", [
    ("https://www.quangninh.gov.vn/Trang/ChiTietTinTuc.aspx?nid=124503", True),
    ("https://mic.gov.vn/mic_2020/Pages/TinTuc/139482/Bo-TTTT-ban-hanh.html", True),
    ("https://moet.gov.vn/tintuc/Pages/tin-tong-hop.aspx?ItemID=8123", True),
    ("https://www.dongnai.gov.vn/Pages/newsdetail.aspx?NewsId=245873&CatId=2", True),
    ("https://www.dongnai.gov.vn/Lists/TinTuc/DispForm.aspx?ID=152", True),
    ("https://www.quangninh.gov.vn/Trang/tin-tuc-su-kien.aspx?Page=2", False),
    ("https://www.dongnai.gov.vn/Pages/tintucsukien.aspx?gId=2", False),
    ("https://www.dongnai.gov.vn/Lists/TinTuc/AllItems.aspx", False),
    ("https://moet.gov.vn/rss/Pages/index.aspx?ItemID=54", False),
    ("https://www.quangninh.gov.vn/Trang/ChiTietTinTuc.aspx?nid=abc", False),
])
def test_sharepoint_article_links(url, article):
    assert SHAREPOINT.is_article_url(url) is article


@pytest.mark.parametrize("url,article", [
    ("https://quangnam.gov.vn/webcenter/portal/ubnd/pages_tin-tuc/chi-tiet?dDocName=PORTAL512708", True),
    ("https://tienphuoc.quangnam.gov.vn/webcenter/documentContent?dDocName=PORTAL470982", False),
    ("https://quangnam.gov.vn/cs/idcplg?IdcService=GET_FILE&dDocName=PORTAL470982", False),
    ("https://quangnam.gov.vn/webcenter/portal/ubnd/pages_tin-tuc?selectedPage=2", False),
])
def test_webcenter_article_links(url, article):
    page = listing(WEBCENTER, "https://quangnam.gov.vn/webcenter/portal/ubnd/pages_tin-tuc", "<html></html>")
    assert page.is_article_url(url) is article


def test_sharepoint_list_views_read_dates_month_first_and_other_pages_day_first():
    dong_nai = get_profile("dong_nai")  # its SharePoint-era category items are its quirk's (scraper.quirks.dong_nai)
    ordinary = listing(pages_for(dong_nai), "https://www.dongnai.gov.vn/Pages/tintucsukien.aspx?gId=2",
                       SP_CATEGORY_ITEM.format(date="05/11/2019"), dong_nai)
    assert [e.published_at for e in ordinary.entries()] == ["2019-11-05"]
    # A list view is known by its table, wherever it is embedded ...
    embedded = listing(SHAREPOINT, "https://thuvien.camau.gov.vn/Pages/tintuc.aspx",
                       SP_LIST_ROW.format(date="11/19/2019 3:00 PM"))
    assert [e.published_at for e in embedded.entries()] == ["2019-11-19T15:00:00+07:00"]
    # ... or by its address, whatever its markup.
    under_lists = listing(pages_for(dong_nai), "https://thuvien.camau.gov.vn/Lists/News/tintuccamau.aspx",
                          SP_CATEGORY_ITEM.format(date="05/11/2019"), dong_nai)
    assert [e.published_at for e in under_lists.entries()] == ["2019-05-11"]


def test_a_day_first_date_on_a_list_view_is_a_problem_not_a_guess():
    page = listing(SHAREPOINT, "https://thuvien.camau.gov.vn/Lists/News/tintuccamau.aspx",
                   SP_LIST_ROW.format(date="19/11/2019 15:00"))
    assert [e.published_at for e in page.entries()] == [None]
    assert [str(p) for p in page.problems] == ["date-order: '19/11/2019 15:00' is not month/day/year, the order this page's dates "
                                               "are read in"]


def test_a_profile_can_force_month_first(tmp_path):
    path = tmp_path / "dong_nai.toml"
    path.write_text('name = "x"\nprovince = "y"\nplatform = "sharepoint"\ndate_order = "mdy"\n'
                    '[listing]\nitem = "div.lnew, div.news1"\ndate = "div.lnew span"\n', encoding="utf-8")
    page = listing(SHAREPOINT, "https://www.dongnai.gov.vn/Pages/tintucsukien.aspx?gId=2",
                   SP_CATEGORY_ITEM.format(date="05/11/2019"), profile=load_profile(path))
    assert [e.published_at for e in page.entries()] == ["2019-05-11"]


def test_sharepoint_list_forms_read_dates_month_first():
    form = article_page(SHAREPOINT, "https://www.dongnai.gov.vn/Lists/TinTuc/DispForm.aspx?ID=152", b"<html></html>")
    news = article_page(SHAREPOINT, "https://www.dongnai.gov.vn/Pages/newsdetail.aspx?NewsId=245873", b"<html></html>")
    assert form.parse_date("11/12/2019 2:30 PM") == "2019-11-12T14:30:00+07:00"
    assert news.parse_date("11/12/2019 14:30") == "2019-12-11T14:30:00+07:00"


@pytest.mark.parametrize("guid", ["23ce25f7_72cf_4c4a_b013_922bcdc41ed2", "0a1b2c3d_4e5f_4a6b_8c7d_9e0f1a2b3c4d"])
def test_a_date_control_is_found_by_its_id_suffix(guid):
    html = (f'<div class="title-news">Tin một</div><span id="ctl00_ctl33_g_{guid}_ctl00_Label_DateTime_Now">19/11/2019</span>'
            '<div class="divNoiDungTinBai"><div class="ExternalClass7FA29CA78DC54769852B69DAFFB2A158">'
            '<p>Đoạn một của bài viết, đủ dài để là một đoạn văn.</p></div></div>')
    page = article_page(SHAREPOINT, "https://www.binhduong.gov.vn/Pages/chitiet.aspx?ItemID=1", html.encode("utf-8"),
                        profile=get_profile("binh_duong"))
    assert page.published_at() == "2019-11-19"
    assert page.body.paragraphs == ["Đoạn một của bài viết, đủ dài để là một đoạn văn."]
    assert (page.sources["published"], page.sources["body_text"]) == ("profile", "platform")


def test_sharepoint_next_page_stays_in_its_listing():
    html = ('<div class="box"><a href="ChuyenMuc.aspx?cm=M%C3%B4i%20tr%C6%B0%E1%BB%9Dng&amp;PageIndex=4">4</a></div>'
            '<div class="pager"><a href="ChuyenMuc.aspx?cm=%C4%90%E1%BA%A5t%20%C4%91ai&amp;PageIndex=2">2</a> <span>3</span> '
            '<a href="ChuyenMuc.aspx?cm=%C4%90%E1%BA%A5t%20%C4%91ai&amp;PageIndex=4">4</a></div>')
    page = listing(SHAREPOINT, "https://monre.gov.vn/Pages/ChuyenMuc.aspx?cm=%C4%90%E1%BA%A5t%20%C4%91ai&PageIndex=3", html)
    assert page.next_page() == "https://monre.gov.vn/Pages/ChuyenMuc.aspx?cm=%C4%90%E1%BA%A5t%20%C4%91ai&PageIndex=4"
    assert page.sources["next"] == "platform"


def test_a_postback_pager_is_reported():
    html = ('<a href="newsdetail.aspx?NewsId=7">Tin một</a><div class="pager"><span>1</span> '
            "<a href=\"javascript:__doPostBack('ctl00$m$g_5b1c$ctl00$rptPager$ctl01$lnkPage','')\">2</a> "
            "<a href=\"javascript:__doPostBack('ctl00$m$g_5b1c$ctl00$lnkNext','')\">Tiếp</a></div>")
    page = listing(SHAREPOINT, "https://www.binhduong.gov.vn/Pages/tin-tuc.aspx", html)
    assert page.next_page() is None
    assert [p.kind for p in page.problems] == ["paging-postback"]


def test_webcenter_next_page_keeps_the_listing_parameters():
    base = "https://www.mof.gov.vn/webcenter/portal/tttc/pages_r/o/hdntc"
    html = (f'<a href="{base}?selectedPage=3&amp;docType=VanBan&amp;mucHienThi=1902">3</a>'
            f'<a href="{base}?selectedPage=3&amp;docType=TinBai&amp;mucHienThi=1902">3</a>')
    page = listing(WEBCENTER, f"{base}?selectedPage=2&docType=TinBai&mucHienThi=1902&_afrLoop=2000043207816979", html)
    assert page.next_page() == f"{base}?selectedPage=3&docType=TinBai&mucHienThi=1902"


def test_webcenter_listing_items_inside_an_article_body_are_not_its_text():
    paragraphs = "".join(f"<p>Đoạn {n} của bài viết về công tác chuẩn bị mùa mưa bão trên địa bàn tỉnh năm nay.</p>" for n in range(3))
    html = (f'<div class="noi-dung">{paragraphs}<div class="bnc-content"><h4><a href="/webcenter/portal/ubnd/pages_tin-tuc/'
            'chi-tiet?dDocName=PORTAL1">Tin cùng chuyên mục</a></h4><span class="time">14/03/2024 10:05:12</span></div></div>')
    page = article_page(WEBCENTER, "https://quangnam.gov.vn/webcenter/portal/ubnd/pages_tin-tuc/chi-tiet?dDocName=PORTAL2",
                        html.encode("utf-8"))
    assert page.body.paragraphs == [f"Đoạn {n} của bài viết về công tác chuẩn bị mùa mưa bão trên địa bàn tỉnh năm nay." for n in range(3)]
