"""A draft profile for a portal, from one page of it and what ``scraper.platforms.fingerprint`` found.

Pure: bytes, a detection and the existing profiles in, TOML text out. The province comes from the
existing profile whose hosts the page's host belongs to; start URLs are the page's links whose text
reads like a news category, marked as guesses to check.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from scraper.core.profile import SLUG, Profile
from scraper.core.text import clean_inline, fold
from scraper.core.urls import host_key
from scraper.platforms.fingerprint import UNKNOWN, Detection, parse

# Link texts of news categories, folded to ASCII, lower case, punctuation as spaces.
NEWS_CATEGORY = re.compile(
    r"^(?:tin tuc|tin noi bat|tin moi|tin hoat dong|tin trong tinh|tin trong nuoc|tin tong hop|tin dia phuong"
    r"|tin so nganh|tin tu cac|su kien|chi dao dieu hanh|hoat dong chi dao|thong bao|thong cao bao chi"
    r"|hoat dong cua lanh dao|news|events)\b"
)
MAX_START_URLS = 6
_TITLE_SEPARATORS = re.compile(r"\s+[-–—|:]\s+")
_CITY_PREFIX = re.compile(r"^(?:TP\.?|Thành phố)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    slug: str       # the suggested file name, scraper/portals/<slug>.toml
    text: str       # the TOML text of the profile


def draft_profile(url: str, body: bytes, detection: Detection, profiles: Iterable[Profile],
                  supported: Iterable[str], content_type: str | None = None) -> Draft:
    """A new portal profile for the page's host: name, province, platform, home and guessed start URLs.

    `profiles` are the existing profiles (their home URLs and hosts carry the province names);
    `supported` are the platforms with page classes, the only ones a profile may name.
    """
    root = parse(body, content_type)
    parts = urlsplit(url)
    host = host_key(parts.hostname or "")
    home = f"{parts.scheme}://{parts.netloc}/"
    profiles = list(profiles)
    match, base = _province_of(host, profiles)
    lines: list[str] = []
    if match is not None:
        province = match.province
        slug = _snake(_CITY_PREFIX.sub("", province))
        base_host = _base_host(base) if base is not None else None
        subsite = base is None or host != base_host
        if subsite and "." in host:
            slug = f"{slug}__{_snake(host.split('.')[0])}"
    else:
        province = ""
        slug = "" if _is_address(host) else _snake(host.split(".")[0])
        base, subsite = None, False
    if not SLUG.match(slug):
        slug = f"portal_{slug}" if SLUG.match(f"portal_{slug}") else "new_portal"
    already = sorted(p.slug for p in profiles if host and host in p.hosts)
    if already:
        slug = already[0]  # a host that has a profile keeps its slug: the draft is to compare with it

    name = _site_name(root)
    platform = detection.platform if detection.platform in set(supported) else UNKNOWN
    lines.append(f"# Draft profile for {host or url}, written by `scrapy detect` from {url}")
    lines.append(f"# Save as scraper/portals/{slug}.toml, check every value against the live site, then add fixtures.")
    if already:
        lines.append(f"# This host already has a profile: {', '.join(already)}; compare before replacing it.")
    if detection.platform == UNKNOWN:
        lines.append("# Platform: none of the known fingerprints matched (a vendor CMS?).")
    else:
        lines.append(f"# Platform recognised: {detection.label} (score {detection.score}, {detection.confidence} confidence).")
    for clue in detection.clues[:6]:
        lines.append(f"#   {_comment(str(clue))}")
    lines.append(f"name = {_toml(name or '')}" + ("" if name else "  # FILL IN: the page has no og:site_name or <title>"))
    if match is not None:
        lines.append(f"province = {_toml(province)}")
    else:
        lines.append(f'province = ""  # FILL IN: no existing profile\'s home or hosts match {_comment(host or url)}')
    if platform != detection.platform:
        lines.append(f'platform = "{UNKNOWN}"  # recognised as {detection.label}, which has no page classes: '
                     "the generic pages apply")
    else:
        lines.append(f"platform = {_toml(platform)}")
    lines.append(f"home = {_toml(home)}")
    lines.append('status = "unverified"')
    lines.append(f"evidence = {_toml('Drafted by `scrapy detect` from one page; not checked by a person.')}")
    if match is not None and match.merged_into:
        lines.append(f"merged_into = {_toml(match.merged_into)}")
    if subsite and base is not None:
        lines.append(f"parent = {_toml(base.slug)}")
    starts = _news_links(root, url, host)
    if starts:
        lines.append("# start_urls are guesses from the page's links whose text reads like a news category: check each one.")
        lines.append("start_urls = [")
        for link, text in starts:
            lines.append(f"    {_toml(link)},  # {_comment(text)}")
        lines.append("]")
    else:
        lines.append("# No link on this page reads like a news category: add the category listings by hand.")
        lines.append("start_urls = []")
    return Draft(slug, "\n".join(lines) + "\n")


def _base_host(profile: Profile) -> str | None:
    first = profile.home or (profile.start_urls[0] if profile.start_urls else None)
    return host_key(urlsplit(first).hostname or "") if first else None


def _province_of(host: str, profiles: list[Profile]) -> tuple[Profile | None, Profile | None]:
    """(the profile whose host is the longest suffix of `host`, the province portal among such profiles)."""
    def matches(p: Profile) -> int:
        return max((len(h) for h in p.hosts if h and (host == h or host.endswith("." + h))), default=0)

    ranked = sorted(((matches(p), p.slug, p) for p in profiles), key=lambda t: (-t[0], t[1]))
    best = next((p for n, _, p in ranked if n), None)
    base = next((p for n, _, p in ranked if n and not p.is_subsite), None)
    return best, base


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return not host
    return True


def _snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(text).lower()).strip("_")


def _site_name(root: etree._Element) -> str | None:
    for value in root.xpath("//meta[@property='og:site_name']/@content"):
        name = clean_inline(value)
        if name:
            return name
    title = clean_inline(" ".join(root.xpath("//title//text()")))
    if not title:
        return None
    # "<page> - <site>": the site name is the last part.
    return _TITLE_SEPARATORS.split(title)[-1].strip() or title


def _folded_words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text).lower()).split())


def _news_links(root: etree._Element, url: str, host: str) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        text = clean_inline(" ".join(a.itertext()))
        if not text or len(text.split()) > 6:
            continue
        if not NEWS_CATEGORY.match(_folded_words(text)):
            continue
        absolute = urljoin(url, href).split("#", 1)[0]
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or host_key(parts.hostname or "") != host:
            continue
        found.setdefault(absolute, text)
        if len(found) == MAX_START_URLS:
            break
    return list(found.items())


def _toml(value: str) -> str:
    # A JSON string is a valid TOML basic string: the same escapes, \uXXXX for control characters.
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(text.split())
