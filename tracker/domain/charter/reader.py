"""Split a charter document into table rows and plain lines, whatever its layout. Pure.

Three layouts occur in real charters (and may mix in one file):

- ``pipe``: markdown tables, ``| a | b |``; separator rows ``|---|`` are dropped;
- ``tab``: one row per line, cells separated by TAB;
- ``cell-per-line``: a line that starts with a TAB (and has no other TAB) opens a new
  cell, any other line continues the current cell. Rows are cut by the width of the table
  header (the header itself ends where the column-number row "(১)" or a serial begins).
  A heading line (a service section, GRS, ...) ends the table.

Every cell keeps the 1-based line it starts on, so problems can point at the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.domain.charter.sections import classify_heading, looks_like_header
from tracker.domain.charter.text import is_parenthesised_number, parse_serial

_SEPARATOR = re.compile(r"^\s*:?-{2,}:?\s*$")


@dataclass
class Cell:
    text: str
    line: int


@dataclass
class Row:
    line: int
    cells: list[Cell]
    layout: str
    end_line: int = 0

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


@dataclass(frozen=True)
class TextLine:
    line: int
    text: str


Event = Row | TextLine


@dataclass
class _OpenRow:
    """The row being assembled in the cell-per-line layout."""

    cells: list[Cell] = field(default_factory=list)
    is_header: bool = False
    end_line: int = 0


def _pipe_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return inner.split("|")


def read_events(text: str) -> tuple[list[Event], dict[str, int]]:
    """The rows and plain lines of a document, and how many rows each layout gave."""
    events: list[Event] = []
    counts = {"pipe": 0, "tab": 0, "cell-per-line": 0}
    open_row: _OpenRow | None = None
    width: int | None = None

    def flush() -> None:
        nonlocal open_row, width
        if open_row is not None and open_row.cells:
            if open_row.is_header:
                width = len(open_row.cells)
            first = open_row.cells[0].line
            events.append(Row(first, open_row.cells, "cell-per-line", open_row.end_line))
            counts["cell-per-line"] += 1
        open_row = None

    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        stripped = line.strip()
        if stripped.startswith("|") and stripped.count("|") >= 2:
            flush()
            cells = _pipe_cells(line)
            if all(_SEPARATOR.match(c) for c in cells if c.strip()) and any(
                c.strip() for c in cells
            ):
                continue
            events.append(Row(number, [Cell(c, number) for c in cells], "pipe", number))
            counts["pipe"] += 1
        elif line.startswith("\t") and line.count("\t") == 1:
            content = line[1:]
            if open_row is None:
                open_row = _OpenRow(is_header=looks_like_header([content]))
            elif open_row.is_header and (
                parse_serial(content) is not None or is_parenthesised_number(content)
            ):
                flush()
                open_row = _OpenRow()
            elif width is not None and len(open_row.cells) >= width:
                flush()
                open_row = _OpenRow(is_header=looks_like_header([content]))
            open_row.cells.append(Cell(content, number))
            open_row.end_line = number
        elif "\t" in line:
            flush()
            events.append(Row(number, [Cell(c, number) for c in line.split("\t")], "tab", number))
            counts["tab"] += 1
        elif not stripped:
            continue
        elif open_row is not None and classify_heading(stripped) is None:
            last = open_row.cells[-1]
            last.text = f"{last.text}\n{line}"
            open_row.end_line = number
        else:
            flush()
            events.append(TextLine(number, line))
    flush()
    return events, counts
