"""A portal's news sections, read off its home page: the menu and navigation links whose text or path
reads as news (tin tức, sự kiện, thông báo, chỉ đạo điều hành, hoạt động, …), and its feeds.

Pure: a parsed page in, links out. Sections that hold no news articles (documents, procedures,
contacts, introductions, galleries, calendars) and links that only do something (log in, search,
print) are left out; so are links to other sites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from scraper.core.text import clean_inline, fold
from scraper.core.urls import host_key, trap_reason

MAX_SECTIONS = 40
_NEWS_TEXT = re.compile(
    r"\b(tin tuc|tin noi bat|tin moi|tin hoat dong|tin trong tinh|tin trong nuoc|tin tong hop|tin dia phuong|tin so nganh"
    r"|tin chuyen nganh|tin van hoa|tin kinh te|tin xa hoi|tin anh|ban tin|su kien|thoi su|chi dao dieu hanh|chi dao"
    r"|dieu hanh|thong bao|thong cao|hoat dong|kinh te|van hoa|xa hoi|giao duc|y te|quoc phong|an ninh|chinh tri"
    r"|nong nghiep|du lich|khoa hoc|cong nghe|chuyen doi so|cai cach hanh chinh|tuyen truyen|pho bien|news|events?)\b"
)
_NEWS_PATH = re.compile(r"(tin-?tuc|tintuc|su-?kien|thong-?bao|chi-?dao|dieu-?hanh|hoat-?dong|thoi-?su|/news|/tin/|/tin-|"
                        r"chuyen-?muc|danh-?muc|category|/cat/|chuyenmuc)", re.IGNORECASE)
# Sections that list no news articles, and links that do rather than show.
_NOT_NEWS = re.compile(
    r"\b(van ban|thu tuc|dich vu cong|hoi dap|lien he|gioi thieu|so do|lich cong tac|lich lam viec|danh ba|thu vien|video|"
    r"album|hinh anh|anh dep|dang nhap|dang ky|tim kiem|login|search|rss|ban do|co cau to chuc|chuc nang nhiem vu|"
    r"english|tieng anh|trang chu|home|sitemap|hop thu|email|gop y)\b"
)


# Pager labels: "Sau", "Tiếp", "Trước", "Đầu", "Cuối", "Trang 2", "2", "»", "Next".
_PAGER = re.compile(r"^(sau|tiep|tiep theo|truoc|dau|cuoi|trang( \d+)?|\d+|next|prev|previous|first|last|xem them|)$")
_PAGER_CLASS = re.compile(r"pag(er|ing|ination)|phan-?trang|page-?links|page-?iterator", re.IGNORECASE)


def _in_pager(a: etree._Element) -> bool:
    """Whether a link sits in a pager (a few ancestors up, by class or id)."""
    el = a.getparent()
    for _ in range(4):
        if el is None:
            return False
        if _PAGER_CLASS.search((el.get("class") or "") + " " + (el.get("id") or "")):
            return True
        el = el.getparent()
    return False


@dataclass(frozen=True)
class Section:
    url: str
    label: str
    why: str      # "text" (its label reads as news) or "path"


def _folded(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text).lower()).split())


def news_sections(root: etree._Element, url: str) -> list[Section]:
    """The page's links to its own site's news sections, in page order, at most MAX_SECTIONS."""
    here = urlsplit(url)
    host = host_key(here.netloc)
    found: dict[str, Section] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        target = urljoin(url, href).split("#", 1)[0]
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or host_key(parts.netloc) != host or target.rstrip("/") == url.rstrip("/"):
            continue
        label = clean_inline(" ".join(a.itertext())) or clean_inline(a.get("title")) or ""
        words = _folded(label)
        if not label or len(label.split()) > 8 or _NOT_NEWS.search(words) or trap_reason(target):
            continue
        if _PAGER.match(words) or parts.path == here.path or _in_pager(a):
            continue  # the page's own pager, or the same page sorted or filtered: not a section
        if _NEWS_TEXT.search(words):
            why = "text"
        elif _NEWS_PATH.search(parts.path) and not re.search(r"-\d{3,}\.(html?|aspx)$", parts.path):
            why = "path"
        else:
            continue
        found.setdefault(target, Section(target, label, why))
        if len(found) == MAX_SECTIONS:
            break
    return list(found.values())
