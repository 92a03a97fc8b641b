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
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from scraper.pages.links import subsites, website_links
from scraper.portals import PROFILE_DIR, get_profile, load_profiles


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


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] <portal slug>"

    def short_desc(self) -> str:
        return "Find a portal's department and district sites in its website links"

    def long_desc(self) -> str:
        return __doc__

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--page", help="a saved page of the portal to read instead of fetching its home page")
        parser.add_argument("--url", help="the saved page's address (default: its meta.json, else the portal's home)")
        parser.add_argument("--write", action="store_true", help="write the discovered profiles")
        parser.add_argument("--dir", default=str(PROFILE_DIR / "discovered"), help="where discovered profiles are written")

    def run(self, args: list[str], opts) -> None:
        if len(args) != 1:
            raise UsageError("give one portal slug, e.g. scrapy subsites ha_noi")
        try:
            parent = get_profile(args[0])
        except KeyError as exc:
            print(exc.args[0], file=sys.stderr)
            self.exitcode = 2
            return
        seen_on = dt.date.today().isoformat()
        if opts.page:
            body = Path(opts.page).read_bytes()
            meta_path = Path(opts.page).with_name("meta.json")
            meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
            url = opts.url or meta.get("url") or parent.home
            seen_on = (meta.get("fetched_at") or seen_on)[:10]  # when the saved page was captured
        else:
            url = opts.url or parent.home
            if not url:
                print(f"{parent.slug} has no home page in its profile; give one with --url or a saved --page", file=sys.stderr)
                self.exitcode = 2
                return
            request = urllib.request.Request(url, headers={"User-Agent": self.settings.get("USER_AGENT")})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    body = response.read()
            except (urllib.error.URLError, OSError) as exc:
                print(f"Cannot fetch {url}: {getattr(exc, 'reason', exc)}", file=sys.stderr)
                self.exitcode = 2
                return
        # Hosts other portals already stand for (this portal's own sub-sites found before do not count).
        claimed = {h.split(":", 1)[0] for p in load_profiles().values()
                   if p.slug != parent.slug and p.parent != parent.slug for h in p.hosts}
        portal_host = urlsplit(parent.home or url).netloc
        found = subsites(website_links(url, body), portal_host=portal_host, parent_slug=parent.slug, claimed_hosts=claimed)
        if not found:
            print(f"No sub-sites of {parent.slug} in the website links of {url}.")
            return
        print(f"{len(found)} sub-sites of {parent.slug} listed on {url}:")
        directory = Path(opts.dir)
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
