"""What a build was made from, to skip a nightly build when nothing changed.

A build is a function of the staging CSVs, the dbt project (models, seeds, macros, tests,
profiles), the expectation suites, the extractor's code, the code that lands its rows and
the dbt arguments. `build_inputs` hashes them — the CSVs by size and mtime_ns, which the
incremental refresh keeps when it re-lands nothing — and `published_inputs.json` beside the
published warehouse records the hash it was built from, with the published file's size and
mtime_ns (a rollback or any other replacement of the file makes the record stale, so the
next run builds).
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from collections.abc import Mapping
from pathlib import Path

from extract.records import STAGING_TABLES
from flows.build import REPO_ROOT
from flows.delta import (
    CHANGES_TABLE,
    DeltaBase,
    LandedFile,
    boot_id,
    delta_base,
    files_to_json,
    read_record,
)
from flows.extraction_cache import write_json_atomic
from flows.layout import WarehouseLayout

RECORD_NAME = "published_inputs.json"
# What a build depends on besides the staging CSVs: the dbt project, the suites, the
# extractor and gate code (the cached rows and the document gate come from them too), and
# the flows modules between the inbox and the staging CSVs on the nightly path (listing,
# pool, cache, refresh, landing, quarantine), which decide which rows land, and the profile's
# plugin that tells dbt where those CSVs are.
PROJECT_INPUTS = ("dbt_project.yml", "profiles/profiles.yml", "models", "seeds", "macros", "tests_dbt",
                  "expectations", "extract", "flows/inbox.py", "flows/pool.py", "flows/extraction_cache.py",
                  "flows/incremental.py", "flows/landing.py", "flows/quarantine.py", "flows/dbt_staging_dir.py")


def _project_files(project_dir: Path) -> list[Path]:
    files = []
    for name in PROJECT_INPUTS:
        path = project_dir / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(p for p in sorted(path.rglob("*"))
                         if p.is_file() and not p.name.startswith(".") and "__pycache__" not in p.parts)
    return files


def project_fingerprint(project_dir: Path = REPO_ROOT, dbt_args: str | None = None) -> str:
    """A hash of the project's files and the dbt arguments: what a build does with its inputs.
    Forms rejected by a dbt test stay rejected until this changes (flows.attribution)."""
    digest = hashlib.sha256()
    for path in _project_files(project_dir):
        digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    args = os.environ.get("PERFBUDGET_DBT_ARGS", "") if dbt_args is None else dbt_args
    digest.update(json.dumps(shlex.split(args)).encode())
    return digest.hexdigest()


def build_inputs(staging_dir: Path, inbox_fingerprint: str, project_dir: Path = REPO_ROOT) -> str:
    digest = hashlib.sha256()
    digest.update(inbox_fingerprint.encode())
    for table in (*STAGING_TABLES, CHANGES_TABLE):
        try:
            stat = (staging_dir / f"{table}.csv").stat()
        except OSError:
            return ""  # no staging to compare: always build
        digest.update(f"{table}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    digest.update(project_fingerprint(project_dir, os.environ.get("PERFBUDGET_DBT_ARGS", "")).encode())
    return digest.hexdigest()


def _stat_of(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _published_stat(layout: WarehouseLayout) -> list[int] | None:
    return _stat_of(layout.published)


def record_published(layout: WarehouseLayout, run_id: str, inputs: str, project: str | None = None,
                     files: Mapping[str, LandedFile] | None = None, rejected: list[str] = (),
                     nights_unvacuumed: int = 0) -> None:
    """What the published build was made from; with `project` (its project fingerprint) and
    `files` (what each inbox file landed) the next run can build on it (flows.delta), moving
    the run's kept build, whose size and mtime are recorded too, into its build.
    `nights_unvacuumed`: the incremental nights without DuckDB's vacuum it is the last of."""
    record: dict = {"run_id": run_id, "inputs": inputs, "published": _published_stat(layout),
                    "kept": _stat_of(layout.build_of(run_id)), "kept_boot": boot_id(),
                    "nights_unvacuumed": nights_unvacuumed}
    if project is not None and files is not None:
        record.update(project=project, files=files_to_json(files), rejected=sorted(rejected))
    write_json_atomic(layout.root / RECORD_NAME, record)


def delta_base_of(layout: WarehouseLayout, project: str) -> DeltaBase | None:
    """The published build an incremental build may start from (flows.delta.delta_base)."""
    return delta_base(layout.root / RECORD_NAME, layout.published, project, layout.build_of)


def published_run_of(layout: WarehouseLayout) -> str | None:
    """The run whose build the published file is, as recorded when it was published; None when
    the file was replaced since (a rollback) or nothing is recorded."""
    record = read_record(layout.root / RECORD_NAME)
    if record is None or record.get("published") != _published_stat(layout):
        return None
    run_id = record.get("run_id")
    return run_id if isinstance(run_id, str) and run_id else None


def unchanged_since(layout: WarehouseLayout, inputs: str) -> str | None:
    """The run id of the published build when it was built from exactly `inputs`, else None."""
    record = read_record(layout.root / RECORD_NAME)
    if record is None:
        return None
    published = _published_stat(layout)
    if not inputs or published is None or record.get("inputs") != inputs or record.get("published") != published:
        return None
    return record.get("run_id")
