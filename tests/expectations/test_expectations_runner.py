"""expectations.runner: the suites in the repo, the staging gate and the marts checks."""

from __future__ import annotations

import ast
import csv
import json
from pathlib import Path

import duckdb
import pytest
from lxml import html as lxml_html

from expectations.report import SAFE_NAME, render_run_index
from expectations.runner import (
    SUITES_DIR,
    CheckOutcome,
    GateFailed,
    MartTables,
    Suite,
    combined,
    gate_staging,
    load_suites,
    split_suite,
    validate,
    validate_staging,
)
from extract.records import STAGING_TABLES, columns
from flows.extraction import run_extraction

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


@pytest.fixture(scope="module")
def staging_template(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("staging")
    run_extraction(SAMPLES, out, tmp_path_factory.mktemp("quarantine"))
    return out


@pytest.fixture
def staging(staging_template, tmp_path) -> Path:
    folder = tmp_path / "staging"
    folder.mkdir()
    for path in staging_template.glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    header = list(rows[0].keys())
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_every_suite_is_valid_json_with_a_stage_and_table():
    paths = sorted(SUITES_DIR.glob("*.json"))
    assert paths
    for path in paths:
        payload = json.loads(path.read_text(encoding="utf-8"))
        meta = payload["meta"]["perfbudget"]
        assert meta["stage"] in {"staging", "marts"} and meta["table"], path.name
        assert payload["name"] == path.stem
        assert all(item["type"].startswith("expect_") for item in payload["expectations"])


def test_one_staging_suite_per_contract_table_with_its_exact_columns():
    suites = {suite.table: suite for suite in load_suites("staging")}
    assert set(suites) == set(STAGING_TABLES)
    for table, suite in suites.items():
        ordered = [e for e in suite.expectations if e["type"] == "expect_table_columns_to_match_ordered_list"]
        assert ordered[0]["kwargs"]["column_list"] == columns(STAGING_TABLES[table])


def test_level1_value_set_comes_from_the_taxonomy_seed():
    suite = next(s for s in load_suites("marts") if s.table == "fact_indicator")
    level1 = next(e for e in suite.expectations if e["kwargs"].get("column") == "level1"
                  and e["type"] == "expect_column_values_to_be_in_set")
    assert {"决策", "过程", "产出指标", "效益指标", "满意度指标"} <= set(level1["kwargs"]["value_set"])


def test_samples_pass_the_staging_gate_and_write_a_small_offline_report(staging, tmp_path, monkeypatch):
    """The gate's report is one page listing every check (expectations/report.py), well under
    1 MB, its file names safe on every OS; nothing is written to the working directory."""
    monkeypatch.chdir(tmp_path)
    report = gate_staging(staging, tmp_path / "run" / "staging")
    render_run_index(tmp_path / "run", "r1")
    assert report.success and len(report.outcomes) > 30
    files = [p for p in (tmp_path / "run").rglob("*") if p.is_file()]
    assert sorted(p.relative_to(tmp_path / "run").as_posix() for p in files) == ["index.html", "staging/index.html"]
    assert all(SAFE_NAME.match(part) for p in files for part in p.relative_to(tmp_path).parts)
    assert sum(p.stat().st_size for p in files) < 1_000_000
    tree = lxml_html.fromstring(report.docs_index.read_bytes())
    assert len(tree.xpath("//table[@id='results']/tbody/tr")) == len(report.outcomes)
    assert not (tmp_path / "gx").exists()


@pytest.mark.parametrize(("table", "change", "named"), [
    ("documents", lambda rows: rows[0].update(doc_type="budget_table"), "doc_type"),
    ("documents", lambda rows: rows[1].update(doc_id=rows[0]["doc_id"]), "expect_column_values_to_be_unique"),
    ("budget_lines", lambda rows: rows[0].update(label_raw=""), "label_raw"),
    ("budget_lines", lambda rows: rows[0].update(direction="outgo"), "direction"),
    ("indicators", lambda rows: rows[0].update(doc_id=""), "expect_column_values_to_not_be_null"),
])
def test_a_contract_break_fails_the_gate_naming_the_check(staging, table, change, named):
    rewrite(staging / f"{table}.csv", change)
    with pytest.raises(GateFailed) as failure:
        gate_staging(staging)
    assert named in str(failure.value) and f"staging.{table}" in str(failure.value)
    assert failure.value.report.failures


def test_amounts_are_as_printed_numbers_or_not(staging):
    # what is no number lands raw: the extractor warns (amount_not_a_number), dbt flags is_unparsed
    def amounts(rows):
        for row, printed in zip(rows, ["", "序时进度", "1,234.5", "0", "约100", "1e6", "-", "７３.６"], strict=False):
            row.update(amount_raw=printed)
    rewrite(staging / "budget_amounts.csv", amounts)
    assert validate_staging(staging).success


def test_missing_column_or_file_fails_the_gate(staging):
    text = (staging / "narratives.csv").read_text(encoding="utf-8")
    (staging / "narratives.csv").write_text(text.replace("label_raw,", "label,", 1), encoding="utf-8")
    (staging / "report_facts.csv").unlink()
    report = validate_staging(staging)
    failed = {(o.suite, o.check) for o in report.failures}
    assert ("staging.narratives", "expect_table_columns_to_match_ordered_list") in failed
    assert ("staging.report_facts", "table_is_readable") in failed


def test_target_form_with_neither_indicators_nor_funding_fails_the_marts_check(tmp_path):
    """d1 has an indicator row, d2 only funding lines (a form cut before its indicator table lands
    them with a warning), d4 nothing at all: only d4 fails; d3 is no target form."""
    database = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table dim_document as select * from (values ('d1', 'project_target'), "
                           "('d2', 'dept_target'), ('d3', 'dept_self_eval'), ('d4', 'project_target')) "
                           "as t(document_key, doc_type)")
        connection.execute("create table fact_indicator as select * from (values ('i1', 'd1')) "
                           "as t(indicator_key, document_key)")
        connection.execute("create table fact_budget_line as select * from (values ('b1', 'd2')) "
                           "as t(budget_line_key, document_key)")
    suites = [s for s in load_suites("marts") if s.name == "marts.target_form_indicators"]
    report = validate("marts", MartTables(database), suites)
    assert [(o.check, o.column) for o in report.failures] == [("expect_column_values_to_be_between",
                                                               "content_rows")]
    assert "1 unexpected" in report.failures[0].observed


def test_missing_mart_table_is_a_failed_check(tmp_path):
    database = tmp_path / "empty.duckdb"
    duckdb.connect(str(database)).close()
    suites = [s for s in load_suites("marts") if s.table == "dim_unit"]
    report = validate("marts", MartTables(database), suites)
    assert [o.check for o in report.failures] == ["table_is_readable"]


def test_each_check_reads_only_the_columns_it_names_one_group_at_a_time():
    suite = next(s for s in load_suites("staging") if s.table == "indicators")
    batches = split_suite(suite, columns(STAGING_TABLES["indicators"]))
    assert [(batch.name, batch.columns) for batch in batches] == [
        ("staging.indicators (columns)", None),
        ("staging.indicators [table_seq]", ["table_seq"]),
        # not_null(doc_id) and not_null(indicator_seq) join the compound key's wider group
        ("staging.indicators [doc_id, indicator_seq]", ["doc_id", "indicator_seq"]),
        ("staging.indicators [level1_fill]", ["level1_fill"]),
        ("staging.indicators [level2_fill]", ["level2_fill"]),
    ]
    assert [item["type"] for item in batches[0].expectations] == ["expect_table_columns_to_match_ordered_list"]
    assert [item["type"] for item in batches[2].expectations] == [
        "expect_column_values_to_not_be_null", "expect_column_values_to_not_be_null",
        "expect_compound_columns_to_be_unique"]


def test_a_row_count_check_alone_reads_one_column_and_counts_every_row(tmp_path):
    suite = Suite("marts.tiny", "marts", "tiny", None,
                  [{"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 3, "max_value": 3},
                    "meta": {}}], tmp_path / "tiny.json")
    assert [batch.columns for batch in split_suite(suite, ["a", "b"])] == [["a"]]
    database = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table tiny as select range as a, 'x' as b from range(3)")
    assert validate("marts", MartTables(database), [suite]).success
    with duckdb.connect(str(database)) as connection:
        connection.execute("insert into tiny values (3, 'y')")
    report = validate("marts", MartTables(database), [suite])
    assert [(o.check, o.observed) for o in report.failures] == [("expect_table_row_count_to_be_between",
                                                                 "observed 4")]


def test_no_frame_outlives_its_batch(tmp_path):
    """GX caches every batch in its data source's execution engine and keeps the last context
    globally: the gate drops each batch's data source, so no validated frame stays in memory."""
    import gc

    import pandas as pd

    suite = Suite("marts.tiny", "marts", "tiny", None,
                  [{"type": "expect_column_values_to_be_unique", "kwargs": {"column": "tiny_key"}, "meta": {}},
                   {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "tiny_name"}, "meta": {}}],
                  tmp_path / "tiny.json")
    database = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table tiny as select range as tiny_key, 'x' as tiny_name from range(5)")
    assert validate("marts", MartTables(database), [suite]).success
    gc.collect()
    alive = [obj for obj in gc.get_objects() if isinstance(obj, pd.DataFrame)
             and {"tiny_key", "tiny_name"} & set(obj.columns)]
    assert alive == []


def test_a_gate_serializes_no_context_config_and_still_finds_a_failure(staging, monkeypatch):
    """The ephemeral context's config is never "saved" (expectations/runner.py `_context`): the
    four data-source changes of each batch serialized it into a store nothing reads. The gate's
    outcomes are what they were: the samples pass, a broken row still fails its check."""
    from great_expectations.data_context.store.data_context_store import DataContextStore

    serialized = []
    serialize = DataContextStore.serialize
    monkeypatch.setattr(DataContextStore, "serialize",
                        lambda self, value: serialized.append(1) or serialize(self, value))
    report = validate_staging(staging)
    assert report.success and len(report.outcomes) == 48  # every check of the staging suites
    rewrite(staging / "budget_lines.csv", lambda rows: rows[0].update(direction="sideways"))
    failed = [(outcome.table, outcome.column) for outcome in validate_staging(staging).failures]
    assert failed == [("budget_lines", "direction")]
    assert serialized == []


def test_a_gate_freezes_the_heap_it_starts_with_and_unfreezes_it_after(tmp_path, monkeypatch):
    """The collections after large frames scan only the objects the gate makes: the library and
    its context, alive when it starts, are frozen (gc.freeze) until it ends, failed or not."""
    import gc

    from expectations import runner

    suite = Suite("marts.tiny", "marts", "tiny", None,
                  [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}, "meta": {}}],
                  tmp_path / "tiny.json")
    database = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table tiny as select range as a from range(3)")
    frozen_while_validating = []
    validated = runner._validated

    def noting(*args, **kwargs):
        frozen_while_validating.append(gc.get_freeze_count())
        return validated(*args, **kwargs)

    monkeypatch.setattr(runner, "_validated", noting)
    assert gc.get_freeze_count() == 0
    assert validate("marts", MartTables(database), [suite]).success
    assert len(frozen_while_validating) == 1 and frozen_while_validating[0] > 10_000
    assert gc.get_freeze_count() == 0

    def failing(*args, **kwargs):
        raise RuntimeError("the library failed")

    monkeypatch.setattr(runner, "_validated", failing)
    with pytest.raises(RuntimeError, match="the library failed"):
        validate("marts", MartTables(database), [suite])
    assert gc.get_freeze_count() == 0


def test_a_large_text_frame_is_collected_at_once_and_a_row_count_frame_is_not():
    """After a batch the gate collects the garbage (GX's objects form cycles) for frames whose
    memory matters: text columns of many rows (pandas 3 gives DuckDB's text its `str` dtype,
    and counts a value as its pointer), or many bytes of plain values; not for the one-column
    frames of the whole-table row counts, 1 byte a row (runner.worth_collecting)."""
    import pandas as pd

    from expectations.runner import GC_MIN_ROWS, worth_collecting

    with duckdb.connect() as connection:
        text = connection.execute(f"select 'x' || range as key from range({GC_MIN_ROWS})").df()
        counts = connection.execute("select true as row from range(3000000)").df()
    assert text["key"].dtype.kind == "O" and worth_collecting(text)
    assert not worth_collecting(text.head(GC_MIN_ROWS - 1))
    assert not worth_collecting(counts)
    assert worth_collecting(pd.DataFrame({"amount": range(1_100_000)}))  # 8.4 MB of integers


def test_an_incremental_night_checks_the_changed_forms_rows_and_counts_every_row(tmp_path):
    """On an incremental night (MartTables changed_only) a form-keyed table's checks read the
    changed forms' rows, the rows without a form, and every row sharing a unique-checked value
    with those; its row count still counts the whole table. An old row that breaks a check goes
    unseen (it passed the gate that published it); a new duplicate of an old key does not."""
    suite = Suite("marts.facts", "marts", "facts", None,
                  [{"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1, "max_value": 3},
                    "meta": {}},
                   {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "fact_key"}, "meta": {}},
                   {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "label"}, "meta": {}}],
                  tmp_path / "facts.json", changed_only_by="document_key")
    database = tmp_path / "facts.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema staging")
        connection.execute("create table staging.stg_perfbudget__changed_documents as "
                           "select 'd2' as document_key")
        connection.execute("create table facts as select * from (values ('k1', 'd1', null), ('k2', 'd2', 'b'))"
                           " as rows(fact_key, document_key, label)")
    assert not validate("marts", MartTables(database), [suite]).success  # d1's null label, in a full check
    report = validate("marts", MartTables(database, changed_only=True), [suite])
    assert report.success
    assert [(o.check, o.observed) for o in report.outcomes if o.check.startswith("expect_table_row_count")] == [
        ("expect_table_row_count_to_be_between", "observed 2")]

    with duckdb.connect(str(database)) as connection:
        connection.execute("insert into facts values ('k1', 'd2', 'c'), (null, 'd2', 'd'), ('k3', null, null)")
    report = validate("marts", MartTables(database, changed_only=True), [suite])
    assert sorted((o.check, o.unexpected_count, o.observed.split(",")[0]) for o in report.failures) == [
        ("expect_column_values_to_be_unique", 2, "2 unexpected"),  # d2's k1 and d1's k1
        ("expect_column_values_to_not_be_null", 2, "2 unexpected"),  # d1's k1 (it shares d2's key), k3 (no form)
        ("expect_table_row_count_to_be_between", None, "observed 5")]  # every row counted


def test_a_large_table_is_checked_in_parts_with_the_same_outcomes(tmp_path, monkeypatch):
    """A table of more than PART_MAX_ROWS rows is read in parts for its value checks, cut by
    the hash of the uniquely-checked key (a duplicate's rows share a part; a batch without a
    uniqueness check is cut by the table's key too, evenly): each check's outcome is the same as
    on the whole table, its unexpected values counted over the parts, and only the row count
    reads every row (in a batch of its own, no column)."""
    from expectations import runner

    suite = Suite("marts.facts", "marts", "facts", None,
                  [{"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1, "max_value": 99},
                    "meta": {}},
                   {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "fact_key"}, "meta": {}},
                   {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "fact_key"}, "meta": {}},
                   {"type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": "level1", "value_set": ["决策", "产出指标"]}, "meta": {}}],
                  tmp_path / "facts.json")
    database = tmp_path / "facts.duckdb"
    with duckdb.connect(str(database)) as connection:  # 40 rows: k7 three times, k8 twice, 2 null keys, 3 bad level1
        connection.execute("""create table facts as
            select case when i in (30, 31) then 'k7' when i = 32 then 'k8' when i in (33, 34) then null
                        else 'k' || i end as fact_key,
                   case when i in (3, 17, 25) then '效益' when i % 2 = 0 then '决策' else '产出指标' end as level1
            from range(40) as numbers(i)""")
    whole = validate("marts", MartTables(database), [suite])
    read = []
    monkeypatch.setattr(runner, "WHOLE_TABLE_MAX_ROWS", 5)
    monkeypatch.setattr(runner, "PART_MAX_ROWS", 10)
    monkeypatch.setattr(MartTables, "read", lambda self, suite, columns, whole_table=False, part=None: read.append(
        (tuple(columns), part)) or original_read(self, suite, columns, whole_table, part))
    parted = validate("marts", MartTables(database), [suite])

    def summary(report):
        return sorted((o.check, o.column, o.success, o.unexpected_count) for o in report.outcomes)

    assert summary(parted) == summary(whole) == [
        ("expect_column_values_to_be_in_set", "level1", False, 3),
        ("expect_column_values_to_be_unique", "fact_key", False, 5),  # k7 (rows 7, 30, 31), k8 (8, 32)
        ("expect_column_values_to_not_be_null", "fact_key", False, 2),
        ("expect_table_row_count_to_be_between", "", True, None)]
    unique = next(o for o in parted.outcomes if o.check == "expect_column_values_to_be_unique")
    assert unique.observed.startswith("5 unexpected, e.g. ")
    assert set(ast.literal_eval(unique.observed.split("e.g. ")[1])) <= {"k7", "k8"}
    assert [(columns, part) for columns, part in read if part is None] == [((), None)]  # the row count alone
    parts = [(columns, part) for columns, part in read if part is not None]
    assert {columns for columns, _ in parts} == {("fact_key",), ("level1",)}
    assert {(part.count, part.by) for _, part in parts} == {(4, ("fact_key",))}  # 40 rows, parts of 10 by the key
    assert sorted(part.index for columns, part in parts if columns == ("level1",)) == [0, 1, 2, 3]


original_read = MartTables.read


def test_outcomes_on_parts_combine_into_one_per_check():
    def outcome(success, count, observed):
        return CheckOutcome("marts", "marts.t", "t", "expect_column_values_to_be_unique", "k", success, observed, count)

    parts = [[(outcome(True, 0, "0 unexpected"), [])],
             [(outcome(False, 2, "2 unexpected, e.g. ['a', 'a']"), ["a", "a"])],
             [(outcome(False, 2, "2 unexpected, e.g. ['b', 'b']"), ["b", "b"])]]
    assert combined(parts) == [outcome(False, 4, "4 unexpected, e.g. ['a', 'a', 'b']")]
    assert combined(parts[:1]) == [outcome(True, 0, "0 unexpected")]
    errored = [[(outcome(False, None, "error: boom"), [])], [(outcome(True, 0, "0 unexpected"), [])]]
    assert combined(errored) == [outcome(False, None, "error: boom")]


def test_whole_table_reads_keep_a_small_buffer_pool_and_an_incremental_night_s_a_larger_one(tmp_path, monkeypatch):
    """Reading whole tables, the gate's DuckDB only caches blocks beside the frame (64MB); an
    incremental night's reads join the changed forms' keys, which ran out of 64MB at 100 000
    forms (256MB). PERFBUDGET_GATE_DUCKDB_MEMORY_LIMIT sets both."""
    from expectations import runner

    database = tmp_path / "tiny.duckdb"
    duckdb.connect(str(database)).close()

    def limit(tables: MartTables) -> str:
        try:
            return tables._execute("select current_setting('memory_limit')").fetchone()[0]
        finally:
            tables.close()

    assert limit(MartTables(database)) == "61.0 MiB"
    assert limit(MartTables(database, changed_only=True)) == "244.1 MiB"
    monkeypatch.setattr(runner, "GATE_DUCKDB_MEMORY_LIMIT", "128MB")
    assert limit(MartTables(database)) == limit(MartTables(database, changed_only=True)) == "122.0 MiB"
