"""Each sample rendered as a publisher would (web page, Word, PDF, .xlsx, .xls) reads back to the
text reader's blocks: the same paragraphs, the same cell texts on the same grid, and the label
cells the rendering merged come back as one cell with its span."""

from __future__ import annotations

import re

import pytest

from extract.readers import Document, Paragraph, Table, grid_texts
from tests.extract.readers.conftest import PREFIXES
from tests.extract.readers.render import merge_plan, sheet_merges, sheet_rows

# A space that stood next to a CJK character where the PDF wrapped the line: the PDF keeps no
# trace of it (see extract/readers/wrap.py), and reportlab writes the rest of a cell cut by a
# page break with spaces where its lines broke. Only these texts are compared without such spaces.
_SPACE_NEXT_TO_CJK = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")


def _padded(table: Table) -> list[list[str]]:
    return [row + [""] * (table.n_cols - len(row)) for row in grid_texts(table)]


def _spans(table: Table) -> set[tuple[int, int, int, int]]:
    return {(c.row, c.col, c.row_span, c.col_span) for c in table.cells() if c.row_span > 1 or c.col_span > 1}


def _planned(table: Table) -> set[tuple[int, int, int, int]]:
    return {(m.row, m.col, m.row_span, 1) for m in merge_plan(table)}


def _assert_same_blocks(expected: Document, got: Document, lossy) -> None:
    assert [type(b).__name__ for b in got.blocks] == [type(b).__name__ for b in expected.blocks]
    for want, have in zip(expected.blocks, got.blocks, strict=True):
        if isinstance(want, Paragraph):
            assert have.text == want.text
            continue
        assert (have.n_rows, have.n_cols) == (want.n_rows, want.n_cols)
        refs = {(c.row, c.col): c.source_ref for c in have.cells()}
        for r, (want_row, have_row) in enumerate(zip(_padded(want), grid_texts(have), strict=True)):
            for c, (text, read) in enumerate(zip(want_row, have_row, strict=True)):
                if lossy(text, refs.get((r, c), "")):
                    assert _SPACE_NEXT_TO_CJK.sub("", read) == _SPACE_NEXT_TO_CJK.sub("", text), (r, c)
                else:
                    assert read == text, (r, c, refs.get((r, c)))
        assert _spans(have) == _planned(want)


@pytest.mark.parametrize("kind", ["html", "docx"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_html_and_docx_read_back_exactly(prefix, kind, text_docs, read_back):
    _assert_same_blocks(text_docs[prefix], read_back[(prefix, kind)], lossy=lambda text, ref: False)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_pdf_reads_back_exactly_but_for_spaces_a_wrap_took(prefix, text_docs, read_back):
    def lossy(text: str, ref: str) -> bool:
        return bool(_SPACE_NEXT_TO_CJK.search(text)) or ";" in ref
    _assert_same_blocks(text_docs[prefix], read_back[(prefix, "pdf")], lossy)


def test_pdf_losses_are_few_and_only_spaces(text_docs, read_back):
    """The tolerance above is narrow: across the five samples the PDF cell texts differ from the
    text only by spaces in a handful of cells, and every other cell is exact."""
    differing = exact = 0
    for prefix in PREFIXES:
        for want, have in zip(text_docs[prefix].tables, read_back[(prefix, "pdf")].tables, strict=True):
            for want_row, have_row in zip(_padded(want), grid_texts(have), strict=True):
                for text, read in zip(want_row, have_row, strict=True):
                    differing += text != read
                    exact += text == read
    assert exact > 4000 and differing <= 12, (exact, differing)


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_workbooks_read_back_as_one_sheet_grid(prefix, kind, text_docs, read_back):
    doc = read_back[(prefix, kind)]
    rows = sheet_rows(text_docs[prefix])
    width = max(len(cells) for cells in rows.values())
    expected = [(rows.get(line, []) + [""] * width)[:width] for line in range(1, max(rows) + 1)]
    assert len(doc.tables) == 1  # the hidden sheet 草稿 is skipped
    table = doc.tables[0]
    assert table.source_ref == "Sheet1"
    assert grid_texts(table) == expected
    merged_labels = {(c.row, c.col, c.row_span) for c in table.cells() if c.row_span > 1}
    assert merged_labels == {(first - 1, col - 1, n) for first, col, n in sheet_merges(text_docs[prefix])}
    titles = {c.row + 1 for c in table.cells() if c.col_span > 1}
    assert titles == ({line for line, cells in rows.items() if len(cells) == 1} if width > 1 else set())


@pytest.mark.parametrize("kind", ["text", "html", "docx", "xlsx", "xls", "pdf"])
def test_the_83300_cell_of_sample_000_is_located_exactly(kind, text_docs, read_back):
    doc = text_docs["000"] if kind == "text" else read_back[("000", kind)]
    cells = [c for table in doc.tables for c in table.cells() if c.text == "83300"]
    expected = {"text": ("L11", 4, 4), "html": ("table 1 row 5 col 5", 4, 4),
                "docx": ("table 1 row 5 col 5", 4, 4), "xlsx": ("Sheet1!E11", 10, 4), "xls": ("Sheet1!E11", 10, 4),
                "pdf": ("page 1 table 1 row 5 col 5", 4, 4)}
    assert [(c.source_ref, c.row, c.col) for c in cells] == [expected[kind]]
    assert cells[0].source_line == (11 if kind == "text" else None)


@pytest.mark.parametrize("kind", ["html", "docx", "xlsx", "xls", "pdf"])
def test_a_merged_label_comes_back_with_its_span(kind, read_back):
    """000's 过程 covers the 25 rows of its group (lines 46-70); each of them reads it as its label."""
    table = read_back[("000", kind)].tables[0 if kind in ("xlsx", "xls") else 1]
    cell = next(c for c in table.cells() if c.text == "过程")
    assert (cell.row_span, cell.col_span) == (25, 1)
    labels = [row[cell.col] for row in grid_texts(table, spread=True)[cell.row:cell.row + 25]]
    assert labels == ["过程"] * 25
