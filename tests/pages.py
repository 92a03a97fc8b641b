"""Test helpers for saved pages: load a fixture case and run its portal's page classes on it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scraper.crawl.runner import read_article
from scraper.platforms import article_page, listing_page
from scraper.portals import get_profile, pages_for

FIXTURES = Path(__file__).parent / "fixtures"
# Real captures and reconstructions sit apart, each as <slug>/<case>/; meta.json says which too.
ORIGINS = {"real": "real capture", "reconstructed": "reconstruction"}


@dataclass
class Case:
    slug: str
    name: str
    path: Path

    @property
    def id(self) -> str:
        return f"{self.slug}/{self.name}"

    @property
    def meta(self) -> dict:
        return json.loads((self.path / "meta.json").read_text(encoding="utf-8"))

    @property
    def expected(self) -> dict:
        return json.loads((self.path / "expected.json").read_text(encoding="utf-8"))

    @property
    def body(self) -> bytes:
        return (self.path / "page.html").read_bytes()

    @property
    def kind(self) -> str:
        return "listing" if self.name.startswith("listing") else "article"

    def page(self):
        profile = get_profile(self.slug)
        make = listing_page if self.kind == "listing" else article_page
        meta = self.meta
        return make(pages_for(profile), meta["url"], self.body, headers=meta.get("headers"), fetched_at=meta["fetched_at"], profile=profile)

    def item(self) -> dict:
        """What the archive would store for this article page: the page runner's fields (its date
        taken from elsewhere when the page has none, normalized), as a crawl hands them on."""
        meta = self.meta
        headers = {k.lower(): v for k, v in (meta.get("headers") or {}).items()}
        return read_article(get_profile(self.slug), meta["url"], self.body, headers, meta["fetched_at"])


def cases(kind: str | None = None) -> list[Case]:
    """Every portal fixture case (real captures and reconstructions), by slug and name."""
    found = []
    for origin in ORIGINS:
        for slug_dir in sorted(p for p in (FIXTURES / origin).iterdir() if p.is_dir()):
            for case_dir in sorted(p for p in slug_dir.iterdir() if (p / "page.html").exists()):
                case = Case(slug_dir.name, case_dir.name, case_dir)
                if kind is None or case.kind == kind:
                    found.append(case)
    return sorted(found, key=lambda c: c.id)


def case(slug: str, name: str) -> Case:
    """One fixture case, wherever its origin puts it."""
    for found in cases():
        if found.slug == slug and found.name == name:
            return found
    raise KeyError(f"no fixture {slug}/{name}")
