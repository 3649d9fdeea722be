"""Text documents → the model. A line with tabs is a table row (the way the forms were saved
as text until now), a line of ` | `-separated cells is one too (how pages saved from a browser
look); consecutive rows of the same kind form one table; every other non-blank line is a
paragraph. Lines are numbered 1-based on "\\n", as the gold and extract/cells.py number them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from extract.decode import UnreadableDocument, decode_document
from extract.readers.cellstream import is_stream_start, stream_blocks
from extract.readers.errors import ReaderError
from extract.readers.model import Block, Cell, Document, Paragraph, ReaderWarning, Table
from extract.readers.runtogether import run_together_table
from extract.readers.textnorm import CELL_SPACE

TAB, PIPE = "tab", "pipe"
# what CELL_SPACE trims off a cell of a tab line, but the tab that split it off
_PADDING = tuple(CELL_SPACE.replace("\t", ""))


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


_new = tuple.__new__  # Cell and Paragraph are named tuples: built from their fields in one call


def _cells(texts: tuple[tuple[str, ...], ...], lines: tuple[int, ...]) -> tuple[tuple[Cell, ...], ...]:
    """A text table's cells: each text one 1×1 cell at its column, named by its line."""
    rows = []
    for r, (line_no, cells) in enumerate(zip(lines, texts, strict=True)):
        ref = f"L{line_no}"
        rows.append(tuple([_new(Cell, (text, r, c, 1, 1, ref, line_no)) for c, text in enumerate(cells)]))
    return tuple(rows)


def _table(lines: list[int], texts: list[tuple[str, ...]]) -> Table:
    """One table of consecutive rows (their line numbers and cell texts). Its row texts are the
    split lines and no cell spans, so the table is handed both and its cells are made only if
    they are read (`Table.deferred`): extract/document_rows.py reads the row texts and lines."""
    first, last = lines[0], lines[-1]
    row_texts, row_lines = tuple(texts), tuple(lines)
    return Table.deferred(partial(_cells, row_texts, row_lines), max(map(len, texts)),
                          f"L{first}-L{last}" if last != first else f"L{first}", row_texts, row_lines)


def _numbered(text: str) -> tuple[Sequence[int], list[str]]:
    """The line numbers and the lines of a text: its "\\n" lines, numbered from 1, or, where a
    ` | ` row may be broken over lines, the lines with each broken row joined (numbered by its
    first line)."""
    if " |" not in text:
        lines = text.split("\n")
        return range(1, len(lines) + 1), lines
    joined = _joined_lines(text)
    return [number for number, _ in joined], [line for _, line in joined]


def _stream_lines(numbers: Sequence[int], lines: list[str], start: int) -> list[tuple[int, str]]:
    """The lines from `start` on as extract/readers/cellstream.py takes them: trimmed, a line of
    only spaces kept as one space (an empty cell), an empty line as ""."""
    out = []
    for number, raw in zip(numbers[start:], lines[start:], strict=True):
        stripped = raw.strip(CELL_SPACE)
        out.append((number, stripped if stripped else ("" if not raw else " ")))
    return out


def blocks_of_text(text: str) -> tuple[Block, ...]:
    """The blocks of a decoded text (no decoding here: the pipeline decodes once).

    Every text file takes this loop, so it does per line no more than extract/cells.py's
    `to_rows` did: a line is split only when it holds a tab (or tried as a pipe row only when
    it holds a `|`), and a paragraph line is asked whether a cell stream starts there only
    when it holds one of the words such a start needs."""
    blocks: list[Block] = []
    # line numbers and cell texts of the table's rows so far; tuples of strings, which the
    # garbage collector stops tracking, where lists it would go over until the table is done
    pending_lines: list[int] = []
    pending: list[tuple[str, ...]] = []
    pending_kind = ""
    numbers, lines = _numbered(text)
    space, ideographic, nbsp, bom = _PADDING
    for index, line in enumerate(lines):
        if "\t" in line:
            # most table lines hold no space character at all: their cells need no trimming (four
            # `in` tests run through the line in C; a regex character class is slower per character)
            kind, cells = TAB, (tuple([cell.strip(CELL_SPACE) for cell in line.split("\t")])
                                if space in line or ideographic in line or nbsp in line or bom in line
                                else tuple(line.split("\t")))
        elif "|" in line and (piped := pipe_cells(line)) is not None:
            kind, cells = PIPE, tuple(piped)
        else:
            if pending:
                blocks.append(_table(pending_lines, pending))
                pending_lines, pending, pending_kind = [], [], ""
            elif ("一级" in line or "项目资金" in line) and is_stream_start(lines, index):
                # one cell per line or paragraph from here on (extract/readers/cellstream.py)
                blocks.extend(stream_blocks(_stream_lines(numbers, lines, index)))
                return tuple(blocks)
            stripped = line.strip(CELL_SPACE)
            if stripped:
                line_no = numbers[index]
                blocks.append(_new(Paragraph, (stripped, f"L{line_no}", line_no)))
            continue
        if kind != pending_kind and pending:
            blocks.append(_table(pending_lines, pending))
            pending_lines, pending = [], []
        pending_kind = kind
        pending_lines.append(numbers[index])
        pending.append(cells)
    if pending:
        blocks.append(_table(pending_lines, pending))
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
        if found[2] is not None:
            out.append(found[2])
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
