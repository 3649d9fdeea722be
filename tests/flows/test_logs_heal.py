"""A damaged run log never fails a load: each damaged line of `etl_runs.jsonl` or
`dq_results.jsonl` is skipped with a `RunLogWarning` naming the file and the line, the run
goes on (skipped when nothing changed, published when built), and no damaged line reaches
the published `etl_runs` / `dq_results` (that one is checked with the forced run of
tests/flows/test_nightly_load.py, which builds anyway: one build for both)."""

from __future__ import annotations

import random
import warnings

import pytest
from flow_sites import Site, insert_line, run_log_warnings

from flows import runlog
from flows.load import run_load
from flows.runlog import RunLogWarning

LOADED_RUN = "__loaded__"  # replaced by the loaded site's run id
DAMAGED_RUNS = {
    "invalid_json": (b'{"run_id": "20260101T000000Z-aaaaaa", oops}\n',
                     "not valid JSON (Expecting property name enclosed in double quotes, column 39)"),
    "invalid_utf8": (b'{"run_id": "20260101T000000Z-\xff\xfe"}\n', "not UTF-8 text (byte 0xff at offset 29)"),
    "not_an_object": (b'["run_id", "20260101T000000Z-aaaaaa"]\n', "an array, not an object"),
    "a_string": (b'"success"\n', "a string, not an object"),
    "no_run_id": (b'{"started_at": "2026-01-01T00:00:00+00:00", "status": "success"}\n', "no run_id"),
    "run_id_a_number": (b'{"run_id": 20260101, "started_at": "2026-01-01T00:00:00+00:00"}\n',
                        "run_id is a number where a string was expected"),
    "count_a_string": (b'{"run_id": "__loaded__", "started_at": "2026-01-01T00:00:00+00:00", "status": "success", '
                       b'"files_seen": "five"}\n', "files_seen is a string where an integer was expected"),
    "bad_timestamp": (b'{"run_id": "__loaded__", "started_at": "yesterday", "status": "failed"}\n',
                      "started_at 'yesterday' is not an ISO 8601 timestamp"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGED_RUNS))
def test_a_damaged_run_log_line_is_skipped_with_a_warning(damage, loaded_site, site_copy: Site):
    _, loaded = loaded_site
    log = site_copy.run_log / runlog.RUNS_FILE
    line, reason = DAMAGED_RUNS[damage]
    insert_line(log, 2, line.replace(LOADED_RUN.encode(), loaded.run.run_id.encode()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_load(site_copy.inbox, site_copy.warehouse)
    assert result.run.status == runlog.SKIPPED
    assert set(run_log_warnings(caught)) == {f"{log} line 2 skipped: {reason}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunLogWarning)
        states = {run.run_id: (run.status, run.files_seen) for run in runlog.read_runs(site_copy.run_log)}
    assert states == {loaded.run.run_id: (runlog.SUCCESS, 5), result.run.run_id: (runlog.SKIPPED, 5)}


def test_an_invalid_last_line_is_skipped_and_the_next_event_starts_on_its_own_line(loaded_site, site_copy: Site):
    _, loaded = loaded_site
    log = site_copy.run_log / runlog.RUNS_FILE
    lines = len(log.read_bytes().splitlines())
    with log.open("ab") as stream:
        stream.write(b'{"run_id": "20260101T000000Z-cutoff", "started_at": "2026-01-0')  # killed mid-write
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_load(site_copy.inbox, site_copy.warehouse)
    assert result.run.status == runlog.SKIPPED
    assert set(run_log_warnings(caught)) == {
        f"{log} line {lines + 1} skipped: not valid JSON (Unterminated string starting at, column 53)"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunLogWarning)
        assert [run.run_id for run in runlog.read_runs(site_copy.run_log)] == [loaded.run.run_id, result.run.run_id]


def test_a_run_log_of_random_bytes_is_skipped_line_by_line(site_copy: Site):
    log = site_copy.run_log / runlog.RUNS_FILE
    noise = random.Random(20261122).randbytes(1500)
    log.write_bytes(noise)
    damaged = [number for number, line in enumerate(noise.split(b"\n"), start=1) if line.strip()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_load(site_copy.inbox, site_copy.warehouse)
    assert result.run.status == runlog.SKIPPED
    numbers = sorted({int(message.split(" line ")[1].split(" ")[0]) for message in run_log_warnings(caught)})
    assert numbers == damaged and len(damaged) == 7
    assert all(message.startswith(f"{log} line ") for message in run_log_warnings(caught))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunLogWarning)
        assert [(run.run_id, run.status) for run in runlog.read_runs(site_copy.run_log)] == [
            (result.run.run_id, runlog.SKIPPED)]
