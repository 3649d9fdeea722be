"""Extraction in batches, in parallel and streaming: the staging CSVs are byte-identical to
a single-process, all-in-memory extraction, whatever the batches and wherever they ran."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flow_sites import SAMPLES

from flows.extraction import extract_paths, run_extraction
from flows.inbox import list_documents
from flows.incremental import refresh_staging
from flows.landing import land
from flows.pool import ProcessPool, in_process


def staged(folder: Path) -> dict[str, bytes]:
    """The staging tables' bytes, documents' `first_seen_at` and `source_mtime` blanked (only
    the incremental refresh stamps them; they say when, not what, was landed)."""
    tables = {path.name: path.read_bytes() for path in sorted(folder.glob("*.csv"))}
    rows = [line.rsplit(",", 2)[0] for line in tables["documents.csv"].decode("utf-8").splitlines()]
    return {**tables, "documents.csv": "\n".join(rows).encode("utf-8")}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    """The samples plus a duplicate (lands as a warning), a renamed copy and a corrupt file."""
    folder = tmp_path_factory.mktemp("parallel") / "inbox"
    shutil.copytree(SAMPLES, folder)
    samples = sorted(folder.glob("*.txt"))
    shutil.copy(samples[1], folder / "zz_duplicate_of_001.txt")
    (folder / "zz_corrupt.txt").write_bytes(b"\x00\x01\x02 not a document \xff\xfe" * 20)
    for path in folder.iterdir():
        path.chmod(0o644)
    return folder


@pytest.fixture(scope="module")
def unbatched(inbox, tmp_path_factory) -> dict[str, bytes]:
    """The reference: every file's rows in memory, then the six CSVs written at once."""
    out = tmp_path_factory.mktemp("unbatched")
    land(extract_paths(list_documents(inbox), inbox), out)
    return staged(out)


def test_streaming_landing_in_one_file_batches_is_byte_identical(inbox, unbatched, tmp_path):
    summary = run_extraction(inbox, tmp_path / "staging", tmp_path / "quarantine", mapper=in_process)
    assert staged(tmp_path / "staging") == unbatched
    assert summary.files == 7 and summary.forms == 16 and summary.quarantined == ["zz_corrupt.txt"]
    assert b"duplicate_document" in unbatched["extraction_issues.csv"]
    assert not list((tmp_path / "staging").glob(".*.tmp"))


def test_incremental_refresh_streams_the_same_bytes_from_a_process_pool_and_from_cache(inbox, unbatched, tmp_path):
    paths = list_documents(inbox)
    staging, quarantine = tmp_path / "staging", tmp_path / "quarantine"
    relandings: list[str] = []  # on_relanding: once per landing, before any file is parsed

    def relanding(name: str):
        return lambda: relandings.append(f"{name}: documents.csv {(staging / 'documents.csv').exists()}")

    first = refresh_staging(paths, inbox, staging, quarantine, mapper=ProcessPool(2), batch_bytes=1,
                            on_relanding=relanding("first"))
    assert staged(staging) == unbatched and len(first.parsed) == 7
    (staging / "documents.csv").unlink()  # forces a re-landing, every file from the cache
    again = refresh_staging(paths, inbox, staging, quarantine, on_relanding=relanding("again"))
    assert again.files_changed == 0 and not again.staging_unchanged
    assert staged(staging) == unbatched
    assert again.extraction.forms == first.extraction.forms == 16
    unchanged = refresh_staging(paths, inbox, staging, quarantine, on_relanding=relanding("unchanged"))
    assert unchanged.staging_unchanged and unchanged.fingerprint == first.fingerprint
    assert relandings == ["first: documents.csv False", "again: documents.csv False"]
    assert unchanged.extraction.forms == 16 and unchanged.quarantined == ["zz_corrupt.txt"]


def test_extraction_on_a_local_dask_cluster_of_two_workers_is_identical(inbox, unbatched, tmp_path, monkeypatch,
                                                                       prefect_database):
    """The flow's task runner (prefect-dask, by scheduler address) maps `extract_batch` over
    batches of files on two worker processes; the rows are those of the single-process run."""
    distributed = pytest.importorskip("distributed")
    from prefect import flow
    from prefect.server.api.server import SubprocessASGIServer
    from prefect_dask import DaskTaskRunner

    from flows import nightly

    monkeypatch.setattr(nightly, "DASK_BATCH_BYTES", 30_000)  # several batches on the samples
    ran_on: list[str] = []
    original = nightly.extract_batch.submit

    def counting_submit(*args, **kwargs):
        ran_on.append("submitted")
        return original(*args, **kwargs)

    monkeypatch.setattr(nightly.extract_batch, "submit", counting_submit)

    @flow(name="extract_on_dask")
    def extract_on_dask(staging: str, quarantine: str):
        return nightly.run_as_task("extract_changed", list_documents(inbox), inbox, Path(staging), Path(quarantine))

    # Dask workers report their task runs to the Prefect API: they need its URL (a worker
    # without one would start a temporary server of its own, ~15 s each)
    server = SubprocessASGIServer()
    server.start(timeout=90)
    monkeypatch.setenv("PREFECT_API_URL", server.api_url)
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster:
            runner = DaskTaskRunner(address=cluster.scheduler_address)
            summary = extract_on_dask.with_options(task_runner=runner)(str(tmp_path / "staging"),
                                                                       str(tmp_path / "quarantine"))
    finally:
        server.stop()
    assert staged(tmp_path / "staging") == unbatched
    assert len(summary.parsed) == 7 and len(ran_on) > 1
    assert (tmp_path / "quarantine" / "zz_corrupt.txt").exists()
