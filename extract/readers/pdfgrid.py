"""Geometry of ruled tables on a PDF page, on top of pdfplumber: where the grid lines are, which
cell covers which grid positions, which characters fall in which cell, and which edges of a
table stay open at the bottom or top of a page.

An open edge is how a row or a merged cell that breaks across a page looks: the vertical rules
run to the page margin and stop with no horizontal rule under them (reportlab's `splitInRow`,
Word's "allow row to break across pages"). pdfplumber finds no cell in such an open box, so the
reader closes it with an explicit line and remembers that the box goes on on the next page.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from pdfplumber.utils.text import chars_to_textmap

from extract.readers.wrap import MeasuredLine

EDGE_TOLERANCE = 2.0  # points: how far apart two rules may be and still meet


def _merged_vertical_rules(edges: Sequence[dict]) -> list[tuple[float, float, float]]:
    """Vertical edges as whole rules (x, top, bottom): a rule drawn one row at a time is many
    touching segments, and only its two real ends matter."""
    by_x: dict[int, list[tuple[float, float, float]]] = {}
    for edge in edges:
        if edge["orientation"] == "v":
            by_x.setdefault(round(edge["x0"]), []).append((edge["x0"], edge["top"], edge["bottom"]))
    rules = []
    for segments in by_x.values():
        segments.sort(key=lambda s: s[1])
        x, top, bottom = segments[0]
        for sx, stop, sbottom in segments[1:]:
            if stop <= bottom + EDGE_TOLERANCE:
                bottom = max(bottom, sbottom)
            else:
                rules.append((x, top, bottom))
                x, top, bottom = sx, stop, sbottom
        rules.append((x, top, bottom))
    return rules


def closing_lines(edges: Sequence[dict]) -> list[dict]:
    """Explicit horizontal lines that close the open boxes of a page: wherever two or more
    vertical rules end at the same height with no horizontal rule meeting them there."""
    horizontal = [edge for edge in edges if edge["orientation"] == "h"]

    def met(x: float, y: float) -> bool:
        return any(abs(h["top"] - y) <= EDGE_TOLERANCE and h["x0"] - EDGE_TOLERANCE <= x <= h["x1"] + EDGE_TOLERANCE
                   for h in horizontal)

    dangling: dict[int, list[float]] = {}
    for x, top, bottom in _merged_vertical_rules(edges):
        for y in (top, bottom):
            if not met(x, y):
                dangling.setdefault(round(y), []).append(x)
    lines = []
    for y, xs in dangling.items():
        if len(xs) >= 2:
            x0, x1 = min(xs), max(xs)
            lines.append({"object_type": "line", "x0": x0, "x1": x1, "top": float(y), "bottom": float(y),
                          "width": x1 - x0, "height": 0.0})
    return lines


def cluster(values: Sequence[float], tolerance: float = EDGE_TOLERANCE) -> list[float]:
    """Sorted distinct values, those closer than `tolerance` taken as one."""
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > tolerance:
            out.append(value)
    return out


def _index(grid: Sequence[float], value: float) -> int:
    """The grid line nearest to `value`."""
    return min(range(len(grid)), key=lambda i: abs(grid[i] - value))


@dataclass(slots=True)
class PlacedCell:
    """A cell of a page's table: grid position and spans from its bounding box, its lines."""

    row: int
    col: int
    row_span: int
    col_span: int
    bbox: tuple[float, float, float, float]
    chars: list[dict] = field(default_factory=list)
    text: str = ""


@dataclass(slots=True)
class PageTable:
    """One ruled table of one page, its grid lines and which of its edges are open."""

    page: int
    index: int
    bbox: tuple[float, float, float, float]
    xs: list[float]
    ys: list[float]
    cells: list[PlacedCell]
    open_top: bool
    open_bottom: bool

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    def same_columns(self, other: PageTable) -> bool:
        return self.n_cols == other.n_cols and all(
            abs(a - b) <= EDGE_TOLERANCE for a, b in zip(self.xs, other.xs, strict=True))


def place_table(page: int, index: int, bbox: tuple[float, float, float, float],
                cell_boxes: Sequence[tuple[float, float, float, float]], closing: Sequence[dict]) -> PageTable:
    """Grid lines are every distinct cell edge; a cell spans the grid lines between its edges.
    pdfplumber reports covered positions of a merged cell as nothing: the box itself says how
    far the merge goes."""
    xs = cluster([x for box in cell_boxes for x in (box[0], box[2])])
    ys = cluster([y for box in cell_boxes for y in (box[1], box[3])])
    cells = []
    for box in sorted(cell_boxes, key=lambda b: (round(b[1]), round(b[0]))):
        c0, c1 = _index(xs, box[0]), _index(xs, box[2])
        r0, r1 = _index(ys, box[1]), _index(ys, box[3])
        if c1 > c0 and r1 > r0:
            cells.append(PlacedCell(r0, c0, r1 - r0, c1 - c0, box))

    def closed_by(y: float) -> bool:
        return any(abs(line["top"] - y) <= EDGE_TOLERANCE and line["x0"] <= bbox[0] + EDGE_TOLERANCE
                   and line["x1"] >= bbox[2] - EDGE_TOLERANCE for line in closing)

    return PageTable(page, index, bbox, xs, ys, cells, closed_by(bbox[1]), closed_by(bbox[3]))


def assign_chars(tables: Sequence[PageTable], chars: Sequence[dict]) -> list[dict]:
    """Put each character in the cell its centre falls in; return those outside every table."""
    owners = []
    for table in tables:
        owner: dict[tuple[int, int], PlacedCell] = {}
        for cell in table.cells:
            for r in range(cell.row, cell.row + cell.row_span):
                for c in range(cell.col, cell.col + cell.col_span):
                    owner.setdefault((r, c), cell)
        owners.append(owner)
    outside = []
    for char in chars:
        cx = (char["x0"] + char["x1"]) / 2
        cy = (char["top"] + char["bottom"]) / 2
        for table, owner in zip(tables, owners, strict=True):
            x0, top, x1, bottom = table.bbox
            if x0 <= cx <= x1 and top <= cy <= bottom:
                r = min(max(bisect_right(table.ys, cy) - 1, 0), table.n_rows - 1)
                c = min(max(bisect_right(table.xs, cx) - 1, 0), table.n_cols - 1)
                cell = owner.get((r, c))
                if cell is not None:
                    cell.chars.append(char)
                break
        else:
            outside.append(char)
    return outside


def _first_token_width(chars: Sequence[dict], size: float) -> float:
    """The width of the line's first token: one CJK character, or an ASCII word."""
    chars = [char for char in chars if not char["text"].isspace()]
    if not chars:
        return 0.0
    first = chars[0]
    if not first["text"].isascii():
        return first["x1"] - first["x0"]
    last = first
    for char in chars[1:]:
        if not char["text"].isascii() or char["x0"] - last["x1"] > 0.2 * size:
            break
        last = char
    return last["x1"] - first["x0"]


def space_ratio(chars: Sequence[dict]) -> float:
    """A space's width as a share of the font size, from the spaces the page draws (CJK fonts
    differ: a quarter em in STSong, half an em in SimSun); a quarter em when it draws none."""
    ratios = sorted((char["x1"] - char["x0"]) / char["size"] for char in chars
                    if char["text"] == " " and char.get("size"))
    return ratios[len(ratios) // 2] if ratios else 0.25


def measured_lines(chars: Sequence[dict], spaces: float = 0.25) -> list[MeasuredLine]:
    """The text lines the characters form (pdfplumber clusters them and puts the spaces in),
    each with where it starts and ends; `spaces` is `space_ratio` of the page."""
    if not chars:
        return []
    lines = chars_to_textmap(list(chars)).extract_text_lines(strip=True, return_chars=True)
    out = []
    for line in lines:
        line_chars = line["chars"]
        size = max((char.get("size", 0.0) for char in line_chars), default=0.0) or 10.0
        out.append(MeasuredLine(line["text"], line["x0"], line["x1"], _first_token_width(line_chars, size), size,
                                line["top"], line["bottom"], spaces * size))
    return out
