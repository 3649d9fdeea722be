"""Fixtures for every test: one dbt parse shared by all the builds of a test run; the modules
that build warehouses start first.

Each test builds into a folder of its own, where dbt finds no parse of the project and would
parse it whole (10 of the ~40 seconds of a sample build). With $PERFBUDGET_DBT_PARSE_CACHE set
to one folder for the run (shared by the xdist workers), a build in a new folder starts from the
parse another build kept there (flows/build.py, flows/dbt_launch.py); dbt still checks every
file against it, so an edited model is parsed again as in any build.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.shared_builds import run_root

# The test modules that build warehouses, longest first (seconds of one module on this two-core
# machine, `make test` of 2026-12-02). pytest-xdist (`--dist loadfile --no-loadscope-reorder`,
# Makefile) hands modules out in collection order; by default it sorts them by their number of
# tests, which put the Prefect flow (two tests, ~75 s) last, alone on one worker while the other
# was done. Longest first, the short modules fill the end. The first two start different builds:
# test_stale_inputs's first test loads two inboxes of its own, and the samples' shared load
# (tests/shared_builds.py) is built by its next test while the other worker builds the bad inbox.
# A module missing here only starts later; the order changes no result.
LONGEST_FIRST = (
    "tests/flows/test_stale_inputs.py",  # 115 s
    "tests/flows/test_bad_documents.py",  # 100 s: the bad inbox, two full builds
    "tests/flows/test_nightly_load.py",  # 95 s
    "tests/flows/test_incremental_build.py",  # 90 s
    "tests/flows/test_nightly_prefect.py",  # 77 s
    "tests/flows/test_specimens_warehouse.py",  # 51 s
    "tests/warehouse/test_analyses.py",  # 50 s
    "tests/warehouse/test_report_numbers_oracle.py",  # 37 s
    "tests/flows/test_parallel_extraction.py",  # 32 s
    "tests/warehouse/test_odd_values.py",  # 28 s
    "tests/flows/test_nightly_serve.py",  # 27 s
    "tests/flows/test_logs_heal.py",  # 26 s
    "tests/warehouse/test_build.py",  # 25 s
    "tests/warehouse/test_self_evaluation.py",  # 25 s
    "tests/warehouse/test_marts.py",  # 20 s
    "tests/flows/test_publish_hygiene.py",  # 16 s
    "tests/expectations/test_expectations_runner.py",  # 15 s
)


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
    yield
    if before is None:
        os.environ.pop("PERFBUDGET_DBT_PARSE_CACHE", None)
    else:
        os.environ["PERFBUDGET_DBT_PARSE_CACHE"] = before
