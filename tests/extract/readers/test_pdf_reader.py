"""PDFs: ruled tables with spans from their cell boxes, tables and cells broken across pages
put back together, wrapped lines rejoined, and the PDFs that cannot be read refused."""

from __future__ import annotations

import re

import pytest

from extract.readers import ReaderError, grid_texts, read_document
from tests.extract.readers import specials


def _pages(table) -> list[int]:
    return sorted({int(p) for cell in table.cells() for p in re.findall(r"page (\d+)", cell.source_ref)})


@pytest.mark.parametrize("page_numbers", [False, True])
def test_a_table_broken_across_pages_is_one_table(page_numbers):
    doc = read_document("t.pdf", specials.pdf_table_across_pages(page_numbers=page_numbers))
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table"]
    assert doc.paragraphs[0].text == "南通市本级项目预算绩效目标表"
    (table,) = doc.tables
    assert _pages(table) == [1, 2, 3]
    assert grid_texts(table) == [specials.INDICATOR_HEADER] + [
        [row[0], row[1], row[2], row[3]] for row in specials.indicator_rows(90)]
    # the labels merged down all 90 rows are one cell each, though three pages cut them
    labels = [(c.text, c.row, c.col, c.row_span) for c in table.cells() if c.row_span > 1]
    assert labels == [("产出指标", 1, 0, 90), ("数量指标", 1, 1, 90)]
    assert [row[0] for row in grid_texts(table, spread=True)[1:]] == ["产出指标"] * 90


def test_tables_on_consecutive_pages_with_a_title_between_stay_two():
    doc = read_document("t.pdf", specials.pdf_two_tables_with_a_title_between())
    assert [type(b).__name__ for b in doc.blocks] == ["Table", "Paragraph", "Table"]
    assert [t.n_rows for t in doc.tables] == [4, 3]
    assert [t.source_ref for t in doc.tables] == ["page 1 table 1", "page 2 table 1"]


def test_a_row_taller_than_a_page_is_one_row_again():
    doc = read_document("t.pdf", specials.pdf_row_taller_than_a_page())
    (table,) = doc.tables
    assert grid_texts(table) == [["项目名称", "物业管理费"], ["立项必要性", specials.LONG_TEXT], ["资金总额", "19.53"]]
    cell = next(c for c in table.cells() if c.text == specials.LONG_TEXT)
    assert cell.source_ref == "page 1 table 1 row 2 col 2; page 2 table 1 row 1 col 2; page 3 table 1 row 1 col 2"


def test_a_header_repeated_on_each_page_is_read_once():
    (table,) = read_document("t.pdf", specials.pdf_repeated_header()).tables
    texts = grid_texts(table)
    assert len(texts) == 81 and texts[0] == specials.INDICATOR_HEADER
    assert texts[1:] == [[f"一级{i}", f"二级{i}", f"三级{i}", f"{i}%"] for i in range(80)]
    assert _pages(table) == [1, 2]


def test_wrapped_lines_are_joined_and_list_lines_kept():
    (table,) = read_document("t.pdf", specials.pdf_cell_with_list_lines()).tables
    assert grid_texts(table) == [
        ["年度目标", specials.LIST_TEXT],
        ["服务对象满意度指标", "≥90.00(%)"]]


def test_sample_000_table_crossing_pages_and_its_cut_row(read_back, text_docs):
    """000's indicator table runs over pages 2-5 and a page break cut its 年度目标 row; reportlab
    writes the rest of a cut paragraph with a space where each of its lines ended, which the
    reader keeps (they are in the PDF), so the text is compared without spaces next to CJK."""
    table = read_back[("000", "pdf")].tables[1]
    assert (table.n_rows, table.n_cols, _pages(table)) == (43, 8, [2, 3, 4, 5])
    cut = next(c for c in table.cells() if c.text.startswith("<p>1. 经济发展"))
    assert cut.source_ref == "page 2 table 2 row 1 col 3; page 3 table 1 row 1 col 3"
    expected = grid_texts(text_docs["000"].tables[1])[0][2]
    without = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")
    assert without.sub("", cut.text) == without.sub("", expected)


def test_encrypted_pdf():
    with pytest.raises(ReaderError) as info:
        read_document("secret.pdf", specials.pdf_encrypted())
    assert info.value.code == "encrypted"


def test_scanned_pdf_has_no_text_layer():
    with pytest.raises(ReaderError) as info:
        read_document("scan.pdf", specials.pdf_scanned())
    assert (info.value.code, info.value.ref) == ("no_text_layer", "page 1")


@pytest.mark.parametrize("data", [b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", b"%PDF-1.4\n" + b"\x00" * 100])
def test_broken_pdf_is_corrupt(data):
    with pytest.raises(ReaderError) as info:
        read_document("broken.pdf", data)
    assert info.value.code == "corrupt_file"
