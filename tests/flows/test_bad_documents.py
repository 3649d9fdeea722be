"""One bad document never stops the night: the samples plus a bad item of every kind, loaded
together through the real flow body (one build with every dbt test), then each case checked.

Every bad item is a copy of a sample with one thing wrong (and its unit renamed, so its rows
are told apart from the sample's). The good documents' rows must all be published — the 298
indicator rows and 202 fact_budget_line rows of the samples — and each bad item must be loaded
as an analyst means it, or dropped with an `extraction_issues` row naming file, line and
reason. Cases that need two runs in a row are in test_stale_inputs.py.

The same inbox also holds the specimens of other provinces' templates and their totals form,
which test_specimens_warehouse.py checks: one shared load serves both modules instead of two, as
each full load costs ~25 s of the test run's CPU. So every assertion here reads only its own
files (a bad item by name, or the samples by SAMPLE_NAMES), never a total of the whole inbox.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from flows import incremental
from tests.flows.bad_inbox import GBK_NAME, S002, SAMPLE_NAMES
from tests.shared_builds import bad_samples


@pytest.fixture(scope="module")
def bad_load(tmp_path_factory):
    """The bad inbox loaded once per test run (tests/flows/bad_inbox.py, shared with the warehouse
    tests and test_specimens_warehouse.py)."""
    return bad_samples(tmp_path_factory)


def query(database: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, list(params)).fetchall()


def issues(site) -> list[dict[str, str]]:
    with (site.staging / "extraction_issues.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def issue_of(site, source_file: str, code: str) -> dict[str, str]:
    found = [row for row in issues(site) if row["source_file"] == source_file and row["code"] == code]
    assert found, f"no {code} issue for {source_file}: {[(r['source_file'], r['code']) for r in issues(site)]}"
    return found[0]


def test_the_night_succeeds_and_every_good_document_is_published(bad_load):
    site, result, _ = bad_load
    assert result.run.status == "success"
    samples = ", ".join(f"'{name}'" for name in SAMPLE_NAMES)
    indicators = query(site.published, "select count(*) from fact_indicator join dim_document using (document_key) "
                                       f"where source_file in ({samples})")
    amounts = query(site.published, "select count(*) from fact_budget_line join dim_document using (document_key) "
                                    f"where source_file in ({samples})")
    assert indicators == [(298,)] and amounts == [(202,)]


def test_a_fullwidth_amount_and_fullwidth_values_are_read_as_numbers(bad_load):
    site, _, _ = bad_load
    amount = query(site.published, "select amount_raw, amount_wan from fact_budget_line join dim_document "
                                   "using (document_key) where source_file = 'fullwidth.txt' "
                                   "and label_raw = '基本支出' and phase = 'annual_budget'")
    assert amount == [("７３.６", Decimal("73.6"))]
    values = query(site.published, "select half_year_raw, half_year_comparator, half_year_value_num, half_year_uom, "
                                   "full_year_raw, full_year_comparator, full_year_value_num, full_year_uom "
                                   "from fact_indicator join dim_document using (document_key) "
                                   "where source_file = 'fullwidth.txt' and indicator_name = '支付进度符合率'")
    half, full = values[0][:4], values[0][4:]
    assert half[0] == "１００%" and half[2] == 100 and half[3] == "%"
    assert full[0] == "＞＝90%" and full[1] == ">=" and full[2] == 90 and full[3] == "%"


def test_a_negative_amount_lands_flagged_with_a_warning(bad_load):
    site, _, _ = bad_load
    warning = issue_of(site, "negative.txt", "negative_amount")
    assert warning["severity"] == "warning" and warning["source_line"] == "22" and "-5" in warning["message"]
    rows = query(site.published, "select amount_wan, is_negative_unexpected from fact_budget_line join dim_document "
                                 "using (document_key) where source_file = 'negative.txt' and label_raw = '项目支出' "
                                 "and phase = 'annual_budget'")
    assert rows == [(Decimal("-5"), True)]


def test_amounts_that_are_not_numbers_stay_in_their_cells_with_a_warning(bad_load):
    site, _, _ = bad_load
    warnings = {(row["source_line"], row["message"]) for row in issues(site)
                if row["source_file"] == "not_a_number.txt" and row["code"] == "amount_not_a_number"}
    assert warnings == {("11", "'资金总额': amount '约100' is not a number (kept as printed)"),
                        ("21", "'基本支出': amount '1e6' is not a number (kept as printed)")}
    rows = query(site.published, "select label_raw, phase, amount_raw, amount_wan, category from fact_budget_line "
                                 "join dim_document using (document_key) where source_file = 'not_a_number.txt' "
                                 "and label_raw in ('资金总额', '基本支出') order by label_raw, phase")
    assert rows == [("基本支出", "annual_budget", "1e6", None, "基本支出"),
                    ("基本支出", "half_year_plan", None, None, "基本支出"),
                    ("资金总额", "annual_budget", "约100", None, "资金总额")]


def test_nul_bytes_past_the_first_8_kb_are_stripped_with_a_warning_on_their_line(bad_load):
    site, _, _ = bad_load
    text = (site.inbox / "nul_bytes.txt").read_text(encoding="utf-8")
    line = text[:text.index("\x00")].count("\n") + 1
    warning = issue_of(site, "nul_bytes.txt", "control_characters")
    assert (warning["severity"], warning["source_line"]) == ("warning", str(line))
    rows = query(site.published, "select count(*), count(level2) from fact_indicator join dim_document "
                                 "using (document_key) where source_file = 'nul_bytes.txt'")
    assert rows == [(40, 40)]  # the 40 indicator rows of sample 000, every one with its 二级指标


def test_a_file_name_in_gbk_bytes_loads_under_its_chinese_name(bad_load):
    site, _, _ = bad_load
    warning = issue_of(site, GBK_NAME, "non_utf8_file_name")
    shown = "".join(f"\\x{byte:02x}" for byte in "测试单位报表".encode("gbk")) + ".txt"
    assert (warning["severity"], warning["message"]) == (
        "warning", f"the file name is not UTF-8: its bytes {shown}, read as GB18030, give the name {GBK_NAME} "
                   f"it is loaded under; rename the file to {GBK_NAME} in UTF-8 so the name is certain")
    assert query(site.published, "select count(*) from fact_indicator join dim_document using (document_key) "
                                 "where source_file = ?", GBK_NAME) == [(40,)]


def test_the_same_document_with_trailing_blank_lines_is_not_a_second_version(bad_load):
    site, _, _ = bad_load
    assert "same text as 001" in issue_of(site, "001_again_with_blank_lines.txt", "duplicate_document")["message"]
    assert query(site.published, "select count(*) from dim_document where source_file like '001_%'") == [(1,)]


def test_a_form_that_fails_a_dbt_test_is_dropped_and_the_build_rerun(bad_load):
    site, result, _ = bad_load
    error = issue_of(site, "report_score_150.txt", "failed_dbt_test")
    assert error["severity"] == "error" and "150" in error["message"]
    assert query(site.published, "select count(*) from dim_document where source_file = 'report_score_150.txt'") \
        == [(0,)]
    assert query(site.published, "select count(*) from dim_document where source_file = ?", S002) == [(1,)]
    assert "report_score_150.txt" in result.extraction.quarantined
    assert (site.quarantine / "report_score_150.txt").exists()


def test_a_form_that_fails_a_staging_row_check_is_dropped_before_the_build(bad_load):
    site, _, _ = bad_load
    error = issue_of(site, "gate_reject.txt", "failed_check")
    assert "budget_lines.direction 'sideways' is not one of ['expenditure', 'income']" in error["message"]
    assert error["source_line"] == "14"
    assert query(site.published, "select count(*) from dim_document where source_file = 'gate_reject.txt'") == [(0,)]


@pytest.mark.parametrize(("name", "code", "message"), [
    ("vanishing.txt", "file_vanished", incremental.VANISHED),
    ("unreadable.txt", "unreadable_file", "the file cannot be read: Permission denied"),
    ("too_large.txt", "file_too_large", "0.08 MB is over the 0.05 MB limit of one document; it was not read "
                                        "(raise PERFBUDGET_MAX_FILE_MB if it really is one form)"),
    ("link_out.txt", "symlink_outside_inbox", "symbolic link to "),
    ("loop.txt", "symlink_loop", "symbolic link to "),
    ("pipe.txt", "not_a_regular_file", "a named pipe (FIFO), not a document: not opened")])
def test_every_file_that_cannot_be_read_gets_an_error_row(bad_load, name, code, message):
    site, result, _ = bad_load
    issue = issue_of(site, name, code)
    assert issue["severity"] == "error" and issue["message"].startswith(message)
    assert name in result.extraction.quarantined


def test_a_link_out_of_the_inbox_is_never_read_nor_copied(bad_load):
    site, _, outside = bad_load
    copied = [path for path in site.quarantine.rglob("*") if path.is_file()]
    assert all(path.read_bytes() != (outside / "shadow").read_bytes() for path in copied)
    assert not (site.quarantine / "link_out.txt").exists()
