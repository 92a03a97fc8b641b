"""`scrapy profile <slug>`: what discovery crawls learned of a portal; `--draft` prints its profile redrafted from it.

A crawl of a portal without start URLs (or with ``-a home=URL``) learns its news sections, which
of them are listings, its feeds, the shape of its article URLs and its platform, and keeps them in
the archive. This shows them; with ``--draft``, the portal's profile with those as its start URLs,
feeds and platform, and a ``[seen]`` table saying where and when they were seen, ready to review
and commit as ``scraper/portals/<slug>.toml``.

    scrapy profile khanh_hoa
    scrapy profile khanh_hoa --draft > scraper/portals/khanh_hoa.toml
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from scraper.commands._cli import Help, quiet_pipe


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "<portal slug> [--draft]"

    def short_desc(self) -> str:
        return "Show what discovery learned of a portal; --draft prints its profile from it"


    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--draft", action="store_true", help="print the profile redrafted from what was learned (TOML)")
        parser.add_argument("--db", help="archive file (default: the ARCHIVE_DB setting)")

    def run(self, args, opts) -> None:
        quiet_pipe()  # `| head` ends it quietly
        from scraper.archive.discovery import learned
        from scraper.platforms import PLATFORMS  # heavy: imported when the command runs
        from scraper.portals import load_profiles
        from scraper.portals.draft import draft_from_discovery
        if len(args) != 1:
            raise UsageError("give one portal slug (scrapy portals lists them)")
        profiles = load_profiles()
        if args[0] not in profiles:
            print(f"No portal {args[0]!r}: scrapy portals lists the slugs", file=sys.stderr)
            self.exitcode = 2
            return
        profile = profiles[args[0]]
        path = Path(opts.db or self.settings.get("ARCHIVE_DB"))
        if not path.exists():
            print(f"No archive at {path}: nothing has been crawled yet.", file=sys.stderr)
            self.exitcode = 2
            return
        found = learned(path, profile.slug)
        if not found:
            print(f"Nothing learned of {profile.slug} yet: crawl it from its home page first "
                  f"(scrapy crawl {profile.slug}, or -a home=URL for a copy)", file=sys.stderr)
            self.exitcode = 2
            return
        if opts.draft:
            supported = frozenset(name for name in PLATFORMS if name != "generic")
            sys.stdout.write(draft_from_discovery(profile, found, supported, today=dt.date.today().isoformat()))
            return
        print(f"{profile.slug}: {profile.name}\nhome: {found.home}")
        if found.platform:
            print(f"platform: {found.platform['name']} ({found.platform.get('confidence')}); the profile says {profile.platform}")
        print(f"{len(found.sections)} news sections, {len(found.listings)} listings, {len(found.feeds)} feeds")
        for url, listing in sorted(found.listings.items(), key=lambda kv: -(kv[1].get("articles") or 0)):
            print(f"  listing  {url}  {listing.get('label') or ''}: {listing.get('articles') or 0} articles")
        for url in found.feeds:
            print(f"  feed     {url}")
        for pattern in found.article_urls:
            print(f"  articles {pattern['pattern']}  ({pattern.get('share', 0):.0%})")
