"""Fixtures for the extractor tests: the samples, the gold, and the samples extracted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.pipeline import FileExtraction, extract_file

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "samples"
GOLD_PATH = REPO / "tests" / "fixtures" / "seeds_gold.json"
TARGET_FILES = ("000", "001", "003", "004")


def sample_path(prefix: str) -> Path:
    return next(SAMPLES.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def gold() -> dict:
    data = json.loads(GOLD_PATH.read_text(encoding="utf-8"))
    return {name[:3]: body for name, body in data.items() if not name.startswith("_")}


@pytest.fixture(scope="session")
def extracted() -> dict[str, FileExtraction]:
    """Each sample extracted once, keyed by its three-digit prefix."""
    return {
        path.name[:3]: extract_file(path.name, path.read_bytes())
        for path in sorted(SAMPLES.glob("*.txt"))
    }
