"""`scrapy extract PAGE [PAGE …]`: read saved pages offline, one JSON line each, as a crawl would store them.

Each line holds the page (``path``, ``url``), the ``verdict`` (``stored``, or ``rejected`` with the
``reason`` the rejects table would record) and the ``row``: the ``articles`` row exactly as the
pipelines would write it (JSON columns as JSON text). Nothing is fetched and no archive is touched.

    scrapy extract page.html --url https://khanhhoa.gov.vn/tin-tuc/khoi-cong-10245.html
    scrapy extract saved/*.html --portal quang_ngai
    scrapy extract --manifest pages.jsonl          # lines of {"path", "url"[, "portal"]}

A page's address comes from ``--url`` (one page), the manifest, or the ``meta.json`` beside it (as
``scrapy savefixture`` writes it). With ``--portal`` (or a manifest's ``portal``) the page is read
with that portal's profile; without, it goes through platform detection and the generic pages,
as an unknown portal's page would.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from scraper.archive.schema import ARTICLE_COLUMNS
from scraper.commands._cli import Help, quiet_pipe
from scraper.commands._pages import PageError, read_saved
from scraper.core.profile import Profile

VN = dt.timezone(dt.timedelta(hours=7))


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "PAGE [PAGE …] [--url URL] [--portal SLUG] | --manifest FILE"

    def short_desc(self) -> str:
        return "Read saved pages offline; print each as the archive would store it (JSON lines)"


    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="the address of the page (one page only)")
        parser.add_argument("--portal", help="read with this portal's profile (default: detect the platform)")
        parser.add_argument("--manifest", help='JSON Lines of {"path", "url"} (and optionally "portal")')

    def run(self, args, opts) -> None:
        quiet_pipe()  # `| head` ends it quietly
        from scraper.portals import load_profiles  # heavy: imported when the command runs
        jobs = self._jobs(args, opts)
        profiles = load_profiles()
        for path, url, portal in jobs:
            if portal and portal not in profiles:
                raise UsageError(f"no portal {portal!r} (scrapy portals lists them)")
        failed = 0
        for path, url, portal in jobs:
            try:
                line = extract_one(Path(path), url, profiles[portal] if portal else None)
            except PageError as exc:
                failed += 1
                line = {"path": str(path), "url": url, "verdict": "unreadable", "reason": str(exc)}
            print(json.dumps(line, ensure_ascii=False))
        self.exitcode = 1 if failed else 0

    def _jobs(self, args, opts) -> list[tuple[str, str | None, str | None]]:
        if opts.manifest:
            if args or opts.url:
                raise UsageError("give pages or a manifest, not both")
            return _manifest(Path(opts.manifest), opts.portal)
        if not args:
            raise UsageError("give at least one saved page, or --manifest FILE")
        if opts.url and len(args) > 1:
            raise UsageError("--url names one page's address; for many pages use a manifest")
        return [(a, opts.url, opts.portal) for a in args]


def _manifest(path: Path, portal: str | None) -> list[tuple[str, str | None, str | None]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read the manifest {path}: {exc.strerror or exc}") from None
    jobs = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            target = Path(entry["path"])
        except (ValueError, KeyError, TypeError):
            raise UsageError(f"{path} line {n}: not a JSON object with a \"path\"") from None
        if not target.is_absolute():
            target = path.parent / target  # paths relative to the manifest
        jobs.append((str(target), entry.get("url"), entry.get("portal") or portal))
    return jobs


def extract_one(path: Path, url: str | None, profile: Profile | None) -> dict:
    """One saved page read as a crawl would: the row the archive would store and the verdict."""
    from pipelines.validate import verdict  # heavy: imported when the command runs
    from scraper.archive.rows import article_row
    from scraper.crawl.runner import read_article
    from scraper.platforms import PLATFORMS
    from scraper.platforms.fingerprint import detect
    page = read_saved(path, url)
    if not page.url:
        raise PageError("no address: give --url, a manifest entry's \"url\", or a meta.json beside the page")
    if profile is None:
        found = detect(page.url, page.body, page.content_type).platform
        profile = Profile.anonymous(found if found in PLATFORMS else "generic")
    fetched_at = page.fetched_at or dt.datetime.now(VN).replace(microsecond=0).isoformat()
    item = read_article(profile, page.url, page.body, page.headers, fetched_at)
    if "error" in item:
        return {"path": str(path), "url": page.url, "verdict": "rejected", "reason": f"the page classes failed: {item['error']}"}
    item.update(fetched_url=page.url, http_status=200)
    found = verdict(ItemAdapter(item))
    line = {"path": str(path), "url": page.url, "portal": profile.slug, "platform": profile.platform,
            "verdict": "rejected" if found else "stored"}
    if found:
        line["reason"] = found[1]
    line["row"] = {k: v for k, v in article_row(item).items() if k in ARTICLE_COLUMNS}
    return line
