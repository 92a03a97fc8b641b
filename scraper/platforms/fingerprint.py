"""Which CMS built a page, from the page's own bytes.

Pure functions: bytes and a URL in, a `Detection` out; no I/O, no clock. Every fingerprint that
matches becomes a `Clue` with a weight that depends on where it was found. The page's own URL, URLs
on the page's own host, its inline scripts and its class names are the site speaking about itself;
a link to another host is only a neighbour's platform (portals link to each other, and their
"Liên kết website" lists name dozens of portals on other platforms), so such clues weigh 1, add at
most 2 to a platform's score and never decide alone. The platforms are checked in ORDER: the first
five are signatures (a score wins, the earlier one breaks a tie); the last two are URL shapes many vendor
CMSs share, so they count only when no signature platform qualified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from scraper.core.decoding import decode_html
from scraper.core.urls import host_key

UNKNOWN = "unknown"
# The order platforms are checked in: ties go to the earlier one.
ORDER = ("websphere", "liferay", "sharepoint", "webcenter", "drupal", "nukeviet", "classic-asp")
SIGNATURES = ORDER[:5]   # markers only the platform leaves
SHAPES = ORDER[5:]       # URL shapes, considered only when no signature qualified
LABELS = {
    "websphere": "IBM WebSphere Portal",
    "liferay": "Liferay",
    "sharepoint": "SharePoint",
    "webcenter": "Oracle WebCenter",
    "drupal": "Drupal",
    "nukeviet": "NukeViet",
    "classic-asp": "classic ASP",
    UNKNOWN: "unknown (vendor CMS or not recognised)",
}

# Weights by where a fingerprint was found.
PAGE_URL, OWN_URL, HEAD_SCRIPT, SCRIPT, MARKUP, GENERATOR, OTHER_HOST = 5, 3, 4, 3, 3, 5, 1
OTHER_HOST_CAP = 2    # links to other hosts add at most this much to a platform
QUALIFY = 3           # a platform needs this much evidence from the page itself


@dataclass(frozen=True)
class Clue:
    """One fingerprint found once or more in one kind of place."""

    platform: str | None    # None: a note that names no platform (ASP.NET WebForms ids, a WordPress generator)
    fingerprint: str        # what was looked for
    where: str              # "an <img src>", "a <head> script", "a class name", ...
    snippet: str            # the first thing it matched
    weight: int
    own: bool               # found in the page itself or on its own host
    count: int = 1

    def __str__(self) -> str:
        who = f"{LABELS[self.platform]} +{self.weight}" if self.platform else "note"
        place = self.where + ("" if self.own else " to another host")
        times = f" ({self.count} times)" if self.count > 1 else ""
        return f"{who}: {self.fingerprint} in {place}: {self.snippet}{times}"


@dataclass(frozen=True)
class Detection:
    platform: str                   # one of ORDER, or "unknown"
    score: int                      # the winner's score (0 when unknown)
    confidence: str                 # "high", "medium", "low"; "none" when unknown
    clues: tuple[Clue, ...]         # strongest first
    scores: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def evidence(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.clues)

    @property
    def label(self) -> str:
        return LABELS[self.platform]


# --------------------------------------------------------------------------------------------------
# Fingerprints

@dataclass(frozen=True)
class _UrlPrint:
    platform: str
    fingerprint: str
    pattern: re.Pattern    # searched in a URL's path and query (its path only for shapes), never its host

    def search(self, path: str, query: str) -> bool:
        if self.platform in SHAPES:
            return bool(self.pattern.search(path))
        return bool(self.pattern.search(path + ("?" + query if query else "")))


def _url(platform: str, fingerprint: str, pattern: str, flags: int = 0) -> _UrlPrint:
    return _UrlPrint(platform, fingerprint, re.compile(pattern, flags))


URL_PRINTS = (
    _url("websphere", "/wps/portal", r"/wps/(?:my)?portal\b"),
    _url("websphere", "/wps/wcm/connect", r"/wps/wcm/connect\b"),
    _url("websphere", "MOD=AJPERES", r"[?&]MOD=AJPERES\b"),
    _url("websphere", "CACHEID=", r"[?&]CACHEID="),
    _url("liferay", "p_p_id=", r"[?&]p_p_id="),
    _url("liferay", "/-/asset_publisher/", r"/-/asset_publisher/"),
    _url("liferay", "/-/view_content/", r"/-/view_content/"),
    # SharePoint's page libraries are "Pages", localised "Trang" on Vietnamese installs; the case is
    # SharePoint's own, so an ASP.NET site's lower-case /pages/x.aspx does not count.
    _url("sharepoint", "/Pages/*.aspx", r"/Pages/[^?#]*\.aspx\b"),
    _url("sharepoint", "/Trang/*.aspx", r"/Trang/[^?#]*\.aspx\b"),
    _url("sharepoint", "/Lists/", r"/Lists/"),
    _url("sharepoint", "/_layouts/", r"/_layouts/", re.IGNORECASE),
    _url("webcenter", "/webcenter/portal/", r"/webcenter/portal/"),
    _url("webcenter", "dDocName=", r"[?&]dDocName="),
    _url("drupal", "sites/default/files/", r"/sites/default/files/"),
    # NukeViet rewrites /index.php?language=vi&nv=<module>&op=<alias> to /vi/<module>/<alias>.
    _url("nukeviet", "/vi/<module>/<alias>", r"^/vi/[a-z][a-z0-9-]*/[^/?#]+"),
    _url("classic-asp", "*.asp pages", r"\.asp$", re.IGNORECASE),
)

# Class-name and id prefixes.
MARKUP_PRINTS = (
    ("websphere", "wpthemeControl (wptheme* classes)", "class", re.compile(r"^wptheme[A-Z]")),
    ("websphere", "wpsPortletBody", "class", re.compile(r"^wpsPortlet")),
    ("liferay", "portlet-boundary_", "class", re.compile(r"^portlet-boundary_")),
    ("liferay", "lfr- classes", "class", re.compile(r"^lfr-")),
    ("liferay", "p_p_id_ portlet ids", "id", re.compile(r"^p_p_id_")),
    ("sharepoint", "ms-rtestate-field", "class", re.compile(r"^ms-rtestate-")),
    ("sharepoint", "ExternalClass", "class", re.compile(r"^ExternalClass[0-9A-Fa-f]")),
    # A SharePoint web part's id is "g_" + its GUID with underscores, inside the ctl00_ naming chain.
    ("sharepoint", "web-part ids _g_<GUID>", "id",
     re.compile(r"(?:^|_)g_[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}", re.IGNORECASE)),
)
WEBFORMS_ID = re.compile(r"^ctl00_")

# Markers in inline scripts.
SCRIPT_PRINTS = (
    ("liferay", "var Liferay=", re.compile(r"\bvar\s+Liferay\s*=")),
    ("liferay", "Liferay.Portlet", re.compile(r"\bLiferay\.Portlet\.")),
    ("sharepoint", "_spPageContextInfo", re.compile(r"\b_spPageContextInfo\b")),
    ("drupal", "Drupal.settings", re.compile(r"\bDrupal\.settings\b|\bdrupalSettings\b")),
    ("nukeviet", "nv_base_siteurl", re.compile(r"\bnv_base_siteurl\b")),
)

GENERATORS = (
    ("websphere", re.compile(r"websphere", re.IGNORECASE)),
    ("liferay", re.compile(r"liferay", re.IGNORECASE)),
    ("sharepoint", re.compile(r"sharepoint", re.IGNORECASE)),
    ("webcenter", re.compile(r"webcenter", re.IGNORECASE)),
    ("drupal", re.compile(r"drupal", re.IGNORECASE)),
    ("nukeviet", re.compile(r"nukeviet", re.IGNORECASE)),
)

# Attributes that hold URLs, and how to name the place in the evidence.
URL_ATTRS = ("href", "src", "action", "data-src", "data-href", "data-url", "poster", "background")
_ARTICLE = {"a": "an", "img": "an", "iframe": "an", "input": "an", "option": "an", "object": "an"}
_TOKEN_END = re.compile(r"""["'\s<>()\\,;]""")
_META_URL = re.compile(r"^(?:https?:)?//|^/")
# Where a script or style may hold a URL worth checking against URL_PRINTS (shapes excluded:
# every script holds paths, and only a page's links say what its URLs look like).
SCRIPT_URL_HINT = re.compile(
    r"/wps/|MOD=AJPERES|CACHEID=|p_p_id=|/-/asset_publisher/|/-/view_content/|/Pages/|/Trang/|/Lists/"
    r"|/_layouts/|/webcenter/|dDocName=|/sites/default/files/", re.IGNORECASE)


# --------------------------------------------------------------------------------------------------
# Detection


def parse(body: bytes, content_type: str | None = None) -> etree._Element:
    """The page decoded the project's way and parsed as the page classes parse it."""
    text = decode_html(body, content_type).text
    return Selector(text=text or "<html></html>").root


class _Collector:
    def __init__(self, url: str):
        self.base = url
        parts = urlsplit(url)
        self.scheme, self.host = parts.scheme, host_key(parts.hostname or "")
        self.found: dict[tuple, list] = {}

    def add(self, platform: str | None, fingerprint: str, where: str, snippet: str, weight: int, own: bool,
            count: int = 1) -> None:
        key = (platform, fingerprint, where, own)
        if key in self.found:
            self.found[key][1] += count
        else:
            self.found[key] = [_short(snippet), count, weight]

    def is_own(self, absolute: str) -> bool:
        parts = urlsplit(absolute)
        if parts.scheme in ("http", "https") and self.scheme in ("http", "https"):
            return host_key(parts.hostname or "") == self.host
        return parts.scheme == self.scheme and host_key(parts.hostname or "") == self.host

    def link(self, raw: str, where: str, *, page: bool = False) -> None:
        raw = raw.strip()
        if not raw or raw.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            return
        try:
            absolute = urljoin(self.base, raw)
            parts = urlsplit(absolute)
        except ValueError:
            return
        own = page or self.is_own(absolute)
        for p in URL_PRINTS:
            if p.search(parts.path, parts.query):
                weight = PAGE_URL if page else OWN_URL if own else OTHER_HOST
                # A relative link can match only through the path it inherits: then show where it leads.
                shown = raw if not page and p.pattern.search(raw) else absolute
                self.add(p.platform, p.fingerprint, where, shown, weight, own)

    def clues(self) -> list[Clue]:
        return [Clue(k[0], k[1], k[2], v[0], v[2], k[3], v[1]) for k, v in self.found.items()]


def _short(s: str, limit: int = 100) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _tokens_around(text: str, pattern: re.Pattern) -> Iterable[str]:
    """The URL-ish token around each match of `pattern` in script or style text."""
    for m in pattern.finditer(text):
        start = m.start()
        while start > 0 and not _TOKEN_END.match(text[start - 1]):
            start -= 1
        end = _TOKEN_END.search(text, m.end())
        yield text[start: end.start() if end else len(text)]


def _in_head(el: etree._Element) -> bool:
    return any(a.tag == "head" for a in el.iterancestors())


def detect(url: str, body: bytes, content_type: str | None = None) -> Detection:
    """The platform that built the page at `url`, with the evidence."""
    return detect_tree(url, parse(body, content_type))


def detect_tree(url: str, root: etree._Element) -> Detection:
    base = next(iter(root.xpath("//head/base/@href")), None)
    found = _Collector(urljoin(url, base) if base else url)
    found.link(url, "the page URL", page=True)
    webforms: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        attrib = el.attrib
        for name in URL_ATTRS:
            if attrib.get(name):
                found.link(attrib[name], f"{_ARTICLE.get(tag, 'a')} <{tag} {name}>")
        if tag == "option" and attrib.get("value"):
            found.link(attrib["value"], "an <option value>")  # "Liên kết website" dropdowns
        if tag == "meta":
            _meta(found, attrib)
        for token in (attrib.get("class") or "").split():
            for platform, fingerprint, kind, rx in MARKUP_PRINTS:
                if kind == "class" and rx.search(token):
                    found.add(platform, fingerprint, "a class name", token, MARKUP, True)
        ident = attrib.get("id")
        if ident:
            for platform, fingerprint, kind, rx in MARKUP_PRINTS:
                if kind == "id" and rx.search(ident):
                    found.add(platform, fingerprint, "an id", ident, MARKUP, True)
            if WEBFORMS_ID.match(ident):
                webforms.append(ident)
        if tag in ("script", "style") and not attrib.get("src") and el.text:
            _inline(found, tag, el.text, _in_head(el))
    if webforms:
        # ASP.NET WebForms names server controls ctl00_…; SharePoint is built on it, and so are many
        # vendor CMSs, so the ids are reported but weigh nothing.
        found.add(None, "ctl00_ ids (ASP.NET WebForms; not SharePoint by themselves)", "an id", webforms[0], 0, True,
                  count=len(webforms))
    return _decide(found.clues())


def _meta(found: _Collector, attrib) -> None:
    name = (attrib.get("name") or "").lower()
    content = (attrib.get("content") or "").strip()
    if not content:
        return
    if name == "generator":
        named = [platform for platform, rx in GENERATORS if rx.search(content)]
        if named:
            found.add(named[0], "<meta name=generator>", "the page head", content, GENERATOR, True)
        else:
            found.add(None, "<meta name=generator> naming no known platform", "the page head", content, 0, True)
    elif _META_URL.match(content):
        found.link(content, "a <meta content>")


def _inline(found: _Collector, tag: str, text: str, in_head: bool) -> None:
    where = f"a <head> {tag}" if in_head else f"a {tag} in the body"
    if tag == "script":
        for platform, fingerprint, rx in SCRIPT_PRINTS:
            m = rx.search(text)
            if m:
                found.add(platform, fingerprint, where, text[m.start(): m.start() + 80],
                          HEAD_SCRIPT if in_head else SCRIPT, True)
    # URLs written in scripts and styles (url(...), location strings) count like URLs in attributes.
    for token in _tokens_around(text, SCRIPT_URL_HINT):
        found.link(token, where)


def _decide(clues: list[Clue]) -> Detection:
    own: dict[str, int] = {}
    other: dict[str, int] = {}
    for c in clues:
        if c.platform is None:
            continue
        bucket = own if c.own else other
        bucket[c.platform] = bucket.get(c.platform, 0) + c.weight
    scores = {p: own.get(p, 0) + min(other.get(p, 0), OTHER_HOST_CAP) for p in ORDER if p in own or p in other}
    winner = UNKNOWN
    for group in (SIGNATURES, SHAPES):
        qualified = [p for p in group if own.get(p, 0) >= QUALIFY]
        if qualified:
            winner = max(qualified, key=lambda p: (scores[p], -ORDER.index(p)))
            break
    rank = {p: n for n, p in enumerate(ORDER)}
    clues.sort(key=lambda c: (c.platform != winner, c.platform is None, not c.own, -c.weight,
                              rank.get(c.platform or "", len(ORDER)), c.fingerprint))
    if winner == UNKNOWN:
        return Detection(UNKNOWN, 0, "none", tuple(clues), MappingProxyType(scores))
    score = scores[winner]
    distinct = {c.fingerprint for c in clues if c.platform == winner and c.own}
    rivals = [scores[p] for p in scores if p != winner and own.get(p, 0) >= QUALIFY]
    confidence = "high" if score >= 10 and len(distinct) >= 2 else "medium" if score >= 6 else "low"
    if rivals and max(rivals) * 2 > score:  # another platform's own evidence is more than half as strong
        confidence = "low"
    return Detection(winner, score, confidence, tuple(clues), MappingProxyType(scores))
