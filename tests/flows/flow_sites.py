"""Helpers of the flow tests: a self-contained load site (an inbox and a warehouse, which
holds its staging and quarantine folders) and the repo's paths."""

from __future__ import annotations

import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "data" / "samples"


@dataclass(frozen=True)
class Site:
    """One self-contained load site: inbox, warehouse, staging and quarantine under `root`."""

    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def published(self) -> Path:
        return self.warehouse / "perfbudget.duckdb"

    @property
    def staging(self) -> Path:
        return self.warehouse / "staging"

    @property
    def quarantine(self) -> Path:
        return self.warehouse / "quarantine"

    @property
    def run_log(self) -> Path:
        return self.warehouse / "run_log"


def new_site(root: Path) -> Site:
    site = Site(root)
    shutil.copytree(SAMPLES, site.inbox)
    for path in site.inbox.iterdir():
        path.chmod(0o644)
    return site



# Build models and seeds but skip dbt's own tests where the load's behaviour is the point:
# the full build (with every dbt test) runs once, for the `loaded_site` fixture.
QUICK_DBT_ARGS = "--exclude resource_type:test"


def record_dbt_spawns(patch, envs: list[dict[str, str]] | None = None) -> list[tuple[bool, subprocess.Popen]]:
    """Every dbt process a load starts from now on, through `patch` (a pytest MonkeyPatch): (started
    ahead to wait for its build, the process); each one's environment is appended to `envs`."""
    from flows import build as build_module

    spawned: list[tuple[bool, subprocess.Popen]] = []
    spawn = build_module._spawn

    def recording(invocation, project_dir, wait_for_go=False):
        process = spawn(invocation, project_dir, wait_for_go)
        spawned.append((wait_for_go, process))
        if envs is not None:
            envs.append(dict(invocation.env))
        return process

    patch.setattr(build_module, "_spawn", recording)
    return spawned


def insert_line(path: Path, position: int, line: bytes) -> None:
    """Put `line` so that it becomes line `position` (1-based) of the file."""
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(position - 1, line)
    path.write_bytes(b"".join(lines))


def run_log_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    """The messages of the RunLogWarnings among warnings caught (`warnings.catch_warnings(record=True)`)."""
    from flows.runlog import RunLogWarning

    return [str(warning.message) for warning in caught if issubclass(warning.category, RunLogWarning)]
