"""The text reader gives the rows extract/cells.py gives, as tables and paragraphs with exact
line numbers, and reads ` | `-separated pages."""

from __future__ import annotations

import pytest

from extract.cells import to_rows
from extract.decode import decode_document
from extract.readers import Paragraph, ReaderError, Table, read_document
from tests.extract.readers.conftest import PREFIXES, sample_path


@pytest.mark.parametrize("prefix", PREFIXES)
def test_tab_rows_are_the_rows_cells_py_gives(prefix, text_docs):
    data = sample_path(prefix).read_bytes()
    expected = {row.line_no: row.cells for row in to_rows(decode_document(data).text) if len(row.cells) > 1}
    got = {row[0].source_line: tuple(cell.text for cell in row)
           for table in text_docs[prefix].tables for row in table.rows}
    assert got == expected


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_non_blank_line_is_in_exactly_one_block(prefix, text_docs):
    lines = decode_document(sample_path(prefix).read_bytes()).text.split("\n")
    seen = []
    for block in text_docs[prefix].blocks:
        if isinstance(block, Paragraph):
            assert block.text == lines[block.source_line - 1].strip(" \t\u3000\u00a0\ufeff")
            seen.append(block.source_line)
        else:
            seen.extend(row[0].source_line for row in block.rows)
    assert seen == [n for n, line in enumerate(lines, start=1) if line.strip(" \t\u3000\u00a0\ufeff")]


def test_sample_000_blocks_refs_and_the_83300_cell(text_docs):
    doc = text_docs["000"]
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Paragraph", "Table", "Table", "Table"]
    assert [b.source_ref for b in doc.blocks] == ["L3", "L5", "L7-L36", "L38-L80", "L82-L83"]
    cell = next(c for c in doc.tables[0].cells() if c.text == "83300")
    where = (cell.source_ref, cell.source_line, cell.row, cell.col, cell.row_span, cell.col_span)
    assert where == ("L11", 11, 4, 4, 1, 1)
    assert (doc.tables[1].n_rows, doc.tables[1].n_cols, doc.tables[2].n_cols) == (43, 8, 5)
    assert doc.format == "text" and doc.warnings == ()


def test_pipe_separated_lines_are_tables_and_other_lines_paragraphs():
    text = ("当前位置: 通知公告\n"
            "| 部门预算项目绩效目标申报表(2023年度) | ||||\n"
            "单位名称 | 项目名称 | 预算数 | 年度目标 |\n"
            "820001-井研县马踏镇人民政府 | 村组干部报酬 | 3,309,840.00 | 按时发放 |\n"
            "\n"
            "一级指标\t二级指标\n"
            "效益指标 | 社会效益指标\n")
    doc = read_document("page.txt", text.encode("utf-8"))
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Table", "Table"]
    pipes: Table = doc.blocks[1]
    assert [[c.text for c in row] for row in pipes.rows] == [
        ["部门预算项目绩效目标申报表(2023年度)", "", "", "", ""],
        ["单位名称", "项目名称", "预算数", "年度目标"],
        ["820001-井研县马踏镇人民政府", "村组干部报酬", "3,309,840.00", "按时发放"]]
    assert pipes.source_ref == "L2-L4" and pipes.n_cols == 5
    # a tab row and a pipe row next to each other are two tables: their columns are not comparable
    assert [b.source_ref for b in doc.blocks[2:]] == ["L6", "L7"]


def test_gb18030_crlf_and_control_characters():
    data = "标题\r\n资金总额\t83300\x07\r\n".encode("gb18030")
    doc = read_document("a.txt", data)
    assert doc.blocks[0] == Paragraph("标题", "L1", 1)
    assert [c.text for c in doc.tables[0].cells()] == ["资金总额", "83300"]
    assert [(w.ref, w.code) for w in doc.warnings] == [("L2", "control_characters")]


@pytest.mark.parametrize(("data", "code", "ref"), [
    (b"", "empty_file", "L1"),
    (b"  \n\n", "empty_file", "L1"),
    (b"\x00\x01\x02binary", "binary_file", "L1"),
    ("一行\n二行".encode() + "三".encode()[:2], "truncated_file", "L2"),
])
def test_bad_text_raises_reader_errors_with_the_decoder_codes(data, code, ref):
    with pytest.raises(ReaderError) as info:
        read_document("bad.txt", data)
    assert (info.value.code, info.value.ref) == (code, ref)
