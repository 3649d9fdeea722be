"""Fixtures for every test: one dbt parse shared by all the builds of a test run; the modules
that build warehouses start first.

Each test builds into a folder of its own, where dbt finds no parse of the project and would
parse it whole (10 of the ~40 seconds of a sample build). With $PERFBUDGET_DBT_PARSE_CACHE set
to one folder for the run (shared by the xdist workers), a build in a new folder starts from the
parse another build kept there (flows/build.py, flows/dbt_launch.py); dbt still checks every
file against it, so an edited model is parsed again as in any build. In a parallel run
(pytest-xdist) the first worker there parses the project once, before any build starts, for the
dbt arguments and file name every build of the suite gives (PARSE_KEYS): otherwise the first
builds of both workers, which start together, each parsed the whole project (three full parses
of ~10 s at the start of `make test`). The warehouse tests' own dbt calls give the flow's
arguments and file name too (tests/warehouse/conftest.py), so one parse serves them all.
"""

from __future__ import annotations

import gc
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.build import NIGHTLY_VARS, dbt_command, keep_parse, kept_parse
from flows.dbt_launch import YOUNG_COLLECTION_THRESHOLD
from flows.layout import WarehouseLayout
from tests.shared_builds import run_root, shared_build

REPO = Path(__file__).resolve().parents[1]
# what a kept parse is keyed by (flows.build.kept_parse: the --vars and the DuckDB file's name),
# as the suite's builds give it: the nightly flow's (flows.build, into the layout's build file),
# which the warehouse tests' own dbt calls give too (tests/warehouse/conftest.py)
PARSE_KEYS = ((NIGHTLY_VARS, WarehouseLayout.at(REPO).building.name),)

# The test modules that build warehouses or start servers, longest first (seconds of one module
# on this two-core machine, `make test` of 2026-12-03). pytest-xdist (`--dist loadfile
# --no-loadscope-reorder`, Makefile) hands modules out in collection order; by default it sorts
# them by their number of tests, which put the Prefect flow (two tests, ~60 s) last, alone on
# one worker while the other was done. Longest first, the short modules fill the end. The first
# two start different builds: test_stale_inputs's first test loads two inboxes of its own, and
# the samples' shared load (tests/shared_builds.py) is built by its next test while the other
# worker builds the bad inbox. A module missing here only starts later; the order changes no
# result.
LONGEST_FIRST = (
    "tests/flows/test_stale_inputs.py",  # 121 s
    "tests/flows/test_bad_documents.py",  # 79 s: the bad inbox (and the specimens), two full builds
    "tests/flows/test_nightly_load.py",  # 87 s
    "tests/flows/test_nightly_prefect.py",  # 59 s
    "tests/flows/test_incremental_build.py",  # 49 s
    "tests/flows/test_parallel_extraction.py",  # 22 s
    "tests/warehouse/test_report_numbers_oracle.py",  # 21 s
    "tests/warehouse/test_odd_values.py",  # 16 s: the variants build (tests/warehouse/variants.py)
    "tests/flows/test_gates_in_child.py",  # 14 s
    "tests/warehouse/test_build.py",  # 13 s
    "tests/flows/test_publish_hygiene.py",  # 12 s
    "tests/flows/test_nightly_serve.py",  # 10 s
    "tests/expectations/test_expectations_runner.py",  # 9 s
    "tests/flows/test_vacuum_policy.py",  # 6 s
)


# The test processes collect young objects every 50 000 allocations, not CPython's 700: the tests
# make many short-lived objects beside a large heap that lives as long as the process (Great
# Expectations, pandas, Prefect, hypothesis), and each full collection walks that heap. On
# tests/extract, tests/expectations and tests/bench in one process: 5 224 collections took 8.3 s
# of 48.6 s of CPU; at 50 000, 44 took 2.1 s (2026-12-03). The threshold is dbt's launch's
# (flows/dbt_launch.py point 4). (No gc.freeze here: a quality gate freezes and unfreezes the heap
# itself, and its test checks that.)
def pytest_configure(config: pytest.Config) -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest modules first (LONGEST_FIRST), the others after them in their collected order."""
    rank = {module: place for place, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.fixture(scope="session", autouse=True)
def dbt_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = run_root(tmp_path_factory) / "dbt-parse"
    folder.mkdir(exist_ok=True)
    before = os.environ.get("PERFBUDGET_DBT_PARSE_CACHE")
    os.environ["PERFBUDGET_DBT_PARSE_CACHE"] = str(folder)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared_build(tmp_path_factory, "dbt-parse", _parse_once)
    yield
    if before is None:
        os.environ.pop("PERFBUDGET_DBT_PARSE_CACHE", None)
    else:
        os.environ["PERFBUDGET_DBT_PARSE_CACHE"] = before


def _parse_once(folder: Path) -> None:
    """`dbt parse` for each of PARSE_KEYS at once, each kept in $PERFBUDGET_DBT_PARSE_CACHE where a
    build with those arguments and file name looks for it (flows.build.kept_parse)."""
    started = []
    for number, (arguments, file_name) in enumerate(PARSE_KEYS):
        work = folder / str(number)
        database = work / file_name  # parse opens no file
        env = {**os.environ, "DBT_PROFILES_DIR": str(REPO / "profiles"), "DO_NOT_TRACK": "1",
               "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "PERFBUDGET_DUCKDB_PATH": str(database),
               "PERFBUDGET_STAGING_DIR": str(work / "staging")}
        command = [*dbt_command(), "parse", "--project-dir", str(REPO), "--profiles-dir", str(REPO / "profiles"),
                   "--target-path", str(work / "target"), "--log-path", str(work / "logs"), *arguments]
        log = (folder / f"parse-{number}.log").open("w")
        started.append((subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT),
                        work, kept_parse(arguments, database), log))
    for process, work, kept, log in started:
        process.wait(timeout=600)
        log.close()
        assert process.returncode == 0, f"dbt parse failed: {log.name}"
        keep_parse(work / "target", kept)
