"""Text documents → the model. A line with tabs is a table row (the way the forms were saved
as text until now), a line of ` | `-separated cells is one too (how pages saved from a browser
look); consecutive rows of the same kind form one table; every other non-blank line is a
paragraph. Lines are numbered 1-based on "\\n", as the gold and extract/cells.py number them.

This is the path every text file takes, so it does no more per line than extract/cells.py's
`to_rows`: one split and strip of the cells, one tuple per cell, and the table's row texts
handed over as split (the layout code asks for them; they need no cell to be read back).
"""

from __future__ import annotations

from extract.decode import UnreadableDocument, decode_document
from extract.readers.errors import ReaderError
from extract.readers.model import Block, Cell, Document, Paragraph, ReaderWarning, Table
from extract.readers.textnorm import CELL_SPACE

TAB, PIPE = "tab", "pipe"
_new = tuple.__new__  # Cell and Paragraph are named tuples: built from their fields in one call


def pipe_cells(line: str) -> list[str] | None:
    """The cells of a ` | `-separated line (`a | b | |||`), or None when the line is not one.
    A leading and a trailing `|` are borders, not empty cells; `||` is an empty cell."""
    body = line.strip(CELL_SPACE)
    if not (" | " in body or body.startswith("|") or body.endswith(" |")):
        return None
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return [cell.strip(CELL_SPACE) for cell in body.split("|")]


def _table(rows: list[tuple[int, list[str]]]) -> Table:
    """One table of consecutive rows (line number, cell texts): each text one 1×1 cell at its
    column, so a row's texts are the row texts `Table.row_texts()` gives, and no cell spans."""
    first, last = rows[0][0], rows[-1][0]
    table_rows = []
    texts = []
    n_cols = 0
    for r, (line_no, cells) in enumerate(rows):
        ref = f"L{line_no}"
        table_rows.append(tuple([_new(Cell, (text, r, c, 1, 1, ref, line_no)) for c, text in enumerate(cells)]))
        texts.append(tuple(cells))
        if len(cells) > n_cols:
            n_cols = len(cells)
    return Table.known(tuple(table_rows), n_cols, f"L{first}-L{last}" if last != first else f"L{first}",
                       row_texts=tuple(texts), has_spans=False)


def blocks_of_text(text: str) -> tuple[Block, ...]:
    """The blocks of a decoded text (no decoding here: the pipeline decodes once)."""
    blocks: list[Block] = []
    pending: list[tuple[int, list[str]]] = []
    pending_kind = ""
    for line_no, line in enumerate(text.split("\n"), start=1):
        if "\t" in line:
            kind, cells = TAB, [cell.strip(CELL_SPACE) for cell in line.split("\t")]
        elif "|" in line and (cells := pipe_cells(line)) is not None:  # type: ignore[assignment]
            kind = PIPE
        else:
            if pending:
                blocks.append(_table(pending))
                pending, pending_kind = [], ""
            stripped = line.strip(CELL_SPACE)
            if stripped:
                blocks.append(_new(Paragraph, (stripped, f"L{line_no}", line_no)))
            continue
        if kind != pending_kind and pending:
            blocks.append(_table(pending))
            pending = []
        pending_kind = kind
        pending.append((line_no, cells))
    if pending:
        blocks.append(_table(pending))
    return tuple(blocks)


def read_text(name: str, data: bytes) -> Document:
    """Decode (UTF-8, UTF-8 with BOM or GB18030, as extract/decode.py decides) and split."""
    try:
        decoded = decode_document(data)
    except UnreadableDocument as err:
        raise ReaderError(err.code, str(err), f"L{err.line}" if err.line else None) from err
    warnings = tuple(ReaderWarning(f"L{line}", code, message) for line, code, message in decoded.warnings)
    blocks = blocks_of_text(decoded.text)
    if not blocks:
        raise ReaderError("empty_document", "the file holds only blank lines", "L1")
    return Document(name=name, format="text", blocks=blocks, warnings=warnings)
