"""`scrapy detect`: which platform built a page, the evidence, and a draft profile for its portal.

    scrapy detect tests/fixtures/ha_noi__sotttt/listing-chi-dao-dieu-hanh/page.html
    scrapy detect saved.html --url https://sotttt.hanoi.gov.vn/chi-dao-dieu-hanh
    scrapy detect https://www.quangngai.gov.vn/web/portal-qni/tin-noi-bat
"""

from __future__ import annotations

import http.client
import json
import sys
import textwrap
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.commands import ScrapyCommand, ScrapyHelpFormatter
from scrapy.exceptions import UsageError

from scraper.platforms import PLATFORMS
from scraper.platforms.fingerprint import UNKNOWN, detect_tree, draft_profile, parse
from scraper.portals import ProfileError, load_profiles

MAX_BYTES = 20 * 1024 * 1024  # a portal page is well under this; a bigger answer is not a page


class FetchError(Exception):
    """A page that could not be read; the message says why."""


class _HelpFormatter(ScrapyHelpFormatter):
    """Scrapy's help layout, but paragraphs stay paragraphs and indented example lines stay lines."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for para in text.split("\n\n"):
            lines = para.splitlines()
            kept = [line for line in lines if line.startswith("  ")]
            prose = " ".join(line for line in lines if not line.startswith("  "))
            if prose:
                out.append(textwrap.fill(prose, width, initial_indent=indent, subsequent_indent=indent))
            out.extend(indent + line for line in kept)
            out.append("")
        return "\n".join(out).rstrip("\n")


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] <file-or-URL>"

    def short_desc(self) -> str:
        return "Recognise a page's platform (WebSphere, Liferay, …) and draft a profile for its portal"

    def long_desc(self) -> str:
        return (
            "Recognise the platform that built a page, by the fingerprints of portals.md §4: WebSphere "
            "Portal, Liferay, SharePoint, Oracle WebCenter, Drupal, NukeViet-style, classic ASP, else "
            "unknown. Evidence on the page's own host, in its scripts and class names weighs more than "
            "links to other portals. Prints the platform, each piece of evidence and a draft profile "
            "(TOML) to check and save under scraper/portals/.\n\n"
            "A saved page needs its original address: --url, else the url in a meta.json beside it. "
            "A URL is fetched once with the project's USER_AGENT; a fetch that fails exits with 2.\n\n"
            "Examples:\n"
            "  scrapy detect tests/fixtures/ha_noi__sotttt/listing-chi-dao-dieu-hanh/page.html\n"
            "  scrapy detect saved.html --url https://sotttt.hanoi.gov.vn/chi-dao-dieu-hanh\n"
            "  scrapy detect https://www.quangngai.gov.vn/web/portal-qni/tin-noi-bat\n"
            "  scrapy detect https://www.quangngai.gov.vn/ --timeout 10"
        )

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.formatter_class = _HelpFormatter
        parser.add_argument("--url", help="the saved page's original address (default: the url in meta.json beside it)")
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a URL (default 30)")

    def run(self, args: list[str], opts) -> None:
        if len(args) != 1:
            raise UsageError("give one saved page or one http(s) URL, e.g. scrapy detect page.html --url https://…")
        target = args[0]
        try:
            if urlsplit(target).scheme in ("http", "https"):
                url, body, content_type = fetch(target, self.settings.get("USER_AGENT"), opts.timeout)
            else:
                url, body, content_type = read_saved(Path(target), opts.url)
        except FetchError as exc:
            print(f"Cannot read {target}: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        root = parse(body, content_type)
        # Without its address a page is still judged by its markup; its relative links count as its own.
        detection = detect_tree(url or "", root)
        print(f"Platform: {detection.label}" + (
            f" ({detection.platform}; score {detection.score}, {detection.confidence} confidence)"
            if detection.platform != UNKNOWN else ""))
        if detection.platform != UNKNOWN and detection.platform not in PLATFORMS:
            print(f"  The project has no page classes for {detection.label}: the generic pages apply.")
        print("Evidence:" if detection.clues else "Evidence: none of the fingerprints of portals.md §4 matched.")
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


def read_saved(path: Path, url: str | None) -> tuple[str | None, bytes, str | None]:
    """A saved page's bytes, its original address and Content-Type (from --url, else meta.json)."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise FetchError(exc.strerror or str(exc)) from None
    content_type = None
    meta_path = path.parent / "meta.json"
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FetchError(f"{meta_path} is not readable JSON: {exc}") from None
        url = url or meta.get("url")
        headers = {k.lower(): v for k, v in (meta.get("headers") or {}).items()}
        content_type = headers.get("content-type")
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"--url {url!r} is not an http(s) URL")
    return url, body, content_type


def fetch(url: str, user_agent: str, timeout: float) -> tuple[str, bytes, str | None]:
    """One GET with the project's User-Agent: (final URL after redirects, bytes, Content-Type)."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept": "text/html,*/*;q=0.5"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise FetchError(f"the answer is larger than {MAX_BYTES // (1024 * 1024)} MB, not a page")
            return response.geturl(), body, response.headers.get("Content-Type")
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(str(exc.reason)) from None
    except TimeoutError:
        raise FetchError(f"no answer within {timeout:g} seconds") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from None
