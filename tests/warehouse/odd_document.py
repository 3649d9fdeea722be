"""One copy of sample 003 with odd cells, extracted and built once per test run (models and
seeds: the session build runs the data tests on the samples), for two test modules:

* test_odd_values.py: fullwidth digits, amounts that are no number, negative amounts on a
  balance line and on a normal line, fullwidth comparators (ODD_CELLS, BALANCE_LINE);
* test_data_quality_findings.py: the 设施设备利用率 row (line 66 of 003, FINDINGS_LINE here, one
  line lower for the inserted balance line) names a level 2 the taxonomy does not know (社会效应)
  and has a half-year target of ≥0%: two findings on one indicator row.

The two edits touch different rows and were two builds of two documents; one document makes
one build (each build of the warehouse costs ~20 s of the test run).
"""

from __future__ import annotations

import pytest

from tests.shared_builds import fingerprint, shared_build
from tests.warehouse.conftest import MODELS_AND_SEEDS, SAMPLES, Build, dbt, extract

ODD_FILE = "901_odd_values.txt"
# (line of sample 003, text in the line, replacement); a 结余 line is inserted after line 23
ODD_CELLS = [
    (16, "国有资本金\t\t0", "国有资本金\t\t1e6"),
    (17, "社保基金\t\t0", "社保基金\t\t约100"),
    (21, "基本支出\t\t73.6", "基本支出\t\t７３.６"),
    (22, "项目支出\t\t500", "项目支出\t\t-5"),
    (35, "支付进度符合率\t=100%\t=100%", "支付进度符合率\t１００%\t＞＝90%"),
    (40, "政府采购执行率\t=100%\t=100%", "政府采购执行率\t≥９０％\t=100%"),
    (66, "\t社会效益\t\t\t设施设备利用率\t≥90%\t≥90%\t", "\t社会效应\t\t\t设施设备利用率\t≥0%\t≥90%\t"),
]
BALANCE_LINE = "\t项目资金结余\t\t-5"
FINDINGS_LINE = 67  # line 66 of sample 003, below the inserted balance line


def odd_document() -> str:
    lines = next(SAMPLES.glob("003_*.txt")).read_text(encoding="utf-8").split("\n")
    for line_no, old, new in ODD_CELLS:
        assert lines[line_no - 1].count(old) == 1, lines[line_no - 1]
        lines[line_no - 1] = lines[line_no - 1].replace(old, new)
    lines.insert(23, BALANCE_LINE)
    return "\n".join(lines)


def odd_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The odd document built once per test run, whichever module asks first."""
    text = odd_document()

    def build(workdir):
        inbox = workdir / "inbox"
        inbox.mkdir()
        (inbox / ODD_FILE).write_text(text, encoding="utf-8")
        staging = workdir / "staging"
        extract(inbox, staging)
        return dbt(["build", *MODELS_AND_SEEDS], workdir, staging)

    return shared_build(tmp_path_factory, f"odd-{fingerprint(text)}", build)
