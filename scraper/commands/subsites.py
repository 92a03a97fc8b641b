"""`scrapy subsites <slug>`: the department and district sites a portal lists in its website links,
written as discovered profiles (``scraper/portals/discovered/``) when asked.

    scrapy subsites ha_noi --page saved-home.html            # what the saved page lists
    scrapy subsites quang_ngai                               # fetch the portal's home page
    scrapy subsites ha_noi --page saved.html --write         # write the discovered profiles

Discovered profiles are spiders like any other (``scrapy crawl ha_noi__thanhxuan``), but crawling
them is opt-in: runs over all portals leave them out unless told to include sub-sites.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from scraper.commands._cli import Help
from scraper.commands._pages import PageError, read_page


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def discovered_profile(site, parent, page_url: str, seen_on: str) -> str:
    return "\n".join([
        f"# Discovered in the website links of {parent.slug} ({page_url}) on {seen_on}: {site.reason}.",
        f"name = {_toml(site.label)}",
        f"province = {_toml(parent.province)}",
        'platform = "unknown"',
        f"home = {_toml(site.url)}",
        'status = "unverified"',
        f"evidence = {_toml(f'Listed as “{site.label}” in the website links of {page_url}, seen {seen_on}; not crawled yet.')}",
        f"merged_into = {_toml(parent.unit)}",
        "discovered = true",
        f"parent = {_toml(parent.slug)}",
        "",
    ])


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] <portal slug>"

    def short_desc(self) -> str:
        return "Find a portal's department and district sites in its website links"


    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--page", help="a saved page of the portal to read instead of fetching its home page")
        parser.add_argument("--url", help="the saved page's address (default: its meta.json, else the portal's home)")
        parser.add_argument("--write", action="store_true", help="write the discovered profiles")
        parser.add_argument("--dir", help="where discovered profiles are written (default: scraper/portals/discovered/)")

    def run(self, args: list[str], opts) -> None:
        from scraper.pages.links import subsites, website_links  # heavy: imported when the command runs
        from scraper.portals import get_profile, load_profiles, profile_dir
        if len(args) != 1:
            raise UsageError("give one portal slug, e.g. scrapy subsites ha_noi")
        try:
            parent = get_profile(args[0])
        except KeyError as exc:
            print(exc.args[0], file=sys.stderr)
            self.exitcode = 2
            return
        target = opts.page or opts.url or parent.home
        if not target:
            print(f"{parent.slug} has no home page in its profile; give one with --url or a saved --page", file=sys.stderr)
            self.exitcode = 2
            return
        try:
            page = read_page(target, url=opts.url, user_agent=self.settings.get("USER_AGENT"))
        except PageError as exc:
            print(f"Cannot read {target}: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        url, body = page.url or parent.home, page.body
        seen_on = (page.fetched_at or dt.date.today().isoformat())[:10]  # when the page was captured
        # Hosts other portals already stand for (this portal's own sub-sites found before do not count).
        claimed = {h.split(":", 1)[0] for p in load_profiles().values()
                   if p.slug != parent.slug and p.parent != parent.slug for h in p.hosts}
        portal_host = urlsplit(parent.home or url).netloc
        found = subsites(website_links(url, body), portal_host=portal_host, parent_slug=parent.slug, claimed_hosts=claimed)
        if not found:
            print(f"No sub-sites of {parent.slug} in the website links of {url}.")
            return
        print(f"{len(found)} sub-sites of {parent.slug} listed on {url}:")
        directory = Path(opts.dir) if opts.dir else profile_dir() / "discovered"
        for site in found:
            print(f"  {site.slug:<28} {site.url:<40} {site.label}  ({site.reason})")
            if opts.write:
                directory.mkdir(parents=True, exist_ok=True)
                path = directory / f"{site.slug}.toml"
                if path.exists() or site.slug in load_profiles():
                    print(f"    kept the existing profile {site.slug}")
                    continue
                path.write_text(discovered_profile(site, parent, url, seen_on), encoding="utf-8")
                print(f"    wrote {path}")
        if not opts.write:
            print("Run again with --write to add them as discovered profiles (crawling them stays opt-in).")
