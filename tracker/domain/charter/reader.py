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
    #: False for a markdown row whose line lacks its closing "|" (cut in the middle?)
    closed: bool = True

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
    """The row being assembled in the cell-per-line layout.

    The lines of the last cell are collected in ``tail`` and joined when the next cell
    starts or the row ends: appending each line to the cell's text copied the whole cell
    every time (quadratic on a cell of many lines).
    """

    cells: list[Cell] = field(default_factory=list)
    is_header: bool = False
    end_line: int = 0
    tail: list[str] = field(default_factory=list)

    def add_cell(self, cell: Cell) -> None:
        self.join_tail()
        self.cells.append(cell)
        self.tail = [cell.text]

    def join_tail(self) -> None:
        if self.cells and len(self.tail) > 1:
            self.cells[-1].text = "\n".join(self.tail)
        self.tail = []


def _pipe_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return inner.split("|")


def _is_pipe_row(stripped: str) -> bool:
    """A markdown table line: starts with a pipe and has at least one more."""
    return stripped.startswith("|") and stripped.count("|") >= 2


def _is_separator_row(cells: list[str]) -> bool:
    """A markdown ``|---|---|`` line (not a row of empty cells)."""
    return all(_SEPARATOR.match(c) for c in cells if c.strip()) and any(
        c.strip() for c in cells
    )


class _Reader:
    """Reads a document line by line; the cell-per-line layout needs state across lines
    (the row being assembled and the header's width), so it lives here, not in locals."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.counts = {"pipe": 0, "tab": 0, "cell-per-line": 0}
        self._open: _OpenRow | None = None
        self._width: int | None = None  # cells in the header row, once one was read

    def read_line(self, number: int, line: str) -> None:
        # The order of the tests matters: a single leading TAB is cell-per-line even on an
        # otherwise blank line, and a blank line neither continues a cell nor ends a row.
        stripped = line.strip()
        if _is_pipe_row(stripped):
            self._pipe_row(number, line)
        elif line.startswith("\t") and line.count("\t") == 1:
            self._cell(number, line[1:])
        elif "\t" in line:
            self._tab_row(number, line)
        elif not stripped:
            return
        elif self._open is not None and classify_heading(stripped) is None:
            self._continue_cell(self._open, number, line)
        else:
            self.flush()
            self.events.append(TextLine(number, line))

    def flush(self) -> None:
        """End the cell-per-line row being assembled (a header row fixes the width)."""
        row = self._open
        if row is not None and row.cells:
            row.join_tail()
            if row.is_header:
                self._width = len(row.cells)
            first = row.cells[0].line
            self.events.append(Row(first, row.cells, "cell-per-line", row.end_line))
            self.counts["cell-per-line"] += 1
        self._open = None

    def _pipe_row(self, number: int, line: str) -> None:
        self.flush()
        cells = _pipe_cells(line)
        if _is_separator_row(cells):
            return
        self.events.append(Row(number, [Cell(c, number) for c in cells], "pipe", number,
                               closed=line.rstrip().endswith("|")))
        self.counts["pipe"] += 1

    def _tab_row(self, number: int, line: str) -> None:
        self.flush()
        self.events.append(Row(number, [Cell(c, number) for c in line.split("\t")], "tab",
                               number))
        self.counts["tab"] += 1

    def _cell(self, number: int, content: str) -> None:
        """A new cell; it opens a new row when none is open, when the header ends (a serial
        or "(১)" column number follows it), or when the row already has the header's width."""
        row = self._open
        if row is None:
            row = _OpenRow(is_header=looks_like_header([content]))
        elif row.is_header and (
            parse_serial(content) is not None or is_parenthesised_number(content)
        ):
            self.flush()
            row = _OpenRow()
        elif self._width is not None and len(row.cells) >= self._width:
            self.flush()
            row = _OpenRow(is_header=looks_like_header([content]))
        self._open = row
        row.add_cell(Cell(content, number))
        row.end_line = number

    @staticmethod
    def _continue_cell(row: _OpenRow, number: int, line: str) -> None:
        """A line without a leading TAB continues the last cell of the open row."""
        row.tail.append(line)
        row.end_line = number


def read_events(text: str) -> tuple[list[Event], dict[str, int]]:
    """The rows and plain lines of a document, and how many rows each layout gave."""
    reader = _Reader()
    for number, line in enumerate(text.split("\n"), 1):
        reader.read_line(number, line.rstrip("\r"))
    reader.flush()
    return reader.events, reader.counts
