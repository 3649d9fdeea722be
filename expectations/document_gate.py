"""The staging suites' row checks, applied to one file's rows before they land.

The staging gate (runner.gate_staging) validates whole CSVs with Great Expectations: one bad
cell in one form used to fail the whole night, every night, naming a check but not the file.
The same suites are read here and their row-level expectations applied to each file's rows
as it is extracted, so a form that would break one is dropped with an `error` issue naming
the file, the line, the column, the value and the check, and every other form lands. The
suites stay the one source of truth; the gate after this one then passes unless something no
single form explains is wrong (a missing column, an empty inbox).

Only expectations a single row or a single form can break are applied here (`ROW_CHECKS`);
table-shape and row-count checks stay with the full gate.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from expectations.runner import SEEDS_DIR, SUITES_DIR, load_suites
from extract.file_rows import FileRows, drop_documents, parse_table
from extract.records import STAGING_TABLES, ExtractionIssue, columns

CODE = "failed_check"
Predicate = Callable[[str | None], bool]


@dataclass(frozen=True, slots=True)
class RowCheck:
    """One expectation on one column: `passes(value)` for a cell (None = blank cell)."""

    suite: str
    expectation: str
    column: str
    passes: Predicate
    says: str  # what a failing value is not, in words


@dataclass(frozen=True, slots=True)
class UniqueCheck:
    """Columns whose combined values must be unique (within one file's rows)."""

    suite: str
    expectation: str
    columns: tuple[str, ...]


def _not_null(kwargs: dict[str, Any]) -> tuple[Predicate, str]:
    return (lambda value: value is not None), "is blank (the column must be filled)"


def _in_set(kwargs: dict[str, Any]) -> tuple[Predicate, str]:
    allowed = frozenset(str(value) for value in kwargs["value_set"])
    return (lambda value: value is None or value in allowed), f"is not one of {sorted(allowed)}"


def _regex(kwargs: dict[str, Any]) -> tuple[Predicate, str]:
    pattern = re.compile(kwargs["regex"])
    return (lambda value: value is None or pattern.search(value) is not None), f"does not match /{pattern.pattern}/"


def _between(kwargs: dict[str, Any]) -> tuple[Predicate, str]:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")

    def passes(value: str | None) -> bool:
        if value is None:
            return True
        try:
            number = float(value)
        except ValueError:
            return False
        return (low is None or number >= low) and (high is None or number <= high)

    return passes, f"is not a number between {low} and {high}"


ROW_CHECKS: dict[str, Callable[[dict[str, Any]], tuple[Predicate, str]]] = {
    "expect_column_values_to_not_be_null": _not_null,
    "expect_column_values_to_be_in_set": _in_set,
    "expect_column_values_to_match_regex": _regex,
    "expect_column_values_to_be_between": _between,
}
UNIQUE_CHECKS = {"expect_compound_columns_to_be_unique": "column_list", "expect_column_values_to_be_unique": "column"}


@dataclass(frozen=True, slots=True)
class DocumentGate:
    """The row checks of the staging suites, by table."""

    rows: dict[str, list[RowCheck]]
    unique: dict[str, list[UniqueCheck]]
    version: str  # a hash of the checks: cached rows screened by other checks are stale

    def screen(self, file_rows: FileRows) -> FileRows:
        """Drop the forms whose rows break a check, each with an error issue per finding."""
        findings = self.findings(file_rows)
        return drop_documents(file_rows, findings) if findings else file_rows

    def findings(self, file_rows: FileRows) -> dict[str, list[ExtractionIssue]]:
        found: dict[str, list[ExtractionIssue]] = defaultdict(list)
        for table in STAGING_TABLES:
            if table not in self.rows and table not in self.unique:
                continue
            names = columns(STAGING_TABLES[table])
            rows = [dict(zip(names, ([cell or None for cell in row]), strict=False))
                    for row in parse_table(file_rows.csv[table])]
            for row in rows:
                for check in self.rows.get(table, ()):
                    value = row.get(check.column)
                    if not check.passes(value):
                        found[row.get("doc_id") or ""].append(self._issue(file_rows, table, row, check, value))
            for check in self.unique.get(table, ()):
                seen: set[tuple] = set()
                for row in rows:
                    key = tuple(row.get(name) for name in check.columns)
                    if key in seen:
                        found[row.get("doc_id") or ""].append(self._duplicate(file_rows, table, row, check, key))
                    seen.add(key)
        return {doc_id: issues for doc_id, issues in found.items() if doc_id}

    @staticmethod
    def _line(row: dict[str, str | None]) -> int | None:
        line = row.get("source_line") or row.get("line_start")
        return int(line) if line and line.isdigit() else None

    def _issue(self, file_rows: FileRows, table: str, row: dict, check: RowCheck, value: str | None) -> ExtractionIssue:
        shown = "blank" if value is None else repr(value)
        return ExtractionIssue(
            file_rows.source_file, row.get("doc_id") or "", "error", CODE,
            f"{table}.{check.column} {shown} {check.says} (suite {check.suite}, {check.expectation}); "
            f"this form is not loaded, the file's other forms are", self._line(row))

    def _duplicate(self, file_rows: FileRows, table: str, row: dict, check: UniqueCheck, key: tuple) -> ExtractionIssue:
        return ExtractionIssue(
            file_rows.source_file, row.get("doc_id") or "", "error", CODE,
            f"{table} ({', '.join(check.columns)}) = {key} appears twice (suite {check.suite}, {check.expectation}); "
            f"this form is not loaded, the file's other forms are", self._line(row))


@lru_cache(maxsize=4)
def load_document_gate(suites_dir: Path = SUITES_DIR, seeds_dir: Path = SEEDS_DIR) -> DocumentGate:
    rows: dict[str, list[RowCheck]] = defaultdict(list)
    unique: dict[str, list[UniqueCheck]] = defaultdict(list)
    digest = hashlib.sha256()
    for suite in load_suites("staging", suites_dir, seeds_dir):
        if suite.query:
            continue
        for expectation in suite.expectations:
            kind, kwargs = expectation["type"], expectation["kwargs"]
            if kind in ROW_CHECKS:
                passes, says = ROW_CHECKS[kind](kwargs)
                rows[suite.table].append(RowCheck(suite.name, kind, kwargs["column"], passes, says))
            elif kind in UNIQUE_CHECKS:
                named = kwargs[UNIQUE_CHECKS[kind]]
                unique[suite.table].append(UniqueCheck(suite.name, kind, tuple([named] if isinstance(named, str)
                                                                                  else named)))
            else:
                continue
            digest.update(json.dumps([suite.table, kind, kwargs], sort_keys=True, ensure_ascii=False).encode())
    return DocumentGate(dict(rows), dict(unique), digest.hexdigest()[:12])
