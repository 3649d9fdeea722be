"""Landing: the staging CSVs written atomically (temp file + rename), so a reader never sees
half a file.

`TableWriter` takes rows as they come (a batch of files at a time), so an inbox of any size
lands with the memory of one batch; the CSV appears under its name only on `commit`.
`StagingLander` lands files' rows, one file at a time in inbox order, into all the tables.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path

from extract.file_rows import FileRows, render_file
from extract.pipeline import ERROR, WARNING, FileExtraction
from extract.records import STAGING_TABLES, ExtractionIssue, columns
from extract.rendering import write_rows
from flows.summary import ExtractionSummary


class TableWriter:
    """One staging table written row batch by row batch into a temp file, renamed on commit.

    The file is written as bytes: rows rendered here or in this process are encoded once,
    and rows a worker process sent already encoded (`flows.pool.ProcessPool`) are written
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
        # nothing left in the buffer: a worker forked after this point (flows.pool.ProcessPool)
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


class StagingLander:
    """Lands files' rows one file at a time, in inbox order, into the six staging CSVs.

    Holds one file's rows at a time (plus the content ids seen, for duplicates), so memory
    does not grow with the inbox; each CSV is renamed into place on `commit`, so readers
    see the old tables or the new ones, never a half-written one. The bytes are the same
    whatever the batches were."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.writers: dict[str, TableWriter] = {}
        self.seen: dict[str, str] = {}
        self.summary = ExtractionSummary()
        try:
            for table in STAGING_TABLES:
                self.writers[table] = TableWriter(out_dir, table)
        except BaseException:
            self.abort()
            raise

    def add(self, result: FileExtraction) -> FileRows:
        return self.add_rows(render_file(result))

    def add_rows(self, file_rows: FileRows) -> FileRows:
        """Land one file (a duplicate of an earlier file's text lands as one warning instead)."""
        summary = self.summary
        summary.files += 1
        if file_rows.content_id and file_rows.rows["documents"]:
            first = self.seen.setdefault(file_rows.content_id, file_rows.source_file)
            if first != file_rows.source_file:
                self.writers["extraction_issues"].write([ExtractionIssue(
                    file_rows.source_file, "", WARNING, "duplicate_document",
                    f"same text as {first}; not loaded twice", None)])
                summary.warnings += 1
                return file_rows
        for table, writer in self.writers.items():
            writer.write_text(file_rows.csv[table], file_rows.rows[table])
        summary.forms_by_type.update(file_rows.forms_by_type)
        summary.indicator_rows += file_rows.rows["indicators"]
        summary.budget_lines += file_rows.rows["budget_lines"]
        summary.narratives += file_rows.rows["narratives"]
        summary.report_facts += file_rows.rows["report_facts"]
        summary.errors += file_rows.errors
        summary.warnings += file_rows.warnings
        return file_rows

    def add_issues(self, issues: list[ExtractionIssue]) -> None:
        """Issue rows that belong to no extracted file (the inbox listing's, a failed
        quarantine copy), counted in the summary."""
        self.writers["extraction_issues"].write(issues)
        self.summary.errors += sum(1 for issue in issues if issue.severity == ERROR)
        self.summary.warnings += sum(1 for issue in issues if issue.severity == WARNING)

    def commit(self) -> None:
        for writer in self.writers.values():
            writer.commit()

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()

    def __enter__(self) -> StagingLander:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


def land(results: Iterable[FileExtraction], out_dir: Path) -> None:
    """Write the six staging tables, each atomically (duplicates dropped on the way)."""
    with StagingLander(out_dir) as lander:
        for result in results:
            lander.add(result)
