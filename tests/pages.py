"""Test helpers for saved pages: load a fixture case and run its portal's page classes on it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from itemadapter import ItemAdapter

from pipelines.normalize import normalize
from scraper.platforms import platform_module
from scraper.portals import get_profile

FIXTURES = Path(__file__).parent / "fixtures"


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
        module = platform_module(profile.platform)
        cls = module.ListingPage if self.kind == "listing" else module.ArticlePage
        meta = self.meta
        return cls(meta["url"], self.body, headers=meta.get("headers"), fetched_at=meta["fetched_at"], profile=profile)

    def item(self) -> dict:
        """What the archive would store for this article page: the page's fields, normalized."""
        data = self.page().extract()
        adapter = ItemAdapter(data)
        normalize(adapter)
        return data


def cases(kind: str | None = None) -> list[Case]:
    found = []
    for slug_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and (p / "..").exists()):
        for case_dir in sorted(p for p in slug_dir.iterdir() if (p / "page.html").exists()):
            case = Case(slug_dir.name, case_dir.name, case_dir)
            if kind is None or case.kind == kind:
                found.append(case)
    return found
