"""Where a nightly load keeps its files: all of them under the warehouse folder by default.

```
<warehouse>/perfbudget.duckdb        the published warehouse (BI opens it read-only)
<warehouse>/builds/<run_id>.duckdb   the last three published builds, for rollback (the
                                     newest is where the next incremental build starts)
<warehouse>/builds/.building.duckdb  the build in progress (never opened by readers)
<warehouse>/builds/publish_order.jsonl  the kept builds in the order they were published
<warehouse>/run_log/*.jsonl          etl_runs and dq_results of every run, failed ones too
<warehouse>/quality/<run_id>/        Great Expectations Data Docs (staging/, marts/)
<warehouse>/.dbt/                    dbt target/ and logs/ of the nightly builds
<warehouse>/.nightly.lock            one load at a time
<warehouse>/published_inputs.json    what the published build was made from (flows.inputs)
<warehouse>/staging/                 the staging CSVs (+ .incremental/: manifest and row cache)
<warehouse>/quarantine/              copies of documents with an error issue
```

Staging, cache and quarantine belong to one warehouse. They used to default to
`<warehouse>/../staging`, so two warehouses in one parent folder shared (and published) each
other's rows. A folder given with `--staging` / `--quarantine` is claimed by its warehouse
with an owner file; another warehouse is refused it unless the user says `shared=True`
(`--share-folders`), and the load's lock covers every folder it writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PUBLISHED_NAME = "perfbudget.duckdb"
KEEP_BUILDS = 3
OWNER_NAME = ".perfbudget-owner.json"
LOCK_NAME = ".perfbudget.lock"


class FolderOwnedElsewhere(RuntimeError):
    """A staging or quarantine folder already belongs to another warehouse."""


@dataclass(frozen=True, slots=True)
class WarehouseLayout:
    root: Path
    staging: Path
    quarantine: Path
    shared: bool = False  # the user allows staging/quarantine folders shared with other warehouses

    @classmethod
    def at(cls, warehouse: Path | str, staging: Path | str | None = None,
           quarantine: Path | str | None = None, shared: bool = False) -> WarehouseLayout:
        root = Path(warehouse).resolve()
        return cls(root=root,
                   staging=Path(staging).resolve() if staging else root / "staging",
                   quarantine=Path(quarantine).resolve() if quarantine else root / "quarantine",
                   shared=shared)

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

    def outside_folders(self) -> list[Path]:
        """Folders the load writes that are not under the warehouse folder (given by the user)."""
        return [folder for folder in (self.staging, self.quarantine) if not folder.is_relative_to(self.root)]

    def ensure(self) -> None:
        """Create the folders. The warehouse folder and builds/ are made readable by all (the
        published file is 0644 for BI readers; a restrictive umask must not hide it)."""
        for folder in (self.root, self.builds):
            if not folder.exists():
                folder.mkdir(parents=True, exist_ok=True)
                folder.chmod(0o755)
        for folder in (self.run_log, self.staging, self.quarantine):
            folder.mkdir(parents=True, exist_ok=True)

    def claim_folders(self) -> None:
        """Mark user-given staging/quarantine folders as this warehouse's; refuse a folder
        another warehouse has claimed unless both runs say `shared`."""
        for folder in self.outside_folders():
            owner_file = folder / OWNER_NAME
            try:
                owner = json.loads(owner_file.read_text(encoding="utf-8")).get("warehouse")
            except (OSError, ValueError, AttributeError):
                owner = None
            if owner and owner != str(self.root) and not self.shared:
                raise FolderOwnedElsewhere(
                    f"{folder} belongs to the warehouse {owner}; give this warehouse ({self.root}) its own "
                    f"folder, or pass --share-folders to share it knowingly")
            if not owner or owner == str(self.root):
                folder.mkdir(parents=True, exist_ok=True)
                owner_file.write_text(json.dumps({"warehouse": str(self.root)}) + "\n", encoding="utf-8")
