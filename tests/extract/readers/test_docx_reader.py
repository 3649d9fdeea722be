"""Word documents: body order, gridSpan and vMerge as spans, paragraphs inside a cell."""

from __future__ import annotations

import pytest

from extract.readers import ReaderError, grid_texts, read_document
from tests.extract.readers import specials


def test_body_order_spans_and_cell_paragraphs():
    doc = read_document("form.docx", specials.docx_with_spans())
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Paragraph"]
    assert [(p.text, p.source_ref) for p in doc.paragraphs] == [
        ("项目支出绩效目标申报表", "paragraph 1"), ("附件：指标说明", "paragraph 2")]
    (table,) = doc.tables
    assert grid_texts(table, spread=True) == [
        ["项目名称", "项目名称", "拆违经费", "拆违经费"],
        ["绩效指标", "一级指标", "二级指标", "三级指标"],
        ["绩效指标", "产出指标", "数量指标", "完成年度拆违计划\n（以销项清单为准）"],
        ["绩效指标", "产出指标", "质量指标", "违法建筑销项正确率"]]
    spans = {(c.text, c.row, c.col, c.row_span, c.col_span, c.source_ref)
             for c in table.cells() if c.row_span > 1 or c.col_span > 1}
    assert spans == {("项目名称", 0, 0, 1, 2, "table 1 row 1 col 1"), ("拆违经费", 0, 2, 1, 2, "table 1 row 1 col 3"),
                     ("绩效指标", 1, 0, 3, 1, "table 1 row 2 col 1"), ("产出指标", 2, 1, 2, 1, "table 1 row 3 col 2")}
    # a vMerge continue cell is covered by the cell above, not a cell of its own
    assert sum(1 for _ in table.cells()) == 11


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_corrupt_docx(rendered, cut):
    data = rendered[("001", "docx")].read_bytes()
    with pytest.raises(ReaderError) as info:
        read_document("cut.docx", data[: int(len(data) * cut)])
    assert info.value.code == "corrupt_file"
    assert "python-docx" in info.value.message and "BadZipFile" in info.value.message


def test_zip_without_a_document_is_corrupt():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a word file")
    with pytest.raises(ReaderError) as info:
        read_document("empty.docx", out.getvalue())
    assert info.value.code == "corrupt_file"


def _docx_with_nested_table(inner_merge: str) -> bytes:
    """A 2×3 body table whose middle top cell holds a 3×2 table (after a paragraph of its own).
    `inner_merge`: "none"; "restart" merges the inner table's first column over its first two
    rows (vMerge restart / continue, as Word writes it); "orphan" gives the inner table's first
    cell `vMerge continue` with no cell above it (as some converters write it)."""
    import io

    import docx
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    document = docx.Document()
    document.add_paragraph("项目支出绩效目标申报表")
    outer = document.add_table(rows=2, cols=3)
    for (r, c), text in {(0, 0): "项目名称", (0, 2): "拆违经费", (1, 0): "一级指标", (1, 1): "二级指标",
                         (1, 2): "三级指标"}.items():
        outer.cell(r, c).text = text
    holder = outer.cell(0, 1)
    holder.text = "资金来源"
    inner = holder.add_table(rows=3, cols=2)
    for r, texts in enumerate([("财政拨款", "100"), ("", "20"), ("其他资金", "5")]):
        for c, text in enumerate(texts):
            if text:
                inner.cell(r, c).text = text
    if inner_merge == "restart":
        inner.cell(0, 0).merge(inner.cell(1, 0))
    elif inner_merge == "orphan":
        merge = OxmlElement("w:vMerge")
        merge.set(qn("w:val"), "continue")
        inner.cell(0, 0)._tc.get_or_add_tcPr().append(merge)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("inner_merge", "nested_lines"), [
    ("none", ["财政拨款 100", "20", "其他资金 5"]),
    # the merged cell's text once, on the row it starts in (python-docx's rows give it to each row)
    ("restart", ["财政拨款 100", "20", "其他资金 5"]),
    # a continue with nothing above is a cell of its own, as in a body table (python-docx raised)
    ("orphan", ["财政拨款 100", "20", "其他资金 5"]),
])
def test_a_nested_table_lands_in_its_cell_and_the_outer_grid_keeps_its_shape(inner_merge, nested_lines):
    doc = read_document("nested.docx", _docx_with_nested_table(inner_merge))
    (table,) = doc.tables
    assert (table.n_rows, table.n_cols) == (2, 3)
    assert grid_texts(table) == [["项目名称", "\n".join(["资金来源", *nested_lines]), "拆违经费"],
                                 ["一级指标", "二级指标", "三级指标"]]
