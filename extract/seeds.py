"""Where the reference CSVs (dbt seeds) live, for every module of the extractor that reads one."""

from __future__ import annotations

import os
from pathlib import Path


def seeds_dir() -> Path:
    """Where the reference CSVs live: $PERFBUDGET_SEEDS, else the repository's seeds/."""
    override = os.environ.get("PERFBUDGET_SEEDS")
    return Path(override) if override else Path(__file__).resolve().parent.parent / "seeds"
