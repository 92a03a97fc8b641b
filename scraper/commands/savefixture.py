"""`scrapy savefixture <slug> <URL or saved file> --case NAME`: a test fixture from one page of a portal.

Writes the page's exact bytes (``page.html``), a ``meta.json`` saying where and when they came from,
and a draft ``expected.json`` of what the current page classes read off the page, to check by eye
and correct where they are wrong: the fixture then holds the page classes to it. A real capture
goes to ``tests/fixtures/real/<slug>/<case>/``; a page written or rebuilt by hand (``--reconstruction
"what it was rebuilt from"``) to ``tests/fixtures/reconstructed/<slug>/<case>/``.

    scrapy savefixture quang_ngai https://www.quangngai.gov.vn/web/portal-qni/tin-noi-bat --case listing-first-page
    scrapy savefixture ha_noi__sotttt saved.html --url https://sotttt.hanoi.gov.vn/chi-dao-dieu-hanh --case listing-chi-dao
    scrapy savefixture khanh_hoa page.html --case article-no-byline --reconstruction "rebuilt from the text of a stored copy"
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import closest_scrapy_cfg

from scraper.commands._cli import Help
from scraper.commands._pages import PageError, is_url, read_page

CASE = re.compile(r"^(article|listing|page)-[a-z0-9]+(?:-[a-z0-9]+)*$")


def draft_expected(kind: str, page) -> dict:
    """What the current page classes read off the page, in the shape the fixture tests check."""
    from scraper.core.normalize import normalize  # heavy: imported when the command runs
    if kind == "listing":
        entries = page.entries()
        out: dict = {"count": len(entries)}
        if entries:
            out["first"] = {"url": entries[0].url, "title": entries[0].title}
            out["last"] = {"url": entries[-1].url, "title": entries[-1].title}
        out["next_page"] = page.next_page()
        return out
    item = page.extract()
    normalize(item)
    paragraphs = (item["body_text"] or "").split("\n\n")
    out = {name: item[name] for name in ("url", "title", "published_at", "author", "lead", "source") if item.get(name)}
    if item["body_text"]:
        out["body"] = {"starts": paragraphs[0][:60], "ends": paragraphs[-1][-60:], "paragraphs": len(paragraphs), "excludes": []}
    if item["images"]:
        out["image_count"] = len(item["images"])
    out["extraction"] = item["extraction"]
    return out


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "<slug> <URL or saved file> --case NAME [options]"

    def short_desc(self) -> str:
        return "Save one page of a portal as a test fixture, with its provenance and a draft of what it says"


    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--case", required=True, help="the case's name: article-…, listing-… or page-… (what is special about it)")
        parser.add_argument("--url", help="a saved file's original address (default: the url in a meta.json beside it)")
        parser.add_argument("--reconstruction", metavar="NOTE",
                            help="the page was written or rebuilt by hand: say from what (it is kept apart from real captures)")
        parser.add_argument("--note", help="anything else the fixture's meta.json should say about the page")
        parser.add_argument("--dir", help="the fixtures directory (default: tests/fixtures of the project)")
        parser.add_argument("--force", action="store_true", help="replace an existing case")

    def run(self, args: list[str], opts) -> None:
        from scraper.platforms import article_page, listing_page  # heavy: imported when the command runs
        from scraper.portals import get_profile, pages_for
        if len(args) != 2:
            raise UsageError("give a portal slug and a URL or saved file, e.g. scrapy savefixture quang_ngai page.html --case listing-x")
        slug, target = args
        if not CASE.match(opts.case):
            raise UsageError(f"--case {opts.case!r}: name it article-…, listing-… or page-… in lower-case words joined by -")
        try:
            profile = get_profile(slug)
        except KeyError as exc:
            raise UsageError(exc.args[0]) from None
        try:
            page = read_page(target, url=opts.url, user_agent=self.settings.get("USER_AGENT"))
        except PageError as exc:
            print(f"Cannot read {target}: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        if not page.url:
            raise UsageError("the saved page's address is unknown: give it with --url")
        root = Path(opts.dir) if opts.dir else Path(closest_scrapy_cfg()).parent / "tests" / "fixtures"
        where = root / ("reconstructed" if opts.reconstruction else "real") / slug / opts.case
        if where.exists() and not opts.force:
            print(f"{where} exists; give --force to replace it", file=sys.stderr)
            self.exitcode = 2
            return
        vn = dt.timezone(dt.timedelta(hours=7))
        now = dt.datetime.now(vn).replace(microsecond=0).isoformat()
        if page.fetched_at is None and not is_url(target):  # a saved file: when it was saved, as far as it says
            page.fetched_at = dt.datetime.fromtimestamp(Path(target).stat().st_mtime, vn).replace(microsecond=0).isoformat()
        kind = "listing" if opts.case.startswith("listing-") else "article"
        make = listing_page if kind == "listing" else article_page
        context = {"headers": page.headers, "fetched_at": page.fetched_at or now, "profile": profile}
        expected = draft_expected(kind, make(pages_for(profile), page.url, page.body, **context))
        meta = {
            "url": page.url,
            "headers": {"Content-Type": page.content_type} if page.content_type else {},
            "fetched_at": page.fetched_at or now,
            "source": "reconstruction" if opts.reconstruction else "real capture",
            "saved_from": target,
            "saved_at": now,
            "note": " ".join(x for x in (opts.reconstruction, opts.note, page.meta.get("note")) if x)
                    or f"Saved by scrapy savefixture from {target}.",
        }
        where.mkdir(parents=True, exist_ok=True)
        (where / "page.html").write_bytes(page.body)
        (where / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (where / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"Wrote {where}/: page.html ({len(page.body)} bytes), meta.json ({meta['source']}), expected.json (a draft: "
              "check every value against the page before committing)")
