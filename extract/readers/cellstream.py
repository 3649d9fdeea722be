"""Tables saved one cell per line or per paragraph (a web page copied as text, a PDF's text
layer): the grid is gone and a cell's words may be broken over two lines (`年度` / `指标值`,
`经济效益` / `指标`). A table's header shows that layout: a line `一级指标` followed by the
other header words, each on its own line; or a funding block's `项目资金(万元)` followed by its
column words. From there the rows are rebuilt:

* tokens are the paragraphs (blank lines between cells; a line holding only spaces is an empty
  cell), or the lines when no blank lines separate them;
* a token whose words are completed by the next one is joined with it (the joined text is a
  header word of the seed table_column_roles or a level label of the taxonomy seed, and the
  first part alone is not);
* an indicator row is its level labels, its 三级 name and then as many cells as the header
  has columns right of 三级指标; it is right-aligned under the header;
* a funding row is its label and the amounts that follow it up to the next label, under the
  header's columns from the one after the block label. A label followed by no amount ends it.

Header words that are the table's furniture (`绩效` / `指标`, a merged section cell) are
dropped. Everything else is as printed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from extract.cells import is_amount_attempt, is_amount_token, squash
from extract.column_roles import FUNDING, INDICATOR, load_vocabulary
from extract.readers.model import Block, Cell, Paragraph, Table
from extract.taxonomy import load_taxonomy

SECTION = "section"
_LEVEL3 = "level3"
_MAX_HEADER = 16
_FUNDING_LABEL = 12


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    line: int


def tokens_of(lines: list[tuple[int, str]]) -> list[Token]:
    """Cells from lines: per paragraph when blank lines separate the cells, else per line."""
    blank_between = sum(1 for (_, a), (_, b) in zip(lines, lines[1:], strict=False) if a and not b.strip())
    filled = sum(1 for _, text in lines if text.strip())
    if blank_between * 2 < filled:
        return [Token(text.strip(), number) for number, text in lines if text]
    tokens: list[Token] = []
    current: list[str] = []
    start = 0
    for number, text in lines:
        if text == "":
            if current:
                tokens.append(Token("\n".join(current).strip(), start))
                current = []
            continue
        if not current:
            start = number
        current.append(text.strip())
    if current:
        tokens.append(Token("\n".join(current).strip(), start))
    return tokens


def _is_amount(text: str) -> bool:
    return is_amount_token(text.rstrip("%％")) or (bool(text) and is_amount_attempt(text) and len(text) <= 12)


class _Stream:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.vocabulary = load_vocabulary()
        self.taxonomy = load_taxonomy()

    def joined(self, index: int, known: Callable[[str], bool], labels: bool = False) -> tuple[str, int]:
        """The token at `index`, joined with the next when that completes a known word: a
        header word whose first part alone is none (`年度` + `指标值`), or a level label whose
        second part alone is none (`服务对象满意度` + `指标`: the first part may be a label too)."""
        text = self.tokens[index].text
        if index + 1 < len(self.tokens) and text:
            following = self.tokens[index + 1].text
            both = text + following
            completes = not known(following) if labels else not known(text)
            if following and completes and known(both):
                return both, 2
        return text, 1

    def header(self, index: int, table: str) -> tuple[list[str], int]:
        """Header words from `index` (the first included), and the index after them."""
        def known(text: str) -> bool:
            return self.vocabulary.role_of(table, text) is not None

        words, at = [self.tokens[index].text], index + 1
        while at < len(self.tokens) and len(words) < _MAX_HEADER:
            text, used = self.joined(at, known)
            if not text and table == FUNDING:
                words.append("")
            elif known(text):
                role = self.vocabulary.role_of(table, text)
                if role is None or role.role != SECTION:
                    words.append(text)
            else:
                break
            at += used
        return words, at

    def indicator_rows(self, at: int, width: int, value_cols: int) -> tuple[list[list[Token]], int]:
        rows: list[list[Token]] = []
        while at < len(self.tokens):
            row: list[Token] = []
            while at < len(self.tokens):
                text, used = self.joined(at, self.taxonomy.is_label, labels=True)
                if not text:
                    at += used
                    continue
                if not self.taxonomy.is_label(text) or len(row) >= 2:
                    break
                row.append(Token(text, self.tokens[at].line))
                at += used
            if at >= len(self.tokens):
                break
            row.append(self.tokens[at])  # the 三级 name
            at += 1
            values = self.tokens[at:at + value_cols]
            at += len(values)
            row += values
            rows.append([Token("", row[0].line)] * (width - len(row)) + row)
        return rows, at

    def unit_label(self, index: int) -> tuple[list[str], int]:
        """The block label with its unit when the unit is on the next line (`项目资金` / `(元)`)."""
        text = self.tokens[index].text
        following = self.tokens[index + 1].text if index + 1 < len(self.tokens) else ""
        if not squash(text).endswith(")") and squash(following).startswith("(") and squash(following).endswith(")"):
            return [text + following], index + 2
        return [text], index + 1

    def pairs(self, at: int) -> tuple[list[list[Token]], int]:
        """Label / amount pairs, one row each; a line may hold an amount and the next label
        (`10,308,000.00 年度资金申请总额`). Stops at a label not followed by an amount."""
        parts: list[Token] = []
        end = at
        while end < len(self.tokens):
            token = self.tokens[end]
            words = token.text.split()
            if not words:
                end += 1
                continue
            if len(words) > 1 and not _is_amount(words[0]) and not any(_is_amount(w) for w in words):
                words = [token.text]  # a label with spaces in it
            parts += [Token(word, token.line) for word in words]
            end += 1
            if len(parts) >= 2 and not _is_amount(parts[-1].text) and not _is_amount(parts[-2].text):
                parts = parts[:-1]
                end -= 1
                break
        rows = [[parts[i], parts[i + 1]] for i in range(0, len(parts) - 1, 2)
                if not _is_amount(parts[i].text) and _is_amount(parts[i + 1].text)]
        return rows, end

    def funding_rows(self, at: int, first_col: int) -> tuple[list[list[Token]], int]:
        rows: list[list[Token]] = []
        while at < len(self.tokens):
            label = self.tokens[at]
            if not label.text or _is_amount(label.text):
                at += 1
                continue
            end = at + 1
            while end < len(self.tokens) and (not self.tokens[end].text or _is_amount(self.tokens[end].text)):
                end += 1
            if end == at + 1:
                break  # a label with no amount: the block is over
            rows.append([Token("", label.line)] * first_col + self.tokens[at:end])
            at = end
        return rows, at


def _table(header: list[str], rows: list[list[Token]], line: int) -> Table:
    width = max([len(header), *(len(r) for r in rows)])
    grid = [tuple(Cell(text, 0, col, 1, 1, f"L{line}", line) for col, text in enumerate(header))]
    for r, row in enumerate(rows, start=1):
        grid.append(tuple(Cell(token.text, r, col, 1, 1, f"L{token.line or line}", token.line or line)
                          for col, token in enumerate(row)))
    return Table(rows=tuple(grid), n_cols=width, source_ref=f"L{line}")


def is_stream_start(lines: list[str], index: int) -> bool:
    """A line `一级指标` followed by `二级指标` among the next few non-blank lines; or a funding
    block label `项目资金(万元)` on its own (or broken over two lines). Asked of every paragraph
    line of a text, so a substring test rules out almost all of them first."""
    line = lines[index]
    if "一级" not in line and "项目资金" not in line:
        return False
    text = squash(line)
    following = [squash(line) for line in lines[index + 1:index + 6] if line.strip()]
    if text == "一级指标":
        return "二级指标" in following[:3]
    if not text.startswith("项目资金") or len(text) > _FUNDING_LABEL:
        return False
    label = text if text.endswith(")") else text + (following[0] if following else "")
    return label.endswith(("(万元)", "(元)"))


def stream_blocks(lines: list[tuple[int, str]]) -> list[Block]:
    """The blocks of a stretch of one-cell-per-line text that starts at a stream header: its
    tables, and every other cell as a paragraph of its own."""
    stream = _Stream(tokens_of(lines))
    tables: list[Block] = []
    at = 0
    while at < len(stream.tokens):
        token = squash(stream.tokens[at].text)
        if token == "一级指标":
            header, after = stream.header(at, INDICATOR)
            roles = [stream.vocabulary.role_of(INDICATOR, word) for word in header]
            level3 = next((i for i, role in enumerate(roles) if role is not None and role.role == _LEVEL3), None)
            if level3 is None:
                at += 1
                continue
            rows, at = stream.indicator_rows(after, len(header), len(header) - level3 - 1)
            tables.append(_table(header, rows, stream.tokens[after - 1].line))
        elif token.startswith("项目资金"):
            header, after = stream.header(at, FUNDING)
            if len(header) == 1:
                # no column words: the block prints label / amount pairs (项目资金总额 10,308,000.00 …)
                label, after = stream.unit_label(at)
                rows, at = stream.pairs(after)
                # the block label opens the first pair's row, as in the printed grid
                header, rows = (label + [t.text for t in rows[0]], rows[1:]) if rows else (label, rows)
            else:
                rows, at = stream.funding_rows(after, 1)
            tables.append(_table(header, rows, stream.tokens[after - 1].line))
        else:
            if stream.tokens[at].text:
                tables.append(Paragraph(stream.tokens[at].text, f"L{stream.tokens[at].line}", stream.tokens[at].line))
            at += 1
    return tables
