"""Narrative cells hold HTML fragments ('<p>…</p> <p>…</p>'): keep the paragraphs, drop the tags."""

from __future__ import annotations

import html
import re

_PARAGRAPH_BREAK = re.compile(r"</p\s*>\s*<p[^>]*>|<br\s*/?>|</p\s*>|</div\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(cell: str) -> str:
    """Paragraphs become lines; tags go; entities are unescaped; blank lines are dropped."""
    text = _PARAGRAPH_BREAK.sub("\n", cell)
    text = html.unescape(_TAG.sub("", text))
    lines = (line.strip(" \t\u3000\u00a0") for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
