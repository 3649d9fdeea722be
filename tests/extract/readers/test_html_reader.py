"""Web pages: spans placed as browsers place them, markup inside cells, text around tables,
the declared (or detected) encoding."""

from __future__ import annotations

import pytest

from extract.readers import Paragraph, ReaderError, grid_texts, read_document
from extract.readers.htmlcodec import declared_encoding
from tests.extract.readers.render import render_html


def _read(html: str, encoding: str = "utf-8", name: str = "page.html"):
    return read_document(name, html.encode(encoding))


def test_rowspan_colspan_and_markup_inside_cells():
    doc = _read("""<html><body><table border=1>
      <thead><tr><th colspan="2">一级指标 / 二级指标</th><th>三级指标</th><th>全年指标值</th></tr></thead>
      <tbody>
      <tr><td rowspan="3"><b>产出</b>指标</td><td rowspan=2><span style="x">数量</span>指标</td>
          <td>招引科创项目数</td><td><font color=red>&ge;1800</font>个</td></tr>
      <tr><td>组织科技招商<br>专题活动</td><td><p>≥2场</p><p>（全年）</p></td></tr>
      <tr><td>质量指标</td><td>  获奖数  </td><td>≥10个</td></tr>
      </tbody></table></body></html>""")
    (table,) = doc.tables
    assert grid_texts(table, spread=True) == [
        ["一级指标 / 二级指标", "一级指标 / 二级指标", "三级指标", "全年指标值"],
        ["产出指标", "数量指标", "招引科创项目数", "≥1800个"],
        ["产出指标", "数量指标", "组织科技招商\n专题活动", "≥2场\n（全年）"],
        ["产出指标", "质量指标", "获奖数", "≥10个"],
    ]
    spans = {(c.text, c.row, c.col, c.row_span, c.col_span, c.source_ref) for c in table.cells() if
             c.row_span > 1 or c.col_span > 1}
    assert spans == {("一级指标 / 二级指标", 0, 0, 1, 2, "table 1 row 1 col 1"),
                     ("产出指标", 1, 0, 3, 1, "table 1 row 2 col 1"), ("数量指标", 1, 1, 2, 1, "table 1 row 2 col 2")}


def test_gbk_page_declaring_gb2312_is_decoded(text_docs):
    # GB2312 declared, GB18030 bytes: the way Chinese government sites publish
    data = render_html(text_docs["000"], charset="gb2312", encoding="gb18030")
    assert declared_encoding(data) == "gb18030"
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    doc = read_document("000.htm", data)
    assert doc.paragraphs[0].text == "江北新区部门整体预算绩效目标表"
    assert grid_texts(doc.tables[0])[4][4] == "83300"
    assert grid_texts(doc.tables[1])[13][4] == "“三公经费”变动率"
    utf8 = read_document("000.html", render_html(text_docs["000"]))
    assert [grid_texts(t) for t in doc.tables] == [grid_texts(t) for t in utf8.tables]


def test_http_equiv_declaration_and_undeclared_gbk():
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=GBK"></head>' \
           "<body><p>项目名称：拆违经费</p><table><tr><td>资金总额</td><td>83300</td></tr></table></body></html>"
    assert _read(page, "gbk").paragraphs[0].text == "项目名称：拆违经费"
    undeclared = page.replace("; charset=GBK", "")
    assert _read(undeclared, "gbk").paragraphs[0].text == "项目名称：拆违经费"
    assert _read(undeclared, "utf-8").paragraphs[0].text == "项目名称：拆违经费"


def test_page_without_a_table_gives_paragraphs_only():
    doc = _read("""<html><head><title>不是正文</title><style>p{}</style><script>var x = "<p>no</p>";</script></head>
      <body><h1>2023年度部门整体绩效自评价报告</h1>
      <div>一、部门（单位）概况<br/>（一）部门（单位）基本情况</div>
      <p>本年度收入567.37万元，
         其中一般公共预算财政拨款。</p><!-- 注释 --></body></html>""")
    assert doc.tables == ()
    assert [(p.text, p.source_ref) for p in doc.paragraphs] == [
        ("2023年度部门整体绩效自评价报告", "paragraph 1"), ("一、部门（单位）概况", "paragraph 2"),
        ("（一）部门（单位）基本情况", "paragraph 3"),
        ("本年度收入567.37万元， 其中一般公共预算财政拨款。", "paragraph 4")]


def test_layout_table_around_the_data_table_is_read_as_page():
    doc = _read("""<html><body><table width="100%"><tr><td>
        <div>南通市本级项目预算绩效目标表</div>
        <table border=1><tr><td>项目名称</td><td>物业管理费</td></tr></table>
        <p>附件：指标体系</p></td></tr></table></body></html>""")
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Paragraph"]
    assert grid_texts(doc.tables[0]) == [["项目名称", "物业管理费"]]
    assert doc.tables[0].source_ref == "table 1"


def test_spans_that_would_overlap_are_cut_and_caption_is_a_paragraph():
    doc = _read("""<table><caption>表1 收入</caption>
        <tr><td>a</td><td rowspan="2">b</td><td>c</td></tr>
        <tr><td colspan="3">d</td></tr>
        <tr><td rowspan="0">e</td><td colspan="x">f</td></tr>
        <tr><td>g</td></tr></table>""")
    assert isinstance(doc.blocks[0], Paragraph) and doc.blocks[0].text == "表1 收入"
    table = doc.tables[0]
    assert {(c.text, c.row, c.col, c.row_span, c.col_span) for c in table.cells()} == {
        ("a", 0, 0, 1, 1), ("b", 0, 1, 2, 1), ("c", 0, 2, 1, 1), ("d", 1, 0, 1, 1),
        ("e", 2, 0, 2, 1), ("f", 2, 1, 1, 1), ("g", 3, 1, 1, 1)}


@pytest.mark.parametrize("page", ["", "   ", "<html><body><table><tr><td> </td></tr></table></body></html>"])
def test_empty_pages_are_errors(page):
    with pytest.raises(ReaderError) as info:
        read_document("empty.html", page.encode())
    assert info.value.code in ("empty_file", "empty_document")


def test_a_utf8_mark_before_a_gbk_page_is_dropped_not_an_error():
    page = "<html><head><meta charset='gbk'></head><body><table><tr><td>单位名称</td><td>南通市科学技术局</td></tr>"
    data = b"\xef\xbb\xbf" + (page + "</table></body></html>").encode("gbk")
    document = read_document("stray_bom.html", data)
    assert grid_texts(document.tables[0]) == [["单位名称", "南通市科学技术局"]]


def test_text_holding_the_stream_marks_is_read_as_text():
    # the reader cuts the page with Unicode noncharacters, chosen among those the page does not
    # hold, as such or as a character reference (libxml2 keeps even control characters)
    marks = "".join(chr(code) for code in range(0xFDD0, 0xFDD8))
    doc = _read(f"<p>{marks}&#xFDD8;\x1e&#64985;</p><table><tr><td rowspan=2>a{marks}</td>"
                f"<td>&#xfdd9;b</td></tr><tr><td>c&#30;</td></tr></table>")
    assert doc.paragraphs[0].text == marks + "\ufdd8\x1e\ufdd9"
    assert grid_texts(doc.tables[0]) == [["a" + marks, "\ufdd9b"], ["", "c\x1e"]]
