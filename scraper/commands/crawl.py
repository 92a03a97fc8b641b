"""`scrapy crawl <portal>`: Scrapy's own command, with the portal spiders' arguments checked before
the crawl starts and listed in its help, and `--redis URL` to run as one worker of a distributed
crawl (see `scrapy archive-writer`)."""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawl

from scraper.commands._cli import Help
from scraper.commands._crawling import check_arguments, worker

ARGUMENTS = """Crawl one portal into the archive: new articles only, from its listings, sitemaps and feeds
(or from its home page when its profile names no start URLs).

Spider arguments (-a NAME=VALUE):
  since=YYYY-MM-DD      stop at articles published before that day
  recheck=1             re-fetch known articles with conditional requests, to find changes
  full=1                walk every listing to its end, even where the last run did
  start_urls=URL[,URL]  crawl from these URLs (a mirror, a local copy) instead of the profile's
  home=URL              discover the portal from this home page instead of its start URLs
  recover=ARCHIVE       read the portal's captures in a web archive (wayback, arquivo)
  captures=latest|all   with recover: the latest capture of each page, or every one

Examples:
  scrapy crawl quang_ngai
  scrapy crawl quang_ngai -a since=2025-07-01 -s ARCHIVE_DB=/srv/archive/archive.db
  scrapy crawl phu_yen -a recover=wayback
  scrapy crawl quang_ngai --redis redis://10.0.0.5:6379/0"""

class Command(Help, ScrapyCrawl):
    def long_desc(self) -> str:
        return ARGUMENTS

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--redis", metavar="URL", help="run as one worker of a distributed crawl sharing this Redis "
                            "(with `scrapy archive-writer --portal <portal>` storing what the workers find)")

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        check_arguments(opts.spargs)
        worker(self.settings, opts.redis)
