"""Readers: every published format → one document model (`extract.readers.model`).

`read_document(name, data)` picks the reader by the file's suffix (or by its first bytes when
the suffix lies) and returns a `Document`; input it cannot read raises `ReaderError` with a
stable code. Each reader stands on the library made for its format: lxml.html, openpyxl, xlrd,
python-docx, pdfplumber, json (table grids as pdfplumber gives them); text goes through
extract/decode.py as it always has.
"""

from __future__ import annotations

from collections.abc import Callable

from extract.readers.detect import DOCX, GRID, HTML, PDF, TEXT, XLS, XLSX, choose_format
from extract.readers.errors import SUPPORTED_FORMATS, ReaderError
from extract.readers.model import (
    Block,
    Cell,
    Document,
    GridSlot,
    Paragraph,
    ReaderWarning,
    Table,
    grid_texts,
    resolve_grid,
)

__all__ = [
    "Block", "Cell", "Document", "GridSlot", "Paragraph", "ReaderError", "ReaderWarning", "SUPPORTED_FORMATS",
    "Table", "grid_texts", "read_document", "reader_for", "resolve_grid",
]


def reader_for(kind: str) -> Callable[[str, bytes], Document]:
    """The reader function of a format; imported on demand, so reading text never loads the
    PDF stack (pdfplumber and pdfminer take a noticeable time to import)."""
    if kind == TEXT:
        from extract.readers.text import read_text
        return read_text
    if kind == HTML:
        from extract.readers.html import read_html
        return read_html
    if kind == XLSX:
        from extract.readers.xlsx import read_xlsx
        return read_xlsx
    if kind == XLS:
        from extract.readers.xls import read_xls
        return read_xls
    if kind == DOCX:
        from extract.readers.docx import read_docx
        return read_docx
    if kind == PDF:
        from extract.readers.pdf import read_pdf
        return read_pdf
    if kind == GRID:
        from extract.readers.tablegrid import read_tablegrid
        return read_tablegrid
    raise ValueError(f"no reader for {kind!r}")


def read_document(name: str, data: bytes) -> Document:
    """Read one published file. `name` is only used for its suffix and kept on the document."""
    kind = choose_format(name, data)
    if not data:
        raise ReaderError("empty_file", "the file is empty (0 bytes)", "L1" if kind == TEXT else None)
    return reader_for(kind)(name, data)
