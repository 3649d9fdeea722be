"""Where a nightly load keeps its files, all derived from the warehouse folder.

```
<warehouse>/perfbudget.duckdb        the published warehouse (BI opens it read-only)
<warehouse>/builds/<run_id>.duckdb   the last three published builds, for rollback
<warehouse>/builds/.building.duckdb  the build in progress (never opened by readers)
<warehouse>/run_log/*.jsonl          etl_runs and dq_results of every run, failed ones too
<warehouse>/quality/<run_id>/        Great Expectations Data Docs (staging/, marts/)
<warehouse>/.dbt/                    dbt target/ and logs/ of the nightly builds
<warehouse>/.nightly.lock            one load at a time
<warehouse>/published_inputs.json    what the published build was made from (flows.inputs)
<warehouse>/../staging/              the staging CSVs (+ .incremental/ cache)
<warehouse>/../quarantine/           copies of documents with an error issue
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PUBLISHED_NAME = "perfbudget.duckdb"
KEEP_BUILDS = 3


@dataclass(frozen=True, slots=True)
class WarehouseLayout:
    root: Path
    staging: Path
    quarantine: Path

    @classmethod
    def at(cls, warehouse: Path | str, staging: Path | str | None = None,
           quarantine: Path | str | None = None) -> WarehouseLayout:
        root = Path(warehouse).resolve()
        return cls(root=root,
                   staging=Path(staging).resolve() if staging else root.parent / "staging",
                   quarantine=Path(quarantine).resolve() if quarantine else root.parent / "quarantine")

    @property
    def published(self) -> Path:
        return self.root / PUBLISHED_NAME

    @property
    def builds(self) -> Path:
        return self.root / "builds"

    @property
    def building(self) -> Path:
        """One fixed path for the build in progress: the dbt profile stays the same from run
        to run, so dbt's partial parsing keeps working."""
        return self.builds / ".building.duckdb"

    def build_of(self, run_id: str) -> Path:
        return self.builds / f"{run_id}.duckdb"

    @property
    def run_log(self) -> Path:
        return self.root / "run_log"

    def quality(self, run_id: str) -> Path:
        return self.root / "quality" / run_id

    @property
    def dbt_work(self) -> Path:
        return self.root / ".dbt"

    @property
    def lock(self) -> Path:
        return self.root / ".nightly.lock"

    @property
    def extraction_cache(self) -> Path:
        return self.staging / ".incremental"

    def ensure(self) -> None:
        for folder in (self.root, self.builds, self.run_log, self.staging, self.quarantine):
            folder.mkdir(parents=True, exist_ok=True)
