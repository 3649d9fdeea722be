"""How a cell's or paragraph's text is trimmed, the same in every reader: the layout code
compares texts from a .txt and from a .pdf of the same form, so they must come out alike."""

from __future__ import annotations

import re

# The characters extract/cells.py trims off a cell: space, tab, ideographic space, NBSP, BOM
CELL_SPACE = " \t\u3000\u00a0\ufeff"
_LINE_END_SPACE = re.compile(r"[ \t\u3000\u00a0\ufeff]*\n[ \t\u3000\u00a0\ufeff]*")
_BLANK_LINES = re.compile(r"\n{2,}")


def clean_text(text: str) -> str:
    """Trim a multi-line text: CR/CRLF → LF, each line trimmed at both ends, runs of empty
    lines kept as one empty line, no empty line at either end. A one-line text is only trimmed."""
    if "\n" not in text and "\r" not in text:
        return text.strip(CELL_SPACE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_END_SPACE.sub("\n", text.strip(CELL_SPACE + "\n"))
    return _BLANK_LINES.sub("\n\n", text)
