"""Fixtures for every test: one dbt parse shared by all the builds of a test run.

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
