"""The bad inbox: the samples plus a bad item of every kind (each a copy of a sample with one
thing wrong and its unit renamed), and the specimens of other provinces' templates
(tests/fixtures/specimens) with the totals form below, loaded once per test run through the real
flow body (with every dbt test). test_bad_documents.py checks each bad item; the warehouse tests
read the error row of the item that is not a document at all (tests/warehouse/conftest.py);
test_specimens_warehouse.py checks the specimens.

The specimens are here, not in an inbox of their own, so that one load serves both modules
instead of two: each full load (extraction, both gates, `dbt build` with every dbt test) costs
~25 s of the test run's CPU. Each module's assertions are scoped to its own files (SAMPLE_NAMES,
the bad items, SPECIMEN_NAMES), so the other files in the inbox cannot change their results."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from flows import incremental
from flows.load import STEPS, LoadResult, run_load
from tests.flows.flow_sites import SAMPLES, Site, new_site

S000, S001, S002, S003 = (
    "000_17c09d71274dbf64.txt", "001_27d945da3f6b14f2.txt", "002_51313b31403ae784.txt", "003_e524e1605217447e.txt")
UNIT_000 = "南京江北新区产业技术研创园管理办公室（本级）"
GBK_NAME = "测试单位报表.txt"  # written to disk as GBK bytes, as a Chinese Windows zip leaves it
NOT_A_FORM = "999_not_a_form.txt"
SAMPLE_NAMES = sorted(path.name for path in SAMPLES.iterdir())

SPECIMENS = Path(__file__).resolve().parents[1] / "fixtures" / "specimens"
SPECIMEN_FILES = sorted([*SPECIMENS.glob("*.txt"), *SPECIMENS.glob("*_TABLEGRID.json")])
TOTALS_FORM_NAME = "daying_style_selfeval_with_totals.txt"
# A 大英-style self-evaluation table written for test_specimens_warehouse.py: level labels announcing their
# points, a 完成率 column and a 合计 row printing full marks and the total score. Weights 30+30+20+10
# and the budget line's 10 make the printed 100; scores 30+28+20+10 and 9 make the printed 97; 效益指标 announces 25
# points but its rows weigh 20.
TOTALS_FORM = """\
部门预算项目支出绩效自评表(2023年度) | ||||||||||
项目名称 | 办公设备购置项目 | |||||||||
主管部门 | 大英县司法局部门 | 实施单位 | 大英县司法局 | |||||||
预算执行情况(10分) | 年度预算数(万元) | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分 | 原因 | ||
总额 | 10.00 | 10.00 | 9.00 | 90.00% | 10 | 9 | | ||||
绩效指标(90分) | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 完成值 | \
完成率 | 权重 | 得分 | 未完成原因分析 |
产出指标(60分) | 数量指标 | 购置设备数量 | ≥ | 13 | 台 | 13 | 100% | 30 | 30 | ||
质量指标 | 验收合格率 | = | 100 | % | 100 | 100% | 30 | 28 | 一台返修 | ||
效益指标(25分) | 社会效益指标 | 办公效率 | 定性 | 提升 | | 提升 | | 20 | 20 | ||
满意度指标(10分) | 服务对象满意度指标 | 使用人员满意度 | ≥ | 90 | % | 95 | 105.6% | 10 | 10 | ||
合计 | 100 | 97 | ||||||||
评价结论 | 按期完成设备购置。 | |||||||||
"""
# every file of the inbox that is a specimen: what test_specimens_warehouse.py scopes its queries to
SPECIMEN_NAMES = sorted([*(path.name for path in SPECIMEN_FILES), TOTALS_FORM_NAME])


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
    # not a document at all: the warehouse tests look for its error row in mart_data_quality
    (inbox / NOT_A_FORM).write_bytes(b"\x00\x01\x02 not a budget form \xff\xfe")


def add_specimens(inbox: Path) -> None:
    """The specimens and the totals form, as test_specimens_warehouse.py reads them."""
    for path in SPECIMEN_FILES:
        shutil.copy(path, inbox / path.name)
        (inbox / path.name).chmod(0o644)
    write(inbox, TOTALS_FORM_NAME, TOTALS_FORM)


def load_bad_inbox(root: Path) -> tuple[Site, LoadResult, Path]:
    """The samples, every bad item (build_bad_inbox) and the specimens (add_specimens) loaded once
    under `root` by the flow body, with the faults that need a hand (a file vanishing, one
    unreadable, a contract break) patched in."""
    outside = root / "outside"
    outside.mkdir()
    site = new_site(root / "site")
    build_bad_inbox(site.inbox, outside)
    add_specimens(site.inbox)
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
