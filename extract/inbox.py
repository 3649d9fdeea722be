"""Inbox → staging: extract every document, land the staging CSVs, quarantine bad files.

This is the I/O edge around `pipeline.extract_file`: it lists the inbox, reads bytes, copies
files with an `error` issue to the quarantine folder, and writes the six staging tables.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extract.pipeline import ERROR, WARNING, FileExtraction, extract_file
from extract.records import ExtractionIssue
from extract.staging import write_table
from extract.taxonomy import Taxonomy, load_taxonomy

SUPPORTED_SUFFIXES = frozenset({".txt"})


class InboxError(RuntimeError):
    """The inbox itself cannot be read (missing, not a folder, no permission)."""


@dataclass(slots=True)
class ExtractionSummary:
    files: int = 0
    forms_by_type: Counter = field(default_factory=Counter)
    indicator_rows: int = 0
    budget_lines: int = 0
    narratives: int = 0
    report_facts: int = 0
    errors: int = 0
    warnings: int = 0
    quarantined: list[str] = field(default_factory=list)
    seconds: float = 0.0
    bytes_read: int = 0

    @property
    def forms(self) -> int:
        return sum(self.forms_by_type.values())

    def lines(self) -> list[str]:
        by_type = ", ".join(f"{kind} {count}" for kind, count in sorted(self.forms_by_type.items())) or "none"
        return [
            f"files            {self.files}",
            f"forms            {self.forms} ({by_type})",
            f"indicator rows   {self.indicator_rows}",
            f"budget lines     {self.budget_lines}",
            f"narratives       {self.narratives}",
            f"report facts     {self.report_facts}",
            f"issues           {self.errors} errors, {self.warnings} warnings",
            f"quarantined      {len(self.quarantined)}"
            + (f" ({', '.join(self.quarantined)})" if self.quarantined else ""),
            f"seconds          {self.seconds:.2f}",
        ]


def list_documents(inbox: Path) -> list[Path]:
    if not inbox.exists():
        raise InboxError(f"inbox {inbox} does not exist")
    if not inbox.is_dir():
        raise InboxError(f"inbox {inbox} is not a folder")
    try:
        return sorted(p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith("."))
    except PermissionError as err:
        raise InboxError(f"inbox {inbox} cannot be read: {err}") from err


def extract_paths(paths: Iterable[Path], inbox: Path, taxonomy: Taxonomy | None = None,
                  progress: Callable[[int], None] | None = None) -> list[FileExtraction]:
    """Extract each file; unsupported or unreadable files become error issues, never exceptions."""
    taxonomy = taxonomy or load_taxonomy()
    results = []
    for done, path in enumerate(paths, start=1):
        name = path.relative_to(inbox).as_posix()
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            result = FileExtraction(source_file=name, source_sha256="")
            result.issues.append(ExtractionIssue(name, "", ERROR, "unsupported_format",
                                                 f"'{path.suffix}' files are not read yet (only .txt)", None))
        else:
            try:
                data = path.read_bytes()
            except OSError as err:
                result = FileExtraction(source_file=name, source_sha256="")
                result.issues.append(ExtractionIssue(name, "", ERROR, "unreadable_file", str(err), None))
            else:
                result = extract_file(name, data, taxonomy)
        results.append(result)
        if progress:
            progress(done)
    return results


def drop_duplicates(results: list[FileExtraction]) -> None:
    """A file whose text is identical to an earlier one would repeat its doc_ids: keep the
    first, and say so on the second."""
    seen: dict[str, str] = {}
    for result in results:
        if not result.content_id or not result.documents:
            continue
        if result.content_id in seen:
            first = seen[result.content_id]
            result.documents, result.narratives, result.budget_lines = [], [], []
            result.indicators, result.report_facts = [], []
            result.issues = [ExtractionIssue(result.source_file, "", WARNING, "duplicate_document",
                                             f"same text as {first}; not loaded twice", None)]
        else:
            seen[result.content_id] = result.source_file


def land(results: list[FileExtraction], out_dir: Path) -> None:
    """Write the six staging tables, each atomically."""
    def rows(attr: str):
        for result in results:
            yield from getattr(result, attr)

    for table in ("documents", "narratives", "budget_lines", "indicators", "report_facts"):
        write_table(out_dir, table, rows(table))
    write_table(out_dir, "extraction_issues", rows("issues"))


def quarantine(results: list[FileExtraction], inbox: Path, quarantine_dir: Path) -> list[str]:
    moved = []
    for result in results:
        if result.has_errors:
            target = quarantine_dir / result.source_file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(inbox / result.source_file, target)
            moved.append(result.source_file)
    return moved


def summarise(results: list[FileExtraction]) -> ExtractionSummary:
    summary = ExtractionSummary(files=len(results))
    for result in results:
        summary.forms_by_type.update(doc.doc_type for doc in result.documents)
        summary.indicator_rows += len(result.indicators)
        summary.budget_lines += len(result.budget_lines)
        summary.narratives += len(result.narratives)
        summary.report_facts += len(result.report_facts)
        summary.errors += sum(1 for i in result.issues if i.severity == ERROR)
        summary.warnings += sum(1 for i in result.issues if i.severity == WARNING)
    return summary


def run_extraction(inbox: Path, out_dir: Path, quarantine_dir: Path | None = None,
                   progress: Callable[[int, int], None] | None = None) -> ExtractionSummary:
    started = time.perf_counter()
    paths = list_documents(inbox)
    total = len(paths)
    results = extract_paths(paths, inbox, progress=(lambda done: progress(done, total)) if progress else None)
    drop_duplicates(results)
    land(results, out_dir)
    summary = summarise(results)
    summary.quarantined = quarantine(results, inbox, quarantine_dir or out_dir.parent / "quarantine")
    summary.bytes_read = sum(p.stat().st_size for p in paths)
    summary.seconds = time.perf_counter() - started
    return summary
