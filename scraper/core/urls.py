"""Canonical URLs: one key per article whatever link, scheme, host alias or session led to it.

The generic rules (scheme, ``www.``, fragments, session ids, tracking and pagination parameters)
are ``canonical_url``; a platform adds its own as data, ``KeyRules``: path rewrites (portal state,
language tails), URL shapes whose path or one parameter alone names an article (a WCM path, an
item id), and parameters to drop. Also here: crawl traps, and moving URLs between a portal and a
copy of it.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Parameters that never change which article a URL names.
# Kept deliberately short: a parameter wrongly dropped merges distinct articles under one key,
# which is worse than a parameter wrongly kept. Platforms add their own rules.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|zarsrc|zalo_\w+|_ga|_gl|mc_cid|mc_eid|print|share|sort|sortby|orderby)$",
    re.IGNORECASE,
)
SESSION_PARAMS = re.compile(r"^(jsessionid|phpsessid|sid|sessionid|session_id|asp\.net_sessionid|cfid|cftoken)$", re.IGNORECASE)
PAGINATION_PARAMS = re.compile(r"^(page|pagenumber|pageindex|pageno|paged|trang)$", re.IGNORECASE)
_PATH_SESSION = re.compile(r";(jsessionid|sid|phpsessid)=[^/?#]*", re.IGNORECASE)


def host_key(host: str) -> str:
    """'WWW.PhuYen.gov.vn:443' -> 'phuyen.gov.vn': the form hosts are compared in."""
    host = (host or "").lower().rstrip(".")
    if host.endswith(":80") or host.endswith(":443"):
        host = host.rsplit(":", 1)[0]
    return host[4:] if host.startswith("www.") else host


def is_param_noise(name: str) -> bool:
    return bool(TRACKING_PARAMS.match(name) or SESSION_PARAMS.match(name) or PAGINATION_PARAMS.match(name))


def canonical_url(url: str, *, keep: frozenset[str] | None = None, drop: re.Pattern | None = None) -> str:
    """The archive's key for a URL: https, no ``www.``, no fragment, no session/tracking/paging
    parameters, remaining parameters sorted, path percent-encoding normalised.

    ``keep`` names parameters to keep even if they look like noise; ``drop`` drops more.
    """
    parts = urlsplit(url.strip())
    scheme = "https" if parts.scheme in ("http", "https", "") else parts.scheme.lower()
    host = host_key(parts.netloc.rsplit("@", 1)[-1])
    path = _PATH_SESSION.sub("", parts.path) or "/"
    path = quote(unquote(path), safe="/:@!$&'()*+,;=-._~")
    if "/./" in path or "/../" in path:
        path = posixpath.normpath(path) + ("/" if path.endswith("/") else "")
    query = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if keep and name in keep:
            query.append((name, value))
        elif is_param_noise(name) or (drop is not None and drop.match(name)):
            continue
        else:
            query.append((name, value))
    query.sort()
    # A bare "?12150284" (Quảng Ngãi's article id) stays bare rather than becoming "12150284=".
    rendered = "&".join(quote(k, safe="/:") + ("=" + quote(v, safe="/:") if v else "") for k, v in query)
    return urlunsplit((scheme, host, path, rendered, ""))


@dataclass(frozen=True)
class Rewrite:
    """A path rewrite applied before anything else (``/!ut/p/…`` portal state, a ``/vi`` tail)."""

    pattern: re.Pattern
    replacement: str


@dataclass(frozen=True)
class PathKey:
    """A path shape that names an article by itself: the key is the rewritten path, no query."""

    pattern: re.Pattern
    replacement: str


@dataclass(frozen=True)
class IdParam:
    """A query parameter that names an article by itself: the key is the path and that parameter.

    Names are compared without case (ASP.NET and Java portals read them so); `spelling` is how the
    key writes the name. `digits`: only a numeric value counts. `path`: only on paths like this."""

    name: str
    spelling: str | None = None
    digits: bool = False
    path: re.Pattern | None = None

    def value(self, path: str, params: list[tuple[str, str]]) -> str | None:
        if self.path is not None and not self.path.search(path):
            return None
        for name, value in params:
            value = value.strip()
            if name.lower() == self.name.lower() and value and (value.isdigit() or not self.digits):
                return value
        return None


@dataclass(frozen=True)
class KeyRules:
    """How one platform turns a URL into an archive key, on top of ``canonical_url``: the rewrites,
    then the first of `keys` that applies, else every parameter matching `drop` is left out."""

    rewrites: tuple[Rewrite, ...] = ()
    keys: tuple[PathKey | IdParam, ...] = ()
    drop: re.Pattern | None = None

    def key(self, url: str) -> str:
        parts = urlsplit(url.strip())
        path = parts.path
        for rewrite in self.rewrites:
            path = rewrite.pattern.sub(rewrite.replacement, path)
        params = parse_qsl(parts.query, keep_blank_values=True)
        for rule in self.keys:
            if isinstance(rule, PathKey):
                if rule.pattern.search(path):
                    return canonical_url(urlunsplit((parts.scheme, parts.netloc, rule.pattern.sub(rule.replacement, path), "", "")))
                continue
            value = rule.value(path, params)
            if value is not None:
                name = rule.spelling or rule.name
                return canonical_url(urlunsplit((parts.scheme, parts.netloc, path, urlencode({name: value}), "")),
                                     keep=frozenset({name}))
        return canonical_url(urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")), drop=self.drop)


def same_site(url: str, hosts: set[str]) -> bool:
    """True when the URL's host is one of `hosts` (compared as host_key forms)."""
    return host_key(urlsplit(url).netloc) in hosts


def rebase(url: str, from_origin: str, to_origin: str) -> str:
    """Move a URL fetched from a mirror back onto the portal it mirrors (hosts compared, schemes not):
    rebase('http://127.0.0.1:8001/a?b', 'http://127.0.0.1:8001', 'https://phuyen.gov.vn')."""
    src, dst, u = urlsplit(from_origin), urlsplit(to_origin), urlsplit(url)
    if host_key(u.netloc) != host_key(src.netloc):
        return url
    prefix = src.path.rstrip("/")
    path = u.path[len(prefix):] if prefix and u.path.startswith(prefix) else u.path
    return urlunsplit((dst.scheme, dst.netloc, dst.path.rstrip("/") + path, u.query, u.fragment))


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Query parameters that make a listing or a page another view of the same thing: calendars, sort
# orders, print and share views. Links carrying them are not followed.
_CALENDAR_KEYS = {"day", "month", "year", "date", "ngay", "thang", "nam", "tuan", "week", "calendar", "lich"}
_VIEW_KEYS = {"sort", "sortby", "orderby", "order", "dir", "print", "share", "sharer"}
_TRAP_PATHS = re.compile(
    r"(/print/|/in-bai|/ban-in|/share|/sharer|/lich-cong-tac/\d|/lichcongtac/\d|/calendar/\d|/lich/\d{4})", re.IGNORECASE
)
_REPEATS = (re.compile(r"(/[^/]+)\1{2,}"), re.compile(r"(/[^/]+/[^/]+)\1{2,}"))
_LANG_AFTER_PAGE = re.compile(r"\.html?/(?:[a-z]{2}(?:_[A-Z]{2})?/)*[a-z]{2}(?:_[A-Z]{2})?/?$")
MAX_DEPTH = 14


def trap_reason(url: str) -> str | None:
    """Why following `url` would lead a crawl in circles, or None when it is an ordinary link."""
    parts = urlsplit(url)
    path = parts.path
    if any(r.search(path) for r in _REPEATS):
        return "repeated path segments"
    if _LANG_AFTER_PAGE.search(path):
        return "language segment after a page (renders a listing, not the page)"
    if path.count("/") > MAX_DEPTH:
        return "path too deep"
    if _TRAP_PATHS.search(path):
        return "print, share or calendar page"
    keys = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if keys & _CALENDAR_KEYS:
        return "calendar parameters"
    if keys & _VIEW_KEYS:
        return "sort, print or share parameters"
    return None


def strip_session(url: str) -> str:
    """The same URL without session ids in its path or query (a link is followed without them)."""
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path)
    query = "&".join(
        f"{k}={v}" if v else k for k, v in parse_qsl(parts.query, keep_blank_values=True) if not SESSION_PARAMS.match(k)
    )
    return urlunsplit((parts.scheme, parts.netloc, path, query if parts.query else "", parts.fragment))


_ID = re.compile(r"\d{2,}")
_WORDS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+", re.IGNORECASE)


def _generalised(segment: str) -> str:
    """A URL path segment as a shape: numbers as <id>, hyphenated words as <slug>."""
    stem, dot, ext = segment.rpartition(".") if re.search(r"\.[a-z]{2,5}$", segment, re.IGNORECASE) else (segment, "", "")
    m = re.fullmatch(r"(.*?)-?(\d{2,})", stem)
    # A trailing number is an id when the segment is a file ("…-10245.html") or the number is long;
    # "…-nam-2025" is part of the slug.
    if m and m.group(1) and (dot or len(m.group(2)) >= 5):
        head = "<slug>" if _WORDS.fullmatch(m.group(1)) or m.group(1).isalpha() else _ID.sub("<id>", m.group(1))
        stem = f"{head}-<id>"
    elif _WORDS.fullmatch(stem):
        stem = "<slug>"
    else:
        stem = _ID.sub("<id>", stem)
    return stem + dot + ext


def url_patterns(urls: list[str], *, literal_share: float = 0.5, top: int = 3) -> list[dict]:
    """The shapes a site's article URLs share (``/tin-tuc/<slug>-<id>.html``), most common first:
    a path segment kept as it is where at least `literal_share` of the URLs with that many segments
    agree on it, else generalised; query parameters by name. Each shape with its share of `urls`,
    its count and up to three examples."""
    if not urls:
        return []
    split = [(u, [s for s in urlsplit(u).path.split("/") if s], urlsplit(u).query) for u in urls]
    by_length: dict[int, list] = {}
    for item in split:
        by_length.setdefault(len(item[1]), []).append(item)
    shapes: dict[str, list[str]] = {}
    for length, items in by_length.items():
        common = []
        for i in range(length):
            values = [segs[i] for _, segs, _ in items]
            value, n = max(((v, values.count(v)) for v in set(values)), key=lambda vn: vn[1])
            common.append(value if n >= 2 and n >= literal_share * len(items) else None)
        for url, segs, query in items:
            path = "/" + "/".join(c if c is not None else _generalised(s) for c, s in zip(common, segs))
            params = sorted({(_ID.sub("<id>", p.split("=", 1)[0]), "=" in p) for p in query.split("&") if p})
            shape = path + ("?" + "&".join(f"{n}=<value>" if valued else n for n, valued in params) if params else "")
            shapes.setdefault(shape, []).append(url)
    ranked = sorted(shapes.items(), key=lambda kv: -len(kv[1]))[:top]
    return [{"pattern": shape, "count": len(found), "share": round(len(found) / len(urls), 3), "examples": found[:3]}
            for shape, found in ranked]
