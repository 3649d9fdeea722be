"""Laid-out tables (`Table.laid_out`: the web page and sheet readers give their rows' texts and
where their 1×1 cells sit, and make cells only when `rows` is read, refs only when a row's are
asked) give the layout code exactly what their cells give.

Three checks, on every rendered sample and on generated tricky tables (row and column spans,
spans clipped at the edges, overlapping merged ranges, hidden rows and columns):
* the rows extract/document_rows.py reads off the laid-out table are the rows it reads off a
  plain table of the same cells (the `resolve_grid` path), their refs, made when asked, too;
* the table's row texts, size and spans are what its cells give;
* a sheet's cells are what the cell-by-cell `grid_table` made before the readers laid their
  tables out (`reference_grid_table`, kept here as it was).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extract.document_rows import rows_of
from extract.readers import Document, Table, read_document
from extract.readers.model import Cell
from extract.readers.sheet import Merge, _last_filled, column_letter, grid_table, sheet_ref
from tests.extract.readers.conftest import PREFIXES

LAID_OUT_FORMATS = ("html", "xls", "xlsx")


def _as_cells(table: Table) -> Table:
    """The same table made up front from its cells: nothing kept, every answer computed."""
    return Table(table.rows, table.n_cols, table.source_ref)


def assert_laid_out_matches_its_cells(document: Document) -> None:
    tables = [block for block in document.blocks if isinstance(block, Table)]
    assert all(table.laid_out_rows() is not None for table in tables)
    fast = rows_of(document)
    plain = Document(document.name, document.format,
                     tuple(_as_cells(b) if isinstance(b, Table) else b for b in document.blocks))
    for table in tables:
        reference = _as_cells(table)
        assert (table.row_texts(), table.has_spans, table.n_rows) == (
            reference.row_texts(), reference.has_spans, reference.n_rows)
    eager = rows_of(plain)
    assert fast == eager
    assert [row.all_refs() for row in fast] == [row.all_refs() for row in eager]
    assert [[row.ref(col) for col in (None, *range(-1, len(row.all_refs()) + 2))] for row in fast] == [
        [row.ref(col) for col in (None, *range(-1, len(row.all_refs()) + 2))] for row in eager]


@pytest.mark.parametrize("kind", LAID_OUT_FORMATS)
@pytest.mark.parametrize("prefix", PREFIXES)
def test_rendered_samples_give_the_rows_their_cells_give(rendered, prefix, kind):
    path = rendered[(prefix, kind)]
    assert_laid_out_matches_its_cells(read_document(path.name, path.read_bytes()))


# Web pages: a table of random spans (0 = "to the end of the table"), empty and repeated texts
_SPAN = st.sampled_from(["", "0", "1", "2", "3", "5", "x", "2x"])
_HTML_CELL = st.tuples(st.sampled_from(["", "a", "b", "决策"]), _SPAN, _SPAN, st.booleans())
_HTML_TABLE = st.lists(st.lists(_HTML_CELL, min_size=0, max_size=5), min_size=1, max_size=7)


def _html(rows: list[list[tuple[str, str, str, bool]]]) -> str:
    out = ["<html><body><p>title</p><table>"]
    for row in rows:
        out.append("<tr>")
        for text, row_span, col_span, header in row:
            tag = "th" if header else "td"
            attrs = (f' rowspan="{row_span}"' if row_span else "") + (f' colspan="{col_span}"' if col_span else "")
            out.append(f"<{tag}{attrs}>{text}</{tag}>")
        out.append("</tr>")
    out.append("</table><p>after</p></body></html>")
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(st.lists(_HTML_TABLE, min_size=1, max_size=2))
def test_generated_web_page_tables_give_the_rows_their_cells_give(tables):
    page = "".join(_html(rows) for rows in tables)
    try:
        document = read_document("page.html", page.encode("utf-8"))
    except Exception as err:  # a page of empty tables and no text is not what is tested here
        assert getattr(err, "code", None) == "empty_document"
        return
    assert_laid_out_matches_its_cells(document)


def reference_grid_table(name: str, texts: Sequence[Sequence[str]], n_cols: int, hidden_rows: set[int],
                         hidden_cols: set[int], merges: Iterable[Merge]) -> Table | None:
    """extract/readers/sheet.py's `grid_table` as it was when it made every cell (commit 79ee731)."""
    n_rows = len(texts)
    rows = [r for r in range(1, n_rows + 1) if r not in hidden_rows]
    cols = [c for c in range(1, n_cols + 1) if c not in hidden_cols]
    grid_row = {r: i for i, r in enumerate(rows)}
    grid_col = {c: i for i, c in enumerate(cols)}
    ref = sheet_ref(name)

    def text_at(r: int, c: int) -> str:
        line = texts[r - 1] if r <= n_rows else ()
        return line[c - 1] if c <= len(line) else ""

    covered: dict[int, set[int]] = {}
    merged: dict[int, dict[int, list[Cell]]] = {}
    last_row = last_col = -1
    for merge in merges:
        span_rows = [grid_row[r] for r in range(merge.first_row, merge.last_row + 1) if r in grid_row]
        span_cols = [grid_col[c] for c in range(merge.first_col, merge.last_col + 1) if c in grid_col]
        if not span_rows or not span_cols:
            continue
        for i in span_rows:
            covered.setdefault(i, set()).update(span_cols)
        text = text_at(merge.first_row, merge.first_col)
        i, j = span_rows[0], span_cols[0]
        cell = Cell(text, i, j, len(span_rows), len(span_cols), f"{ref}!{column_letter(cols[j])}{rows[i]}", None)
        merged.setdefault(i, {}).setdefault(j, []).append(cell)
        if text:
            last_row, last_col = max(last_row, cell.last_row), max(last_col, cell.last_col)
    width = len(cols)
    visible = [[line[c - 1] if c <= len(line) else "" for c in cols] for line in (texts[r - 1] for r in rows)]

    def last_text(i: int) -> int:
        line, row_covered = visible[i], covered.get(i)
        if not row_covered:
            return _last_filled(line, width)
        return max((j for j, text in enumerate(line[:width]) if text and j not in row_covered), default=-1)

    for i in range(len(visible) - 1, last_row, -1):
        if any(visible[i]) and last_text(i) >= 0:
            last_row = i
            break
    for i in range(last_row + 1):
        if last_col == width - 1:
            break
        last_col = max(last_col, last_text(i))
    if last_row < 0:
        return None
    prefixes = [f"{ref}!{column_letter(c)}" for c in cols[:last_col + 1]]
    table_rows: list[tuple[Cell, ...]] = []
    n_table_rows, n_table_cols = last_row + 1, last_col + 1
    for i, line in enumerate(visible[:last_row + 1]):
        number = str(rows[i])
        row_covered = covered.get(i, set())
        origins = merged.get(i, {})
        cells = []
        for j in range(last_col + 1):
            for cell in origins.get(j, ()):
                cells.append(cell)
                n_table_rows = max(n_table_rows, cell.last_row + 1)
                n_table_cols = max(n_table_cols, cell.last_col + 1)
            if j not in row_covered:
                cells.append(Cell(line[j], i, j, 1, 1, prefixes[j] + number, None))
        table_rows.append(tuple(cells))
    table_rows.extend(() for _ in range(n_table_rows - len(table_rows)))
    return Table(tuple(table_rows), n_table_cols, ref)


_SHEET_TEXT = st.sampled_from(["", "", "a", "b", "指标"])


@st.composite
def sheets(draw: st.DrawFn) -> tuple[list[list[str]], int, set[int], set[int], list[Merge]]:
    n_rows, n_cols = draw(st.integers(1, 8)), draw(st.integers(1, 6))
    texts = [draw(st.lists(_SHEET_TEXT, min_size=0, max_size=n_cols)) for _ in range(n_rows)]
    hidden_rows = draw(st.sets(st.integers(1, n_rows + 1), max_size=3))
    hidden_cols = draw(st.sets(st.integers(1, n_cols + 1), max_size=2))
    merges = []
    for _ in range(draw(st.integers(0, 4))):  # ranges may overlap, reach past the text, or be all hidden
        first_row, first_col = draw(st.integers(1, n_rows + 1)), draw(st.integers(1, n_cols))
        merges.append(Merge(first_row, first_col, first_row + draw(st.integers(0, 4)),
                            min(n_cols, first_col + draw(st.integers(0, 3)))))
    return texts, n_cols, hidden_rows, hidden_cols, merges


@settings(max_examples=500, deadline=None)
@given(sheets())
# one visible origin, two texts; overlapping ranges; a range past the text, its first column hidden
@example(([["a", "x"], ["b", ""], ["", "c"]], 2, {1}, set(), [Merge(1, 1, 2, 2), Merge(2, 1, 3, 1)]))
@example(([["a", "b", "c"], ["", "d", ""]], 3, set(), set(), [Merge(1, 2, 2, 3), Merge(2, 1, 2, 2)]))
@example(([["", ""], ["a", ""]], 4, set(), {1}, [Merge(2, 2, 5, 4)]))
def test_generated_sheets_give_the_cells_and_rows_of_the_cell_by_cell_table(sheet):
    texts, n_cols, hidden_rows, hidden_cols, merges = sheet
    table = grid_table("Sheet 1", texts, n_cols, hidden_rows, hidden_cols, merges)
    reference = reference_grid_table("Sheet 1", texts, n_cols, hidden_rows, hidden_cols, merges)
    if reference is None:
        assert table is None
        return
    assert table is not None
    assert (table.n_rows, table.n_cols, table.row_texts(), table.has_spans) == (
        reference.n_rows, reference.n_cols, reference.row_texts(), reference.has_spans)
    assert rows_of(Document("s.xls", "xls", (table,))) == rows_of(Document("s.xls", "xls", (reference,)))
    assert table.rows == reference.rows
