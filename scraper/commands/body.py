"""`scrapy body <url-or-id>`: an article's body as HTML (the body element only, sanitized).

An article whose page is kept in the archive's WARC files is stored without it: the page is read
again, from its record, by its portal's page class (as `scrapy reextract` reads it). An article
archived without its page has it in the table.

    scrapy body https://phuyen.gov.vn/wps/portal/Home/chi-tiet-tin?urile=wcm:path:/…
    scrapy body 42 > article.html
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand

from scraper.archive.history import find
from scraper.commands._article import ArticleCommand
from scraper.commands._cli import Help, quiet_pipe
from scraper.core.dates import VN_TZ


class Command(Help, ArticleCommand, ScrapyCommand):
    def short_desc(self) -> str:
        return "Print an article's body as HTML (read again from its kept page where it is one)"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--warc-dir", help="where the WARC files are (default: the WARC_DIR setting, or warc/ beside the archive)")

    def run(self, args, opts) -> None:
        quiet_pipe()  # `| head` ends it quietly
        row = self.read(args, opts, find)
        if row is None:
            return
        url, portal, html, warc_file, offset = (row[k] for k in ("url", "portal", "body_html", "warc_file", "warc_offset"))
        if html is None and warc_file:
            warc_dir = Path(opts.warc_dir or self.settings.get("WARC_DIR") or self.archive_path(opts).parent / "warc")
            try:
                html = body_from_warc(warc_dir / warc_file, offset, url, portal)
            except (OSError, StopIteration, ValueError) as exc:
                print(f"The page of {url} cannot be read from {warc_dir / warc_file} at {offset}: {exc}", file=sys.stderr)
                self.exitcode = 1
                return
        if not html:
            print(f"{url} has no body HTML", file=sys.stderr)
            self.exitcode = 1
            return
        print(html)


def body_from_warc(warc: Path, offset: int, url: str, portal: str) -> str | None:
    """The body HTML of the article page kept at `offset` of `warc`, as its portal's page class read
    it: at the portal's own URL when the crawl fetched a copy (the index beside the file says so)."""
    # Imported here: Scrapy imports every command's module to start any command, and the page
    # classes (lxml, the extractors) are what only this one needs.
    from scraper.archive.warc import read_response
    from scraper.crawl.runner import read_article
    from scraper.portals import load_profiles
    with open(warc.with_name(warc.name + ".cdxj"), encoding="utf-8", errors="replace") as index:
        entry = next((e for e in map(_entry, index) if e and e.get("offset") == str(offset)), {})
    url = entry.get("original_url") or url
    _, headers, body, warc_date = read_response(str(warc), int(offset))
    fetched = dt.datetime.fromisoformat(warc_date.replace("Z", "+00:00")).astimezone(VN_TZ).isoformat()
    profiles = load_profiles()
    if portal not in profiles:
        raise ValueError(f"no profile {portal!r} reads its pages any more")
    page = read_article(profiles[portal], url, body, {k: headers[k] for k in ("content-type", "last-modified") if k in headers},
                        fetched)
    if "error" in page:
        raise ValueError(page["error"])
    return page.get("body_html")


def _entry(line: str) -> dict | None:
    try:
        return json.loads(line.split(" ", 2)[2])
    except (IndexError, ValueError):
        return None
