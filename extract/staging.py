"""Staging CSVs: write them atomically (temp file + rename) so a reader never sees half a file."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path

from extract.records import STAGING_TABLES, columns


def write_table(out_dir: Path, table: str, rows: Iterable[object]) -> int:
    """Write one staging table as `<table>.csv`; returns the row count."""
    out_dir.mkdir(parents=True, exist_ok=True)
    record_type = STAGING_TABLES[table]
    header = columns(record_type)
    names = [f.name for f in fields(record_type)]
    target = out_dir / f"{table}.csv"
    handle, temp_name = tempfile.mkstemp(prefix=f".{table}.", suffix=".tmp", dir=out_dir)
    count = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                # getattr, not dataclasses.astuple: astuple deep-copies every row (4x slower)
                writer.writerow(["" if (value := getattr(row, name)) is None else value for name in names])
                count += 1
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return count
