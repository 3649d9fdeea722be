"""Render the text samples the way publishers publish them: a web page, an Excel workbook (new
and old), a Word document and a PDF, with the samples' exact cell texts.

What the text shows as a label followed by blank cells (`决策` on one row, nothing below it in
the 一级指标 column until the next label) a publisher draws as one merged cell: here it becomes
an HTML rowspan, a merged range, a Word vMerge and a spanned ruled cell. Plain numbers are
numeric cells in the workbooks (`83300`, `4128.4`, `100%` with a percent format), and the PDF
lets long tables break across pages (rows cut by the page included: `splitInRow`).

`merge_plan` is the single statement of which cells are merged; the tests compare what each
reader gives back against it and against the text reader's grid.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from extract.readers.model import Document, Paragraph, Table

LEVEL_HEADERS = ("一级指标", "二级指标")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
_PERCENT = re.compile(r"(?:0|[1-9][0-9]*)(?:\.([0-9]+))?%")


@dataclass(frozen=True, slots=True)
class Merge:
    """A label cell that covers the blank cells below it: 0-based row and column in its table."""

    row: int
    col: int
    row_span: int


def table_texts(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows]


def merge_plan(table: Table) -> list[Merge]:
    """Under each header row holding 一级指标/二级指标, a label in those columns covers the blank
    cells below it, up to the next label, the next header row or the end of the table; a 二级
    label never reaches past a new 一级 label."""
    rows = table_texts(table)
    merges: list[Merge] = []
    r = 0
    while r < len(rows):
        if LEVEL_HEADERS[0] not in rows[r]:
            r += 1
            continue
        level_cols = [rows[r].index(h) for h in LEVEL_HEADERS if h in rows[r]]
        end = next((k for k in range(r + 1, len(rows)) if LEVEL_HEADERS[0] in rows[k]), len(rows))
        bounds = set()  # rows where an outer level starts a new group
        for col in level_cols:
            k = r + 1
            while k < end:
                if k < len(rows) and col < len(rows[k]) and rows[k][col]:
                    span = 1
                    while (k + span < end and col < len(rows[k + span]) and not rows[k + span][col]
                           and k + span not in bounds):
                        span += 1
                    if span > 1:
                        merges.append(Merge(k, col, span))
                    bounds.add(k)
                    k += span
                else:
                    k += 1
        r = end
    return merges


def _covered(merges: Sequence[Merge]) -> set[tuple[int, int]]:
    return {(m.row + i, m.col) for m in merges for i in range(1, m.row_span)}


def _span_of(merges: Sequence[Merge]) -> dict[tuple[int, int], int]:
    return {(m.row, m.col): m.row_span for m in merges}


# ------------------------------------------------------------------ HTML

def render_html(doc: Document, charset: str = "utf-8", encoding: str = "utf-8") -> bytes:
    """A page with a <p> per paragraph and a bordered <table> per table; the charset declared
    in <meta> and the bytes' encoding are separate, as on real sites (GB2312 declared, GBK used)."""
    parts = [f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"><title>{html.escape(doc.name)}</title>'
             '</head>\n<body>\n<div class="content">\n']
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            parts.append(f"<p><span>{html.escape(block.text)}</span></p>\n")
            continue
        merges = merge_plan(block)
        covered, spans = _covered(merges), _span_of(merges)
        parts.append('<table border="1" cellspacing="0">\n<tbody>\n')
        for r, row in enumerate(table_texts(block)):
            parts.append("<tr>")
            for c, text in enumerate(row):
                if (r, c) in covered:
                    continue
                span = spans.get((r, c), 1)
                attr = f' rowspan="{span}" style="vertical-align: middle"' if span > 1 else ""
                parts.append(f"<td{attr}><font size=\"2\">{html.escape(text)}</font></td>")
            parts.append("</tr>\n")
        parts.append("</tbody>\n</table>\n")
    parts.append("</div>\n</body></html>\n")
    return "".join(parts).encode(encoding)


# ------------------------------------------------------------------ workbooks

def sheet_rows(doc: Document) -> dict[int, list[str]]:
    """The document as a sheet: text line N is sheet row N; a paragraph is one cell in column A."""
    rows: dict[int, list[str]] = {}
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            rows[block.source_line] = [block.text]
        else:
            for row in block.rows:
                rows[row[0].source_line] = [cell.text for cell in row]
    return rows


def sheet_merges(doc: Document) -> list[tuple[int, int, int]]:
    """(first sheet row, column, rows) of each merged label, 1-based as a sheet counts."""
    out = []
    for table in doc.tables:
        first_line = table.rows[0][0].source_line
        out.extend((first_line + m.row, m.col + 1, m.row_span) for m in merge_plan(table))
    return out


def numeric(text: str) -> tuple[float | int, str] | None:
    """A plain number as (value, number format), or None for text a sheet keeps as text."""
    if _INT.fullmatch(text) and len(text) < 16:
        return int(text), "General"
    if _FLOAT.fullmatch(text) and repr(float(text)) == text:
        return float(text), "General"
    match = _PERCENT.fullmatch(text)
    if match:
        decimals = len(match.group(1) or "")
        return round(float(text[:-1]) / 100, decimals + 2), "0" + ("." + "0" * decimals if decimals else "") + "%"
    return None


def render_xlsx(doc: Document, hidden_sheet: bool = True) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    rows = sheet_rows(doc)
    width = max(len(cells) for cells in rows.values())
    covered = {(r + i, c) for r, c, n in sheet_merges(doc) for i in range(1, n)}
    for line, cells in rows.items():
        for c, text in enumerate(cells, start=1):
            if not text or (line, c) in covered:
                continue
            number = numeric(text)
            cell = sheet.cell(row=line, column=c, value=number[0] if number else text)
            if number:
                cell.number_format = number[1]
            elif text.startswith("="):  # `=100%` is a target as printed, not a formula
                cell.data_type = "s"
        if len(cells) == 1 and width > 1:  # a title line: merged across the sheet
            sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
    for first, col, n in sheet_merges(doc):
        sheet.merge_cells(start_row=first, start_column=col, end_row=first + n - 1, end_column=col)
    if hidden_sheet:
        draft = workbook.create_sheet("草稿")
        draft["A1"] = "内部草稿，不公开"
        draft.sheet_state = "hidden"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render_xls(doc: Document, hidden_sheet: bool = True) -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Sheet1")
    styles: dict[str, xlwt.XFStyle] = {}
    rows = sheet_rows(doc)
    width = max(len(cells) for cells in rows.values())
    merges = sheet_merges(doc)
    starts = {(r, c): n for r, c, n in merges}
    covered = {(r + i, c) for r, c, n in merges for i in range(1, n)}

    def value_and_style(text: str) -> tuple[object, xlwt.XFStyle]:
        number = numeric(text)
        if number is None:
            return text, styles.setdefault("General", xlwt.easyxf(num_format_str="General"))
        return number[0], styles.setdefault(number[1], xlwt.easyxf(num_format_str=number[1]))

    for line, cells in rows.items():
        if len(cells) == 1 and width > 1:
            sheet.write_merge(line - 1, line - 1, 0, width - 1, cells[0])
            continue
        for c, text in enumerate(cells, start=1):
            if (line, c) in covered:
                continue
            value, style = value_and_style(text)
            n = starts.get((line, c))
            if n:
                sheet.write_merge(line - 1, line - 1 + n - 1, c - 1, c - 1, value, style)
            elif text:
                sheet.write(line - 1, c - 1, value, style)
    return xls_bytes(workbook, hidden_sheet)


def xls_bytes(workbook, hidden_sheet: bool) -> bytes:
    """An xlwt workbook saved to bytes, with a hidden draft sheet the reader must skip."""
    if hidden_sheet:
        draft = workbook.add_sheet("草稿")
        draft.write(0, 0, "内部草稿，不公开")
        draft.visibility = 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ Word

def render_docx(doc: Document) -> bytes:
    import docx

    document = docx.Document()
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            document.add_paragraph(block.text)
            continue
        texts = table_texts(block)
        table = document.add_table(rows=len(texts), cols=block.n_cols)
        table.style = "Table Grid"
        grid = [row.cells for row in table.rows]  # once: python-docx finds a cell by walking the table
        for r, row in enumerate(texts):
            for c, text in enumerate(row):
                if text:
                    grid[r][c].text = text
        for merge in merge_plan(block):
            grid[merge.row][merge.col].merge(grid[merge.row + merge.row_span - 1][merge.col])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ PDF

FRAME_WIDTH = 515.0  # A4 portrait less 40 pt margins


MIN_COLUMN = 24.0


def column_widths(texts: list[list[str]], n_cols: int) -> list[float]:
    """Widths in proportion to each column's longest text (capped at 40 characters), each at
    least MIN_COLUMN, filling the frame."""
    longest = [max((len(row[c]) for row in texts if c < len(row)), default=0) for c in range(n_cols)]
    weights = [min(max(n, 1), 40) for n in longest]
    spare = FRAME_WIDTH - MIN_COLUMN * n_cols
    return [MIN_COLUMN + spare * w / sum(weights) for w in weights]


def render_pdf(doc: Document) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10, leading=14, wordWrap="CJK", spaceAfter=8)
    cell_style = ParagraphStyle("cell", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")
    story = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            story.append(RLParagraph(escape(block.text), body))
            continue
        texts = table_texts(block)
        data = [[RLParagraph(escape(text), cell_style) for text in row] for row in texts]
        style = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        for merge in merge_plan(block):
            style.append(("SPAN", (merge.col, merge.row), (merge.col, merge.row + merge.row_span - 1)))
            style.append(("VALIGN", (merge.col, merge.row), (merge.col, merge.row), "MIDDLE"))
        table = RLTable(data, colWidths=column_widths(texts, block.n_cols), splitInRow=1)
        table.setStyle(TableStyle(style))
        story.extend([table, Spacer(1, 10)])
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=40, rightMargin=40, topMargin=40, bottomMargin=40,
                      title=doc.name).build(story)
    return out.getvalue()


RENDERERS = {"html": render_html, "xlsx": render_xlsx, "xls": render_xls, "docx": render_docx, "pdf": render_pdf}
SUFFIX = {"html": ".html", "xlsx": ".xlsx", "xls": ".xls", "docx": ".docx", "pdf": ".pdf"}
