"""What an extraction found, in counts: the summary `perfbudget extract` prints and the
nightly load records (files, forms by type, rows per table, issues, quarantined files)."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from extract.pipeline import ERROR, WARNING, FileExtraction


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

    def lines(self, staging_dir: Path | None = None) -> list[str]:
        """The summary's lines; with `staging_dir`, each quarantined file with its reason."""
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
            + (f" ({quarantine_list(self.quarantined, staging_dir)})" if self.quarantined else ""),
            f"seconds          {self.seconds:.2f}",
        ]


def add_to_summary(summary: ExtractionSummary, result: FileExtraction) -> None:
    summary.files += 1
    summary.forms_by_type.update(doc.doc_type for doc in result.documents)
    summary.indicator_rows += len(result.indicators)
    summary.budget_lines += len(result.budget_lines)
    summary.narratives += len(result.narratives)
    summary.report_facts += len(result.report_facts)
    summary.errors += sum(1 for i in result.issues if i.severity == ERROR)
    summary.warnings += sum(1 for i in result.issues if i.severity == WARNING)


def summarise(results: list[FileExtraction]) -> ExtractionSummary:
    summary = ExtractionSummary()
    for result in results:
        add_to_summary(summary, result)
    return summary


def quarantine_reasons(staging_dir: Path | None) -> dict[str, str]:
    """Each quarantined file's first error as `code at place`, from the landed
    extraction_issues.csv (fresh and cached files alike land their issues there)."""
    path = staging_dir / "extraction_issues.csv" if staging_dir else None
    if path is None or not path.exists():
        return {}
    reasons: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as stream:
        for issue in csv.DictReader(stream):
            if issue["severity"] == ERROR and issue["source_file"] not in reasons:
                place = issue["source_ref"] or (f"L{issue['source_line']}" if issue["source_line"] else "")
                reasons[issue["source_file"]] = issue["code"] + (f" at {place}" if place else "")
    return reasons


def quarantine_list(names: list[str], staging_dir: Path | None) -> str:
    """`a.xlsx: corrupt_file, b.pdf: no_text_layer at page 1`: what the run summary prints."""
    reasons = quarantine_reasons(staging_dir)
    return ", ".join(f"{name}: {reasons[name]}" if name in reasons else name for name in names)
