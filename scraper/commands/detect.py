"""`scrapy detect`: which platform built a page, the evidence, and a draft profile for its portal.

    scrapy detect tests/fixtures/real/ha_noi__sotttt/listing-chi-dao-dieu-hanh/page.html
    scrapy detect saved.html --url https://sotttt.hanoi.gov.vn/chi-dao-dieu-hanh
    scrapy detect https://www.quangngai.gov.vn/web/portal-qni/tin-noi-bat
"""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from scraper.commands._cli import Help
from scraper.commands._pages import PageError, read_page
from scraper.core.profile import ProfileError


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] <file-or-URL>"

    def short_desc(self) -> str:
        return "Recognise a page's platform (WebSphere, Liferay, …) and draft a profile for its portal"

    def long_desc(self) -> str:
        return (
            "Recognise the platform that built a page, by its fingerprints: WebSphere "
            "Portal, Liferay, SharePoint, Oracle WebCenter, Drupal, NukeViet-style, classic ASP, else "
            "unknown. Evidence on the page's own host, in its scripts and class names weighs more than "
            "links to other portals. Prints the platform, each piece of evidence and a draft profile "
            "(TOML) to check and save under scraper/portals/.\n\n"
            "A saved page needs its original address: --url, else the url in a meta.json beside it. "
            "A URL is fetched once with the project's USER_AGENT; a fetch that fails exits with 2.\n\n"
            "Examples:\n"
            "  scrapy detect tests/fixtures/real/ha_noi__sotttt/listing-chi-dao-dieu-hanh/page.html\n"
            "  scrapy detect saved.html --url https://sotttt.hanoi.gov.vn/chi-dao-dieu-hanh\n"
            "  scrapy detect https://www.quangngai.gov.vn/web/portal-qni/tin-noi-bat\n"
            "  scrapy detect https://www.quangngai.gov.vn/ --timeout 10"
        )

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="the saved page's original address (default: the url in meta.json beside it)")
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a URL (default 30)")

    def run(self, args: list[str], opts) -> None:
        from scraper.platforms import PLATFORMS  # heavy: imported when the command runs
        from scraper.platforms.draft import draft_profile
        from scraper.platforms.fingerprint import UNKNOWN, detect_tree, parse
        from scraper.portals import load_profiles
        if len(args) != 1:
            raise UsageError("give one saved page or one http(s) URL, e.g. scrapy detect page.html --url https://…")
        target = args[0]
        try:
            page = read_page(target, url=opts.url, user_agent=self.settings.get("USER_AGENT"), timeout=opts.timeout)
        except PageError as exc:
            print(f"Cannot read {target}: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        url, body, content_type = page.url, page.body, page.content_type
        root = parse(body, content_type)
        # Without its address a page is still judged by its markup; its relative links count as its own.
        detection = detect_tree(url or "", root)
        print(f"Platform: {detection.label}" + (
            f" ({detection.platform}; score {detection.score}, {detection.confidence} confidence)"
            if detection.platform != UNKNOWN else ""))
        if detection.platform != UNKNOWN and detection.platform not in PLATFORMS:
            print(f"  The project has no page classes for {detection.label}: the generic pages apply.")
        print("Evidence:" if detection.clues else "Evidence: none of the known fingerprints matched.")
        for line in detection.evidence:
            print(f"  {line}")
        if not url:
            print("\nNo draft profile: the page's original address is unknown (give --url, or a meta.json beside it).")
            return
        try:
            profiles = load_profiles().values()
        except ProfileError as exc:
            print(f"Cannot read the existing profiles, so the province is not guessed: {exc}", file=sys.stderr)
            profiles = ()
        supported = set(PLATFORMS) - {"generic"}
        draft = draft_profile(url, body, detection, profiles, supported, content_type)
        print(f"\nDraft profile (save as scraper/portals/{draft.slug}.toml after checking it):\n")
        print(draft.text, end="")
