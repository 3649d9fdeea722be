"""Staging CSVs: write them atomically (temp file + rename) so a reader never sees half a file.

`TableWriter` takes rows as they come (a batch of files at a time), so an inbox of any size
lands with the memory of one batch; the CSV appears under its name only on `commit`.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path

from extract.records import STAGING_TABLES, columns


def _write_rows(writer, names: list[str], rows: Iterable[object]) -> int:
    count = 0
    for row in rows:
        # getattr, not dataclasses.astuple: astuple deep-copies every row (4x slower)
        writer.writerow(["" if (value := getattr(row, name)) is None else value for name in names])
        count += 1
    return count


def render_rows(table: str, rows: Iterable[object]) -> str:
    """Rows of one table as the CSV text `TableWriter.write` would write (no header)."""
    buffer = io.StringIO()
    _write_rows(csv.writer(buffer, lineterminator="\n"), [f.name for f in fields(STAGING_TABLES[table])], rows)
    return buffer.getvalue()


class TableWriter:
    """One staging table written row batch by row batch into a temp file, renamed on commit."""

    def __init__(self, out_dir: Path, table: str):
        out_dir.mkdir(parents=True, exist_ok=True)
        record_type = STAGING_TABLES[table]
        self.names = [f.name for f in fields(record_type)]
        self.target = out_dir / f"{table}.csv"
        handle, temp_name = tempfile.mkstemp(prefix=f".{table}.", suffix=".tmp", dir=out_dir)
        self.temp = Path(temp_name)
        self.stream = os.fdopen(handle, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.stream, lineterminator="\n")
        self.writer.writerow(columns(record_type))
        self.count = 0

    def write(self, rows: Iterable[object]) -> None:
        self.count += _write_rows(self.writer, self.names, rows)

    def write_text(self, text: str, count: int) -> None:
        """Rows already rendered by `render_rows` (e.g. in a worker process)."""
        self.stream.write(text)
        self.count += count

    def commit(self) -> int:
        self.stream.close()
        os.replace(self.temp, self.target)
        return self.count

    def abort(self) -> None:
        self.stream.close()
        self.temp.unlink(missing_ok=True)


def write_table(out_dir: Path, table: str, rows: Iterable[object]) -> int:
    """Write one staging table as `<table>.csv`; returns the row count."""
    writer = TableWriter(out_dir, table)
    try:
        writer.write(rows)
        return writer.commit()
    except BaseException:
        writer.abort()
        raise
