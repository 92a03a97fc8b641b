"""`scrapy crawlall`: every portal that is crawled on schedule, in one process, in parallel.

Each portal gets its own download slot at its profile's rate (a fixed delay, no jitter, one
connection by default); the scheduler's queue is fair across slots (DownloaderAwarePriorityQueue);
the global concurrency cap is sized to the number of portals so no portal waits for another's
delay. A progress line per portal is logged every PROGRESS_INTERVAL seconds, and each portal's run
is recorded in crawl_runs with its verdict (see ``scrapy health``).

    scrapy crawlall                          # live and unverified portals, not retired, no sub-sites
    scrapy crawlall --subsites               # and the discovered sub-sites (opt-in)
    scrapy crawlall --portal quang_ngai --portal dak_lak -a since=2025-07-01
    scrapy crawlall --mirror phu_yen=http://127.0.0.1:8001 --mirror quang_ngai=http://127.0.0.1:8002
    scrapy crawlall --redis redis://10.0.0.5:6379/0  # one worker of a distributed crawl (see archive-writer)
"""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from scraper.commands._cli import Help
from scraper.commands._crawling import check_arguments, spider_arguments, worker
from scraper.commands._portals import PortalsCommand
from scraper.core.urls import rebase


def portal_settings(profiles, delay: float | None = None) -> dict:
    """The settings that crawl many portals in one process, each at its own rate: a download slot
    per portal (`delay` for all of them instead of each profile's, if given)."""
    slots = {p.slug: {"concurrency": p.concurrency, "delay": p.download_delay if delay is None else delay, "jitter": 0}
             for p in profiles}
    connections = sum(s["concurrency"] for s in slots.values())
    return {
        "DOWNLOAD_SLOTS": slots,
        # Requests waiting out a slot's delay count against the global cap: twice the portals'
        # connections keeps every portal at its own rate.
        "CONCURRENT_REQUESTS": max(16, 2 * connections),
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "AUTOTHROTTLE_ENABLED": False,  # the per-portal delays are the policy
        "DOWNLOAD_DELAY_JITTER": 0,
    }


class Command(Help, PortalsCommand, ScrapyCommand):
    requires_project = True
    requires_crawler_process = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Crawl every scheduled portal in one process, each at its own polite rate"


    def add_options(self, parser) -> None:
        super().add_options(parser)
        self.add_portal_options(parser)
        parser.add_argument("--mirror", action="append", default=[], metavar="SLUG=ORIGIN",
                            help="crawl a portal's copy at ORIGIN (its start URLs moved there)")
        parser.add_argument("--delay", type=float, help="one delay for every portal, in seconds (default: each profile's)")
        parser.add_argument("--redis", metavar="URL", help="run as one worker of a distributed crawl sharing this Redis "
                            "(with `scrapy archive-writer` storing what the workers find)")
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                            help="spider argument (since, recheck, full)")

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        self.choose_portals(opts)
        opts.spargs = spider_arguments(opts.spargs)
        check_arguments(opts.spargs)
        if not self.profiles:
            raise UsageError("no portal to crawl")
        worker(self.settings, opts.redis)
        for key, value in portal_settings(self.profiles, opts.delay).items():
            if self.settings.getpriority(key) < 40:
                self.settings.set(key, value, priority="cmdline")

    def run(self, args, opts) -> None:
        from scraper.spiders.all_portals import AllPortalsSpider
        kwargs = opts.spargs
        mirrors = dict(m.split("=", 1) for m in opts.mirror)
        unknown = set(mirrors) - {p.slug for p in self.profiles}
        if unknown:
            raise UsageError(f"--mirror names portals not in this run: {', '.join(sorted(unknown))}")
        start_urls = {slug: [rebase(u, p.base_url, origin) for u in p.start_urls]
                      for slug, origin in mirrors.items() for p in self.profiles if p.slug == slug}
        print(f"Crawling {len(self.profiles)} portals: {', '.join(p.slug for p in self.profiles)}", file=sys.stderr)
        self.crawler_process.crawl(AllPortalsSpider, profiles=self.profiles, start_urls_by_portal=start_urls, **kwargs)
        self.crawler_process.start()
