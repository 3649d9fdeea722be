"""The module order of tests/conftest.py names modules that exist (a renamed module would
silently lose its early start)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import LONGEST_FIRST

REPO = Path(__file__).resolve().parents[1]


def test_every_module_started_first_exists_once():
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
    assert [module for module in LONGEST_FIRST if not (REPO / module).is_file()] == []
