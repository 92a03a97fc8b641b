"""A reconstructed vendor-CMS portal, for crawls that start from a home page and know no platform.

Most provincial portals run a local vendor's CMS that no platform of the project describes. This
site is built the way those are, from what the reference notes about them: category listings and
articles under the same prefix with the same ``<slug>-<id>.html`` shape (``/tin-tuc/kinh-te-13.html``
is a listing, ``/tin-tuc/khanh-hoa-khoi-cong-…-10245.html`` an article, so no URL rule tells them
apart), ``?page=N`` paging, a mega-menu with introduction pages, documents, contacts, a login link and
a search form, "most read" and "related news" boxes of headlines beside and under every page, a poll,
a removed article that answers 200 with "404 - Trang không tồn tại", an article that sends the
reader to the login page, and static pages. Its texts are composed sample texts (``sitegen_content``):
they describe no real event, and ``meta.json`` says it is a reconstruction.

``dated=False`` writes the same site with no date on any article page: the listings of one category
print their dates, another category's article URLs carry the day, the articles of the third are
served with a ``Last-Modified`` header, and the notices carry no date anywhere.

    python -m bench.sitegen_vendor DEST [--undated]
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import json
from dataclasses import dataclass
from html import escape as E
from pathlib import Path

from bench.sitegen import MirrorWriter
from bench.sitegen_content import Article, compose

ORIGIN = "https://khanhhoa.gov.vn"
PER_PAGE = 6


@dataclass(frozen=True)
class Category:
    slug: str
    id: int
    name: str
    count: int
    seed: int


CATEGORIES = (
    Category("tin-trong-tinh", 12, "Tin trong tỉnh", 14, 21),
    Category("kinh-te", 13, "Kinh tế", 8, 22),
    Category("van-hoa-xa-hoi", 14, "Văn hóa - Xã hội", 7, 23),
    Category("thong-bao", 21, "Thông báo", 5, 24),
)
# Where each category's articles take their date from when the pages print none (dated=False).
UNDATED_FROM = {"tin-trong-tinh": "listing", "kinh-te": "url", "van-hoa-xa-hoi": "http", "thong-bao": "none"}

STATIC = {  # introduction pages: long text, no listing, linked from the mega-menu
    "/gioi-thieu/lich-su-hinh-thanh-5.html": ("Lịch sử hình thành", [
        "Tỉnh Khánh Hòa được thành lập trên cơ sở điều chỉnh địa giới hành chính qua nhiều thời kỳ, gắn liền với quá trình khai phá, "
        "mở mang vùng đất ven biển Nam Trung Bộ của các thế hệ cư dân.",
        "Trải qua các giai đoạn lịch sử, vùng đất này đã hình thành hệ thống đô thị, làng nghề và cảng biển, trở thành đầu mối giao "
        "thương quan trọng của khu vực.",
        "Ngày nay, tỉnh tiếp tục phát huy tiềm năng kinh tế biển, du lịch và dịch vụ, hướng tới phát triển nhanh và bền vững.",
    ]),
    "/gioi-thieu/vi-tri-dia-ly-6.html": ("Vị trí địa lý", [
        "Tỉnh nằm ở vùng duyên hải Nam Trung Bộ, phía Đông giáp Biển Đông với đường bờ biển dài cùng nhiều vịnh, đầm và đảo lớn nhỏ.",
        "Địa hình thấp dần từ Tây sang Đông, với núi, đồi, đồng bằng nhỏ hẹp ven biển và các cửa sông.",
        "Khí hậu nhiệt đới gió mùa, chịu ảnh hưởng của khí hậu đại dương nên tương đối ôn hòa.",
    ]),
}
SOFT_404 = "/tin-tuc/bai-viet-da-go-bo-khoi-cong-thong-tin-99999.html"
LOGIN_ONLY = "/tin-tuc/tai-lieu-hop-noi-bo-quy-i-99998.html"


def listing_url(cat: Category, page: int = 1) -> str:
    return f"/tin-tuc/{cat.slug}-{cat.id}.html" + (f"?page={page}" if page > 1 else "")


def article_url(cat: Category, a: Article, number: int, dated: bool) -> str:
    if not dated and UNDATED_FROM[cat.slug] == "url":
        y, m, d = a.published[:3]
        return f"/tin-tuc/{y:04d}/{m:02d}/{d:02d}/{a.slug}-{10200 + number}.html"
    return f"/tin-tuc/{a.slug}-{10200 + number}.html"


def _day(a: Article) -> str:
    y, m, d, hh, mm = a.published
    return f"{d:02d}/{m:02d}/{y:04d}"


def _when(a: Article) -> str:
    y, m, d, hh, mm = a.published
    weekday = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")[dt.date(y, m, d).weekday()]
    return f"{weekday}, {d:02d}/{m:02d}/{y:04d}, {hh:02d}:{mm:02d}"


class Site:
    def __init__(self, dated: bool):
        self.dated = dated
        self.articles: list[tuple[Category, Article, int]] = []
        number = 0
        for cat in CATEGORIES:
            for a in compose("Khánh Hòa", cat.count, start=(2024, 3, 20), seed=cat.seed):
                number += 1
                self.articles.append((cat, a, number))

    def url(self, cat: Category, a: Article, number: int) -> str:
        return article_url(cat, a, number, self.dated)

    def most_read(self) -> list[tuple[str, str]]:
        picks = self.articles[3::5][:6]
        return [(self.url(c, a, n), a.title) for c, a, n in picks]

    def chrome(self, title: str, main: str) -> str:
        mega = [
            ("Giới thiệu", [(u, t) for u, (t, _) in STATIC.items()] + [("/gioi-thieu/co-cau-to-chuc-7.html", "Cơ cấu tổ chức")]),
            ("Tin tức", [(listing_url(c), c.name) for c in CATEGORIES[:3]]),
            ("Chỉ đạo điều hành", [(listing_url(CATEGORIES[3]), CATEGORIES[3].name),
                                   ("/van-ban/van-ban-chi-dao-3.html", "Văn bản chỉ đạo")]),
            ("Dịch vụ công", [("/dich-vu-cong/thu-tuc-hanh-chinh-9.html", "Thủ tục hành chính"), ("/hoi-dap.html", "Hỏi đáp")]),
        ]
        columns = "".join(
            f'<li class="mega-col"><span class="mega-title">{E(head)}</span><ul>'
            + "".join(f'<li><a href="{E(u)}">{E(t)}</a></li>' for u, t in links) + "</ul></li>"
            for head, links in mega
        )
        side = "".join(f'<li><a href="{E(u)}">{E(t)}</a></li>' for u, t in self.most_read())
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{E(title)} - Cổng thông tin điện tử tỉnh Khánh Hòa</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/Content/css/site.min.css?v=3.2.1">
<script src="/Scripts/jquery-1.12.4.min.js"></script>
</head>
<body>
<div class="top-bar"><div class="container"><a href="/dang-nhap.html">Đăng nhập</a> | <a href="/lien-he.html">Liên hệ</a> |
<a href="/so-do-cong.html">Sơ đồ cổng</a></div></div>
<div class="banner"><a href="/"><img src="/Content/images/banner.jpg" alt="Cổng thông tin điện tử tỉnh Khánh Hòa"></a>
<form class="search-box" action="/tim-kiem.html" method="get"><input type="text" name="keyword" placeholder="Tìm kiếm...">
<button type="submit">Tìm</button></form></div>
<div class="menu-wrap"><ul class="mega-menu"><li><a href="/">Trang chủ</a></li>{columns}</ul></div>
<div class="container main-wrap"><div class="row">
<div class="col-md-8 content-left">
{main}
</div>
<div class="col-md-4 right-column">
<div class="box-tinxemnhieu"><div class="box-title">Tin xem nhiều</div><ul>{side}</ul></div>
<div class="box-poll"><div class="box-title">Thăm dò ý kiến</div><form action="/binh-chon.html" method="post">
<p>Bạn đánh giá thế nào về giao diện cổng thông tin?</p>
<label><input type="radio" name="vote" value="1"> Đẹp, dễ sử dụng</label>
<label><input type="radio" name="vote" value="2"> Bình thường</label>
<label><input type="radio" name="vote" value="3"> Khó sử dụng</label><button type="submit">Bình chọn</button></form></div>
<div class="box-lienket"><div class="box-title">Liên kết website</div><select onchange="window.open(this.value)">
<option value="#">-- Chọn liên kết --</option><option value="https://chinhphu.vn">Cổng TTĐT Chính phủ</option></select></div>
</div></div></div>
<div class="footer"><div class="container">
<ul class="footer-links"><li><a href="/chinh-sach-bao-mat-thong-tin-cong-dan.html">Chính sách bảo mật thông tin công dân</a></li>
<li><a href="/dieu-khoan-su-dung-cong-thong-tin.html">Điều khoản sử dụng cổng thông tin điện tử</a></li>
<li><a href="/huong-dan-khai-thac-su-dung-cong.html">Hướng dẫn khai thác và sử dụng cổng</a></li></ul>
<p>Cơ quan chủ quản: UBND tỉnh Khánh Hòa. Ghi rõ nguồn "Cổng thông tin điện tử tỉnh Khánh Hòa" khi phát hành lại thông tin từ
nguồn này.</p></div></div>
</body>
</html>
"""

    def home(self) -> str:
        top = self.articles[:5]
        lead_c, lead_a, lead_n = top[0]
        hot = (f'<div class="hot-news"><div class="hot-main"><a href="{E(self.url(lead_c, lead_a, lead_n))}"><img src="/Uploads/'
               f'{lead_a.slug}.jpg" alt=""></a><h2><a href="{E(self.url(lead_c, lead_a, lead_n))}">{E(lead_a.title)}</a></h2>'
               f'<p>{E(lead_a.lead or "")}</p></div><ul class="hot-list">'
               + "".join(f'<li><a href="{E(self.url(c, a, n))}">{E(a.title)}</a></li>' for c, a, n in top[1:]) + "</ul></div>")
        boxes = []
        for cat in CATEGORIES:
            items = [(c, a, n) for c, a, n in self.articles if c is cat][:3]
            rows = "".join(f'<li><a href="{E(self.url(c, a, n))}">{E(a.title)}</a></li>' for c, a, n in items)
            boxes.append(f'<div class="home-cat"><h3 class="cat-title"><a href="{E(listing_url(cat))}">{E(cat.name)}</a></h3>'
                         f'<ul>{rows}</ul><a class="more" href="{E(listing_url(cat))}">Xem thêm</a></div>')
        return self.chrome("Trang chủ", hot + "".join(boxes))

    def listing(self, cat: Category, page: int, pages: int, items: list[tuple[Category, Article, int]]) -> str:
        rows = []
        for c, a, n in items:
            url = E(self.url(c, a, n))
            shows_date = self.dated or UNDATED_FROM[cat.slug] == "listing"
            rows.append(f'<div class="news-item"><a class="thumb" href="{url}"><img src="/Uploads/thumb/{a.slug}.jpg" alt=""></a>'
                        f'<h3 class="news-title"><a href="{url}">{E(a.title)}</a></h3>'
                        + (f'<span class="news-date">{_day(a)}</span>' if shows_date else "")
                        + f'<p class="news-sapo">{E(a.lead or "")}</p></div>')
        if cat.slug == "tin-trong-tinh" and page == pages:  # a removed article and a members-only one are still listed
            for target, title in ((SOFT_404, "Bài viết đã gỡ bỏ khỏi cổng thông tin"), (LOGIN_ONLY, "Tài liệu họp nội bộ quý I")):
                rows.append(f'<div class="news-item"><h3 class="news-title"><a href="{target}">{E(title)}</a></h3></div>')
        links = [f'<a href="{E(listing_url(cat, p))}">{p}</a>' if p != page else f'<span class="current">{p}</span>'
                 for p in range(1, pages + 1)]
        if page < pages:
            links.append(f'<a href="{E(listing_url(cat, page + 1))}">»</a>')
        main = (f'<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="{E(listing_url(cat))}">{E(cat.name)}</a></div>'
                f'<h1 class="cat-name">{E(cat.name)}</h1><div class="list-news">{"".join(rows)}</div>'
                f'<div class="paging">{"".join(links)}</div>')
        return self.chrome(cat.name, main)

    def article(self, cat: Category, a: Article, number: int) -> str:
        parts = [f"<p>{E(p)}</p>" for p in a.paragraphs]
        for i, caption in enumerate(a.images):
            parts.insert(1, f'<table class="image"><tr><td><img src="/Uploads/{a.slug}-{i}.jpg" alt=""></td></tr>'
                            f'<tr><td class="image-caption">{E(caption)}. Ảnh: {E(a.author or "PV")}</td></tr></table>')
        if a.author:
            parts.append(f'<p style="text-align:right"><strong>{E(a.author)}</strong></p>')
        others = [(c, o, n) for c, o, n in self.articles if c is cat and o is not a][:4]
        related = "".join(f'<li><a href="{E(self.url(c, o, n))}">{E(o.title)}</a></li>' for c, o, n in others)
        date = f'<div class="news-time">{_when(a)}</div>' if self.dated else ""
        main = (f'<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="{E(listing_url(cat))}">{E(cat.name)}</a></div>'
                f'<div class="news-detail"><h1 class="news-detail-title">{E(a.title)}</h1>{date}'
                f'<div class="news-detail-sapo"><strong>(KHO) - {E(a.lead or "")}</strong></div>'
                f'<div class="news-detail-content">{"".join(parts)}</div>'
                '<div class="share-bar"><a href="#">Chia sẻ</a> <a href="#" onclick="window.print()">In bài viết</a></div>'
                f'<div class="news-related"><div class="box-title">Tin cùng chuyên mục</div><ul>{related}</ul></div></div>')
        return self.chrome(a.title, main)

    def soft_404(self) -> str:
        return self.chrome("404 - Trang không tồn tại", '<div class="error-page"><h1>404 - Trang không tồn tại</h1>'
                           '<p>Trang bạn yêu cầu không tồn tại hoặc đã bị gỡ bỏ. Mời bạn quay lại <a href="/">trang chủ</a>.</p></div>')

    def login(self) -> str:
        return self.chrome("Đăng nhập", '<div class="login-box"><h1>Đăng nhập hệ thống</h1><form action="/dang-nhap.html" method="post">'
                           '<label>Tên đăng nhập <input type="text" name="user"></label>'
                           '<label>Mật khẩu <input type="password" name="pass"></label><button type="submit">Đăng nhập</button></form>'
                           '<p>Bạn cần đăng nhập để xem nội dung này. Liên hệ quản trị cổng thông tin nếu quên mật khẩu.</p></div>')

    def static(self, title: str, paragraphs: list[str]) -> str:
        body = "".join(f"<p>{E(p)}</p>" for p in paragraphs)
        return self.chrome(title, f'<div class="static-page"><h1>{E(title)}</h1>{body}</div>')


def build_vendor(dest: Path, *, dated: bool = True) -> dict:
    """Write the site under `dest`; returns its articles ({portal URL: (title, where its date is)}),
    the URLs of its pages that are not articles, and its home page's path."""
    site = Site(dated)
    note = ("Reconstruction of a vendor-CMS provincial portal of the kind most provinces run (no platform of the project "
            "describes it), with the parts such portals have: mega-menu, most-read and related-news boxes, poll, soft 404, "
            "login and static pages. Composed sample texts that describe no real event.")
    if not dated:
        note += " No article page prints its date."
    writer = MirrorWriter(dest, {"portal": "khanh_hoa", "origin": ORIGIN, "platform": "unknown", "reconstruction": True, "note": note},
                          "User-agent: *\nDisallow: /quan-tri/\n")
    writer.page("/", "home.html", site.home())
    articles = {}
    for cat in CATEGORIES:
        items = [(c, a, n) for c, a, n in site.articles if c is cat]
        pages = -(-len(items) // PER_PAGE)
        for page in range(1, pages + 1):
            target = listing_url(cat, page)
            chunk = items[(page - 1) * PER_PAGE:page * PER_PAGE]
            writer.page(target, f"listing-{cat.slug}-{page}.html", site.listing(cat, page, pages, chunk))
        for c, a, n in items:
            target = site.url(c, a, n)
            writer.page(target, f"article-{n:03d}.html", site.article(c, a, n))
            source = "page" if dated else UNDATED_FROM[cat.slug]
            y, m, d, hh, mm = a.published
            when = dt.datetime(y, m, d, hh, mm, tzinfo=dt.timezone(dt.timedelta(hours=7)))
            # Dynamic pages: no Last-Modified, except where a category's pages are served with one.
            writer.routes[target]["headers"] = {"Last-Modified": email.utils.format_datetime(when.astimezone(dt.timezone.utc), usegmt=True)
                                                if source == "http" else None}
            articles[ORIGIN + target] = (a.title, source)
    writer.page(SOFT_404, "removed.html", site.soft_404())
    writer.redirect(LOGIN_ONLY, "/dang-nhap.html?ReturnUrl=" + LOGIN_ONLY)
    writer.page("/dang-nhap.html", "login.html", site.login())
    writer.page("/dang-nhap.html?ReturnUrl=" + LOGIN_ONLY, "login.html", site.login())
    for target, (title, paragraphs) in STATIC.items():
        writer.page(target, target.rsplit("/", 1)[-1], site.static(title, paragraphs))
    writer.close()
    non_articles = [ORIGIN + u for u in (SOFT_404, LOGIN_ONLY, "/dang-nhap.html", *STATIC)]
    return {"articles": articles, "non_articles": non_articles, "home": "/"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--undated", action="store_true", help="article pages print no date")
    args = parser.parse_args()
    found = build_vendor(args.dest, dated=not args.undated)
    print(json.dumps({"articles": len(found["articles"]), "non_articles": len(found["non_articles"])}))


if __name__ == "__main__":
    main()
