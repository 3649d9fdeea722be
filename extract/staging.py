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
from extract.rendering import write_rows


class TableWriter:
    """One staging table written row batch by row batch into a temp file, renamed on commit.

    The file is written as bytes: rows rendered here or in this process are encoded once,
    and rows a worker process sent already encoded (`extract.inbox.ProcessPool`) are written
    as they came, without a decode and an encode in the one process every worker waits on."""

    def __init__(self, out_dir: Path, table: str):
        out_dir.mkdir(parents=True, exist_ok=True)
        record_type = STAGING_TABLES[table]
        self.names = [f.name for f in fields(record_type)]
        self.target = out_dir / f"{table}.csv"
        handle, temp_name = tempfile.mkstemp(prefix=f".{table}.", suffix=".tmp", dir=out_dir)
        self.temp = Path(temp_name)
        self.stream = os.fdopen(handle, "wb")
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(columns(record_type))
        self.stream.write(header.getvalue().encode("utf-8"))
        # nothing left in the buffer: a worker forked after this point (extract.inbox.ProcessPool)
        # inherits no bytes it could ever write a second time
        self.stream.flush()
        self.count = 0

    def write(self, rows: Iterable[object]) -> None:
        buffer = io.StringIO()
        self.count += write_rows(csv.writer(buffer, lineterminator="\n"), self.names, rows)
        self.stream.write(buffer.getvalue().encode("utf-8"))

    def write_text(self, text: str | bytes, count: int) -> None:
        """Rows already rendered by `render_rows` (e.g. in a worker process), as text or as
        its UTF-8 bytes."""
        self.stream.write(text.encode("utf-8") if isinstance(text, str) else text)
        self.count += count

    def commit(self) -> int:
        self.stream.close()
        os.replace(self.temp, self.target)
        return self.count

    def abort(self) -> None:
        self.stream.close()
        self.temp.unlink(missing_ok=True)

