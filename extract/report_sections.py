"""A self-evaluation report (部门整体绩效自评价报告) → its sections as narratives.

Reports number their top-level sections inconsistently ('一、', '二、', then '3、 ', '4、 ',
then '六、'), and reuse Arabic numbering for sub-items ('1．年度收支情况'). A line opens a
top-level section when it is numbered AND names one of the standard sections; everything up
to the next such line is that section's text, paragraphs kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.cells import Row, squash

_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d+)\s*[、．.]\s*(?P<heading>.+?)\s*$")
_ATTACHMENT = re.compile(r"^\s*附件\s*[:：]\s*(?P<heading>.+?)\s*$")
_MAX_HEADING_CHARS = 40

# (field, words one of which the heading contains) in template order
SECTIONS = (
    ("overview", ("概况", "基本情况")),
    ("conclusion", ("评价结论", "自评结论")),
    ("achievements", ("履职成效", "绩效目标完成情况", "主要成效")),
    ("problems", ("存在问题", "问题及原因")),
    ("suggestions", ("建议", "改进措施")),
    ("evaluation_work", ("评价工作开展", "其他需说明", "其他说明")),
)


@dataclass(frozen=True, slots=True)
class Section:
    field: str
    label_raw: str
    text: str
    source_line: int


def section_field(line: str) -> tuple[str, str] | None:
    """(field, heading as printed) when the line opens a top-level section."""
    attachment = _ATTACHMENT.match(line)
    if attachment:
        return "attachment", line.strip()
    numbered = _NUMBERED.match(line)
    if not numbered or len(squash(line)) > _MAX_HEADING_CHARS:
        return None
    heading = squash(numbered.group("heading"))
    for name, words in SECTIONS:
        if any(word in heading for word in words):
            return name, line.strip()
    return None


def read_sections(rows: tuple[Row, ...] | list[Row]) -> list[Section]:
    sections: list[Section] = []
    current: tuple[str, str, int] | None = None
    paragraphs: list[str] = []

    def close() -> None:
        if current is not None:
            sections.append(Section(current[0], current[1], "\n".join(paragraphs), current[2]))

    for row in rows:
        line = "\t".join(row.cells).strip()
        if not line:
            continue
        opened = section_field(line)
        if opened:
            close()
            current, paragraphs = (opened[0], opened[1], row.line_no), []
        elif current is not None:
            paragraphs.append(line)
    close()
    return sections
