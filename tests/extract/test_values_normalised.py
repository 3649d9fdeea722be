"""Values as analysts mean them: one odd cell lands as printed, in its own column, with a warning
naming its line, and never breaks the rest of the form.

Each test edits one cell of a sample and extracts it with `extract_file`: fullwidth digits are
amounts (tested on their NFKC form), an amount that is no number ('约100') stays in its amount
cell, a negative amount is legal only under a balance or reduction label (seed
negative_amount_labels), and control characters past the binary sniff (first 8 KB) are stripped.
"""

from __future__ import annotations

import csv
from dataclasses import astuple, is_dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.cells import amount_tokens, is_amount_token
from extract.pipeline import FileExtraction, extract_file
from extract.taxonomy import seeds_dir
from tests.extract.conftest import sample_path
from tests.wide import wide_budget_lines, wide_indicators

FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def sample_text(prefix: str) -> str:
    return sample_path(prefix).read_text(encoding="utf-8")


def edited(prefix: str, *edits: tuple[int, str, str]) -> FileExtraction:
    """The sample with each (line number, old, new) edit made on its line, extracted."""
    lines = sample_text(prefix).split("\n")
    for line_no, old, new in edits:
        assert lines[line_no - 1].count(old) == 1, lines[line_no - 1]
        lines[line_no - 1] = lines[line_no - 1].replace(old, new)
    return extract_file(f"{prefix}_edited.txt", "\n".join(lines).encode("utf-8"))


def line_at(result: FileExtraction, line_no: int) -> tuple[str, str, str, str]:
    """(direction, label, half-year raw, full-year raw) of the budget line printed on line_no."""
    [line] = [b for b in wide_budget_lines(result) if b.source_line == line_no]
    return line.direction, line.label_raw, line.half_year_raw, line.full_year_raw


def issues(result: FileExtraction) -> list[tuple[str, str, int | None, str]]:
    return [(i.severity, i.code, i.source_line, i.message) for i in result.issues]


def without_ids(rows) -> list[tuple]:
    """Rows (dataclasses, or the wide views of tests/wide.py) without their doc_id (the edited
    bytes give the file other ids)."""
    return [(astuple(row) if is_dataclass(row) else tuple(vars(row).values()))[1:] for row in rows]


@pytest.fixture(scope="module")
def original() -> dict[str, FileExtraction]:
    return {prefix: extract_file(sample_path(prefix).name, sample_path(prefix).read_bytes())
            for prefix in ("000", "003", "004")}


# ---------------------------------------------------------------- fullwidth digits are amounts

@pytest.mark.parametrize("value", ["７３．６", "１，２３４.５"])
def test_fullwidth_amount_is_an_amount_kept_as_printed(value, original):
    # 003 line 21: 基本支出 73.6 in the 全年预算数 column; NFKC reads ７３．６ as 73.6
    result = edited("003", (21, "73.6", value))
    assert line_at(result, 21) == ("expenditure", "基本支出", "", value)
    assert issues(result) == []
    others = without_ids(b for b in wide_budget_lines(result) if b.source_line != 21)
    assert others == without_ids(b for b in wide_budget_lines(original["003"]) if b.source_line != 21)


def test_two_fullwidth_amounts_in_one_cell_are_half_and_full_year():
    # 000 line 21: '2000 4128.4' (半年计划执行数 全年预算数 in one cell)
    result = edited("000", (21, "2000 4128.4", "２０００　４１２８．４"))
    assert line_at(result, 21) == ("expenditure", "基本支出", "２０００", "４１２８．４")
    assert issues(result) == []


AMOUNT_NUMBER = st.from_regex(r"\A-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?\Z", fullmatch=True)


@given(AMOUNT_NUMBER)
def test_a_number_is_an_amount_in_ascii_and_in_fullwidth(number):
    fullwidth = number.translate(FULLWIDTH)
    assert is_amount_token(number) and is_amount_token(fullwidth)
    assert amount_tokens(fullwidth) == [fullwidth]
    assert amount_tokens(f"{number}　{fullwidth}") == [number, fullwidth]


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९"]))
def test_other_unicode_digits_are_no_amount(number, digits):
    # `\d` took Arabic-Indic and Devanagari digits as amounts, which no SQL cast reads
    text = str(number).translate(str.maketrans("0123456789", digits))
    assert not is_amount_token(text) and amount_tokens(text) is None


# ---------------------------------------------------- an amount that is no number stays put

NOT_A_NUMBER = ["约100", "1e6", "-", "100万"]


@pytest.mark.parametrize("value", NOT_A_NUMBER)
def test_amount_that_is_no_number_stays_in_its_full_year_cell(value, original):
    result = edited("003", (21, "73.6", value))
    assert line_at(result, 21) == ("expenditure", "基本支出", "", value)
    assert issues(result) == [
        ("warning", "amount_not_a_number", 21, f"'基本支出': amount '{value}' is not a number (kept as printed)")]
    assert [b.label_raw for b in result.budget_lines] == [b.label_raw for b in original["003"].budget_lines]


@pytest.mark.parametrize("value", NOT_A_NUMBER)
def test_amount_that_is_no_number_stays_in_its_half_year_cell(value):
    # 004 line 25: 13.5 under 半年（程） 计划执行数, 135 under 全年（程） 预算数
    result = edited("004", (25, "\t13.5\t", f"\t{value}\t"))
    assert line_at(result, 25) == ("expenditure", "“通创荟”和科技招商经费专项", value, "135")
    assert issues(result) == [
        ("warning", "amount_not_a_number", 25,
         f"'“通创荟”和科技招商经费专项': amount '{value}' is not a number (kept as printed)")]


def test_amount_that_is_no_number_right_of_the_header_column_of_income():
    # 003 prints its income amounts one column right of 全年预算数 (line 16: 国有资本金 0)
    result = edited("003", (16, "\t0", "\t约100"))
    assert line_at(result, 16) == ("income", "国有资本金", "", "约100")
    assert issues(result) == [
        ("warning", "amount_not_a_number", 16, "'国有资本金': amount '约100' is not a number (kept as printed)")]


def test_amount_that_is_no_number_beside_a_number_in_one_cell():
    result = edited("000", (21, "2000 4128.4", "2000 约100"))
    assert line_at(result, 21) == ("expenditure", "基本支出", "2000", "约100")
    assert issues(result) == [
        ("warning", "amount_not_a_number", 21, "'基本支出': amount '约100' is not a number (kept as printed)")]


def test_amount_that_is_no_number_on_a_row_shifted_left_after_the_page_break():
    # 000 line 30: the rows after the page break start two columns left of the header's
    result = edited("000", (30, "8800 25300", "约100"))
    assert line_at(result, 30) == ("expenditure", "土地收储项目（2026）", "", "约100")
    assert [i.code for i in result.issues] == ["amount_not_a_number"]


# ------------------------------------------------------------------------- negative amounts

def negative_amount_words() -> list[str]:
    with (seeds_dir() / "negative_amount_labels.csv").open(encoding="utf-8", newline="") as handle:
        return [entry["word"] for entry in csv.DictReader(handle)]


def test_the_seed_names_balances_and_reductions():
    assert {"结余", "调减", "减少", "退回", "冲减"} <= set(negative_amount_words())


@pytest.mark.parametrize("word", negative_amount_words())
def test_negative_amount_warns_on_a_normal_line_not_under_a_balance_or_reduction(word):
    # 003 line 19: 其他资金 0 becomes a balance / reduction line; line 22: 项目支出 500 is a normal one
    result = edited("003", (19, "其他资金\t\t0", f"{word}资金\t\t-5"), (22, "500", "-5"))
    assert line_at(result, 19) == ("income", f"{word}资金", "", "-5")
    assert line_at(result, 22) == ("expenditure", "项目支出", "", "-5")
    assert [(i.code, i.source_line) for i in result.issues] == [("negative_amount", 22)]


@pytest.mark.parametrize("value", ["-5", "－５", "-1,234.5"])
def test_negative_amount_on_any_other_line_lands_with_a_warning(value):
    result = edited("003", (22, "500", value))
    assert line_at(result, 22) == ("expenditure", "项目支出", "", value)
    assert issues(result) == [
        ("warning", "negative_amount", 22,
         f"'项目支出': negative amount '{value}' on a line that is no balance or reduction "
         "(seed negative_amount_labels)")]


def test_negative_half_year_amount_on_a_project_line_warns_once():
    result = edited("004", (25, "\t13.5\t", "\t-13.5\t"))
    assert line_at(result, 25) == ("expenditure", "“通创荟”和科技招商经费专项", "-13.5", "135")
    assert [(i.code, i.source_line) for i in result.issues] == [("negative_amount", 25)]


# --------------------------------------------------------------------- control characters

def with_nul_bytes_past_the_sniff() -> str:
    """004 with NUL bytes on line 313 (a budget line, in its blank first cell) and 329 (an
    indicator name and value): past the first 8 KB that the binary sniff reads, in UTF-8 and in
    GB18030 alike."""
    lines = sample_text("004").split("\n")
    assert lines[312] == "\t\t科技创新双月例会专项\t5\t60\t"
    assert lines[328] == "产出指标\t数量指标\t组织科技创新双月例会场次\t≤1场\t≤3场"
    assert len("\n".join(lines[:312]).encode("gb18030")) > 8192
    lines[312] = "\t\x00\t科技创新双月例会专项\t5\t60\t"
    lines[328] = "产出指标\t数量指标\t组织科技创新\x00\x00双月例会场次\t≤1场\x00\x01\t≤3场"
    return "\n".join(lines)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_nul_bytes_past_the_first_8_kb_are_stripped_with_a_warning_per_line(encoding, original):
    result = extract_file("004_nul.txt", with_nul_bytes_past_the_sniff().encode(encoding))
    form_doc_id = next(b.doc_id for b in result.budget_lines if b.source_line == 313)
    assert [(i.doc_id, i.severity, i.code, i.source_line, i.message) for i in result.issues] == [
        (form_doc_id, "warning", "control_characters", 313,
         "1 control character(s) stripped from the line (U+0000)"),
        (form_doc_id, "warning", "control_characters", 329,
         "4 control character(s) stripped from the line (U+0000, U+0001)"),
    ]
    assert without_ids(wide_indicators(result)) == without_ids(wide_indicators(original["004"]))
    assert without_ids(wide_budget_lines(result)) == without_ids(wide_budget_lines(original["004"]))
    assert len(result.documents) == len(original["004"].documents) == 12
