"""Fixtures for the reader tests: the samples read as text, and each sample rendered once per
session into every published format (in a temporary folder: nothing binary is committed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.readers import Document, read_document
from tests.extract.readers.render import RENDERERS, SUFFIX

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / "data" / "samples"
PREFIXES = ("000", "001", "002", "003", "004")
FORMATS = tuple(RENDERERS)


def sample_path(prefix: str) -> Path:
    return next(SAMPLES.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def text_docs() -> dict[str, Document]:
    """Each sample read by the text reader, keyed by its three-digit prefix."""
    return {prefix: read_document(sample_path(prefix).name, sample_path(prefix).read_bytes()) for prefix in PREFIXES}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory, text_docs: dict[str, Document]) -> dict[tuple[str, str], Path]:
    """(prefix, format) → the sample rendered in that format, written to a session folder."""
    folder = tmp_path_factory.mktemp("rendered")
    paths = {}
    for prefix, doc in text_docs.items():
        for kind, render in RENDERERS.items():
            path = folder / (sample_path(prefix).stem + SUFFIX[kind])
            path.write_bytes(render(doc))
            paths[(prefix, kind)] = path
    return paths


@pytest.fixture(scope="session")
def read_back(rendered: dict[tuple[str, str], Path]) -> dict[tuple[str, str], Document]:
    """(prefix, format) → the rendering read by `read_document`."""
    return {key: read_document(path.name, path.read_bytes()) for key, path in rendered.items()}
