"""Bytes → text. Published files come as UTF-8, UTF-8 with BOM or GB18030/GBK, with LF or
CRLF line ends; the encoding is detected, never assumed."""

from __future__ import annotations

from dataclasses import dataclass

_BINARY_CONTROL = bytes(sorted(set(range(0, 9)) | {11, 12} | (set(range(14, 32)) - {27})))


class UnreadableDocument(ValueError):
    """The bytes are not a text document we can read; `code` goes to extraction_issues."""

    def __init__(self, code: str, message: str, line: int | None = None):
        super().__init__(message)
        self.code = code
        self.line = line


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str


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
    return DecodedText(text=text, encoding=encoding)
