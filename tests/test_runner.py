"""The page runner keeps the crawl going whatever a page does to its worker: a page that hangs is
stopped at PAGE_TIMEOUT, a worker that dies is replaced, pages beside the culprit are read again."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from scraper.crawl.runner import PageRunner, read_article, read_listing
from scraper.portals import get_profile
from tests.pages import FIXTURES, cases


def sleepy(seconds: float, value: str) -> dict:
    time.sleep(seconds)
    return {"value": value}


def dying(value: str) -> dict:
    os._exit(9)  # a crash in a C library, or the kernel's OOM killer


def hungry(megabytes: int) -> dict:
    blob = bytearray(megabytes * 1024 * 1024)
    return {"value": len(blob)}


async def _gather(runner: PageRunner, *calls) -> list[dict]:
    return await asyncio.gather(*(runner.run(fn, *args) for fn, *args in calls))


@pytest.fixture
def runner():
    made = []

    def make(**kwargs) -> PageRunner:
        made.append(PageRunner(2, **kwargs))
        return made[-1]

    yield make
    for r in made:
        r.close()


def test_a_page_that_hangs_is_stopped_and_the_pages_beside_it_are_read(runner):
    r = runner(timeout=3)
    results = asyncio.run(_gather(r, (sleepy, 600, "hangs"), (sleepy, 0.1, "a"), (sleepy, 0.2, "b"), (sleepy, 0.1, "c")))
    assert "PAGE_TIMEOUT" in results[0]["error"] and results[0]["worker"]
    assert [x.get("value") for x in results[1:]] == ["a", "b", "c"]
    assert r.restarts == 1
    assert asyncio.run(r.run(sleepy, 0, "after")) == {"value": "after"}  # the new workers read on


def test_a_worker_that_dies_is_replaced_and_its_page_rejected(runner):
    r = runner(timeout=30)
    results = asyncio.run(_gather(r, (dying, "x"), (sleepy, 0.5, "a"), (sleepy, 0.1, "b")))
    assert "died" in results[0]["error"]
    assert [x.get("value") for x in results[1:]] == ["a", "b"]
    assert r.restarts >= 1
    assert asyncio.run(r.run(sleepy, 0, "after")) == {"value": "after"}


def test_a_page_over_the_worker_memory_limit_fails_alone(runner):
    r = runner(timeout=30, memory_mb=300)
    big, small = asyncio.run(_gather(r, (hungry, 1024), (hungry, 10)))
    assert "memory" in big["error"] and small == {"value": 10 * 1024 * 1024}


def test_an_article_body_over_the_cap_is_cut_and_says_so():
    from scraper.core.article import BODY_MAX_CHARS
    from scraper.crawl.runner import read_article
    from scraper.portals import load_profiles
    paragraph = "<p>" + "Nội dung bài viết rất dài của cổng thông tin điện tử tỉnh. " * 40 + "</p>"
    body = (f"<html><head><title>Bài viết rất dài</title></head><body><article><h1>Bài viết rất dài</h1>"
            f"<p class='date'>20/06/2025 08:30</p>{paragraph * 250}</article></body></html>").encode()
    page = read_article(load_profiles()["an_giang"], "https://angiang.gov.vn/tin-tuc/bai-viet-rat-dai.html", body,
                        {"content-type": "text/html; charset=utf-8"}, "2025-06-21T08:00:00+07:00")
    assert "error" not in page
    assert len(page["body_text"]) <= BODY_MAX_CHARS and len(page["body_html"]) <= 2 * BODY_MAX_CHARS
    assert any(p.kind == "truncated" and p.field == "body_text" for p in page["problems"]), page["problems"]



# Asked of a worker by a builtin, so that asking imports nothing (a function of this module would
# bring pytest with it).
PACKAGES_LOADED = "sorted({name.split('.')[0] for name in __import__('sys').modules})"


def test_a_worker_imports_only_what_pages_need_and_the_extractors_when_a_page_needs_them():
    """Spawn would run the crawl's main module (here pytest; in a crawl, the scrapy command) in every
    worker; the generic extractors (trafilatura, readability, resiliparse) come with the first page
    that needs them, and the libraries of the CDX sort key never."""
    runner = PageRunner(1)
    try:
        before = set(asyncio.run(runner.run(eval, PACKAGES_LOADED)))
        assert "scraper" in before
        assert not before & {"pytest", "_pytest", "scrapy", "twisted", "trafilatura", "readability", "resiliparse", "surt"}
        page = FIXTURES / "synthetic" / "drupal-subsite" / "page.html"
        item = asyncio.run(runner.run(read_article, get_profile("an_giang"), "https://angiang.gov.vn/tin/1", page.read_bytes(),
                                      {"content-type": "text/html; charset=utf-8"}, "2026-12-01T08:00:00+07:00"))
        assert item["body_text"] and item["extraction"]["body_text"] == "generic"
        after = set(asyncio.run(runner.run(eval, PACKAGES_LOADED)))
        assert {"trafilatura", "readability", "resiliparse"} <= after and "surt" not in after
    finally:
        runner.close()


@pytest.mark.parametrize("case", cases("listing"), ids=lambda c: c.id)
def test_a_listing_read_without_its_sections_says_all_else_the_same(case):
    meta = case.meta
    headers = {k.lower(): v for k, v in (meta.get("headers") or {}).items()}
    whole = read_listing(get_profile(case.slug), meta["url"], case.body, headers, meta["fetched_at"])
    without = read_listing(get_profile(case.slug), meta["url"], case.body, headers, meta["fetched_at"], sections=False)
    assert "error" not in whole and "sections" in whole and "sections" not in without
    assert without == {k: v for k, v in whole.items() if k != "sections"}
