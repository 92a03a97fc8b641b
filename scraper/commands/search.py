"""`scrapy search`: the archive's best matches for a query, with a highlighted excerpt.

    scrapy search "ban chi dao"
    scrapy search '"bảo vệ nền tảng tư tưởng"' --province "Phú Yên"
    scrapy search "chuyen doi so" --portal quang_ngai --since 2025-01-01 --limit 5
"""

from __future__ import annotations

import json
import sqlite3
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from scraper.archive.search import COUNT_LIMIT, QueryError, date_message, search, valid_date
from scraper.commands._cli import Help, archive_file, quiet_pipe


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] <query>"

    def short_desc(self) -> str:
        return "Search the archive (Vietnamese with or without diacritics)"

    def long_desc(self) -> str:
        return (
            "Search the archive. Words typed without diacritics match any spelling (ban chi dao finds "
            "Ban Chỉ đạo); words typed with diacritics match that spelling. Quote phrases, join "
            "alternatives with OR, exclude with -word, end a word with * for a prefix.\n\n"
            "Examples:\n"
            '  scrapy search "ban chi dao"\n'
            "  scrapy search '\"bảo vệ nền tảng tư tưởng\"' --province \"Phú Yên\"\n"
            "  scrapy search \"dac lam\" --since 2024-01-01 --until 2024-12-31"
        )

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--portal", action="append", help="only this portal (slug; repeatable)")
        parser.add_argument("--province", help="only this province, with the provinces merged into it")
        parser.add_argument("--since", help="published on or after YYYY-MM-DD")
        parser.add_argument("--until", help="published on or before YYYY-MM-DD")
        parser.add_argument("--limit", type=int, default=10, help="how many matches to show (default 10)")
        parser.add_argument("--mode", choices=("auto", "exact", "fold"), default="auto",
                            help="auto: accents typed are matched exactly (default); exact; fold: ignore accents")
        parser.add_argument("--newest", action="store_true",
                            help="newest first (by publication date) instead of the best matches first")
        parser.add_argument("--collapse", action="store_true",
                            help="show each press release once: a cluster of republications as its earliest article")
        parser.add_argument("--json", action="store_true", help="print matches as JSON lines")
        parser.add_argument("--db", help="archive file (default: the ARCHIVE_DB setting)")

    def run(self, args: list[str], opts) -> None:
        quiet_pipe()  # `| head` ends it quietly
        if not args:
            raise UsageError("give a query, e.g. scrapy search \"ban chi dao\"")
        query = " ".join(args)
        for name, value in (("since", opts.since), ("until", opts.until)):
            if value and not valid_date(value):
                raise UsageError(date_message(name, value))
        path = archive_file(self, opts)
        if path is None:
            return
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        bold = ("\033[1m", "\033[0m") if sys.stdout.isatty() and not opts.json else ("[", "]")
        try:
            total, hits, expr = search(
                conn, query, mode=opts.mode, portals=opts.portal, province=opts.province,
                since=opts.since, until=opts.until, limit=opts.limit, highlight=bold, collapse=opts.collapse,
                order="newest" if opts.newest else "relevance",
            )
        except QueryError as exc:
            print(f"Cannot search for {query!r}: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        finally:
            conn.close()
        if opts.json:
            for hit in hits:
                print(json.dumps(hit.__dict__, ensure_ascii=False))
            return
        noun = ("press release", "press releases") if opts.collapse else ("match", "matches")
        counted = f"more than {COUNT_LIMIT:,}" if total > COUNT_LIMIT else f"{total}"
        shown = "newest" if opts.newest else "best"
        print(f"{counted} {noun[total != 1]} for {query!r}" + (f" ({shown} {len(hits)})" if total > len(hits) else ""))
        for n, hit in enumerate(hits, 1):
            when = (hit.published_at or "")[:16].replace("T", " ")
            meta = " · ".join(x for x in (hit.portal, hit.province, when, hit.author) if x)
            print(f"\n{n}. {hit.title}\n   {meta}\n   {hit.snippet}\n   {hit.url}")
            if hit.republications:
                print(f"   republished {len(hit.republications)}×: " + ", ".join(hit.republications[:3])
                      + (" …" if len(hit.republications) > 3 else ""))
