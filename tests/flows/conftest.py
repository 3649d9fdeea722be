"""Shared set-up of the flow tests: Prefect offline with its home in a temp dir, fast retries,
and a warehouse loaded once from a copy of the samples that other tests copy and build on."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from flow_sites import QUICK_DBT_ARGS, Site

from tests.shared_builds import loaded_samples

# Before anything imports prefect or great_expectations: both read settings at import.
_PREFECT_HOME = tempfile.mkdtemp(prefix="perfbudget-prefect-home-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.pop("PREFECT_API_URL", None)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "90"
os.environ["PREFECT_TASK_RETRY_DELAY_SECONDS"] = "0"
os.environ["PERFBUDGET_TASK_RETRY_DELAY_SECONDS"] = "0"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"



def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def loaded_site(tmp_path_factory) -> tuple[Site, object]:
    """The samples loaded once per test run (direct run of the flow body, every dbt test), shared
    by the xdist workers and with the warehouse tests (tests/shared_builds.py): never modified."""
    return loaded_samples(tmp_path_factory)


@pytest.fixture
def site_copy(loaded_site, tmp_path) -> Site:
    """A private copy of the loaded site (mtimes kept, so the manifest still matches)."""
    site, _ = loaded_site
    copy = Site(tmp_path / "site")
    shutil.copytree(site.root, copy.root, symlinks=True)
    return copy


@pytest.fixture
def quick_dbt(monkeypatch):
    """`dbt build` without dbt's own tests (see flow_sites.QUICK_DBT_ARGS)."""
    monkeypatch.setenv("PERFBUDGET_DBT_ARGS", QUICK_DBT_ARGS)
