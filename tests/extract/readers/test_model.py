"""The document model: spans resolved into a grid, texts by origin or spread over the span."""

from __future__ import annotations

import dataclasses

import pytest

from extract.readers import Cell, ReaderError, Table, grid_texts, resolve_grid
from extract.readers.model import build_table


def _label_table() -> Table:
    # 一级 `决策` covers three rows, 二级 `计划制定` two; one short row at the end (a text line)
    return build_table([
        Cell("决策", 0, 0, row_span=3), Cell("计划制定", 0, 1, row_span=2), Cell("中长期规划", 0, 2),
        Cell("工作计划", 1, 2),
        Cell("目标设定", 2, 1), Cell("绩效目标", 2, 2),
        Cell("过程", 3, 0),
    ], source_ref="t")


def test_resolve_grid_names_the_covering_cell_and_its_origin():
    grid = resolve_grid(_label_table())
    assert [[slot.cell.text if slot else None for slot in row] for row in grid] == [
        ["决策", "计划制定", "中长期规划"],
        ["决策", "计划制定", "工作计划"],
        ["决策", "目标设定", "绩效目标"],
        ["过程", None, None],
    ]
    assert [[slot.is_origin if slot else None for slot in row] for row in grid] == [
        [True, True, True], [False, False, True], [False, True, True], [True, None, None]]
    assert grid[2][0].cell is grid[0][0].cell


def test_grid_texts_by_origin_and_spread():
    table = _label_table()
    assert grid_texts(table) == [
        ["决策", "计划制定", "中长期规划"], ["", "", "工作计划"], ["", "目标设定", "绩效目标"], ["过程", "", ""]]
    assert [row[0] for row in grid_texts(table, spread=True)] == ["决策", "决策", "决策", "过程"]


def test_build_table_groups_by_origin_row_and_keeps_given_size():
    table = build_table([Cell("b", 0, 1), Cell("a", 0, 0), Cell("c", 2, 0)], n_rows=4, n_cols=3)
    assert [[c.text for c in row] for row in table.rows] == [["a", "b"], [], ["c"], []]
    assert (table.n_rows, table.n_cols) == (4, 3)


def test_spans_past_the_edge_and_overlaps_resolve_to_the_first_claimant():
    table = Table(rows=((Cell("a", 0, 0, row_span=5, col_span=2),), (Cell("b", 1, 1),)), n_cols=2)
    grid = resolve_grid(table)
    assert len(grid) == 2 and grid[1][1].cell.text == "a"


def test_cells_are_frozen_and_slotted():
    cell = Cell("x", 0, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cell.text = "y"  # type: ignore[misc]
    assert not hasattr(cell, "__dict__")
    assert (cell.last_row, cell.last_col) == (0, 0)


def test_reader_error_carries_code_message_ref_and_line():
    err = ReaderError("truncated_file", "cut off", "L12")
    assert (err.code, err.message, err.ref, err.line, str(err)) == ("truncated_file", "cut off", "L12", 12, "cut off")
    assert ReaderError("encrypted", "x", "page 1").line is None


def test_a_deferred_table_makes_its_cells_once_and_equals_the_table_made_up_front():
    cells = ((Cell("a", 0, 0, 1, 1, "L3", 3), Cell("b", 0, 1, 1, 1, "L3", 3)), (Cell("c", 1, 0, 1, 1, "L4", 4),))
    made = []

    def make():
        made.append(1)
        return cells
    table = Table.deferred(make, 2, "L3-L4", (("a", "b"), ("c",)), (3, 4))
    assert (table.row_texts(), table.row_lines(), table.has_spans, made) == ((("a", "b"), ("c",)), (3, 4), False, [])
    assert table == Table(cells, 2, "L3-L4") and table.rows is cells and table.n_rows == 2
    assert made == [1]
    assert dataclasses.replace(table, source_ref="t").rows is cells
    with pytest.raises(AttributeError):
        table.no_such_attribute  # noqa: B018


def test_row_lines_of_a_table_made_up_front_are_its_first_cells_lines():
    table = Table(((Cell("a", 0, 0, 1, 1, "L3", 3),), ()), 1, "L3")
    assert table.row_lines() == (3, None)
