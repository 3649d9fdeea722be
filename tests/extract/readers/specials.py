"""Small documents built for one reader behaviour each: a PDF table broken across pages, a row
taller than a page, a repeated header, an encrypted PDF, a scan; a Word table with spans."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape


def _pdf_styles():
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10, leading=14, wordWrap="CJK", spaceAfter=8)
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")
    return body, cell


def _page_number(canvas, doc) -> None:
    canvas.setFont("STSong-Light", 9)
    canvas.drawCentredString(297, 20, f"- {doc.page} -")


def pdf(story_of, page_numbers: bool = False, **doc_options) -> bytes:
    """Build a PDF from `story_of(body_style, cell_style)`: a list of flowables; with
    `page_numbers`, each page gets a `- N -` footer as most published PDFs do."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    body, cell = _pdf_styles()
    out = io.BytesIO()
    template = SimpleDocTemplate(out, pagesize=A4, leftMargin=40, rightMargin=40, topMargin=40, bottomMargin=40,
                                 **doc_options)
    footer = {"onFirstPage": _page_number, "onLaterPages": _page_number} if page_numbers else {}
    template.build(story_of(body, cell), **footer)
    return out.getvalue()


def ruled_table(rows, cell_style, widths, spans=(), repeat_rows=0, split_in_row=1):
    from reportlab.platypus import Paragraph, Table, TableStyle

    table = Table([[Paragraph(escape(text).replace("\n", "<br/>"), cell_style) for text in row] for row in rows],
                  colWidths=widths, splitInRow=split_in_row, repeatRows=repeat_rows)
    style = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    style += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in spans]
    table.setStyle(TableStyle(style))
    return table


INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "全年指标值"]


def indicator_rows(n: int) -> list[list[str]]:
    """n indicator rows under one 产出指标 label (merged down all of them)."""
    return [["产出指标" if i == 0 else "", "数量指标" if i == 0 else "", f"三级指标第{i + 1}项", f"≥{i + 1}个"]
            for i in range(n)]


def pdf_table_across_pages(n: int = 90, spacer: float = 300, page_numbers: bool = False) -> bytes:
    """A title, then a header and n rows whose 一级/二级 labels are merged down all n rows: the
    table starts low on page 1 and runs over two more pages."""
    from reportlab.platypus import Paragraph, Spacer

    def story(body, cell):
        rows = [INDICATOR_HEADER, *indicator_rows(n)]
        spans = [(1, 0, n, 0), (1, 1, n, 1)]
        return [Paragraph("南通市本级项目预算绩效目标表", body), Spacer(1, spacer),
                ruled_table(rows, cell, [90, 90, 235, 100], spans)]
    return pdf(story, page_numbers=page_numbers)


def pdf_two_tables_with_a_title_between() -> bytes:
    """Two tables with the same columns on consecutive pages, the second under its own title:
    two tables, not one."""
    from reportlab.platypus import PageBreak, Paragraph

    def story(body, cell):
        return [ruled_table([INDICATOR_HEADER, *indicator_rows(3)], cell, [90, 90, 235, 100]), PageBreak(),
                Paragraph("第二个项目：物业管理费", body),
                ruled_table([INDICATOR_HEADER, *indicator_rows(2)], cell, [90, 90, 235, 100])]
    return pdf(story)


LONG_TEXT = "。".join(f"第{i}条说明全市创新创业生态持续优化科技型企业加快集聚" for i in range(1, 160)) + "。"


def pdf_row_taller_than_a_page() -> bytes:
    """A row whose narrative cell is taller than a page: reportlab cuts it over three pages."""
    def story(body, cell):
        rows = [["项目名称", "物业管理费"], ["立项必要性", LONG_TEXT], ["资金总额", "19.53"]]
        return [ruled_table(rows, cell, [100, 200])]
    return pdf(story)


def pdf_repeated_header(n: int = 80) -> bytes:
    """A long table whose header row is printed again on each page."""
    def story(body, cell):
        rows = [INDICATOR_HEADER, *[[f"一级{i}", f"二级{i}", f"三级{i}", f"{i}%"] for i in range(n)]]
        return [ruled_table(rows, cell, [90, 90, 235, 100], repeat_rows=1, split_in_row=0)]
    return pdf(story)


LIST_TEXT = ("1、完成市、区相关部门下达的年度拆违任务。\n2、新增违建零增长。\n"
             "（三）开展存量违建专项治理，快速降低违建点位数。")


def pdf_cell_with_list_lines() -> bytes:
    """A narrow cell with real line breaks before list items and wraps inside them."""
    def story(body, cell):
        return [ruled_table([["年度目标", LIST_TEXT], ["服务对象满意度指标", "≥90.00(%)"]], cell, [40, 120])]
    return pdf(story)


def pdf_encrypted() -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.platypus import Paragraph

    encrypt = pdfencrypt.StandardEncryption("user-secret", "owner-secret", canPrint=0)
    return pdf(lambda body, cell: [Paragraph("资金总额 83300", body)], encrypt=encrypt)


def pdf_scanned() -> bytes:
    """An image-only PDF: a page photo with no text layer, as a scanner makes it."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(image)
    for y in range(100, 700, 40):
        draw.rectangle([60, y, 540, y + 30], outline=0)
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.drawImage(ImageReader(image), 40, 40, width=515, height=760)
    page.showPage()
    page.save()
    return out.getvalue()


def docx_with_spans() -> bytes:
    """A Word table with a horizontal merge (gridSpan), a vertical one (vMerge), and a cell of
    two paragraphs, between two body paragraphs."""
    import docx

    document = docx.Document()
    document.add_paragraph("项目支出绩效目标申报表")
    table = document.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    texts = [["项目名称", "", "拆违经费", ""], ["绩效指标", "一级指标", "二级指标", "三级指标"],
             ["", "产出指标", "数量指标", "完成年度拆违计划"], ["", "", "质量指标", "违法建筑销项正确率"]]
    grid = [row.cells for row in table.rows]
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            if text:
                grid[r][c].text = text
    grid[0][0].merge(grid[0][1])
    grid[0][2].merge(grid[0][3])
    grid[1][0].merge(grid[3][0])
    grid[2][1].merge(grid[3][1])
    cell = grid[2][3]
    cell.add_paragraph("（以销项清单为准）")
    document.add_paragraph("附件：指标说明")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
