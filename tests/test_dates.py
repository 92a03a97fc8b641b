"""Dates in every shape the portals print, to ISO 8601 at +07:00."""

from __future__ import annotations

import pytest

from scraper.core.dates import date_in_url, date_problem, http_date, parse_date, publication, to_vn

FETCHED = "2026-06-30T09:00:00+07:00"


@pytest.mark.parametrize("raw,iso", [
    ("10:22, 19/01/2024 [GMT+7]", "2024-01-19T10:22:00+07:00"),          # phuyen.gov.vn (seed)
    ("04:54, 07/07/2018 [GMT+7]", "2018-07-07T04:54:00+07:00"),          # ptpphuyen.vn
    ("Thứ sáu, 18/11/2022 15:17 (GMT+7)", "2022-11-18T15:17:00+07:00"),  # weekday prefix
    ("16:33' - 03/04/2021", "2021-04-03T16:33:00+07:00"),               # ' after the minutes
    ("10:45 | 25/08/2017", "2017-08-25T10:45:00+07:00"),
    ("13:15 | 01-11-2022 | Xã hội", "2022-11-01T13:15:00+07:00"),
    ("02:56 13/04/2017", "2017-04-13T02:56:00+07:00"),
    ("03/11/2022 13:45", "2022-11-03T13:45:00+07:00"),
    ("06-03-2026, 20:21 (GMT+7)", "2026-03-06T20:21:00+07:00"),
    ("01/10/2021 15:53    4792", "2021-10-01T15:53:00+07:00"),          # trailing view count
    ("(29/06/2026, 14:49)", "2026-06-29T14:49:00+07:00"),
    ("03/04/2020 | 10:36 PM", "2020-04-03T22:36:00+07:00"),             # 12-hour clock
    ("Ngày đăng 06/01/2016 | 03:30 PM |View count: 426", "2016-01-06T15:30:00+07:00"),
    ("(27/06/2024)", "2024-06-27"),                                      # date only
    ("Thứ sáu, 02/7/2021 - 09:49", "2021-07-02T09:49:00+07:00"),         # one-digit month
    ("Cập nhật ngày 05/03/2023", "2023-03-05"),
    ("ngày 03 tháng 02 năm 2023", "2023-02-03"),
    ("Cập nhật: 08:15 ngày 05/03/2023", "2023-03-05T08:15:00+07:00"),
    ("15h30, 20/01/2024", "2024-01-20T15:30:00+07:00"),
    ("Chủ nhật, 21/01/2024 - 07:00", "2024-01-21T07:00:00+07:00"),
    ("22/01/2024 02:05 PM", "2024-01-22T14:05:00+07:00"),
    ("19.01.2024 10:22", "2024-01-19T10:22:00+07:00"),
    ("Thứ Sáu, 19/01/2024 10:22 (GMT+07:00)", "2024-01-19T10:22:00+07:00"),
    ("19/01/2024 10:22 UTC", "2024-01-19T17:22:00+07:00"),
    ("2025-05-09 11:05", "2025-05-09T11:05:00+07:00"),
    ("2024-01-19T03:22:00Z", "2024-01-19T10:22:00+07:00"),
])
def test_day_first_formats(raw, iso):
    assert parse_date(raw) == iso


def test_us_order_only_where_the_profile_says_so():
    assert parse_date("11/19/2019 3:00 PM", month_first=True) == "2019-11-19T15:00:00+07:00"
    assert parse_date("11/19/2019 3:00 PM") is None  # day 11, month 19: not a date when day-first


@pytest.mark.parametrize("raw,iso", [
    ("2 giờ trước", "2026-06-30T07:00:00+07:00"),
    ("45 phút trước", "2026-06-30T08:15:00+07:00"),
    ("3 ngày trước", "2026-06-27"),
    ("Hôm qua 16:20", "2026-06-29T16:20:00+07:00"),
])
def test_relative_times_are_read_against_the_fetch_time(raw, iso):
    assert parse_date(raw, now=FETCHED) == iso
    assert parse_date(raw) is None  # without a fetch time there is nothing to count back from


def test_date_problems():
    assert date_problem("2024-01-19T10:22:00+07:00", now=FETCHED) is None
    assert date_problem(None, now=FETCHED) == "no publication date"
    assert "future" in date_problem("2027-01-01", now=FETCHED)
    assert "impossible" in date_problem("1969-12-31", now=FETCHED)


def test_to_vn_moves_any_offset_to_plus_seven():
    assert to_vn("2024-01-19T03:22:00+00:00") == "2024-01-19T10:22:00+07:00"
    assert to_vn("2024-01-19") == "2024-01-19"


PAGE = "https://thanhhoa.gov.vn/portal/Pages/2023-11-11/Hoi-nghi-tong-ket.aspx"
LISTED = {"route": "listing", "date_raw": "11/11/2023", "published_at": "2023-11-11"}
MODIFIED = "Mon, 13 Nov 2023 02:05:12 GMT"


@pytest.mark.parametrize("page_raw,page_iso,entry,url,modified,expected", [
    # The page's own date wins when it is a possible one.
    ("10:22, 19/01/2024", "2024-01-19T10:22:00+07:00", LISTED, PAGE, MODIFIED, ("10:22, 19/01/2024", "2024-01-19T10:22:00+07:00", "page")),
    # No date on the page: the listing entry, then a feed entry, the URL, Last-Modified, none.
    (None, None, LISTED, PAGE, MODIFIED, ("11/11/2023", "2023-11-11", "listing")),
    (None, None, {"route": "feed", "published_at": "2023-11-11T08:00:00+07:00"}, PAGE, None,
     ("2023-11-11T08:00:00+07:00", "2023-11-11T08:00:00+07:00", "feed")),
    (None, None, None, PAGE, MODIFIED, (PAGE, "2023-11-11", "url")),
    (None, None, None, "https://x.gov.vn/tin/a-1.html", MODIFIED, (MODIFIED, "2023-11-13T09:05:12+07:00", "http")),
    (None, None, None, "https://x.gov.vn/tin/a-1.html", None, (None, None, "none")),
    # A date the page prints but that cannot be its publication time is passed over, not trusted.
    ("19/01/2031", "2031-01-19", LISTED, PAGE, None, ("11/11/2023", "2023-11-11", "listing")),
    ("19/01/1970", "1970-01-19", None, "https://x.gov.vn/tin/a-1.html", None, ("19/01/1970", None, "none")),
])
def test_publication_takes_the_first_possible_date_and_says_where_from(page_raw, page_iso, entry, url, modified, expected):
    raw, iso, source, problem = publication(page_raw, page_iso, "page" if page_iso else None, entry=entry, url=url,
                                            last_modified=modified, fetched_at=FETCHED)
    assert (raw, iso, source) == expected
    assert (problem is None) == (page_iso is None or expected[2] == "page")


def test_an_unreadable_page_date_is_named_in_the_problem():
    *_, source, problem = publication("31/02/2024", None, None, entry=LISTED, url=PAGE, last_modified=None, fetched_at=FETCHED)
    assert source == "listing" and problem == "unreadable date '31/02/2024'"
    *_, problem = publication("19/01/2031", "2031-01-19", "page", entry=None, url=PAGE, last_modified=None, fetched_at=FETCHED)
    assert "future" in problem


def test_last_modified_at_the_moment_of_the_fetch_is_not_a_publication_time():
    assert http_date("Tue, 30 Jun 2026 01:59:00 GMT", fetched_at=FETCHED) is None  # one minute before the fetch
    assert http_date("Tue, 30 Jun 2026 01:00:00 GMT", fetched_at=FETCHED) == "2026-06-30T08:00:00+07:00"
    assert http_date("not a date", fetched_at=FETCHED) is None


@pytest.mark.parametrize("url,day", [
    ("https://thanhhoa.gov.vn/portal/Pages/2023-11-11/x.aspx", "2023-11-11"),
    ("https://example.gov.vn/2019/11/18/tin-a/", "2019-11-18"),
    ("https://example.gov.vn/tin/le-khai-mac-20240119.html", "2024-01-19"),
    ("https://example.gov.vn/tin/le-khai-mac-10245.html", None),
    ("https://example.gov.vn/2019/13/45/x", None),
])
def test_date_in_url(url, day):
    assert date_in_url(url) == day
