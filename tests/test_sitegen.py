"""The committed sample mirror is exactly what bench/sitegen.py writes."""

from __future__ import annotations

import json

from bench.sitegen import build_mirror
from tests.conftest import MIRROR


def test_committed_mirror_matches_its_generator(tmp_path):
    counts = build_mirror(tmp_path)
    assert counts == {"phu_yen": 24, "quang_ngai": 26} and sum(counts.values()) >= 40
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(MIRROR) for p in MIRROR.rglob("*") if p.is_file())
    assert fresh == committed
    for rel in fresh:
        assert (tmp_path / rel).read_bytes() == (MIRROR / rel).read_bytes(), f"{rel} differs from the generator's output"


def test_every_mirror_says_it_is_a_reconstruction():
    for meta in MIRROR.glob("*/meta.json"):
        assert json.loads(meta.read_text(encoding="utf-8"))["reconstruction"] is True
