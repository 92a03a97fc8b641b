"""Every date family the reference records, read off a page the way a crawl reads it: the page's
date element, then normalization to +07:00; impossible and future dates refused."""

from __future__ import annotations

import json

import pytest

from scraper.core.dates import date_problem
from scraper.core.normalize import normalize
from scraper.core.profile import Profile
from scraper.pages.article import ArticlePage
from tests.pages import FIXTURES

DATES = json.loads((FIXTURES / "dates.json").read_text(encoding="utf-8"))
FETCHED = DATES["fetched_at"]


def page_with(date: str, *, meta: str = "", month_first: bool = False) -> dict:
    html = (f'<html><head>{meta}</head><body><h1 class="title">Hội nghị tổng kết</h1><div class="publish-date">{date}</div>'
            '<div class="detail-content"><p>Sáng nay, UBND tỉnh tổ chức hội nghị tổng kết công tác năm.</p></div></body></html>')
    profile = Profile(slug="x", name="x", province="x", platform="generic", date_order="mdy" if month_first else "dmy")
    data = ArticlePage("https://x.gov.vn/tin-1.html", html.encode(), fetched_at=FETCHED, profile=profile).extract()
    normalize(data)
    return data


@pytest.mark.parametrize("case", DATES["families"], ids=[c["raw"] for c in DATES["families"]])
def test_day_first_families(case):
    data = page_with(case["raw"])
    assert (data["published_raw"], data["published_at"]) == (" ".join(case["raw"].split()), case["expected"])


@pytest.mark.parametrize("case", DATES["month_first"], ids=[c["raw"] for c in DATES["month_first"]])
def test_us_order_where_the_profile_says_so(case):
    assert page_with(case["raw"], month_first=True)["published_at"] == case["expected"]
    assert page_with(case["raw"])["published_at"] is None  # day-first it is no date at all


@pytest.mark.parametrize("case", DATES["rejects"], ids=[c["raw"] for c in DATES["rejects"]])
def test_impossible_and_future_dates_are_reasons_to_refuse(case):
    data = page_with(case["raw"])
    problem = date_problem(data["published_at"], now=FETCHED)
    if data["published_at"] is None:
        problem = f"unreadable date {data['published_raw']!r}"
    assert problem == case["reason"]


def test_page_metadata_wins_over_the_printed_date():
    meta = '<meta property="article:published_time" content="2024-01-19T03:22:00Z">'
    data = page_with("10:22, 20/01/2024 [GMT+7]", meta=meta)
    assert data["published_at"] == "2024-01-19T10:22:00+07:00"
    assert data["extraction"]["published"] == "generic"
