"""The throughput shortcuts give exactly what the plain code they replaced gave.

Each fast path (row splitting, CSV rendering, the content id, batch sizing, forked workers)
is checked against a straightforward reference, so a later change cannot make one of them
drift from the bytes the gold and the staging contract expect.
"""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import pytest

from extract.cells import Row, to_rows
from extract.decode import decode_document
from extract.document_rows import rows_of
from extract.file_rows import _TABLE_ATTRS
from extract.pipeline import content_id, extract_file
from extract.readers import read_document
from extract.records import STAGING_TABLES, ExtractionIssue
from extract.rendering import render_rows
from flows import pool
from flows.extraction import run_extraction
from flows.pool import ProcessPool, batch_bytes_for, in_process, start_method
from tests.extract.conftest import SAMPLES

_CELL_SPACE = " \t\u3000\u00a0\ufeff"


def reference_rows(text: str) -> list[Row]:
    """The plain version: split every line on tabs, strip every cell, keep the filled ones."""
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        cells = tuple(cell.strip(_CELL_SPACE) for cell in line.split("\t"))
        rows.append(Row(number, cells, tuple((col, cell) for col, cell in enumerate(cells) if cell), number))
    return rows


@pytest.mark.parametrize("text", [
    "", "\n", "a", "a\t", "\ta", "a\t   ", "  \t x", "a\t  \tb", "\t\t", " \u3000a \t b\u00a0\t\ufeff",
    "\ufeff标题\n\n项目名称\t某项目\t\t", "x\n\t\n \u3000 \ny",
])
def test_to_rows_matches_the_plain_split(text):
    assert to_rows(text) == reference_rows(text)


def test_to_rows_matches_the_plain_split_on_the_samples():
    for path in sorted(SAMPLES.glob("*.txt")):
        text = decode_document(path.read_bytes()).text
        assert to_rows(text) == reference_rows(text), path.name


def reference_csv(table: str, rows: list) -> str:
    """The plain version: one getattr per field, None written as an empty field."""
    names = [name for name in STAGING_TABLES[table].__dataclass_fields__]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if getattr(row, name) is None else getattr(row, name) for name in names])
    return buffer.getvalue()


def test_render_rows_matches_the_plain_writer_on_the_samples():
    for path in sorted(SAMPLES.glob("*.txt")):
        result = extract_file(path.name, path.read_bytes())
        for table, attr in _TABLE_ATTRS.items():
            rows = getattr(result, attr)
            assert render_rows(table, rows) == reference_csv(table, rows), (path.name, table)


def test_render_rows_writes_none_as_an_empty_field():
    issues = [ExtractionIssue("a.txt", "", "error", "empty_file", 'say "hi", then\nstop', None),
              ExtractionIssue("b.txt", "d1", "warning", "x", "", 7)]
    assert render_rows("extraction_issues", issues) == reference_csv("extraction_issues", issues)
    assert render_rows("extraction_issues", iter(issues)) == reference_csv("extraction_issues", issues)
    assert render_rows("extraction_issues", []) == ""


@pytest.mark.parametrize("encode", [
    lambda text: text.encode("utf-8"),
    lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    lambda text: text.encode("gb18030"),
])
def test_content_id_is_the_same_for_every_encoding_of_the_text(encode):
    path = next(SAMPLES.glob("000_*.txt"))
    data = encode(path.read_bytes().decode("utf-8") + "  \n\n")
    plain = path.read_bytes()
    assert extract_file(path.name, data).content_id == content_id(rows_of(read_document(path.name, plain)))
    assert extract_file(path.name, data).content_id != content_id(rows_of(read_document(path.name, plain + b"x")))


def test_batches_are_sized_for_the_workers():
    assert batch_bytes_for(80_000_000, 1) == pool.BATCH_BYTES
    assert batch_bytes_for(8_000_000, 2) == 8_000_000 // (2 * pool.BATCHES_PER_WORKER)
    assert batch_bytes_for(1_000, 2) == pool.MIN_POOL_BATCH_BYTES
    assert batch_bytes_for(10**10, 2) == pool.MAX_POOL_BATCH_BYTES


def test_start_method_forks_only_a_single_threaded_process(monkeypatch):
    monkeypatch.delenv("PERFBUDGET_START_METHOD", raising=False)
    monkeypatch.setattr(pool, "_single_threaded", lambda: True)
    assert start_method() == "fork"
    monkeypatch.setattr(pool, "_single_threaded", lambda: False)
    assert start_method() == "spawn"
    monkeypatch.setenv("PERFBUDGET_START_METHOD", "forkserver")
    assert start_method() == "forkserver"


def test_another_thread_means_not_single_threaded():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not pool._single_threaded()
    finally:
        stop.set()
        thread.join()


def _csvs(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.csv"))}


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_pool_lands_the_same_bytes_as_one_process(method, tmp_path, monkeypatch):
    monkeypatch.setattr(pool, "MIN_POOL_BATCH_BYTES", 10_000)  # several batches on the samples
    one = run_extraction(SAMPLES, tmp_path / "one", tmp_path / "q1", mapper=in_process)
    pooled = run_extraction(SAMPLES, tmp_path / "pool", tmp_path / "q2", mapper=ProcessPool(2, method=method))
    assert _csvs(tmp_path / "pool") == _csvs(tmp_path / "one")
    assert pooled.lines()[:-1] == one.lines()[:-1]  # all but the seconds


def test_a_single_batch_is_not_sent_to_a_pool(tmp_path, monkeypatch):
    def no_pool(*args):
        raise AssertionError("a pool was started for one batch")

    monkeypatch.setattr(ProcessPool, "__call__", no_pool)
    summary = run_extraction(SAMPLES, tmp_path / "staging", tmp_path / "q", mapper=ProcessPool(2))
    assert summary.files == len(list(SAMPLES.glob("*.txt")))


@pytest.mark.parametrize(("method", "size", "pooled"), [
    ("fork", pool.FORKED_PARALLEL_MIN_BYTES - 1, False),
    ("fork", pool.FORKED_PARALLEL_MIN_BYTES, True),
    ("spawn", pool.FORKED_PARALLEL_MIN_BYTES, pool.FORKED_PARALLEL_MIN_BYTES >= pool.PARALLEL_MIN_BYTES),
    ("spawn", pool.PARALLEL_MIN_BYTES, True),
])
def test_the_default_pool_threshold_follows_the_start_method(method, size, pooled, monkeypatch):
    monkeypatch.setattr(pool, "worker_count", lambda: 2)
    monkeypatch.setattr(pool, "start_method", lambda: method)
    mapper = pool.default_mapper(size)
    assert isinstance(mapper, ProcessPool) == pooled
    if pooled:
        assert mapper.method == method
