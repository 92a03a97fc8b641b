"""`scrapy archive-writer --redis URL`: the one process that writes the archive in a distributed crawl.

Run it next to the SQLite file (ARCHIVE_DB), before the workers: it publishes what the archive holds,
then stores the items the workers (`scrapy crawlall --redis URL` on any number of machines) queue in
Redis, through the same pipelines as a single-process crawl, and records each portal's run when the
workers are done. Give it the portals the workers crawl (the same --portal, --subsites and
--include-retired as crawlall; by default every scheduled portal).

    scrapy archive-writer --redis redis://10.0.0.5:6379/0
    scrapy archive-writer --redis redis://10.0.0.5:6379/0 --portal quang_ngai --portal dak_lak
"""

from __future__ import annotations

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from scraper.commands._cli import Help
from scraper.commands._portals import PortalsCommand


class Command(Help, PortalsCommand, ScrapyCommand):
    requires_project = True
    requires_crawler_process = True

    def syntax(self) -> str:
        return "--redis URL [options]"

    def short_desc(self) -> str:
        return "Store what the workers of a distributed crawl find (one writer, next to the archive)"


    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--redis", metavar="URL", help="the Redis the workers use (default: the REDIS_URL setting)")
        self.add_portal_options(parser)

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        url = opts.redis or self.settings.get("REDIS_URL")
        if not url:
            raise UsageError("give the Redis the workers use: --redis redis://HOST:6379/0 (or set REDIS_URL)")
        self.settings.set("REDIS_URL", url, priority="cmdline")
        self.choose_portals(opts)

    def run(self, args, opts) -> None:
        from scraper.crawl.frontier import connect
        from scraper.spiders.writer import ArchiveWriterSpider
        try:
            connect(self.settings.get("REDIS_URL"))
        except ConnectionError as exc:
            raise UsageError(str(exc)) from None
        self.crawler_process.crawl(ArchiveWriterSpider, profiles=self.profiles)
        self.crawler_process.start()
