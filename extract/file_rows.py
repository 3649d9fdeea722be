"""One file's staging rows as CSV text (`FileRows`), and edits of them after extraction.

`render_file` turns a file's extraction into `FileRows`, the rows as rendered CSV text: what
a worker sends back and what the extraction cache keeps. A few facts are only known when the
file lands, not when it is parsed: the name it has now, when the load first saw its content,
and which of its forms a check downstream rejected. The edit helpers change only the rows and
cells concerned, so cached text stays the source of everything else.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from extract.pipeline import ERROR, WARNING, FileExtraction
from extract.records import STAGING_TABLES, ExtractionIssue, columns
from extract.rendering import render_rows

# The `FileExtraction` attribute that holds each staging table's rows: the table's own name,
# but for the issues. Derived from STAGING_TABLES, so a table added there (and to
# FileExtraction) is rendered, cached and landed with no edit here.
_ATTR_OF_TABLE = {"extraction_issues": "issues"}
_TABLE_ATTRS = {table: _ATTR_OF_TABLE.get(table, table) for table in STAGING_TABLES}
# where `source_file` sits in the tables that carry it
_SOURCE_FILE_COLUMN = {table: columns(kind).index("source_file")
                       for table, kind in STAGING_TABLES.items() if "source_file" in columns(kind)}
_DOC_ID_COLUMN = {table: columns(kind).index("doc_id") for table, kind in STAGING_TABLES.items()}
_DOCUMENT_COLUMNS = columns(STAGING_TABLES["documents"])
_FIRST_SEEN = _DOCUMENT_COLUMNS.index("first_seen_at")
_SOURCE_MTIME = _DOCUMENT_COLUMNS.index("source_mtime")
_DOC_TYPE = _DOCUMENT_COLUMNS.index("doc_type")
_PART_SEQ = _DOCUMENT_COLUMNS.index("part_seq")


@dataclass(slots=True)
class FileRows:
    """One file's staging rows rendered as CSV text per table, with its counts: what a worker
    sends back and what the incremental cache keeps. Text, not row objects: it pickles and
    lands (a plain write) many times faster than millions of dataclasses."""

    source_file: str
    source_sha256: str
    content_id: str
    csv: dict[str, str | bytes]  # text; its UTF-8 bytes on the way back from a ProcessPool worker
    rows: dict[str, int]
    forms_by_type: dict[str, int]
    errors: int
    warnings: int

    @property
    def has_errors(self) -> bool:
        return self.errors > 0


def render_file(result: FileExtraction) -> FileRows:
    return FileRows(
        source_file=result.source_file, source_sha256=result.source_sha256, content_id=result.content_id,
        csv={table: render_rows(table, getattr(result, attr)) for table, attr in _TABLE_ATTRS.items()},
        rows={table: len(getattr(result, attr)) for table, attr in _TABLE_ATTRS.items()},
        forms_by_type=dict(Counter(doc.doc_type for doc in result.documents)),
        errors=sum(1 for i in result.issues if i.severity == ERROR),
        warnings=sum(1 for i in result.issues if i.severity == WARNING))


def text_of(value: str | bytes) -> str:
    """CSV text of a table (a pool worker sends it as UTF-8 bytes)."""
    return value.decode("utf-8") if isinstance(value, bytes) else value


def parse_table(value: str | bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text_of(value), newline="")))


def render_table(rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def doc_ids_of(file_rows: FileRows) -> list[str]:
    """The doc ids of the forms the file landed."""
    return [row[_DOC_ID_COLUMN["documents"]] for row in parse_table(file_rows.csv["documents"])]


def forms_of(file_rows: FileRows) -> list[tuple[str, str]]:
    """(doc_id, part_seq) of each form the file landed, as the CSV has them: the keys an
    incremental build deletes the file's rows by (flows.delta)."""
    doc_id = _DOC_ID_COLUMN["documents"]
    return [(row[doc_id], row[_PART_SEQ]) for row in parse_table(file_rows.csv["documents"])]


def renamed(file_rows: FileRows, source_file: str) -> FileRows:
    """The same content under another name: only `source_file` cells change."""
    for table, column in _SOURCE_FILE_COLUMN.items():
        rows = parse_table(file_rows.csv[table])
        for row in rows:
            row[column] = source_file
        file_rows.csv[table] = render_table(rows)
    file_rows.source_file = source_file
    return file_rows


def with_first_seen(file_rows: FileRows, first_seen_at: str, source_mtime: str) -> FileRows:
    """Stamp the file's forms with when their content was first seen (see records.Document)."""
    rows = parse_table(file_rows.csv["documents"])
    for row in rows:
        row[_FIRST_SEEN] = first_seen_at
        row[_SOURCE_MTIME] = source_mtime
    file_rows.csv["documents"] = render_table(rows)
    return file_rows


def drop_documents(file_rows: FileRows, findings: Mapping[str, list[ExtractionIssue]]) -> FileRows:
    """The file's rows without the forms named in `findings` (doc_id → the error issues that
    reject it), those issues added. The file's other forms land as they were; the dropped
    forms' own warnings stay in extraction_issues, since they still describe the file."""
    rejected = {doc_id for doc_id in findings if doc_id}
    if not rejected:
        return file_rows
    forms = Counter(file_rows.forms_by_type)
    for table, column in _DOC_ID_COLUMN.items():
        if table == "extraction_issues":
            continue
        kept, dropped = [], []
        for row in parse_table(file_rows.csv[table]):
            (dropped if row[column] in rejected else kept).append(row)
        if table == "documents":
            forms.subtract(row[_DOC_TYPE] for row in dropped)
        file_rows.csv[table] = render_table(kept)
        file_rows.rows[table] = len(kept)
    issues = [issue for doc_id in sorted(rejected) for issue in findings[doc_id]]
    file_rows.csv["extraction_issues"] = text_of(file_rows.csv["extraction_issues"]) + render_rows(
        "extraction_issues", issues)
    file_rows.rows["extraction_issues"] += len(issues)
    file_rows.forms_by_type = {kind: count for kind, count in forms.items() if count > 0}
    file_rows.errors += sum(1 for issue in issues if issue.severity == ERROR)
    file_rows.warnings += sum(1 for issue in issues if issue.severity != ERROR)
    return file_rows
