"""Property tests: indicator tables of random templates (a random choice of known column sets in
a random order, random blank cells, one- or two-row headers), printed as tab text, as ` | ` text
and as HTML, read back with every value, weight, score, direction and deviation reason in its
own column."""

from __future__ import annotations

import html

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.pipeline import extract_file
from extract.readers import read_document

LEVELS = [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("效益指标", "社会效益指标"),
          ("成本指标", "经济成本指标"), ("满意度指标", "服务对象满意度指标")]
# value column sets: header words and the (period, kind, part) each column holds
VALUE_SETS = {
    "annual": [("年度指标值", ("full_year", "target", "value"))],
    "split": [("指标性质", ("full_year", "target", "comparator")), ("指标值", ("full_year", "target", "number")),
              ("度量单位", ("full_year", "target", "unit"))],
    "self_eval": [("年度指标值", ("full_year", "target", "value")),
                  ("实际完成值", ("full_year", "actual", "value"))],
    "split_self_eval": [("指标性质", ("full_year", "target", "comparator")),
                        ("指标值", ("full_year", "target", "number")),
                        ("度量单位", ("full_year", "target", "unit")), ("完成值", ("full_year", "actual", "value"))],
}
EXTRAS = {"权重": "weight", "分值": "weight", "得分": "score", "指标方向性": "direction",
          "偏差原因分析及改进措施": "deviation"}
CELL_TEXT = {"value": ["≥95%", "=100%", "合理", "及时", "≤30万元", "40000"], "comparator": ["≥", "≤", "=", "定性"],
             "number": ["95", "1", "230", "100.00"], "unit": ["%", "个", "人/年", "万元"],
             "weight": ["10", "20", "22.5"], "score": ["9", "10", "0"], "direction": ["正向指标", "反向指标"],
             "deviation": ["已完工,剩余尾款未付", "无"]}


@st.composite
def template(draw):
    """(header rows, body rows, expected rows): each expected row is (levels, values, extras)."""
    value_set = draw(st.sampled_from(sorted(VALUE_SETS)))
    extras = draw(st.lists(st.sampled_from(sorted(EXTRAS)), unique_by=lambda w: EXTRAS[w], max_size=4))
    # the value set stays together (its parts are read side by side); the extras go anywhere after the levels
    blocks: list[list[tuple[str, tuple[str, ...]]]] = [VALUE_SETS[value_set]]
    blocks += [[(word, (EXTRAS[word],))] for word in extras]
    order = draw(st.permutations(range(len(blocks))))
    columns = [("一级指标", ("level1",)), ("二级指标", ("level2",)), ("三级指标", ("level3",))]
    for index in order:
        columns += blocks[index]
    two_rows = draw(st.booleans())
    if two_rows:
        # the upper row names the value columns together; the lower row says what each holds
        first_value = next(i for i, (_, role) in enumerate(columns) if len(role) == 3)
        upper = [word if len(role) != 3 else ("指标值" if i == first_value else "")
                 for i, (word, role) in enumerate(columns)]
        lower = [word if len(role) == 3 else "" for word, role in columns]
        header = [upper, lower]
    else:
        header = [[word for word, _ in columns]]
    body, expected = [], []
    merged = draw(st.booleans())  # a 一级 label printed on its group's first row only
    previous = ""
    for number in range(draw(st.integers(1, 6))):
        level1, level2 = draw(st.sampled_from(LEVELS))
        cells, values, extra = [], {}, {}
        for _, role in columns:
            if role[0] == "level1":
                cells.append("" if merged and level1 == previous else level1)
            elif role[0] == "level2":
                cells.append(level2)
            elif role[0] == "level3":
                cells.append(f"任务{number}完成情况")
            else:
                part = role[2] if len(role) == 3 else role[0]
                text = draw(st.sampled_from(CELL_TEXT[part])) if draw(st.integers(0, 3)) else ""
                cells.append(text)
                if len(role) == 3:
                    values.setdefault(role[:2], {})[part] = text
                else:
                    extra[role[0]] = text
        if not any(part for parts in values.values() for part in parts.values()):
            continue  # a row printing no value at all is no indicator row
        body.append(cells)
        previous = level1
        expected.append(((level1, level2, f"任务{number}完成情况"), _values(values), extra))
    return header, body, expected


def _values(values: dict[tuple[str, str], dict[str, str]]) -> list[tuple[str, str, str, str, str, str]]:
    out = []
    for (period, kind), parts in values.items():
        if "value" in parts:
            out.append((period, kind, parts["value"], "", "", ""))
        else:
            split = (parts.get("comparator", ""), parts.get("number", ""), parts.get("unit", ""))
            out.append((period, kind, "".join(split), *split))
    return out


def as_tab_text(rows: list[list[str]]) -> bytes:
    return "\n".join(["某单位2026年度拆违项目绩效目标表", "项目名称\t拆违经费", *("\t".join(r) for r in rows)]).encode()


def as_pipe_text(rows: list[list[str]]) -> bytes:
    lines = ["某单位2026年度拆违项目绩效目标表", "| 项目名称 | 拆违经费 |",
             *("| " + " | ".join(r) + " |" for r in rows)]
    return "\n".join(lines).encode()


def as_html(rows: list[list[str]]) -> bytes:
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return (f"<html><body><p>某单位2026年度拆违项目绩效目标表</p><table><tr><td>项目名称</td><td>拆违经费</td></tr>"
            f"{cells}</table></body></html>").encode()


RENDER = {"form.txt": as_tab_text, "form_pipe.txt": as_pipe_text, "form.html": as_html}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template(), st.sampled_from(sorted(RENDER)))
def test_every_row_comes_back_in_its_columns(table, name):
    header, body, expected = table
    result = extract_file(name, RENDER[name](header + body))
    assert not result.has_errors, result.issues
    (doc,) = result.documents
    assert doc.project_name == "拆违经费"
    got = []
    for indicator in result.indicators:
        values = [(v.period, v.kind, v.value_raw, v.comparator_raw, v.number_raw, v.unit_raw)
                  for v in result.indicator_values if v.indicator_seq == indicator.indicator_seq]
        extras = {"weight": indicator.weight_raw, "score": indicator.score_raw,
                  "direction": indicator.direction_raw, "deviation": indicator.deviation_raw}
        got.append(((indicator.level1_raw, indicator.level2_raw, indicator.level3_raw), values,
                    {key: value for key, value in extras.items() if key in {e for _, _, x in expected for e in x}}))
    assert got == [(levels, values, extra) for levels, values, extra in expected]


@given(st.lists(st.lists(st.sampled_from(["a", "", "≥95%", "指标值", "10"]), min_size=3, max_size=3),
                min_size=1, max_size=5))
def test_readers_keep_blank_cells_in_place(rows):
    """The readers give a blank cell its own position: the role reader relies on it."""
    padded = [["x", *row] for row in rows]  # a first cell, as every indicator row has
    for name, render in (("t.txt", lambda r: "\n".join("\t".join(c) for c in r).encode()),
                         ("t.html", lambda r: ("<table>" + "".join(
                             "<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in r)
                             + "</table>").encode())):
        document = read_document(name, render(padded))
        (table,) = document.blocks
        assert [list(texts)[:4] for texts in table.row_texts()] == padded
