"""Shared set-up of the flow tests: Prefect offline with its home in a temp dir, fast retries,
its database migrated once per test run, and a warehouse loaded once from a copy of the samples
that other tests copy and build on."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from flow_sites import QUICK_DBT_ARGS, Site

from flows.prefect_env import prefect_command
from tests.shared_builds import loaded_samples, shared_build

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
def prefect_database(tmp_path_factory) -> Path:
    """A Prefect server database with every migration applied, in this worker's PREFECT_HOME.

    A Prefect server (temporary or `prefect server start`) migrates an empty database before it
    serves: ~16 of the ~23 s it took to start on this machine, against ~7 s on a migrated one. The
    tests that start a server use this fixture, so the migrations run once per test run (not once
    per xdist worker and module) and each worker starts from a copy of the result."""
    import prefect

    def migrate(folder: Path) -> Path:
        subprocess.run([*prefect_command(), "server", "database", "upgrade", "-y"], check=True,
                       env={**os.environ, "PREFECT_HOME": str(folder)}, capture_output=True, timeout=300)
        return folder / "prefect.db"

    migrated = shared_build(tmp_path_factory, f"prefect-db-{prefect.__version__}", migrate)
    database = Path(_PREFECT_HOME) / "prefect.db"
    if not database.exists():
        shutil.copyfile(migrated, database)
    return database


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
