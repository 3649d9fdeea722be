"""Staging rows → CSV text, in the column order of the staging contract (extract.records).

Pure: rows in, text out. A worker renders a file's rows here (extract.file_rows.render_file)
and sends the text back; the process that lands the staging CSVs writes that text as it came
and writes the rows it renders itself through the same `write_rows`, so the bytes are the
same whichever process rendered them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from functools import cache
from operator import attrgetter

from extract.records import STAGING_TABLES


def write_rows(writer, names: Sequence[str], rows: Iterable[object]) -> int:
    """Write rows' fields in column order; returns the count. One C-level `attrgetter` per
    row instead of a getattr per field (not `dataclasses.astuple`, which deep-copies); None
    needs no mapping because the csv module already writes None as an empty field."""
    rows = rows if isinstance(rows, list) else list(rows)
    writer.writerows(map(_getter(tuple(names)), rows))
    return len(rows)


@cache
def _getter(names: tuple[str, ...]) -> Callable[[object], tuple]:
    """A row → its values in column order (always a tuple, even for one column)."""
    if len(names) == 1:
        only = attrgetter(names[0])
        return lambda row: (only(row),)
    return attrgetter(*names)


def render_rows(table: str, rows: Iterable[object]) -> str:
    """Rows of one table as the CSV text `TableWriter.write` would write (no header)."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return ""
    buffer = io.StringIO()
    write_rows(csv.writer(buffer, lineterminator="\n"), _field_names(table), rows)
    return buffer.getvalue()


@cache
def _field_names(table: str) -> tuple[str, ...]:
    return tuple(f.name for f in fields(STAGING_TABLES[table]))
