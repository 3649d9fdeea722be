"""Property tests: random indicator tables and funding blocks, printed with the layout faults
the samples show (labels only on a group's first row or in its middle, a level-2 label in the
level-1 column, rows shifted left, page breaks inside the table), read back to the truth."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.pipeline import extract_file
from extract.taxonomy import load_taxonomy
from tests.wide import wide_budget_lines, wide_indicators

TAXONOMY = load_taxonomy()
FAMILIES = {
    "决策": ["项目立项", "绩效目标", "资金投入"],
    "过程": ["资金管理", "组织实施"],
    "产出指标": ["数量指标", "质量指标", "时效指标"],
    "效益指标": ["经济效益指标", "社会效益", "生态效益指标", "可持续影响"],
    "满意度指标": ["服务对象满意度"],
}
VALUES = ["≥900个", "=100%", "健全", "序时进度", "≤12月", "较高", "100%", "0", "40000", "≥0台、件、套、 项"]


@st.composite
def indicator_table(draw):
    """(rows printed as tab text, expected (level1 canonical, level2, level3, half, full) per row)."""
    header = "一级指标\t二级指标\t三级指标\t半年（程） 指标值\t全年（程） 指标值"
    lines, truth = [header], []
    counter = 0
    for level1, level2_choices in FAMILIES.items():
        level2s = draw(st.lists(st.sampled_from(level2_choices), min_size=1, max_size=len(level2_choices),
                                unique=True))
        sizes = [draw(st.integers(1, 4)) for _ in level2s]
        group_size = sum(sizes)
        # the merged 一级 cell is printed on one row of its group: first, or mid-group
        level1_row = draw(st.integers(0, group_size - 1)) if level1 != "满意度指标" else 0
        row_in_group = 0
        for level2, size in zip(level2s, sizes, strict=True):
            for position in range(size):
                counter += 1
                level3 = f"测试指标{counter}号"
                half, full = draw(st.sampled_from(VALUES)), draw(st.sampled_from(VALUES))
                l1_cell = level1 if row_in_group == level1_row else ""
                l2_cell = level2 if position == 0 else ""
                cells = [l1_cell, l2_cell, level3, half, full]
                if not l1_cell and not l2_cell and draw(st.booleans()):
                    cells = cells[2:]  # row shifted left: 三级 name in the 一级 column
                elif not l1_cell and l2_cell and draw(st.booleans()):
                    cells = cells[1:]  # 二级 label in the 一级 column
                if draw(st.integers(0, 5)) == 0:
                    lines.append("")  # page break inside the table
                lines.append("\t".join(cells))
                truth.append((level1, level2, level3, half, full))
                row_in_group += 1
    return lines, truth


FORM_HEAD = [
    "", "某市项目预算绩效目标表", "2026年度",
    "项目名称\t测试项目\t主管部门\t某市科学技术局",
    "项目资金 (万元)\t收入\t\t\t全年（程） 预算数",
    "\t\t资金总额\t\t10",
    "支出\t\t\t半年（程） 计划执行数\t全年（程） 预算数",
    "\t测试项目\t\t1\t10",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(indicator_table())
def test_random_tables_read_back_to_their_labels(table):
    lines, truth = table
    result = extract_file("prop.txt", "\n".join(FORM_HEAD + lines).encode("utf-8"))
    assert [i for i in result.issues if i.severity == "error"] == []
    got = [
        (TAXONOMY.level1_of(i.level1_raw), i.level2_raw, i.level3_raw, i.half_year_raw, i.full_year_raw)
        for i in wide_indicators(result)
    ]
    assert got == truth
    assert all(i.level1_fill in {"cell", "ffill", "merged_group"} for i in result.indicators)
    assert all(i.level2_fill in {"cell", "ffill"} for i in result.indicators)


AMOUNT = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False).map(str)


@settings(max_examples=150, deadline=None)
@given(half=st.one_of(AMOUNT, st.just("序时进度")), full=AMOUNT, layout=st.sampled_from(
    ["one_cell", "two_cells", "shifted_one_cell", "two_cells_wide"]))
def test_expenditure_amounts_land_in_their_columns(half, full, layout):
    header = "支出\t\t\t半年（程） 计划执行数\t全年（程） 预算数"
    row = {
        "one_cell": f"\t\t某项支出\t\t{half} {full}",
        "two_cells": f"\t某项支出\t\t{half}\t{full}",
        "shifted_one_cell": f"某项支出\t\t{half} {full}\t\t\t",
        "two_cells_wide": f"\t\t某项支出\t{half}\t{full}\t",
    }[layout]
    text = "\n".join([*FORM_HEAD[:5], "\t\t资金总额\t\t10", header, row,
                      "一级指标\t二级指标\t三级指标\t半年\t全年", "满意度指标\t服务对象满意度\t满意度\t≥90%\t≥90%"])
    result = extract_file("funding.txt", text.encode("utf-8"))
    (expenditure,) = [b for b in wide_budget_lines(result) if b.direction == "expenditure"]
    assert (expenditure.label_raw, expenditure.half_year_raw, expenditure.full_year_raw) == ("某项支出", half, full)


@settings(max_examples=100, deadline=None)
@given(amount=AMOUNT, column=st.sampled_from(["half", "full"]))
def test_a_lone_amount_follows_its_header_column(amount, column):
    header = "支出\t\t半年计划执行数\t全年预算数"
    row = f"\t某项支出\t{amount}\t" if column == "half" else f"\t某项支出\t\t{amount}"
    text = "\n".join(["某单位部门整体预算绩效目标表", "单位名称\t某单位", "部门整体资金（万元）\t收入\t全年预算数",
                      header, row, "一级指标\t二级指标\t三级指标\t半年\t全年",
                      "满意度指标\t服务对象满意度\t满意度\t≥90%\t≥90%"])
    result = extract_file("lone.txt", text.encode("utf-8"))
    (line,) = wide_budget_lines(result)
    assert (line.half_year_raw, line.full_year_raw) == ((amount, "") if column == "half" else ("", amount))
