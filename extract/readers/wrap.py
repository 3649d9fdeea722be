"""Rejoining lines that a PDF wrapped. A PDF keeps no paragraphs, only lines: a cell holding
"服务对象满意度指标" in a narrow column comes out as "服务对象满意度\\n指标". Which line breaks
were wraps (to remove) and which were written (to keep) is decided here, from the text alone
or, when the reader has it, from where each line ends on the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A line that starts like an item of a list keeps its own line: 1、 1. 1．(1) （1） ① 一、 （一） (一) 第一，
# `1.` only when no digit follows (so `1.5万元` wrapped to a line start is not a list item)
LIST_MARKER = re.compile(
    r"[\"“'‘「『]?(?:"
    r"\d{1,2}(?:[、．]|\.(?!\d))"
    r"|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|[一二三四五六七八九十]{1,3}、"
    r"|[①-⑳⑴-⒇⒈-⒛]"
    r"|第[一二三四五六七八九十]{1,3}[，,、：:]"
    r")"
)


def starts_list_item(line: str) -> bool:
    return LIST_MARKER.match(line.lstrip()) is not None


def _is_ascii_word_char(char: str) -> bool:
    return char.isascii() and not char.isspace()


def glue(before: str, after: str) -> str:
    """What goes between two pieces of one wrapped text: nothing for CJK (a Chinese line
    breaks anywhere and loses nothing), a space between two ASCII characters (Latin text wraps
    at spaces, and the space is what the wrap dropped)."""
    if before and after and _is_ascii_word_char(before[-1]) and _is_ascii_word_char(after[0]):
        return " "
    return ""


def rejoin_lines(lines: Sequence[str]) -> str:
    """Join the lines of one cell or paragraph, knowing only their text: a line that starts a
    list item keeps its line break, every other break is a wrap."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not out:
            out = line
        elif starts_list_item(line):
            out += "\n" + line
        else:
            out += glue(out, line) + line
    return out


@dataclass(frozen=True, slots=True)
class MeasuredLine:
    """A line as printed: its text, left and right edge, the width of its first token (a CJK
    character, or an ASCII word) and of a space in its font, its font size and height."""

    text: str
    x0: float
    x1: float
    first_token_width: float
    font_size: float
    top: float = 0.0
    bottom: float = 0.0
    space_width: float = 0.0

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def spare_room(line: MeasuredLine, following: MeasuredLine, available: float) -> float:
    """How much room, in ems, `line` left beyond what the next line's first token needs."""
    return (available - line.width - following.first_token_width) / following.font_size


def is_break(line: MeasuredLine, following: MeasuredLine, available: float) -> bool:
    """True when `line` ended by a line break in the text, not by wrapping. Text is laid out
    greedily (reportlab, Word, LibreOffice), so a wrapped line has no room for the next token;
    renderers keep some slack (reportlab's CJK wrap leaves up to a fifth of an em, kinsoku rules
    move a character), so a break needs a clear em of room, half an em before a list item."""
    room = spare_room(line, following, available)
    return room >= 1.0 or (room >= 0.5 and starts_list_item(following.text))


def _one_word(text: str) -> bool:
    return bool(text) and all(_is_ascii_word_char(char) for char in text)


def rejoin_measured(lines: Sequence[MeasuredLine], available: float | None = None) -> str:
    """Join the lines of one cell or paragraph using where they end: a break stays "\n", a
    wrap is joined as `glue` says, except after a line that is one ASCII word cut for being
    longer than the line. A space that stood at a wrap next to a CJK character is lost: the PDF
    does not keep it, and where the line ended cannot tell it apart from renderer slack.
    `available` is the width lines were wrapped to; unknown, the widest line stands for it."""
    kept = [line for line in lines if line.text.strip()]
    if not kept:
        return ""
    width = available if available is not None else max(line.width for line in kept)
    out = kept[0].text.strip()
    for previous, line in zip(kept, kept[1:], strict=False):
        text = line.text.strip()
        if is_break(previous, line, width):
            out += "\n" + text
        else:
            out += ("" if _one_word(previous.text.strip()) else glue(out, text)) + text
    return out
