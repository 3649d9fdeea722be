"""The one error every reader raises for input it cannot read, so the pipeline has one thing
to catch and one (code, message, ref) to put in `extraction_issues`."""

from __future__ import annotations

import re

SUPPORTED_FORMATS = ".txt .html/.htm .xlsx .xls .docx .pdf .json (table grids)"

_LINE_REF = re.compile(r"L(\d+)")


class ReaderError(ValueError):
    """Bad input: `code` is a stable word for extraction_issues (`unsupported_format`,
    `corrupt_file`, `encrypted`, `no_text_layer`, `empty_document`, and the text decoder's
    `empty_file`, `binary_file`, `truncated_file`, `undecodable`), `message` says what is wrong
    for a person, `ref` where in the file when known (`L12`, `page 3`, `Sheet1`)."""

    def __init__(self, code: str, message: str, ref: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref

    @property
    def line(self) -> int | None:
        """The line number of an `L<n>` ref: what extraction_issues.line holds today."""
        match = _LINE_REF.fullmatch(self.ref or "")
        return int(match.group(1)) if match else None

    def __repr__(self) -> str:
        return f"ReaderError({self.code!r}, {self.message!r}, {self.ref!r})"
