"""Dates as Vietnamese portals print them, read into ISO 8601 with +07:00.

Day-first everywhere except where a portal profile declares US order (SharePoint list views). A date
with no time of day is kept as a date (``2024-01-19``): a made-up midnight would be a lie. Relative
times ("2 giờ trước") are read against the fetch time, never against the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

VN_TZ = dt.timezone(dt.timedelta(hours=7), "+07:00")
EARLIEST_YEAR = 1990  # no Vietnamese government portal published before this

_ISO = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
_NUM_DATE = re.compile(r"(?<![\d.])(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d)")
_WORD_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_TIME = re.compile(
    r"(?<![\d/.\-])(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{2})(?:\s*:\s*(\d{2}))?'?"
    r"(?:\s*(AM|PM|SA|CH|sáng|chiều|tối|trưa))?(?![\d/.\-])",
    re.IGNORECASE,
)
_OFFSET = re.compile(
    r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?|\b(UTC|GMT)\b(?!\s*[+-])", re.IGNORECASE
)
_RELATIVE = re.compile(r"(\d+)\s*(giây|phút|giờ|tiếng|ngày|tuần)\s*(?:trước|qua)", re.IGNORECASE)
_YESTERDAY = re.compile(r"\bhôm\s+qua\b", re.IGNORECASE)
_TODAY = re.compile(r"\bhôm\s+nay\b", re.IGNORECASE)


def _offset_tz(m: re.Match | None) -> dt.tzinfo:
    if not m:
        return VN_TZ
    if m.group(4):
        return dt.timezone.utc
    off = dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
    return dt.timezone(off if m.group(1) == "+" else -off)


def _iso(d: dt.datetime) -> str:
    return d.astimezone(VN_TZ).replace(microsecond=0).isoformat()


# NukeViet 4 writes article:published_time with PHP's date('Y-m-dTH:i:s'), where T is the zone's
# abbreviation, not a separator: "2024-03-13ICT08:30:00", "2024-03-13+0708:30:00".
_PHP_ZONE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(ICT|[A-Z]{3,5}|[+-]\d{2}(?::?\d{2})?)(\d{2}):(\d{2}):(\d{2})(?!\d)")
_ZONES = {"ICT": "+07:00", "UTC": "+00:00", "GMT": "+00:00"}


def _php_zone_iso(value: str) -> str | None:
    m = _PHP_ZONE_ISO.search(value)
    if not m:
        return None
    y, mo, d, zone, h, mi, s = m.groups()
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        zone = f"{zone[0]}{digits[:2]}:{digits[2:4] or '00'}"
    elif zone in _ZONES:
        zone = _ZONES[zone]
    else:
        zone = "+07:00"  # an abbreviation we do not know: a Vietnamese server's own zone
    return parse_iso(f"{y}-{mo}-{d}T{h}:{mi}:{s}{zone}")


def parse_iso(value: str) -> str | None:
    """ISO 8601 from page metadata (``article:published_time``, JSON-LD, ``<time datetime>``)."""
    m = _ISO.search(value or "")
    if not m:
        return None
    y, mo, d, h, mi, s, off = m.groups()
    try:
        if h is None:
            return dt.date(int(y), int(mo), int(d)).isoformat()
        tz: dt.tzinfo = VN_TZ
        if off == "Z":
            tz = dt.timezone.utc
        elif off:
            digits = off[1:].replace(":", "")
            delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            tz = dt.timezone(delta if off[0] == "+" else -delta)
        return _iso(dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=tz))
    except ValueError:
        return None


_RFC_2822 = re.compile(r"^(?:[A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}(?::\d{2})? (?:GMT|UTC|[+-]\d{4})$")


def parse_date(value: str | None, *, month_first: bool = False, now: str | dt.datetime | None = None) -> str | None:
    """Read a portal's date string; ISO with +07:00, a bare date, or None when there is no date in it.

    >>> parse_date("10:22, 19/01/2024 [GMT+7]")
    '2024-01-19T10:22:00+07:00'
    >>> parse_date("Thứ sáu, 02/7/2021 - 09:49")
    '2021-07-02T09:49:00+07:00'
    >>> parse_date("11/19/2019 3:00 PM", month_first=True)
    '2019-11-19T15:00:00+07:00'
    """
    if not value:
        return None
    s = " ".join(value.split())
    if _PHP_ZONE_ISO.search(s):
        return _php_zone_iso(s)
    if _ISO.search(s):
        return parse_iso(s)
    if _RFC_2822.match(s):
        try:
            return _iso(parsedate_to_datetime(s))  # "Mon, 4 May 2026 02:05:12 GMT": feeds, HTTP, some footers
        except (TypeError, ValueError):
            return None
    m = _NUM_DATE.search(s)
    if m:
        a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        month, day = (a, b) if month_first else (b, a)
    else:
        m = _WORD_DATE.search(s)
        if not m:
            return _parse_relative(s, now)
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    rest = s[: m.start()] + " " + s[m.end():]
    t = _TIME.search(rest)
    tz = _offset_tz(_OFFSET.search(rest))
    try:
        if not t:
            return dt.date(year, month, day).isoformat()
        hour, minute, second = int(t.group(1)), int(t.group(2)), int(t.group(3) or 0)
        hour = _twelve_hour(hour, (t.group(4) or "").lower())
        return _iso(dt.datetime(year, month, day, hour, minute, second, tzinfo=tz))
    except ValueError:
        return None


def _twelve_hour(hour: int, marker: str) -> int:
    if marker in ("pm", "ch", "chiều", "tối") and hour < 12:
        return hour + 12
    if marker in ("am", "sa", "sáng") and hour == 12:
        return 0
    return hour


def _as_datetime(now: str | dt.datetime | None) -> dt.datetime | None:
    if now is None:
        return None
    if isinstance(now, dt.datetime):
        return now if now.tzinfo else now.replace(tzinfo=VN_TZ)
    iso = parse_iso(now)
    if not iso or "T" not in iso:
        return None
    return dt.datetime.fromisoformat(iso)


def _parse_relative(s: str, now: str | dt.datetime | None) -> str | None:
    ref = _as_datetime(now)
    if ref is None:
        return None
    ref = ref.astimezone(VN_TZ)
    m = _RELATIVE.search(s)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        delta = {
            "giây": dt.timedelta(seconds=n),
            "phút": dt.timedelta(minutes=n),
            "giờ": dt.timedelta(hours=n),
            "tiếng": dt.timedelta(hours=n),
            "ngày": dt.timedelta(days=n),
            "tuần": dt.timedelta(weeks=n),
        }[unit]
        when = ref - delta
        # "3 ngày trước" says nothing about the hour: keep only the date.
        return when.date().isoformat() if unit in ("ngày", "tuần") else _iso(when.replace(second=0))
    for pattern, days in ((_YESTERDAY, 1), (_TODAY, 0)):
        if pattern.search(s):
            day = (ref - dt.timedelta(days=days)).date()
            t = _TIME.search(s)
            if not t:
                return day.isoformat()
            hour = _twelve_hour(int(t.group(1)), (t.group(4) or "").lower())
            try:
                return _iso(dt.datetime(day.year, day.month, day.day, hour, int(t.group(2)), tzinfo=VN_TZ))
            except ValueError:
                return None
    return None


def date_problem(iso: str | None, *, now: str | dt.datetime | None) -> str | None:
    """Why a parsed date cannot be an article's publication time, or None when it can."""
    if not iso:
        return "no publication date"
    try:
        when = dt.datetime.fromisoformat(iso) if "T" in iso else dt.datetime.fromisoformat(iso + "T00:00:00+07:00")
    except ValueError:
        return f"unreadable date {iso!r}"
    if when.year < EARLIEST_YEAR:
        return f"impossible date {iso} (before {EARLIEST_YEAR})"
    ref = _as_datetime(now)
    if ref is not None and when > ref + dt.timedelta(days=1):
        return f"date {iso} is in the future of the fetch time {ref.isoformat()}"
    return None


def to_vn(iso: str | None) -> str | None:
    """Any ISO 8601 value re-expressed at +07:00 (a bare date stays a date)."""
    if not iso:
        return None
    if "T" not in iso:
        return iso
    return parse_iso(iso)


_URL_DATE = (
    re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=[/_-]|$)"),  # /2023-11-11/, /2019/11/18/
    re.compile(r"(?<![\d])((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\d])"),      # -20240119, /20240119/
)


def date_in_url(url: str) -> str | None:
    """The day an article URL carries in its path (``/Pages/2023-11-11/…``, ``/2019/11/18/…``,
    ``…-20240119.html``), as ISO ``YYYY-MM-DD``; None when it carries none."""
    path = urlsplit(url).path
    for pattern in _URL_DATE:
        for m in pattern.finditer(path):
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                continue
    return None


def parse_http_date(value: str | None) -> dt.datetime | None:
    """An HTTP date (RFC 9110: ``Sun, 06 Nov 1994 08:49:37 GMT`` and its obsolete forms), aware, or None."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return when.replace(tzinfo=dt.timezone.utc) if when.tzinfo is None else when


def http_date(value: str | None, *, fetched_at: str | None, settle: dt.timedelta = dt.timedelta(minutes=10)) -> str | None:
    """An HTTP ``Last-Modified`` value at +07:00, when it can stand for a publication time: not the
    moment of the fetch itself (dynamic pages send "now"), so at least `settle` before it."""
    when = parse_http_date(value)
    if when is None:
        return None
    ref = _as_datetime(fetched_at)
    if ref is not None and when > ref - settle:
        return None
    return _iso(when)


# Where an article's publication time came from, most trusted first.
DATE_SOURCES = ("metadata", "page", "listing", "feed", "url", "http", "none")


def publication(page_raw: str | None, page_iso: str | None, page_from: str | None, *, entry: dict | None, url: str,
                last_modified: str | None, fetched_at: str | None) -> tuple[str | None, str | None, str, str | None]:
    """(raw, ISO, source, problem) of an article's publication time: the page's own when it is a
    possible one, else its listing entry's, its sitemap or feed entry's, the date in its URL, its
    HTTP Last-Modified, else none. `problem` says why the page's own date was not taken."""
    problem = None
    if page_iso:
        problem = date_problem(page_iso, now=fetched_at)
        if problem is None:
            return page_raw, page_iso, page_from or "page", None
    elif page_raw:
        problem = f"unreadable date {page_raw!r}"
    entry = entry or {}
    route = "listing" if entry.get("route", "listing") == "listing" else "feed"
    candidates = [
        (entry.get("date_raw") or entry.get("published_at"), entry.get("published_at"), route),
        (url, date_in_url(url), "url"),
        (last_modified, http_date(last_modified, fetched_at=fetched_at), "http"),
    ]
    for raw, iso, source in candidates:
        if iso and date_problem(iso, now=fetched_at) is None:
            return raw, iso, source, problem
    return page_raw, None, "none", problem
