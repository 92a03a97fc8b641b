"""The "Liên kết website" (website links) list of a portal page, and which of its links are the
province's own department and district sites.

Pure: bytes in, links out. Portals list their sub-sites in a dropdown (Hà Nội's Liferay theme:
``select[id$="_selectWeblink"]``) or a box of links under a "Liên kết website" heading. A link is a
sub-site when its host is a sub-domain of the portal's domain (``sotttt.hanoi.gov.vn``), or when it
is a .gov.vn site the list names as a unit of the province ("Sở …", "Quận …", "Huyện …") and no
other portal profile claims it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from scraper.core.decoding import decode_html
from scraper.core.text import clean_inline, fold
from scraper.core.urls import host_key

UNIT_LABEL = re.compile(
    r"^\s*(sở|quận|huyện|thị xã|thành phố|ban |văn phòng|ubnd|ủy ban|trung tâm|chi cục|thanh tra|đài phát thanh|hđnd"
    r"|hội đồng nhân dân|phường|xã )",
    re.IGNORECASE,
)
NATIONAL_LABEL = re.compile(r"^\s*(bộ |chính phủ|cổng thông tin điện tử chính phủ|quốc hội|báo )", re.IGNORECASE)
LINKS_HEADING = re.compile(r"li[eê]n\s*k[eế]t", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True)
class SubSite:
    url: str
    label: str
    host: str
    slug: str
    reason: str


def website_links(url: str, body: bytes) -> list[Link]:
    """Every link of the page's website-links dropdowns and boxes, in page order, without repeats."""
    sel = Selector(text=decode_html(body).text or "<html/>")
    found: list[Link] = []
    seen: set[str] = set()

    def add(href: str | None, label: str | None) -> None:
        if not href or href.strip() in ("#", "") or href.strip().lower().startswith(("javascript:", "mailto:")):
            return
        absolute = urljoin(url, href.strip())
        if urlsplit(absolute).scheme in ("http", "https") and absolute not in seen:
            seen.add(absolute)
            found.append(Link(absolute, clean_inline(label) or host_key(urlsplit(absolute).netloc)))

    for select in sel.css("select"):
        options = select.css("option[value]")
        http = [o for o in options if (o.attrib.get("value") or "").strip().lower().startswith(("http://", "https://"))]
        if len(http) >= 2 or "weblink" in (select.attrib.get("id") or "").lower():
            for option in http:
                add(option.attrib.get("value"), " ".join(option.css("::text").getall()))
    for heading in sel.xpath("//*[self::h2 or self::h3 or self::h4 or self::div or self::span][not(*)]"):
        text = " ".join(heading.xpath("text()").getall())
        if text and len(text) < 60 and LINKS_HEADING.search(text):
            box = heading.xpath("..")
            for a in box.css("a[href]"):
                add(a.attrib.get("href"), " ".join(a.css("::text").getall()))
    return found


def subsites(links: list[Link], *, portal_host: str, parent_slug: str, claimed_hosts: set[str]) -> list[SubSite]:
    """The links that are the province's own sub-sites, with a slug for each (parent__first-label)."""
    domain = host_key(portal_host)
    out: list[SubSite] = []
    seen: set[str] = set()
    for link in links:
        host = host_key(urlsplit(link.url).netloc).split(":", 1)[0]
        if not host or host in seen or host == domain or host in claimed_hosts:
            continue
        if host.endswith("." + domain):
            reason = f"a sub-domain of {domain}"
        elif host.endswith(".gov.vn") and UNIT_LABEL.search(link.label) and not NATIONAL_LABEL.search(link.label):
            reason = "a .gov.vn site the list names as a unit of the province"
        else:
            continue
        seen.add(host)
        label = host.split(".", 1)[0]
        slug = f"{parent_slug}__{re.sub(r'[^a-z0-9]+', '_', fold(label).lower()).strip('_')}"
        origin = f"{urlsplit(link.url).scheme}://{urlsplit(link.url).netloc}"
        out.append(SubSite(origin + "/", link.label, host, slug, reason))
    return out
