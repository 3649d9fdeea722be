"""Table grids saved as JSON (`.json`): the cell texts of a PDF's ruled tables as pdfplumber's
`extract_tables()` gives them, kept by projects that extracted a PDF once and by scrapers that
publish what they read.

Accepted shapes (anything else is `unsupported_format`):
* a list of tables, a table being a list of rows of cells: `[[["一级指标", "二级指标"], …], …]`;
* one table: `[["一级指标", "二级指标"], …]`;
* `{"tables": [...]}`, or `{"pages": [{"tables": [...]}, …]}` (one entry per page).

A cell is a text, null (a position a merged cell covers: pdfplumber's own convention), or a
number (printed as JSON wrote it). Each table becomes a table of the model through
`table_from_grid` (spans recovered from the covered positions, text wrapped inside a cell
rejoined), with `source_ref` `table N row R col C` (`page P table N …` when pages are given).
The JSON itself is parsed by the standard library's `json`.
"""

from __future__ import annotations

import json
from typing import Any

from extract.readers.errors import ReaderError
from extract.readers.model import Document, Table
from extract.readers.pdf import table_from_grid

_SHAPE = ("a table grid: a list of tables, each a list of rows of cell texts (as pdfplumber's "
          "extract_tables() gives), or {\"tables\": …} / {\"pages\": [{\"tables\": …}]}")


def read_tablegrid(name: str, data: bytes) -> Document:
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise ReaderError("corrupt_file", f"not UTF-8 JSON: {err}") from err
    except json.JSONDecodeError as err:
        raise ReaderError("corrupt_file", f"broken JSON at line {err.lineno} column {err.colno}: {err.msg}",
                          f"L{err.lineno}") from err
    placed = _tables_of(value)
    if placed is None:
        raise ReaderError("unsupported_format", f"this JSON is not {_SHAPE}")
    tables: list[Table] = []
    for where, grid in placed:
        texts = [[_cell_text(cell) for cell in row] for row in grid]
        if any(text and text.strip() for row in texts for text in row):
            tables.append(table_from_grid(texts, source_ref=f"{where}table {len(tables) + 1}"))
    if not tables:
        raise ReaderError("empty_document", "the JSON table grid holds no cells")
    return Document(name, "tablegrid", tuple(tables))


def _tables_of(value: Any) -> list[tuple[str, list]] | None:
    """(page prefix, grid) of every table in the accepted shapes, or None."""
    if isinstance(value, dict):
        if isinstance(value.get("pages"), list):
            found: list[tuple[str, list]] = []
            for number, page in enumerate(value["pages"], start=1):
                tables = page.get("tables") if isinstance(page, dict) else None
                if not isinstance(tables, list) or not all(_is_grid(t) for t in tables):
                    return None
                found += [(f"page {number} ", table) for table in tables]
            return found
        value = value.get("tables")
    if _is_grid(value):
        return [("", value)]
    if isinstance(value, list) and value and all(_is_grid(table) for table in value):
        return [("", table) for table in value]
    return None


def _is_grid(value: Any) -> bool:
    """A list of rows, each a list of cells (text, null or number), not all rows empty."""
    return (isinstance(value, list) and bool(value)
            and all(isinstance(row, list) and all(_is_cell(cell) for cell in row) for row in value)
            and any(value))


def _is_cell(cell: Any) -> bool:
    return cell is None or isinstance(cell, str) or (isinstance(cell, int | float) and not isinstance(cell, bool))


def _cell_text(cell: str | int | float | None) -> str | None:
    if cell is None or isinstance(cell, str):
        return cell
    return str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)
