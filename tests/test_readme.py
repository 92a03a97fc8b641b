"""The README stays true: its table of portals matches the profiles, its commands exist."""

from __future__ import annotations

import re

from scraper.portals import load_profiles, markdown_table
from tests.conftest import ROOT


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_portal_table_matches_the_profiles():
    block = readme().split("<!-- portals:start -->")[1].split("<!-- portals:end -->")[0]
    assert block.strip() == markdown_table(load_profiles()), "regenerate it with: scrapy portals --markdown"
    rows = [line for line in block.strip().splitlines()[2:]]
    assert len(rows) == len(load_profiles())


def test_readme_opens_with_the_two_setup_commands():
    text = readme()
    first_commands = re.findall(r"^\$ (.+)$", text, re.MULTILINE)[:2]
    assert first_commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.MULTILINE) and re.search(r"^test:", makefile, re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
