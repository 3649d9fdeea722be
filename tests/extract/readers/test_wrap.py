"""Rejoining wrapped lines: from text alone, and from where lines end."""

from __future__ import annotations

import pytest

from extract.readers.wrap import MeasuredLine, glue, rejoin_lines, rejoin_measured, starts_list_item


@pytest.mark.parametrize(("lines", "joined"), [
    (["服务对象满意度", "指标"], "服务对象满意度指标"),
    (["项目", "绩效", "目标"], "项目绩效目标"),
    (["普陀区城市管理行政执", "法局执法大队"], "普陀区城市管理行政执法局执法大队"),
    (['"1.完成年度', "拆违任务。", "2.新增违建“零增长”。", '"'], '"1.完成年度拆违任务。\n2.新增违建“零增长”。"'),
    (["（一）负责编制", "规划；", "（二）负责研究"], "（一）负责编制规划；\n（二）负责研究"),
    (["</p>", "<p>x"], "</p> <p>x"),
    (["第1.5万元", "1.5万元以上"], "第1.5万元1.5万元以上"),
])
def test_rejoin_lines(lines, joined):
    assert rejoin_lines(lines) == joined


@pytest.mark.parametrize(("line", "listed"), [
    ("1、完成", True), ("2.新增", True), ("3．开展", True), ("（一）组织", True), ("(2)开展", True), ("一、项目", True),
    ("①负责", True), ("第一，", True), ("1.5万元", False), ("(2026)", False), ("（2026）", False), ("2026年", False),
    ("七) 根据", False)])
def test_list_markers(line, listed):
    assert starts_list_item(line) is listed


def test_glue():
    assert (glue("中文", "中文"), glue("2000", "4128.4"), glue("以及", "abc"), glue("≥90", "％")) == ("", " ", "", "")


def _line(text, width, size=8.0, token=None):
    return MeasuredLine(text, 0.0, width, size if token is None else token, size)


def test_measured_breaks_keep_newlines_and_wraps_join():
    lines = [_line("1、完成年度", 48), _line("任务。", 24), _line("项目", 16), _line("(2024", 20, token=20)]
    # `1、完成年度` filled the 48 points: wrapped; `任务。` left 3 ems: the break was in the text;
    # `项目` left 32 points, room for `(2024` (20) and more than an em besides
    assert rejoin_measured(lines, 48) == "1、完成年度任务。\n项目\n(2024"
    # the same lines with only the token's width to spare after `项目` were wrapped
    assert rejoin_measured([_line("项目总体", 32), _line("(2024", 20, token=20)], 48) == "项目总体(2024"
    assert rejoin_measured([_line("abcdefghij", 40, token=40), _line("klm", 12, token=12)], 40) == "abcdefghijklm"
