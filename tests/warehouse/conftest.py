"""Fixtures for the warehouse tests: the samples extracted and built with dbt, once per session.

dbt runs in a subprocess (cwd = repository root) so that it never holds the DuckDB file in this
process; every build writes into a temporary folder (database, staging CSVs, dbt target and logs),
never into the shared working tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from flows.build import NIGHTLY_VARS, dbt_command, keep_parse, kept_parse, reuse_parse
from flows.layout import WarehouseLayout
from tests.shared_builds import bad_samples, fingerprint, loaded_samples, shared_build

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "samples"
GOLD_PATH = REPO / "tests" / "fixtures" / "seeds_gold.json"
BIN = Path(sys.executable).parent
SAMPLES_HASH = fingerprint(files=SAMPLES.iterdir())
MODELS_AND_SEEDS = ["--resource-type", "seed", "--resource-type", "model"]
# dbt parses anew for other --vars or another DuckDB file name (flows.build.kept_parse): these
# builds take the nightly flow's vars and name their file as the flow names its build, so they
# start from the parse the flow's builds keep (tests/conftest.py makes it once per test run).
# The vars only switch off the tests of macros on constants, which no build here selects.
DATABASE_NAME = WarehouseLayout.at(REPO).building.name


@dataclass(frozen=True)
class Build:
    """One warehouse build: where it lives and what dbt reported."""

    database: Path
    staging: Path
    results: list[dict]
    output: str
    seconds: float

    def statuses(self) -> dict[str, str]:
        return {result["unique_id"]: result["status"] for result in self.results}


def _executable(name: str) -> str:
    candidate = BIN / name
    return str(candidate) if candidate.exists() else shutil.which(name) or name


def extract(inbox: Path, out: Path) -> None:
    completed = subprocess.run(
        [_executable("perfbudget"), "extract", "--inbox", str(inbox), "--out", str(out),
         "--quarantine", str(out.parent / "quarantine")],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"extractor failed:\n{completed.stdout}\n{completed.stderr}")


def dbt(args: list[str], workdir: Path, staging: Path) -> Build:
    """Run dbt in a subprocess against a fresh DuckDB file under workdir."""
    database = workdir / "warehouse" / DATABASE_NAME
    if not any(arg.startswith("--vars") for arg in args):
        args = [*args, *NIGHTLY_VARS]
    database.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO / "profiles"),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
        "PERFBUDGET_DUCKDB_PATH": str(database),
        "PERFBUDGET_STAGING_DIR": str(staging),
    }
    kept = kept_parse(args, database)
    reuse_parse(workdir / "target", kept)
    started = time.monotonic()
    completed = subprocess.run([*dbt_command(), *args], cwd=REPO, env=env, capture_output=True,
                               text=True, timeout=900, check=False)
    seconds = time.monotonic() - started
    keep_parse(workdir / "target", kept)
    results_path = workdir / "target" / "run_results.json"
    results = json.loads(results_path.read_text(encoding="utf-8"))["results"] if results_path.exists() else []
    if completed.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{completed.stdout[-6000:]}\n{completed.stderr[-3000:]}")
    return Build(database=database, staging=staging, results=results, output=completed.stdout, seconds=seconds)


def build_from(inbox: Path, workdir: Path, args: list[str]) -> Build:
    staging = workdir / "staging"
    extract(inbox, staging)
    return dbt(args, workdir, staging)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The samples extracted and `dbt build` (models, seeds and every test) run once per test run:
    the nightly load of the samples that the flow tests share as `loaded_site` (its published file,
    staging CSVs and dbt's run_results.json). Besides the models it holds the run log tables
    `etl_runs` and `dq_results` (and the view `etl_latest_run`)."""
    site, _ = loaded_samples(tmp_path_factory)
    return _published_build(site)


def _published_build(site) -> Build:
    """A load site's published file, staging CSVs and the results of its (last) dbt build."""
    from flows.layout import WarehouseLayout

    run_results = WarehouseLayout.at(site.warehouse).dbt_work / "target" / "run_results.json"
    return Build(database=site.published, staging=site.staging,
                 results=json.loads(run_results.read_text(encoding="utf-8"))["results"], output="", seconds=0.0)


@pytest.fixture(scope="session")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The same samples extracted again and built again into another file (models and seeds)."""
    return shared_build(tmp_path_factory, f"rebuilt-{SAMPLES_HASH}",
                        lambda folder: build_from(SAMPLES, folder, ["build", *MODELS_AND_SEEDS]))


@pytest.fixture(scope="session")
def built_with_bad_document(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The samples plus one unreadable document (999_not_a_form.txt): the extractor quarantines it
    with an issue row. It is one file of the flow tests' bad inbox (tests/flows/bad_inbox.py: the
    samples, a bad item of every kind and the specimens), loaded once per test run with every dbt test."""
    site, _, _ = bad_samples(tmp_path_factory)
    return _published_build(site)


@pytest.fixture(scope="session")
def con(built: Build):
    connection = duckdb.connect(str(built.database), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def gold() -> dict[str, dict]:
    data = json.loads(GOLD_PATH.read_text(encoding="utf-8"))
    return {name: body for name, body in data.items() if not name.startswith("_")}


def rows(connection: duckdb.DuckDBPyConnection, sql: str, *params) -> list[dict]:
    """Query results as dicts (column name → value)."""
    cursor = connection.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
