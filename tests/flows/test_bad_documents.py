"""One bad document never stops the night: the samples plus a bad item of every kind, loaded
together through the real flow body (one build with every dbt test), then each case checked.

Every bad item is a copy of a sample with one thing wrong (and its unit renamed, so its rows
are told apart from the sample's). The good documents' rows must all be published — the 298
indicator rows and 202 fact_budget_line rows of the samples — and each bad item must be loaded
as an analyst means it, or dropped with an `extraction_issues` row naming file, line and
reason. Cases that need two runs in a row are in test_stale_inputs.py.
"""

from __future__ import annotations

import csv
import dataclasses
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from flow_sites import SAMPLES, new_site

from flows import incremental
from flows.load import STEPS, run_load

S000, S001, S002, S003 = (
    "000_17c09d71274dbf64.txt", "001_27d945da3f6b14f2.txt", "002_51313b31403ae784.txt", "003_e524e1605217447e.txt")
UNIT_000 = "南京江北新区产业技术研创园管理办公室（本级）"
GBK_NAME = "测试单位报表.txt"  # written to disk as GBK bytes, as a Chinese Windows zip leaves it
SAMPLE_NAMES = sorted(path.name for path in SAMPLES.iterdir())


def variant_of_000(unit: str, *replacements: tuple[int, str, str]) -> str:
    """Sample 000 with its unit renamed and, on each given line, `old` replaced by `new`."""
    lines = (SAMPLES / S000).read_text(encoding="utf-8").split("\n")
    for line_no, old, new in replacements:
        assert old in lines[line_no - 1], (line_no, old)
        lines[line_no - 1] = lines[line_no - 1].replace(old, new, 1)
    return "\n".join(lines).replace(UNIT_000, unit)


def write(inbox: Path, name: str, text: str) -> None:
    (inbox / name).write_text(text, encoding="utf-8")


def build_bad_inbox(inbox: Path, outside: Path) -> None:
    write(inbox, "fullwidth.txt", variant_of_000(
        "全角单位", (21, "2000 4128.4", "2000 ７３.６"), (47, "=100%\t=100%", "１００%\t＞＝90%")))
    write(inbox, "negative.txt", variant_of_000("负数单位", (22, "33661 79171.6", "33661 -5")))
    write(inbox, "not_a_number.txt", variant_of_000("约数单位", (11, "83300", "约100"), (21, "2000 4128.4", "1e6")))
    nul = variant_of_000("控制字符单位")
    nul_at = nul.index("产业扶持资金兑现及时性")
    assert len(nul[:nul_at].encode("utf-8")) > 8192  # past the binary sniff of the first 8 KB
    write(inbox, "nul_bytes.txt", nul[:nul_at] + "\x00\x00" + nul[nul_at:])
    gbk = (SAMPLES / S003).read_text(encoding="utf-8").replace("创意产业园区管理办公室（机关）", "编码测试单位")
    with open(os.path.join(os.fsencode(inbox), GBK_NAME.encode("gbk")), "wb") as stream:
        stream.write(gbk.encode("utf-8"))
    write(inbox, "001_again_with_blank_lines.txt", (SAMPLES / S001).read_text(encoding="utf-8") + "\n\n  \n\n")
    report = (SAMPLES / S002).read_text(encoding="utf-8")
    assert "自评结论为“优”" in report
    write(inbox, "report_score_150.txt", report.replace("自评结论为“优”", "自评得分为150分，自评结论为“优”", 1)
          .replace("南京市火炬高技术产业开发中心", "评分单位"))
    write(inbox, "gate_reject.txt", variant_of_000("门禁单位"))
    write(inbox, "vanishing.txt", variant_of_000("消失单位"))
    write(inbox, "unreadable.txt", variant_of_000("不可读单位"))
    write(inbox, "too_large.txt", "x\t" * 40_000)
    (outside / "shadow").write_text("root:secret\n", encoding="utf-8")
    (inbox / "link_out.txt").symlink_to(outside / "shadow")
    (inbox / "loop.txt").symlink_to(inbox / "loop.txt")
    os.mkfifo(inbox / "pipe.txt")


@pytest.fixture(scope="module")
def bad_load(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    outside = root / "outside"
    outside.mkdir()
    site = new_site(root / "site")
    build_bad_inbox(site.inbox, outside)
    extract_file, discover, read_regular_file, sha256_of = (
        incremental.extract_file, STEPS["discover_documents"], incremental.read_regular_file, incremental.sha256_of)

    def discover_then_delete(inbox):
        listing = discover(inbox)
        (inbox / "vanishing.txt").unlink()
        return listing

    def unreadable(path, *args, **kwargs):
        if Path(path).name == "unreadable.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return sha256_of(path, *args, **kwargs)

    def unreadable_bytes(path):
        if path.name == "unreadable.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return read_regular_file(path)

    def extract_with_a_contract_break(name, data, *args, **kwargs):
        result = extract_file(name, data, *args, **kwargs)
        if name == "gate_reject.txt":  # one row the staging suite's direction check rejects
            result.budget_lines[3] = dataclasses.replace(result.budget_lines[3], direction="sideways")
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PERFBUDGET_MAX_FILE_MB", "0.05")
        patch.setitem(STEPS, "discover_documents", discover_then_delete)
        patch.setattr(incremental, "sha256_of", unreadable)
        patch.setattr(incremental, "read_regular_file", unreadable_bytes)
        patch.setattr(incremental, "extract_file", extract_with_a_contract_break)
        result = run_load(site.inbox, site.warehouse)
    return site, result, outside


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
