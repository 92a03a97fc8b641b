"""Builds the local sites the project crawls offline: the sample mirror and the benchmark site.

The sample mirror (``data/mirror/``) is a reconstruction of two portals on different platforms:
Phú Yên (IBM WebSphere Portal, retired in 2025) carrying the seed article, and Quảng Ngãi
(Liferay). Their markup follows what is known of those platforms and sites (URL shapes, WCM paging,
Liferay portlet parameters, Quảng Ngãi's theme classes); each mirror's meta.json says it is a
reconstruction. Output is deterministic, so the committed mirror can be checked against this code.

    python -m bench.sitegen mirror data/mirror
    python -m bench.sitegen bench /tmp/bench-site --articles 5000
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import random
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from bench.sitegen_content import Article, ascii_slug, compose, seed_article

E = html.escape


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


def _date(a: Article) -> tuple[str, str]:
    y, m, d, hh, mm = a.published
    return f"{d:02d}/{m:02d}/{y}", f"{hh:02d}:{mm:02d}"


class MirrorWriter:
    """Collects pages and routes for one mirror directory."""

    def __init__(self, root: Path, meta: dict, robots: str):
        self.root = root
        self.routes: dict[str, dict] = {}
        if root.exists():
            shutil.rmtree(root)
        (root / "pages").mkdir(parents=True)
        (root / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (root / "robots.txt").write_text(robots, encoding="utf-8")

    def page(self, target: str, name: str, text: str, status: int = 200) -> None:
        (self.root / "pages" / name).write_bytes(text.encode("utf-8"))
        route = {"file": f"pages/{name}"}
        if status != 200:
            route["status"] = status
        self.routes[target] = route

    def redirect(self, target: str, location: str, status: int = 302) -> None:
        self.routes[target] = {"status": status, "headers": {"Location": location}}

    def close(self) -> None:
        (self.root / "routes.json").write_text(
            json.dumps(dict(sorted(self.routes.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


# --------------------------------------------------------------------------------------------------
# Phú Yên: IBM WebSphere Portal 8.5 with WCM presentation templates


class PhuYen:
    origin = "https://www.phuyen.gov.vn"
    library = "phuyen"
    categories = {
        "tin-tuc-su-kien": "Tin tức - Sự kiện",
        "chi-dao-dieu-hanh": "Chỉ đạo - Điều hành",
    }
    per_page = 8
    pager_id = "a4b8c2e0-7d1f-4c53-9c2a-5e7b1d0f3a11"

    def listing_url(self, cat: str, page: int = 1) -> str:
        base = f"/wps/portal/Home/tin-tuc/{cat}"
        return base if page == 1 else f"{base}?WCM_Page.{self.pager_id}={page}"

    def article_url(self, cat: str, a: Article) -> str:
        path = f"wcm:path:/{self.library}/site/tin-tuc/{cat}/{a.slug}"
        return f"/wps/portal/Home/chi-tiet-tin?1dmy&current=true&urile={quote(path, safe='')}"

    def chrome(self, title: str, main: str, latest: list[tuple[str, str]]) -> str:
        menu = "".join(
            f'<li class="wpthemeNavListItem"><a href="{E(self.listing_url(c))}">{E(n)}</a></li>' for c, n in self.categories.items()
        )
        side = "".join(f'<li><a href="{E(u)}">{E(t)}</a></li>' for u, t in latest)
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="UTF-8">
<title>{E(title)} - Cổng thông tin điện tử tỉnh Phú Yên</title>
<link rel="stylesheet" href="/wps/wcm/connect/{self.library}/{_uuid('css')}/theme.css?MOD=AJPERES&amp;CACHEID={_uuid('css')}">
<script type="text/javascript">var ibmCfg = {{"portalConfig":{{"contentHandlerURI":"/wps/mycontenthandler/!ut/p/digest!abc/",\
"isVirtualPortal":false,"locale":"vi"}}}};</script>
</head>
<body class="lotusui30dojo tundra locale_vi">
<div class="wpthemeFrame">
<header class="wpthemeHeader"><div class="wpthemeInner">
<a class="wpthemeBanner" href="/wps/portal/Home"><img src="/wps/wcm/connect/{self.library}/{_uuid('logo')}/logo.png?MOD=AJPERES" \
alt="Cổng thông tin điện tử tỉnh Phú Yên"></a>
<nav class="wpthemeMainNav"><ul class="wpthemeNavList"><li class="wpthemeNavListItem"><a href="/wps/portal/Home">Trang chủ</a></li>\
{menu}</ul></nav>
</div></header>
<div id="layoutContainers" class="wpthemeLayoutContainers"><div class="wpthemeInner">
<div class="component-container wpthemeCol wpthemeCol9of12">
<section class="ibmPortalControl wpthemeControl a11yRegionTarget">
<div class="wpthemeControlHeader"><h2>{E(title)}</h2></div>
<div class="wpthemeControlBody">
{main}
</div>
</section>
</div>
<div class="component-container wpthemeCol wpthemeCol3of12">
<section class="ibmPortalControl wpthemeControl"><div class="wpthemeControlHeader"><h2>Tin mới</h2></div>
<div class="wpthemeControlBody"><ul class="tin-moi">{side}</ul></div></section>
</div>
</div></div>
<footer class="wpthemeFooter"><p>CỔNG THÔNG TIN ĐIỆN TỬ TỈNH PHÚ YÊN</p>
<p>Cơ quan chủ quản: Văn phòng UBND tỉnh Phú Yên. Địa chỉ: 08 Trần Hưng Đạo, TP Tuy Hòa, tỉnh Phú Yên.</p>
<p>Ghi rõ nguồn "Cổng thông tin điện tử tỉnh Phú Yên" khi phát hành lại thông tin từ nguồn này.</p></footer>
</div>
</body>
</html>
"""

    def article(self, cat: str, a: Article, latest) -> str:
        date, time = _date(a)
        parts = ['<p>&nbsp;</p>'] if a.is_seed else []
        if a.lead:
            parts.append(f'<p class="tom-tat-tin"><strong>{E(a.lead)}</strong></p>')
        images = list(a.images)
        for i, para in enumerate(a.paragraphs):
            if images and (i == 0 or (a.is_seed and i == 2)):
                cap = images.pop(0)
                src = f"/wps/wcm/connect/{self.library}/{_uuid(a.slug, str(i))}/{i + 1}.jpg?MOD=AJPERES&amp;CACHEID={_uuid(a.slug, str(i))}"
                parts.append(f'<p style="text-align: center;"><img alt="{E(cap)}" src="{src}" width="600"></p>')
                parts.append(f'<p style="text-align: center;"><em>{E(cap)}</em></p>')
            parts.append(f'<p style="text-align: justify;">&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;{E(para)}</p>')
        for name, label in a.attachments:
            parts.append(f'<p>{E(label)}: <a href="/wps/wcm/connect/{self.library}/{_uuid(name)}/{name}?MOD=AJPERES">{E(name)}</a></p>')
        if a.author:
            parts.append(f'<p style="text-align: right;"><strong>{E(a.author)}</strong></p>')
        if a.source:
            parts.append(f'<p style="text-align: right;"><em>Nguồn: {E(a.source)}</em></p>')
        body = "\n".join(parts)
        main = f"""<ul class="wpthemeBreadcrumb"><li><a href="/wps/portal/Home">Trang chủ</a></li>\
<li><a href="{E(self.listing_url(cat))}">{E(self.categories[cat])}</a></li></ul>
<div class="tintuc-chitiet">
<a class="quay-lai" href="javascript:history.back()">&lt;&lt; Quay Lại</a>
<h1 class="tieude-tin">{E(a.title)}</h1>
<div class="ngay-dang-tin">{time}, {date} [GMT+7]</div>
<div class="tools"><a href="javascript:window.print()">In trang</a> | <a href="mailto:?subject={quote(a.title)}">Gửi email</a></div>
<div class="noidung-tin">
{body}
</div>
<div class="tin-lien-quan"><h3>Các tin khác</h3><ul>{''.join(f'<li><a href="{E(u)}">{E(t)}</a></li>' for u, t in latest[:3])}</ul></div>
</div>"""
        return self.chrome(a.title, main, latest)

    def listing(self, cat: str, page: int, pages: int, items: list[Article]) -> str:
        rows = []
        for a in items:
            date, time = _date(a)
            rows.append(
                f'<div class="tin-item"><a class="title" href="{E(self.article_url(cat, a))}">{E(a.title)}</a>'
                f'<span class="date">({date})</span>'
                + (f'<p class="mo-ta">{E(a.lead)}</p>' if a.lead else "") + "</div>"
            )
        pager = []
        for n in range(1, pages + 1):
            pager.append(f'<span class="current">{n}</span>' if n == page else f'<a href="{E(self.listing_url(cat, n))}">{n}</a>')
        if page < pages:
            pager.append(f'<a href="{E(self.listing_url(cat, page + 1))}">»</a>')
        main = f'<div class="danhsach-tin">{"".join(rows)}</div><div class="wcm-pager">{" ".join(pager)}</div>'
        return self.chrome(self.categories[cat], main, [])


# --------------------------------------------------------------------------------------------------
# Quảng Ngãi: Liferay 7 with the provincial theme (box-news-xx, h2-title-xx, date_post)


class QuangNgai:
    origin = "https://www.quangngai.gov.vn"
    categories = {
        "tin-noi-bat": "Tin nổi bật",
        "chi-dao-dieu-hanh": "Chỉ đạo - Điều hành",
    }
    per_page = 8
    instance = "k7xBbFRq2bOa"

    def listing_url(self, cat: str, page: int = 1) -> str:
        base = f"/web/portal-qni/{cat}"
        if page == 1:
            return base
        i = self.instance
        return (f"{base}?p_p_id=101_INSTANCE_{i}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&p_p_col_id=column-2"
                f"&p_p_col_count=1&_101_INSTANCE_{i}_delta={self.per_page}&_101_INSTANCE_{i}_cur={page}")

    def article_url(self, a: Article, number: int) -> str:
        return f"/web/portal-qni/xem-chi-tiet/-/asset_publisher/Content/{a.slug}?{12150000 + number}"

    def chrome(self, title: str, main: str) -> str:
        menu = "".join(f'<li><a href="{E(self.listing_url(c))}">{E(n)}</a></li>' for c, n in self.categories.items())
        return f"""<!DOCTYPE html>
<html class="ltr" dir="ltr" lang="vi-VN">
<head>
<title>{E(title)} - Cổng thông tin điện tử tỉnh Quảng Ngãi</title>
<meta content="text/html; charset=UTF-8" http-equiv="content-type" />
<link href="/o/qni-theme/images/favicon.ico" rel="icon" />
<script type="text/javascript">var Liferay={{Browser:{{}},ThemeDisplay:{{getLanguageId:function(){{return "vi_VN";}},\
getScopeGroupId:function(){{return "20182";}}}}}};</script>
</head>
<body class="controls-visible yui3-skin-sam guest-site signed-out public-page site">
<div id="wrapper" class="container-fluid">
<header id="banner"><a class="logo" href="/web/portal-qni"><img alt="Cổng thông tin điện tử tỉnh Quảng Ngãi" \
src="/o/qni-theme/images/logo.png"></a>
<nav id="navigation"><ul><li><a href="/web/portal-qni">Trang chủ</a></li>{menu}</ul></nav></header>
<section id="content">
<div class="portlet-boundary portlet-boundary_101_ portlet-static portlet-asset-publisher" id="p_p_id_101_INSTANCE_{self.instance}_">
<div class="portlet-body">
{main}
</div></div>
</section>
<footer id="footer"><p>Cơ quan chủ quản: UBND tỉnh Quảng Ngãi. Địa chỉ: 52 Hùng Vương, TP Quảng Ngãi.</p>
<p>Ghi rõ nguồn "Cổng thông tin điện tử tỉnh Quảng Ngãi" khi phát hành lại thông tin từ nguồn này.</p></footer>
</div>
</body>
</html>
"""

    def article(self, cat: str, a: Article, number: int) -> str:
        date, time = _date(a)
        parts = []
        if a.lead:
            parts.append(f'<p class="sapo"><strong>(Baoquangngai.vn) - {E(a.lead)}</strong></p>')
        images = list(a.images)
        for i, para in enumerate(a.paragraphs):
            if images and i == 1:
                cap = images.pop(0)
                parts.append(
                    f'<figure class="image"><img alt="" src="/documents/20182/0/{a.slug}-{i}.jpg" />'
                    f'<figcaption>{E(cap)}. Ảnh: {E(a.author or "PV")}</figcaption></figure>'
                )
            parts.append(f"<p>{E(para)}</p>")
        for name, label in a.attachments:
            parts.append(f'<p><a href="/documents/20182/0/{name}">{E(label)}</a></p>')
        if a.author:
            parts.append(f'<p style="text-align: right;"><strong>{E(a.author)}</strong></p>')
        if a.source:
            parts.append(f'<p style="text-align: right;"><em>Nguồn: {E(a.source)}</em></p>')
        body = "\n".join(parts)
        views = 1000 + number * 37 % 4000
        main = f"""<ul class="breadcrumb"><li><a href="/web/portal-qni">Trang chủ</a></li>\
<li class="active"><a href="{E(self.listing_url(cat))}">{E(self.categories[cat])}</a></li></ul>
<div class="asset-full-content show-asset-title">
<div class="taglib-header"><h1 class="header-title"><span>{E(a.title)}</span></h1></div>
<div class="date-view-xx"><span class="date">{date} {time}</span>&nbsp;&nbsp;&nbsp; <span class="view">{views}</span></div>
<div class="asset-content"><div class="journal-content-article">
{body}
</div></div>
<div class="asset-links"><h3>Tin liên quan</h3></div>
</div>"""
        return self.chrome(a.title, main)

    def home(self, latest: list[tuple[Article, int]]) -> str:
        """The home page (a reconstruction: the live one was not seen): the menu, and the latest
        headlines of each category in a block of its own."""
        boxes = []
        for cat, items in sorted({c: [(a, n) for c2, a, n in latest if c2 == c] for c, _, _ in latest}.items()):
            rows = "".join(
                f'<li class="item-news"><a href="{E(self.article_url(a, n))}"><img src="/documents/20182/0/{a.slug}-thumb.jpg" alt="">'
                f'</a><h3><a href="{E(self.article_url(a, n))}">{E(a.title)}</a></h3><span class="date">{_date(a)[0]}</span></li>'
                for a, n in items
            )
            boxes.append(f'<div class="home-box"><h2><a href="{E(self.listing_url(cat))}">{E(self.categories[cat])}</a></h2>'
                         f'<ul class="list-home">{rows}</ul></div>')
        return self.chrome("Trang chủ", "".join(boxes))

    def listing(self, cat: str, page: int, pages: int, items: list[tuple[Article, int]]) -> str:
        rows = []
        for a, number in items:
            date, _ = _date(a)
            url = E(self.article_url(a, number))
            rows.append(
                f'<div class="box-news-xx"><a class="image" href="{url}"><img src="/documents/20182/0/{a.slug}-thumb.jpg" alt=""></a>'
                f'<h2 class="h2-title-xx"><a href="{url}">{E(a.title)}</a></h2>'
                f'<p class="date_post">{date}</p>'
                + (f'<p class="sapo-xx">{E(a.lead)}</p>' if a.lead else "") + "</div>"
            )
        buttons = []
        pager = (("Đầu", 1, "first"), ("Trước", page - 1, "previous"), ("Sau", page + 1, "next"), ("Cuối", pages, "last"))
        for label, target, cls in pager:
            if 1 <= target <= pages and target != page:
                buttons.append(f'<li class="{cls}"><a href="{E(self.listing_url(cat, target))}">{label}</a></li>')
            else:
                buttons.append(f'<li class="{cls} disabled"><a href="javascript:;">{label}</a></li>')
        main = (
            f'<div class="list-news-xx">{"".join(rows)}</div>'
            f'<div class="taglib-page-iterator"><div class="search-pages"><div class="page-links">'
            f'<ul class="pager lfr-pagination-buttons">{"".join(buttons)}</ul></div></div></div>'
        )
        return self.chrome(self.categories[cat], main)


# --------------------------------------------------------------------------------------------------


def build_mirror(dest: Path) -> dict[str, int]:
    """Write the sample mirror under `dest` (one directory per portal host); returns article counts."""
    counts = {}
    # Phú Yên: seed plus 17 composed articles in the news category, 6 in the directives category.
    site = PhuYen()
    news = compose("Phú Yên", 17, start=(2024, 6, 27), seed=7) + [seed_article()]
    directives = compose("Phú Yên", 6, start=(2024, 6, 20), seed=11)
    writer = MirrorWriter(
        dest / "phuyen.gov.vn",
        {
            "portal": "phu_yen",
            "origin": site.origin,
            "platform": "websphere",
            "reconstruction": True,
            "note": "Reconstruction: phuyen.gov.vn no longer resolves (retired July 2025). Markup follows what is known of "
                    "the IBM WebSphere Portal 8.5 theme and WCM URLs; the seed article's text is as a reader saw it, the "
                    "other articles are composed sample texts that describe no real event.",
        },
        "User-agent: *\nDisallow: /wps/portal/Home/!ut/\nDisallow: /wps/myportal/\n",
    )
    _write_wps(writer, site, {"tin-tuc-su-kien": news, "chi-dao-dieu-hanh": directives})
    writer.close()
    counts["phu_yen"] = len(news) + len(directives)

    site_q = QuangNgai()
    q_news = compose("Quảng Ngãi", 20, start=(2025, 5, 30), seed=3)
    q_dir = compose("Quảng Ngãi", 6, start=(2025, 5, 28), seed=5)
    writer = MirrorWriter(
        dest / "quangngai.gov.vn",
        {
            "portal": "quang_ngai",
            "origin": site_q.origin,
            "platform": "liferay",
            "reconstruction": True,
            "note": "Reconstruction of the Quảng Ngãi portal's Liferay theme (box-news-xx listings, Asset Publisher "
                    "paging, ?<id> article keys, date and view count in the header). The home page is a reconstruction "
                    "too (the live one was not seen): the menu and the latest headlines of each category. The articles "
                    "are composed sample texts that describe no real event.",
        },
        "User-agent: *\nDisallow: /c/\nDisallow: /group/\n",
    )
    number = 0
    numbered: dict[str, list[tuple[Article, int]]] = {}
    for cat, arts in (("tin-noi-bat", q_news), ("chi-dao-dieu-hanh", q_dir)):
        numbered[cat] = []
        for a in arts:
            number += 1
            numbered[cat].append((a, number))
            writer.page(site_q.article_url(a, number), f"article-{number:03d}.html", site_q.article(cat, a, number))
        _paged(writer, cat, numbered[cat], site_q.per_page, lambda c, p, n, items: site_q.listing(c, p, n, items), site_q.listing_url)
    writer.page("/web/portal-qni", "home.html", site_q.home([(c, a, n) for c in numbered for a, n in numbered[c][:4]]))
    writer.redirect("/", "/web/portal-qni")
    writer.close()
    counts["quang_ngai"] = len(q_news) + len(q_dir)
    return counts


def _paged(writer: MirrorWriter, cat: str, items: list, per_page: int, render, url_of) -> None:
    pages = max(1, -(-len(items) // per_page))
    for page in range(1, pages + 1):
        chunk = items[(page - 1) * per_page: page * per_page]
        writer.page(url_of(cat, page), f"listing-{cat}-{page}.html", render(cat, page, pages, chunk))


def _write_wps(writer: MirrorWriter, site: PhuYen, by_cat: dict[str, list[Article]]) -> None:
    latest = [(site.article_url(c, a), a.title) for c, arts in by_cat.items() for a in arts[:2]]
    for cat, arts in by_cat.items():
        for i, a in enumerate(arts, start=1):
            name = "article-seed.html" if a.is_seed else f"article-{cat}-{i:03d}.html"
            writer.page(site.article_url(cat, a), name, site.article(cat, a, latest))
        _paged(writer, cat, arts, site.per_page, site.listing, site.listing_url)
    writer.page("/wps/portal/Home", "home.html", site.chrome("Trang chủ", "<p>Trang chủ</p>", latest))
    writer.redirect("/", "/wps/portal/Home")


# --------------------------------------------------------------------------------------------------
# Benchmark site: one WPS-style portal with thousands of articles, static paths (any server can serve it)


PROVINCE_NAMES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định", "Bình Dương",
    "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng", "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai",
    "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình",
    "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định",
    "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị",
    "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "TP Hồ Chí Minh",
    "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]


class HeavyPhuYen(PhuYen):
    """Phú Yên pages with the weight of a real provincial portal page (30–60 KB): theme scripts and
    styles, a mega-menu, side boxes of news and documents, a poll, a 62-portal link list, a visit
    counter. The article markup is the same, so the same profile reads it."""

    def chrome(self, title: str, main: str, latest: list[tuple[str, str]]) -> str:
        page = super().chrome(title, main, latest)
        styles = "".join(f'<link rel="stylesheet" href="/wps/themeModules/css/module{i}.css?v=8.5.0.{i}">' for i in range(10))
        modules = {f"module{i}": {"enabled": True, "path": f"/wps/themeModules/js/m{i}.js", "deps": [f"dep{j}" for j in range(8)]}
                   for i in range(30)}
        config = "var wptheme = " + json.dumps(modules) + ";"
        mega = "".join(
            f'<li class="mega-col"><h4>Chuyên mục {c + 1}</h4><ul>'
            + "".join(f'<li><a href="/wps/portal/Home/chuyen-muc-{c}-{r}">Mục {c + 1}.{r + 1} thông tin</a></li>' for r in range(6))
            + "</ul></li>"
            for c in range(12)
        )
        news = "".join(f'<li><a href="/tin/{n}.html">{E(t)}</a><span class="ngay">(2{n % 9}/06/2024)</span></li>'
                       for n, (_, t) in enumerate(latest * 2))
        docs = "".join(f'<li><a href="/van-ban/{n}.pdf">Quyết định số {100 + n}/QĐ-UBND về việc ban hành kế hoạch thực hiện nhiệm vụ '
                       f'năm 2024</a></li>' for n in range(10))
        links = "".join(f'<option value="https://{ascii_slug(p).replace("-", "")}.gov.vn">Cổng thông tin điện tử tỉnh {E(p)}</option>'
                        for p in PROVINCE_NAMES)
        side = (
            f'<div class="side-box"><h3>Tin đọc nhiều</h3><ul>{news}</ul></div>'
            f'<div class="side-box"><h3>Văn bản chỉ đạo</h3><ul>{docs}</ul></div>'
            '<div class="side-box poll"><h3>Thăm dò ý kiến</h3><form><label><input type="radio" name="p"> Rất hài lòng</label>'
            '<label><input type="radio" name="p"> Hài lòng</label><label><input type="radio" name="p"> Chưa hài lòng</label></form></div>'
            f'<div class="side-box"><h3>Liên kết website</h3><select id="lienket" onchange="window.open(this.value)"><option '
            f'value="#">Chọn liên kết</option>{links}</select></div>'
            '<div class="side-box counter">Lượt truy cập: 12.345.678 · Đang trực tuyến: 321</div>'
        )
        page = page.replace("</head>", f"{styles}<script>{config}</script></head>", 1)
        page = page.replace('<nav class="wpthemeMainNav">', f'<nav class="mega-menu"><ul>{mega}</ul></nav><nav class="wpthemeMainNav">', 1)
        return page.replace('<ul class="tin-moi">', f'{side}<ul class="tin-moi">', 1)


@functools.cache
def _templates() -> list[Article]:
    return compose("Phú Yên", 60, start=(2024, 6, 27), seed=1) + compose("Quảng Ngãi", 60, start=(2025, 5, 30), seed=2)


def template_articles(count: int, first: int = 0) -> Iterator[Article]:
    """The benchmark site's articles, numbered from `first`: each a distinct body of a news item's
    usual length (nothing is an alias; by the clustering's rule, 6 pairs of the first 20,000 are
    republications of one another, none of the first 5,000), made of one of 120 composed
    articles' paragraphs and a random dozen of the others', so articles of one template share much
    of their text, as a portal's monthly reports do."""
    pool = _templates()
    paragraphs = [p for a in pool for p in a.paragraphs]
    for n in range(first, first + count):
        base = pool[n % len(pool)]
        yield Article(
            slug=f"{base.slug}-{n}", title=f"{base.title} ({n})", category=base.category,
            published=base.published, lead=base.lead, author=base.author, images=base.images,
            attachments=base.attachments, source=base.source,
            paragraphs=base.paragraphs + random.Random(n).sample(paragraphs, 12)
            + [f"Bài viết số {n} trong chuyên mục {base.category}."],
        )


def build_bench_site(dest: Path, articles: int, per_page: int = 20, first: int = 0) -> dict:
    """A Phú Yên-style site of `articles` article pages and their paged listing, as static files,
    each page as heavy as a real portal page. Articles are numbered from `first`: sites built with
    numbers apart share no article."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "tin").mkdir(parents=True)
    (dest / "danh-sach").mkdir(parents=True)
    site = HeavyPhuYen()
    (dest / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    latest = [(f"/tin/{i}.html", a.title) for i, a in enumerate(_templates()[:5])]
    listing_items: list[tuple[str, Article]] = []
    for i, a in enumerate(template_articles(articles, first)):
        (dest / "tin" / f"{i}.html").write_bytes(site.article("tin-tuc-su-kien", a, latest).encode("utf-8"))
        listing_items.append((f"/tin/{i}.html", a))
    pages = -(-articles // per_page)
    for page in range(1, pages + 1):
        rows = "".join(
            f'<div class="tin-item"><a class="title" href="{url}">{E(a.title)}</a><span class="date">({_date(a)[0]})</span></div>'
            for url, a in listing_items[(page - 1) * per_page: page * per_page]
        )
        nav = f'<a class="next" href="/danh-sach/{page + 1}.html">»</a>' if page < pages else ""
        main = f'<div class="danhsach-tin">{rows}</div><div class="wcm-pager">{nav}</div>'
        (dest / "danh-sach" / f"{page}.html").write_bytes(site.chrome("Tin tức", main, latest).encode("utf-8"))
    return {"articles": articles, "listing_pages": pages, "start": "/danh-sach/1.html"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    m = sub.add_parser("mirror", help="write the sample mirror")
    m.add_argument("dest", type=Path)
    b = sub.add_parser("bench", help="write the benchmark site")
    b.add_argument("dest", type=Path)
    b.add_argument("--articles", type=int, default=5000)
    args = parser.parse_args()
    if args.what == "mirror":
        print(build_mirror(args.dest))
    else:
        print(build_bench_site(args.dest, args.articles))


if __name__ == "__main__":
    main()
