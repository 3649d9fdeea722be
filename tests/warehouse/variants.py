"""Variants of the samples: one small synthetic inbox, extracted and built once per test run
(one `dbt build` of all models and seeds, no data tests: the session build runs those on the
samples), read by four test modules. Its documents:

* 901_odd_values.txt (ODD_FILE): one copy of sample 003 with odd cells, read by
  - test_odd_values.py: fullwidth digits, amounts that are no number, negative amounts on a
    balance line and on a normal line, fullwidth comparators (ODD_CELLS, BALANCE_LINE);
  - test_data_quality_findings.py: the 设施设备利用率 row (line 66 of 003, FINDINGS_LINE here,
    one line lower for the inserted balance line) names a level 2 the taxonomy does not know
    (社会效应) and has a half-year target of ≥0%: two findings on one indicator row.
* 001_27d945da3f6b14f2.txt (SAMPLE_001, a copy of the sample) and 001_revised.txt
  (REVISED_FILE: the same project, unit and year published again, one word changed), read by
  test_marts.py: a project published twice in a year is scored once, on its latest form.
* 801/802/804 (PARAPHRASE_A/B/C: 002's self-evaluation report reworded, another unit's in the
  other word orders, a third unit whose grade is not its score's) and 803_target_form.txt
  (sample 000 re-titled to 002's unit and year, so that one unit has a target table and a
  self-evaluation report for the same year, which no sample unit has), read by
  test_self_evaluation.py.

Why one build: each build of a warehouse costs ~10 s of the test run, and these were three
builds (the odd document, the revision of 001, the paraphrases). The three groups do not touch
each other's units or documents: the odd document is 003's unit's (常州…创意产业园区管理办公室),
001 and its revision are 南京市工业和信息化局's, the paraphrases and 803 are three other units'
(南京市火炬高技术产业开发中心, 南京市科技创新服务中心, 南京市科技发展研究中心), and no document
replaces a form of another group. So every query that reads one group's values names its file or
its unit, and the other groups cannot change its result; what holds for every row (no project
scored twice, one key per finding, both quality gates) is checked on the whole build.
"""

from __future__ import annotations

import pytest

from tests.shared_builds import fingerprint, shared_build
from tests.warehouse.conftest import MODELS_AND_SEEDS, SAMPLES, Build, dbt, extract

# --- the odd document (test_odd_values.py, test_data_quality_findings.py) ------------------------

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


# --- sample 001 and its revision (test_marts.py) -------------------------------------------------

SAMPLE_001 = next(SAMPLES.glob("001_*.txt")).name
REVISED_FILE = "001_revised.txt"


def revised_document() -> str:
    """Sample 001 published again for the same project, unit and year: one target reworded."""
    return (SAMPLES / SAMPLE_001).read_text(encoding="utf-8").replace("到2030年", "到2031年")


# --- the paraphrased self-evaluation reports (test_self_evaluation.py) ---------------------------

TORCH_CENTRE = "南京市火炬高技术产业开发中心"
PARAPHRASE_UNIT = "南京市科技创新服务中心"
MISMATCH_UNIT = "南京市科技发展研究中心"

# 002 reworded: Chinese numerals for the staff, 元 / 千元 / 亿元 for the money, 未发生 for 会议费
PARAPHRASE_A = f"""{TORCH_CENTRE}

2023年度部门整体绩效自评价报告

一、部门（单位）概况

（一）部门（单位）基本情况

{TORCH_CENTRE}是南京市科学技术局下属的全额拨款事业单位。
市火炬中心核定编制二十人，实有在编人员十二人，内设部门四个。

本年度资产总额9,556,500元，其中流动资产731,300元，非流动资产8,825,200元，主要为固定资产277,700元，无形资产8,547,500元。

（二）部门（单位）收支情况

1．年度收支情况

全年收入合计5,673,700元。其中：一般公共预算财政拨款收入为5,598,700元，事业收入74,000元，其他收入1,000元。本年度支出0.056332亿元，其中基本支出3,552.1千元，项目支出2,081.1千元。

2．年度预算执行情况

本年度年初收入支出预算5,705.7千元，收入年终决算567.37万元，支出年终决算563.32万元。

3．年度“三公经费”使用情况

（1）本年度“三公经费”支出5,500元，其中公车运行维护费5,100元，公务接待费400元。

（2）本年度未发生会议费。

（3）本年度培训费支出21,200元。

二、评价结论

综合来看，我单位部门整体支出绩效自评结论为“优”，达到预期绩效目标。
"""

# another unit in the other word orders: 亿元 assets, 会议费 written 零, a score and the long grade 优秀
PARAPHRASE_B = f"""{PARAPHRASE_UNIT}

2023年度部门整体绩效自评价报告

一、部门（单位）概况

（一）部门（单位）基本情况

中心现有编制数20人，实有编内人数12人，设有4个内设部门。

本年度资产0.095565亿元，其中流动资产73.13万元，非流动资产882.52万元，固定资产27.77万元，无形资产854.75万元。

（二）部门（单位）收支情况

本年度收入567.37万元，其中一般公共预算财政拨款收入559.87万元，事业收入7.4万元，其他收入0.1万元。本年度支出563.32万元，其中基本支出355.21万元，项目支出208.11万元。

本年度年初收入支出预算570.57万元，收入年终决算567.37万元，支出年终决算563.32万元。

（1）本年度“三公经费”支出0.55万元，其中公车运行维护费0.51万元，公务接待费0.04万元。

（2）本年度会议费支出为零。

（3）本年度培训费支出2.12万元。

二、评价结论

部门整体支出绩效评价得分92分，自评结论为“优秀”。

三、部门履职成效

全年组织培训1.2万家园区企业参与完成数据填报。官网发布工作信息一百零五条。
"""

# a third unit whose grade is not the grade of its score's band (85 is 良)
PARAPHRASE_C = f"""{MISMATCH_UNIT}

2023年度部门整体绩效自评价报告

一、部门（单位）概况

本年度收入一百二十万元，本年度支出一百零五万元。

二、评价结论

部门整体支出绩效评价得分85分，自评结论为“优”。
"""


def target_form_for_the_torch_centre() -> str:
    """Sample 000 (a department target form, 资金总额 83300) as if 002's unit had published it for 2023."""
    text = (SAMPLES / "000_17c09d71274dbf64.txt").read_text(encoding="utf-8")
    return text.replace("2026年度", "2023年度").replace("南京江北新区产业技术研创园管理办公室（本级）", TORCH_CENTRE)


# --- the inbox and its build ---------------------------------------------------------------------

def inbox() -> dict[str, str]:
    """File name → text of every document of the variants' inbox."""
    return {
        SAMPLE_001: (SAMPLES / SAMPLE_001).read_text(encoding="utf-8"),
        REVISED_FILE: revised_document(),
        "801_paraphrase_a.txt": PARAPHRASE_A,
        "802_paraphrase_b.txt": PARAPHRASE_B,
        "803_target_form.txt": target_form_for_the_torch_centre(),
        "804_paraphrase_c.txt": PARAPHRASE_C,
        ODD_FILE: odd_document(),
    }


def variants_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The variants' inbox extracted and built (models and seeds) once per test run, whichever
    module asks first."""
    texts = inbox()

    def build(workdir):
        folder = workdir / "inbox"
        folder.mkdir()
        for name, text in texts.items():
            (folder / name).write_text(text, encoding="utf-8")
        staging = workdir / "staging"
        extract(folder, staging)
        return dbt(["build", *MODELS_AND_SEEDS], workdir, staging)

    return shared_build(tmp_path_factory, f"variants-{fingerprint(sorted(texts.items()))}", build)
