"""Builds shared by every pytest-xdist worker of one test run: made once, whoever asks first.

A session fixture runs once per xdist worker, so with `-n 2` a build behind one would be made
twice. `shared_build` makes it once for the whole run: the first worker to ask takes an
exclusive lock (fcntl.flock), builds into a folder keyed by the build's name and inputs under
the run's temp root (the parent of each worker's basetemp, shared by the workers of one run),
and pickles the fixture's value beside it; any later caller waits on the lock and unpickles.
Nothing outlives the run's temp root, so an edited model or inbox always builds afresh.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def run_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temp folder every worker of this run shares (the basetemp itself without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def fingerprint(*parts: object, files: Iterable[Path] = ()) -> str:
    """A short hash of the given values and of the files' names and bytes."""
    digest = hashlib.sha256(repr(parts).encode())
    for path in sorted(files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def shared_build(tmp_path_factory: pytest.TempPathFactory, key: str, make: Callable[[Path], T]) -> T:
    """`make(folder)` once per test run for this key; every caller gets its (unpickled) value."""
    shared = run_root(tmp_path_factory) / "shared-builds"
    shared.mkdir(exist_ok=True)
    folder, done = shared / key, shared / f"{key}.pickle"
    with (shared / f"{key}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if done.exists():
                return pickle.loads(done.read_bytes())
            shutil.rmtree(folder, ignore_errors=True)  # a worker that failed half-way
            folder.mkdir()
            value = make(folder)
            done.write_bytes(pickle.dumps(value))
            return value
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def loaded_samples(tmp_path_factory: pytest.TempPathFactory):
    """The samples loaded by the nightly flow body (extract, both gates, `dbt build` with every dbt
    test, publish) once per test run: the flow tests' `loaded_site` and the warehouse tests'
    `built`. Returns (tests.flows.flow_sites.Site, flows.load.LoadResult); never modify it."""
    from flows.load import run_load
    from tests.flows.flow_sites import SAMPLES, new_site

    def load(folder: Path):
        site = new_site(folder / "site")
        return site, run_load(site.inbox, site.warehouse)

    return shared_build(tmp_path_factory, f"loaded-{fingerprint(files=SAMPLES.iterdir())}", load)


def bad_samples(tmp_path_factory: pytest.TempPathFactory):
    """The bad inbox (tests/flows/bad_inbox.py: the samples, a bad item of every kind, and the
    specimens with their totals form) loaded once per test run by the flow body: the flow tests'
    `bad_load`, the specimens' `published` (tests/flows/test_specimens_warehouse.py) and the
    warehouse tests' `built_with_bad_document`. The specimens share this load rather than have one
    of their own because each full load costs ~25 s of the test run's CPU. Returns (Site,
    LoadResult, the folder outside the inbox a symlink points into); never modify it."""
    from tests.flows.bad_inbox import SPECIMEN_FILES, TOTALS_FORM, load_bad_inbox
    from tests.flows.flow_sites import SAMPLES

    key = fingerprint(TOTALS_FORM, files=[*SAMPLES.iterdir(), *SPECIMEN_FILES])
    return shared_build(tmp_path_factory, f"bad-{key}", load_bad_inbox)
