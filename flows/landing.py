"""Landing: the staging CSVs written atomically (temp file + rename), so a reader never sees
half a file.

`TableWriter` takes rows as they come (a batch of files at a time), so an inbox of any size
lands with the memory of one batch; the CSV appears under its name only on `commit`.
`StagingLander` lands files' rows, one file at a time in inbox order, into all the tables;
given the files the published build landed (flows.delta), it writes only what changed.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from pathlib import Path

from extract.file_rows import FileRows, forms_of, render_file, text_of
from extract.pipeline import ERROR, WARNING, FileExtraction
from extract.records import STAGING_TABLES, ExtractionIssue, columns
from extract.rendering import render_rows, write_rows
from flows.delta import CHANGE_COLUMNS, CHANGES_TABLE, LandedFile, change_rows, digest_of
from flows.summary import ExtractionSummary

# the summary's row counts and the staging tables they count
_COUNTED_TABLES = {"indicator_rows": "indicators", "budget_lines": "budget_lines", "narratives": "narratives",
                   "report_facts": "report_facts"}


class TableWriter:
    """One staging table written row batch by row batch into a temp file, renamed on commit.

    The file is written as bytes: rows rendered here or in this process are encoded once,
    and rows a worker process sent already encoded (`flows.pool.ProcessPool`) are written
    as they came, without a decode and an encode in the one process every worker waits on."""

    def __init__(self, out_dir: Path, table: str, header_names: tuple[str, ...] | None = None):
        out_dir.mkdir(parents=True, exist_ok=True)
        if header_names is None:
            record_type = STAGING_TABLES[table]
            self.names = [f.name for f in fields(record_type)]
            header_names = tuple(columns(record_type))
        else:
            self.names = list(header_names)
        self.target = out_dir / f"{table}.csv"
        handle, temp_name = tempfile.mkstemp(prefix=f".{table}.", suffix=".tmp", dir=out_dir)
        self.temp = Path(temp_name)
        self.stream = os.fdopen(handle, "wb")
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(header_names)
        self.stream.write(header.getvalue().encode("utf-8"))
        # nothing left in the buffer: a worker forked after this point (flows.pool.ProcessPool)
        # inherits no bytes it could ever write a second time
        self.stream.flush()
        self.count = 0

    def write_tuples(self, rows: Iterable[tuple]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in rows:
            writer.writerow(row)
            self.count += 1
        self.stream.write(buffer.getvalue().encode("utf-8"))

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
    """Lands files' rows one file at a time, in inbox order, into the six staging CSVs and
    `changed_documents.csv`.

    Holds one file's rows at a time (plus the content ids seen, for duplicates, and each
    file's `LandedFile`), so memory does not grow with the rows of the inbox; each CSV is
    renamed into place on `commit`, so readers see the old tables or the new ones, never a
    half-written one. The bytes are the same whatever the batches were.

    With `base` (what the published build landed, by file: flows.delta) the lander writes
    only the files whose landed rows differ from the base's, and `changed_documents.csv`
    names their old and new forms and the files the base had and the inbox has no more;
    without it every file is written and `changed_documents.csv` is empty (a full build).
    `landed` holds every file's `LandedFile` either way, and the summary counts every file."""

    def __init__(self, out_dir: Path, base: Mapping[str, LandedFile] | None = None):
        self.out_dir = out_dir
        self.base = base
        self.writers: dict[str, TableWriter] = {}
        self.seen: dict[str, str] = {}
        self.landed: dict[str, LandedFile] = {}
        self.changed_files: list[str] = []
        self.summary = ExtractionSummary()
        try:
            for table in STAGING_TABLES:
                self.writers[table] = TableWriter(out_dir, table)
            self.changes = TableWriter(out_dir, CHANGES_TABLE, CHANGE_COLUMNS)
        except BaseException:
            self.abort()
            raise

    def add(self, result: FileExtraction) -> FileRows:
        return self.add_rows(render_file(result))

    def add_rows(self, file_rows: FileRows, issues: list[ExtractionIssue] = ()) -> FileRows:
        """Land one file and the issues that belong to it (a failed quarantine copy); a
        duplicate of an earlier file's text lands as one warning instead of its rows."""
        issues = list(issues)
        texts: dict[str, str | bytes] = {}
        counts: dict[str, int] = {}
        duplicate = False
        if file_rows.content_id and file_rows.rows["documents"]:
            first = self.seen.setdefault(file_rows.content_id, file_rows.source_file)
            if first != file_rows.source_file:
                duplicate = True
                issues.insert(0, ExtractionIssue(file_rows.source_file, "", WARNING, "duplicate_document",
                                                 f"same text as {first}; not loaded twice", None))
        added = {"files": 1, "forms_by_type": {}, "errors": 0, "warnings": 0, "has_errors": file_rows.has_errors}
        if not duplicate:
            texts, counts = dict(file_rows.csv), dict(file_rows.rows)
            added.update(forms_by_type=dict(file_rows.forms_by_type), errors=file_rows.errors,
                         warnings=file_rows.warnings,
                         **{name: file_rows.rows[table] for name, table in _COUNTED_TABLES.items()})
        if issues:
            texts["extraction_issues"] = text_of(texts.get("extraction_issues", "")) \
                + render_rows("extraction_issues", issues)
            counts["extraction_issues"] = counts.get("extraction_issues", 0) + len(issues)
            added["errors"] += sum(1 for issue in issues if issue.severity == ERROR)
            added["warnings"] += sum(1 for issue in issues if issue.severity == WARNING)
        self._count(added)
        forms = () if duplicate else tuple(forms_of(file_rows))
        self._land_unit(file_rows.source_file, texts, counts,
                        LandedFile("", file_rows.source_sha256, forms, file_rows.content_id, duplicate, added))
        return file_rows

    def add_unchanged(self, name: str, landed: LandedFile) -> None:
        """A file the published build landed exactly so (same bytes, no new rejection, still
        the first of its content): counted from its record, its rows not even read. Only on
        a delta landing (`base`), where unchanged rows are not written."""
        if self.base is None:
            raise ValueError("add_unchanged lands nothing: only a delta landing may skip a file's rows")
        if landed.content_id and landed.forms:
            self.seen.setdefault(landed.content_id, name)
        self._count(landed.counts)
        self.landed[name] = landed

    def may_skip(self, name: str, sha256: str) -> LandedFile | None:
        """The base's record of `name` when the file can be counted without its rows: same
        content, not a duplicate then or now."""
        old = self.base.get(name) if self.base is not None else None
        if old is None or old.duplicate or old.source_sha256 != sha256 or not old.counts:
            return None
        if old.content_id and old.forms and self.seen.get(old.content_id, name) != name:
            return None
        return old

    def add_issues(self, issues: list[ExtractionIssue]) -> None:
        """Issue rows that belong to no extracted file (the inbox listing's), one unit per
        file they name, counted in the summary."""
        by_file: dict[str, list[ExtractionIssue]] = {}
        for issue in issues:
            by_file.setdefault(issue.source_file, []).append(issue)
        for name, file_issues in by_file.items():
            added = {"files": 0, "forms_by_type": {}, "has_errors": False,
                     "errors": sum(1 for issue in file_issues if issue.severity == ERROR),
                     "warnings": sum(1 for issue in file_issues if issue.severity == WARNING)}
            self._count(added)
            self._land_unit(name, {"extraction_issues": render_rows("extraction_issues", file_issues)},
                            {"extraction_issues": len(file_issues)}, LandedFile("", "", (), "", False, added))

    def _count(self, added: Mapping) -> None:
        summary = self.summary
        summary.files += added.get("files", 0)
        summary.forms_by_type.update(added.get("forms_by_type") or {})
        for name in _COUNTED_TABLES:
            setattr(summary, name, getattr(summary, name) + added.get(name, 0))
        summary.errors += added.get("errors", 0)
        summary.warnings += added.get("warnings", 0)

    def _land_unit(self, name: str, texts: Mapping[str, str | bytes], counts: Mapping[str, int],
                   landed: LandedFile) -> None:
        """Write one file's rows (all of them, or only if they changed since the base). The
        texts are encoded once, for their digest and their write (the digest of the bytes is
        the digest of the text)."""
        texts = {table: text.encode("utf-8") if isinstance(text, str) else text for table, text in texts.items()}
        digest = digest_of(part for table in STAGING_TABLES for part in (table, texts.get(table, b"")))
        landed = replace(landed, digest=digest)
        earlier = self.landed.get(name)
        if earlier is not None:  # a name landed twice in one run (not done by the flows): keep both
            landed = replace(landed, digest=digest_of((earlier.digest, digest)),
                             source_sha256=landed.source_sha256 or earlier.source_sha256,
                             forms=earlier.forms + landed.forms)
        self.landed[name] = landed
        if self.base is not None:
            old = self.base.get(name)
            if earlier is None and old is not None and (old.digest, old.forms) == (landed.digest, landed.forms):
                return
            if earlier is None:
                self.changed_files.append(name)
                self.changes.write_tuples(change_rows(name, old, landed))
        for table, writer in self.writers.items():
            text = texts.get(table)
            if text:
                writer.write_text(text, counts.get(table, 0))

    def commit(self) -> None:
        if self.base is not None:
            for name in sorted(set(self.base) - set(self.landed)):
                self.changed_files.append(name)
                self.changes.write_tuples(change_rows(name, self.base[name], None))
        for writer in self.writers.values():
            writer.commit()
        self.changes.commit()

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()
        if hasattr(self, "changes"):
            self.changes.abort()

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
