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
