"""What one crawl knows and decides about one portal: its platform, where it is being crawled from
(the portal itself or a copy of it), which hosts the crawl may follow, what the archive already
holds and has learned of it, and what this run has asked for and found so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from protego import Protego

from scraper.archive.discovery import Learned, learned
from scraper.archive.reads import portal_history
from scraper.core.profile import Profile
from scraper.core.urls import host_key, origin, rebase, url_patterns
from scraper.pages.spec import Platform
from scraper.portals import pages_for


class Portal:
    def __init__(self, profile: Profile, start_urls: list[str] | None, visiting: bool = True, home: str | None = None):
        self.profile = profile
        self.slug = profile.slug
        self.platform: Platform = pages_for(profile)
        self.start_urls = [] if home else list(start_urls or profile.start_urls)
        # A copy being crawled instead of the portal: its start URLs, or its home page.
        copy = list(start_urls or []) if not home else [home]
        self.home = home or profile.home or (f"{profile.base_url}/" if profile.base_url else None)
        # Discovery: a crawl of the portal's own site (or of a copy's home page) also reads the home
        # page, so sections the profile does not list are found; a crawl of given start URLs does not.
        self.discovering = visiting and bool(self.home) and (bool(home) or not start_urls)
        # Where robots.txt, sitemaps and feeds are looked for: the copy being crawled, or the portal.
        self.site_origins = sorted({origin(u) for u in copy}) if copy else ([profile.base_url] if profile.base_url else [])
        if visiting and not (self.start_urls or self.site_origins or profile.sitemaps or profile.feeds):
            raise ValueError(f"portal {profile.slug!r} has no start URLs and no home page: give some with -a start_urls=URL[,URL…] "
                             "or -a home=URL")
        self.allowed_hosts = {host_key(urlsplit(u).netloc) for u in copy} if copy else set(profile.hosts)
        # Mirrors: origins that are not the portal's own are mapped back onto the portal's base URL.
        self.mirror_origins = {
            origin(u): profile.base_url
            for u in copy
            if profile.base_url and host_key(urlsplit(u).netloc) not in profile.hosts
        }
        self.scheduled: set[str] = set()        # canonical URLs of the articles requested this run
        self.known: set[str] = set()            # canonical URLs already archived (articles, aliases)
        self.validators: dict[str, tuple] = {}  # canonical URL -> (ETag, Last-Modified) of the archived copy
        self.walked: set[str] = set()           # listings the previous finished run walked to their end
        self.completed_walks: set[str] = set()  # listings this run walked to their end
        self.robots_rules: dict[str, tuple[Protego, str]] = {}
        self.robots_blocked = False
        # Discovery: what earlier runs learned (scraper.archive.discovery) and what this run finds.
        self.learned = Learned()
        self.listings_requested: set[str] = set()  # portal URLs of the listings (and sections) asked for this run
        self.home_entries: list[dict] = []         # the home page's headlines, fetched when nothing else is left
        self.found = Found()

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
        if self.discovering:
            self.learned = learned(db_path, self.slug)

    def discovery_report(self) -> dict | None:
        """What this run learned of the portal, as the archive keeps it (portal URLs, not a copy's)."""
        if not self.discovering:
            return None
        found = self.found
        article_urls = sorted(self.archive_url(u) for u in found.article_urls)
        return {
            "home": self.archive_url(self.home) if self.home else None,
            "platform": found.platform,
            "sections": [{**s, "url": self.archive_url(s["url"])} for s in found.sections.values()],
            "listings": [{**v, "url": self.archive_url(u)} for u, v in found.listings.items()],
            "feeds": sorted({self.archive_url(u) for u in found.feeds}),
            "article_urls": url_patterns(article_urls),
        }


@dataclass
class Found:
    """What a discovery run found of one portal (URLs as fetched)."""

    platform: dict | None = None
    sections: dict[str, dict] = field(default_factory=dict)   # url -> {"label", "why", "depth"}
    listings: dict[str, dict] = field(default_factory=dict)   # walk url -> {"label", "shape", "articles", "items"}
    feeds: set[str] = field(default_factory=set)
    article_urls: list[str] = field(default_factory=list)     # article pages requested, for their URL shape
