"""Text documents → the model. A line with tabs is a table row (the way the forms were saved
as text until now), a line of ` | `-separated cells is one too (how pages saved from a browser
look); consecutive rows of the same kind form one table; every other non-blank line is a
paragraph. Lines are numbered 1-based on "\\n", as the gold and extract/cells.py number them.
"""

from __future__ import annotations

from extract.decode import UnreadableDocument, decode_document
from extract.readers.cellstream import is_stream_start, stream_blocks
from extract.readers.errors import ReaderError
from extract.readers.model import Block, Cell, Document, Paragraph, ReaderWarning, Table
from extract.readers.runtogether import run_together_table
from extract.readers.textnorm import CELL_SPACE

TAB, PIPE = "tab", "pipe"


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


_BROKEN_ROW_CELLS = 2


def _broken_row(line: str) -> bool:
    """A ` | ` line cut by a line break inside its row: it ends on a lone separator and holds
    one or two cells (`绩效指标 | 一级 指标 |` then `二级 指标 |` …); a complete row ends on
    the empty cells that pad it (`||`), holds the table's cells, or opens with a border `|`
    (a page that draws borders draws them on every row)."""
    body = line.strip(CELL_SPACE)
    cells = pipe_cells(line)
    return (body.endswith(" |") and not body.endswith("||") and not body.startswith("|") and cells is not None
            and len([c for c in cells if c]) <= _BROKEN_ROW_CELLS)


def _joined_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) with each broken ` | ` row joined to the lines that continue it
    (numbered by its first line)."""
    lines = text.split("\n")
    joined: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        number, line = index + 1, lines[index]
        while _broken_row(lines[index]) and index + 1 < len(lines) and pipe_cells(lines[index + 1]) is not None:
            index += 1
            line = line.rstrip(CELL_SPACE) + " " + lines[index].strip(CELL_SPACE)
        joined.append((number, line))
        index += 1
    return joined


def _row_of(line: str) -> tuple[str, list[str]] | None:
    if "\t" in line:
        return TAB, [cell.strip(CELL_SPACE) for cell in line.split("\t")]
    cells = pipe_cells(line)
    return (PIPE, cells) if cells is not None else None


def _table(rows: list[tuple[int, list[str]]]) -> Table:
    first, last = rows[0][0], rows[-1][0]
    table_rows = []
    for r, (line_no, cells) in enumerate(rows):
        ref = f"L{line_no}"
        table_rows.append(tuple(Cell(text, r, c, 1, 1, ref, line_no) for c, text in enumerate(cells)))
    return Table(rows=tuple(table_rows), n_cols=max(len(cells) for _, cells in rows),
                 source_ref=f"L{first}-L{last}" if last != first else f"L{first}")


def blocks_of_text(text: str) -> tuple[Block, ...]:
    """The blocks of a decoded text (no decoding here: the pipeline decodes once)."""
    blocks: list[Block] = []
    pending: list[tuple[int, list[str]]] = []
    pending_kind = ""
    numbered = _joined_lines(text) if " |" in text else list(enumerate(text.split("\n"), start=1))
    plain = [line for _, line in numbered]
    for index, (line_no, line) in enumerate(numbered):
        row = _row_of(line)
        if row is None and not pending and is_stream_start(plain, index):
            # one cell per line or paragraph from here on (extract/readers/cellstream.py)
            blocks.extend(stream_blocks([(n, raw.strip(CELL_SPACE) if raw.strip(CELL_SPACE) else
                                          ("" if not raw else " ")) for n, raw in numbered[index:]]))
            return tuple(blocks)
        if row is not None and row[0] == pending_kind:
            pending.append((line_no, row[1]))
            continue
        if pending:
            blocks.append(_table(pending))
            pending, pending_kind = [], ""
        if row is not None:
            pending_kind = row[0]
            pending.append((line_no, row[1]))
            continue
        stripped = line.strip(CELL_SPACE)
        if stripped:
            blocks.append(Paragraph(stripped, f"L{line_no}", line_no))
    if pending:
        blocks.append(_table(pending))
    return tuple(blocks)


def _split_run_together(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], tuple[ReaderWarning, ...]]:
    """In a text with no table at all (a page that lost its table into one line), a paragraph
    holding indicator rows run together becomes their table (extract/readers/runtogether.py)."""
    if any(isinstance(block, Table) for block in blocks):
        return blocks, ()
    out: list[Block] = []
    warnings: list[ReaderWarning] = []
    for block in blocks:
        found = run_together_table(block.text, block.source_line or 0) if isinstance(block, Paragraph) else None
        if found is None:
            out.append(block)
            continue
        out.append(found[0])
        warnings.append(found[1])
    return tuple(out), tuple(warnings)


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
    blocks, split = _split_run_together(blocks)
    return Document(name=name, format="text", blocks=blocks, warnings=warnings + split)
