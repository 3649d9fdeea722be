"""Which forms made a dbt test fail: the build's failures, turned into forms to quarantine.

A dbt test on a fact or a dimension fails on rows; rows come from forms. When `dbt build`
fails only on tests, each failed test's own compiled query is run again on the failed build
(read-only) to fetch its failing rows, and the rows are traced back to their forms:

- directly, when the failing rows carry `document_key` or `doc_id`;
- else through the model the test is attached to: the model's rows whose tested column
  holds a failing value (nulls matching nulls) give their `document_key` / `doc_id`.

Forms are then named by `doc_id`, file and line (from `int_documents_resolved`). The load
drops exactly those forms with an `error` issue each and builds again (flows.load); the
night fails only for what no single form explains: a model that errors, a test whose
failing rows trace to no form, or a test that fails on more than `SYSTEMIC_SHARE` of all
forms (a broken model or seed, not bad documents) — and then its message names the test and
the forms and lines involved.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from extract.records import ExtractionIssue

CODE = "failed_dbt_test"
SYSTEMIC_SHARE = 0.5
MAX_FAILING_ROWS = 10_000
DOCUMENT_COLUMNS = ("document_key", "doc_id")


@dataclass(frozen=True, slots=True)
class FailedTest:
    unique_id: str
    name: str
    sql: str
    model_relation: str | None
    column: str | None


@dataclass(slots=True)
class Attribution:
    """Failed tests traced to forms: `findings` (doc id → issues) and what could not be traced."""

    findings: dict[str, list[ExtractionIssue]]
    unexplained: list[str]  # one line per failed node no form explains

    @property
    def explains_everything(self) -> bool:
        return bool(self.findings) and not self.unexplained

    def describe(self, limit: int = 8) -> str:
        issues = [issue for doc_issues in self.findings.values() for issue in doc_issues]
        named = "; ".join(f"{issue.source_file} line {issue.source_line}: {issue.message}" for issue in issues[:limit])
        more = f" (+{len(issues) - limit} more)" if len(issues) > limit else ""
        parts = [*self.unexplained, *([f"forms involved: {named}{more}"] if issues else [])]
        return " | ".join(parts)


def _load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


# where forms are looked up, in order: the resolved documents, or, when a failed test on the
# staging documents kept dbt from building them, the staging view itself (doc_id as its key)
FORMS_MODELS = ("model.perfbudget.int_documents_resolved", "model.perfbudget.stg_perfbudget__documents")


def failed_tests(target_dir: Path) -> tuple[list[FailedTest], list[str], list[str]]:
    """(failed tests with their SQL, failed nodes that are not tests or have no SQL, the
    relations of the forms models that map keys to files and lines)."""
    results = _load_json(target_dir / "run_results.json").get("results", [])
    nodes = _load_json(target_dir / "manifest.json").get("nodes", {})
    tests, other = [], []
    for result in results:
        status, unique_id = result.get("status"), result.get("unique_id", "")
        if status not in {"fail", "error"}:
            continue
        node = nodes.get(unique_id, {})
        sql = result.get("compiled_code") or node.get("compiled_code")
        if status == "error" or not unique_id.startswith("test.") or not sql:
            other.append(f"{unique_id} {status}: {(result.get('message') or '').strip()[:300]}")
            continue
        attached = nodes.get(node.get("attached_node") or "", {})
        column = (node.get("test_metadata") or {}).get("kwargs", {}).get("column_name") or node.get("column_name")
        tests.append(FailedTest(unique_id, node.get("name") or unique_id.split(".")[2], sql,
                                attached.get("relation_name"), column))
    relations = [nodes.get(model, {}).get("relation_name") for model in FORMS_MODELS]
    return tests, other, [relation for relation in relations if relation]


def _forms(connection, relations: list[str]) -> dict[str, tuple]:
    """document key → (doc_id, source_file, line_start, ref_start), from the first forms
    relation the failed build holds."""
    import duckdb

    for relation in relations:
        key = "document_key" if "int_documents_resolved" in relation else "doc_id"
        try:
            rows = connection.execute(
                f"select {key}, doc_id, source_file, line_start, ref_start from {relation}").fetchall()
        except duckdb.CatalogException:
            continue
        return {row[0]: row[1:] for row in rows}
    return {}


def _columns(connection, sql: str) -> list[str]:
    return [column[0] for column in connection.execute(f"select * from ({sql}) as q limit 0").description]


def _documents_of(connection, test: FailedTest) -> list[tuple[str, str | None]]:
    """(document key or doc id, the failing value) of the test's failing rows."""
    failing = test.sql.strip().rstrip(";")
    names = _columns(connection, failing)
    for key in DOCUMENT_COLUMNS:
        if key in names:
            value = test.column if test.column in names else names[0]
            rows = connection.execute(f"select distinct cast({key} as varchar), cast({value} as varchar) "
                                      f"from ({failing}) as f limit {MAX_FAILING_ROWS}").fetchall()
            return [(row[0], row[1]) for row in rows if row[0]]
    if not (test.model_relation and test.column and names):
        return []
    model_columns = _columns(connection, f"select * from {test.model_relation}")
    key = next((name for name in DOCUMENT_COLUMNS if name in model_columns), None)
    if key is None or test.column not in model_columns:
        return []
    rows = connection.execute(
        f"select distinct cast(m.{key} as varchar), cast(m.{test.column} as varchar) "
        f"from {test.model_relation} as m "
        f"where m.{test.column} in (select f.{names[0]} from ({failing}) as f) "
        f"or (m.{test.column} is null and exists (select 1 from ({failing}) as f where f.{names[0]} is null)) "
        f"limit {MAX_FAILING_ROWS}").fetchall()
    return [(row[0], row[1]) for row in rows if row[0]]


def attribute(database: Path, target_dir: Path) -> Attribution:
    """Trace a failed build's failures to forms (see the module docstring)."""
    import duckdb

    tests, unexplained, forms_relations = failed_tests(target_dir)
    findings: dict[str, list[ExtractionIssue]] = defaultdict(list)
    if not tests or not forms_relations:
        return Attribution({}, unexplained or ["dbt build failed, but run_results.json names no failed node"])
    with duckdb.connect(str(database), read_only=True) as connection:
        forms = _forms(connection, forms_relations)
        if not forms:
            return Attribution({}, [*unexplained, "the failed build holds no table of its forms to name them by"])
        by_doc_id = {values[0]: (key, *values) for key, values in forms.items()}
        for test in tests:
            try:
                traced = _documents_of(connection, test)
            except duckdb.Error as err:
                unexplained.append(f"{test.unique_id}: its failing rows could not be read ({err})")
                continue
            docs = {}
            for key, value in traced:
                form = forms.get(key) or (by_doc_id[key][1:] if key in by_doc_id else None)
                if form:
                    docs.setdefault(form[0], (form, value))
            if not docs:
                unexplained.append(f"{test.unique_id} failed on rows that trace to no form")
                continue
            if len(docs) > 1 and len(docs) > SYSTEMIC_SHARE * len(forms):
                sample = ", ".join(f"{form[1]} line {form[2]}" for form, _ in list(docs.values())[:5])
                unexplained.append(f"{test.unique_id} failed on {len(docs)} of {len(forms)} forms "
                                   f"(a model or seed problem, not one document): {sample}")
                continue
            for doc_id, ((_, source_file, line, ref), value) in docs.items():
                findings[doc_id].append(ExtractionIssue(
                    source_file, doc_id, "error", CODE,
                    f"dbt test {test.name} fails on this form "
                    f"({test.column or 'row'} = {'blank' if value is None else repr(value)}); "
                    "the form is not loaded, the file's other forms are", line, ref or ""))
    return Attribution(dict(findings), unexplained)
