"""What one crawl knows and decides about one portal: its platform, where it is being crawled from
(the portal itself or a copy of it), which hosts the crawl may follow, what the archive already
holds of it, and what this run has asked for so far."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from protego import Protego

from scraper.archive.reads import portal_history
from scraper.core.profile import Profile
from scraper.core.urls import host_key, origin, rebase
from scraper.pages.spec import Platform
from scraper.portals import pages_for


class Portal:
    def __init__(self, profile: Profile, start_urls: list[str] | None, visiting: bool = True):
        self.profile = profile
        self.slug = profile.slug
        self.platform: Platform = pages_for(profile)
        self.start_urls = list(start_urls or profile.start_urls)
        # Where robots.txt, sitemaps and feeds are looked for: the copy being crawled, or the portal.
        self.site_origins = sorted({origin(u) for u in self.start_urls}) if start_urls else (
            [profile.base_url] if profile.base_url else [])
        if visiting and not (self.start_urls or self.site_origins or profile.sitemaps or profile.feeds):
            raise ValueError(f"portal {profile.slug!r} has no start URLs and no home page: give some with -a start_urls=URL[,URL…]")
        self.allowed_hosts = {host_key(urlsplit(u).netloc) for u in self.start_urls} if start_urls else set(profile.hosts)
        # Mirrors: origins that are not the portal's own are mapped back onto the portal's base URL.
        self.mirror_origins = {
            origin(u): profile.base_url
            for u in self.start_urls
            if profile.base_url and host_key(urlsplit(u).netloc) not in profile.hosts
        }
        self.scheduled: set[str] = set()        # canonical URLs of the articles requested this run
        self.known: set[str] = set()            # canonical URLs already archived (articles, aliases)
        self.validators: dict[str, tuple] = {}  # canonical URL -> (ETag, Last-Modified) of the archived copy
        self.walked: set[str] = set()           # listings the previous finished run walked to their end
        self.completed_walks: set[str] = set()  # listings this run walked to their end
        self.robots_rules: dict[str, tuple[Protego, str]] = {}
        self.robots_blocked = False

    def canonical(self, url: str) -> str:
        return self.platform.canonical(url)

    def key(self, url: str) -> str:
        """The archive key of a URL of the crawl (a copy's URL stands for the portal's)."""
        return self.canonical(self.archive_url(url))

    def local(self, url: str) -> str:
        """A URL on the portal's own hosts moved onto the copy being crawled, when crawling one
        (copies keep absolute links to the portal in sitemaps, feeds and pages)."""
        if self.mirror_origins and host_key(urlsplit(url).netloc) in self.profile.hosts:
            return rebase(url, origin(url), next(iter(self.mirror_origins)))
        return url

    def archive_url(self, url: str) -> str:
        """The portal's own URL for a URL of the copy being crawled."""
        for src, dst in self.mirror_origins.items():
            moved = rebase(url, src, dst)
            if moved != url:
                return moved
        return url

    def is_article_url(self, url: str) -> bool:
        return self.platform.is_article_url(url)

    def load_history(self, db_path: Path, recheck: bool) -> None:
        """What the archive already holds for this portal (read-only)."""
        history = portal_history(db_path, self.slug, validators=recheck)
        self.known, self.validators, self.walked = history.known, history.validators, history.walked
