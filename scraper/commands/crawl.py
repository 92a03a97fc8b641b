"""`scrapy crawl <portal>`: Scrapy's own command, with `--redis URL` to run as one worker of a
distributed crawl (see `scrapy archive-writer`)."""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawl

from scraper.commands.crawlall import worker


class Command(ScrapyCrawl):
    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--redis", metavar="URL", help="run as one worker of a distributed crawl sharing this Redis "
                            "(with `scrapy archive-writer --portal <portal>` storing what the workers find)")

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        worker(self.settings, opts.redis)
