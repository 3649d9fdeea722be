"""Bytes → text. Published files come as UTF-8, UTF-8 with BOM or GB18030/GBK, with LF or
CRLF line ends; the encoding is detected, never assumed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BINARY_CONTROL = bytes(sorted(set(range(0, 9)) | {11, 12} | (set(range(14, 32)) - {27})))
# Control characters (Unicode Cc) other than tab, newline and CR: a NUL past the first 8 KB
# (which `_looks_binary` reads) splits no line but breaks cells and the CSV writer
_STRIPPED_CONTROLS = [code for code in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(code) not in "\t\n\r"]
_CONTROL = re.compile("[" + "".join(re.escape(chr(code)) for code in _STRIPPED_CONTROLS) + "]")
_C0_BYTES = bytes(code for code in _STRIPPED_CONTROLS if code < 0x80)


class UnreadableDocument(ValueError):
    """The bytes are not a text document we can read; `code` goes to extraction_issues."""

    def __init__(self, code: str, message: str, line: int | None = None):
        super().__init__(message)
        self.code = code
        self.line = line


@dataclass(frozen=True, slots=True)
class DecodedText:
    """The text as the layout code reads it, and the (line, code, message) of every line whose
    text was changed to get there (control characters stripped): the pipeline's warnings."""

    text: str
    encoding: str
    warnings: tuple[tuple[int, str, str], ...] = field(default=())


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _BINARY_CONTROL))
    return controls > max(8, len(sample) // 100)


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_document(data: bytes) -> DecodedText:
    """Decode a document's bytes and normalise line ends to '\\n'.

    Tries UTF-8 (BOM stripped) first, because a GB18030 decoder accepts almost any byte
    string and would turn UTF-8 into mojibake; falls back to GB18030 (a superset of GBK).
    A UTF-8 file whose only bad bytes are a multi-byte character cut at the very end was
    truncated, and is reported as such rather than misread as GB18030.
    """
    if not data.strip():
        raise UnreadableDocument("empty_file", "the file is empty (no text at all)", 1)
    if _looks_binary(data):
        raise UnreadableDocument("binary_file", "the file holds binary data (NUL or control bytes), not text", 1)
    encoding = "utf-8"
    body = data
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
        encoding = "utf-8-sig"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start >= len(body) - 3 and err.reason == "unexpected end of data":
            raise UnreadableDocument(
                "truncated_file",
                "the file ends inside a multi-byte UTF-8 character: it was cut off",
                _line_of_offset(body, err.start),
            ) from err
        try:
            text = data.decode("gb18030")
            encoding = "gb18030"
        except UnicodeDecodeError as gb_err:
            raise UnreadableDocument(
                "undecodable",
                f"the bytes are neither UTF-8 nor GB18030 (first bad byte at offset {err.start})",
                _line_of_offset(data, gb_err.start),
            ) from gb_err
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, warnings = strip_control_characters(text, body if encoding != "gb18030" else None)
    return DecodedText(text=text, encoding=encoding, warnings=warnings)


def _utf8_may_hold_controls(body: bytes) -> bool:
    """A test on the UTF-8 bytes, three times faster than a regex scan of the text: a C0 control
    or DEL is one byte, a C1 control is the bytes C2 80 to C2 9F: without them there is none."""
    return len(body.translate(None, _C0_BYTES)) != len(body) or b"\xc2" in body


def strip_control_characters(text: str, utf8: bytes | None = None) -> tuple[str, tuple[tuple[int, str, str], ...]]:
    """The text without control characters other than tab and newline, and one warning per line
    that held some. Every file passes here: a clean file costs one pass in C over its UTF-8
    bytes (`utf8`, when it was UTF-8) or its text; only a text that holds such characters is
    searched for the lines they sit on (CR is already a newline here)."""
    if utf8 is not None and not _utf8_may_hold_controls(utf8):
        return text, ()
    found: dict[int, list[str]] = {}
    line_no, scanned = 1, 0
    for match in _CONTROL.finditer(text):
        line_no += text.count("\n", scanned, match.start())
        scanned = match.start()
        found.setdefault(line_no, []).append(match.group())
    if not found:
        return text, ()
    warnings = tuple(
        (number, "control_characters", f"{len(chars)} control character(s) stripped from the line "
                                       f"({', '.join(sorted({f'U+{ord(char):04X}' for char in chars}))})")
        for number, chars in found.items())
    return _CONTROL.sub("", text), warnings
