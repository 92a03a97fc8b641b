"""The crawl ledger's arithmetic (bench.ledger): each part is a difference of runs of one round."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bench.crawl import LEDGER
from bench.ledger import PARTS, crawl_parts, svg_chart

# CPU ms per page of each variant in three rounds; round 3 is slower throughout, as a busy machine is.
CPU = {"bare": (4.0, 4.2, 6.0), "fetch": (2.0, 2.1, 3.0), "spider": (8.0, 8.3, 12.0), "pipelines": (9.5, 9.9, 14.0),
       "warc": (10.5, 11.0, 15.5), "archive": (11.0, 11.6, 16.5)}


def _runs() -> list[dict]:
    return [{"round": k + 1, "variant": v, "all_cpu_ms_per_page": cpu[k], "cpu_ms_per_page": cpu[k] / 2,
             "items_per_s": 1000 / cpu[k], "pages": 5250, "seconds": 5.25 * cpu[k]} for v, cpu in CPU.items() for k in range(3)]


def test_each_part_is_the_median_of_its_differences_in_the_same_round():
    found = crawl_parts(_runs())
    parts = found["parts"]
    assert parts["Scrapy: scheduling, fetching, responses"] == 2.1
    assert parts["the project's page reading (page worker, IPC)"] == 6.2   # 6.0, 6.2, 9.0
    assert parts["pipelines: normalize, dedupe, store, FTS"] == 1.6        # 1.5, 1.6, 2.0
    assert parts["WARC files"] == 1.1                                       # 1.0, 1.1, 1.5
    assert parts["near-duplicate clustering"] == 0.6                        # 0.5, 0.6, 1.0
    assert parts["the bare spider's page reading"] == 2.1                   # 2.0, 2.1, 3.0
    # Each part adds to the variant before it: together they are the default crawl of the middle round.
    assert [variant for _, variant, _ in PARTS] == list(LEDGER[1:])
    assert round(sum(parts[label] for label, _, _ in PARTS), 3) == found["variants"]["archive"]["cpu_ms_per_page"] == 11.6
    assert found["variants"]["bare"]["pages_per_s"] == round(1000 / 4.2, 1)


def test_the_chart_draws_both_crawls_against_the_goal():
    found = {"articles": 5000, "rounds": 3, **crawl_parts(_runs()), "budget_cpu_ms_per_page": 6.3,
             "floor": {"Scrapy (the fetch variant)": 2.1, "decode and parse": 1.5, "total": 3.6}}
    svg = ET.fromstring(svg_chart(found))
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert {"bare spider", "default crawl", "floor of the default"} <= set(texts)
    assert "goal: 1.5× bare = 6.30" in texts and "11.60" in texts
    titles = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert "near-duplicate clustering: 0.60 ms" in titles
