"""The extractor's version: a hash of its own code and of the seeds it reads.

Cached extraction rows are only as good as the code and the reference data that made them.
A hand-bumped version string was never bumped, so a fix of the extractor or a new taxonomy
variant never reached a warehouse whose inbox had not changed. The version is therefore
computed from the bytes of every module of the `extract` package and of the seeds the
extractor reads (`EXTRACTOR_SEEDS`); any change to them changes the version, which
re-extracts every document on the next run (flows/extraction_cache.py keys its cache by it).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

RELEASE = "0.2.0"
# The seeds (seeds/*.csv) the extractor reads; a seed only dbt reads is not here, so editing
# it rebuilds the warehouse without re-extracting the inbox.
EXTRACTOR_SEEDS = ("indicator_taxonomy.csv", "negative_amount_labels.csv", "table_column_roles.csv",
                   "form_labels.csv", "traditional_characters.csv")


def code_files(package_dir: Path) -> list[Path]:
    return sorted(path for path in package_dir.rglob("*.py") if "__pycache__" not in path.parts)


def compute_version(package_dir: Path, seeds_dir: Path, seeds: tuple[str, ...] = EXTRACTOR_SEEDS) -> str:
    """`RELEASE+<12 hex>`: the release and a hash of the code and seed bytes (a missing seed
    hashes as absent, so the version still changes when it appears)."""
    digest = hashlib.sha256()
    for path in code_files(package_dir):
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in seeds:
        seed = seeds_dir / name
        digest.update(name.encode() + b"\0" + (seed.read_bytes() if seed.exists() else b"<absent>") + b"\0")
    return f"{RELEASE}+{digest.hexdigest()[:12]}"
