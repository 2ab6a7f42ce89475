"""Split a charter document into table rows and plain lines, whatever its layout. Pure.

Layouts that occur in real charters (they may mix in one file):

- ``pipe``: markdown tables, ``| a | b |``; separator rows ``|---|`` are dropped; a row
  whose line lacks its closing "|" continues on the lines below up to the line that closes
  it (a wrapped row), unless the next line starts another row;
- ``pipe-cells``: cells ended by "|" without a leading pipe — a cell per line (``ক্রমিকনং |``,
  "|" alone for an empty cell) or whole rows ``a | b | c |`` wrapping over lines
  (:mod:`pipes` reads the cells, :mod:`cells` cuts them into rows);
- ``line-cells``: a cell per line, cells often separated by blank lines, after a header
  found by its meaning (:mod:`linecells`);
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

from tracker.domain.charter.cells import Cell, Event, Row, TextLine, cut_table, numbered_rows
from tracker.domain.charter.ending import is_cut_marker
from tracker.domain.charter.linecells import find_line_tables
from tracker.domain.charter.pipes import PipeStream
from tracker.domain.charter.sections import classify_heading, looks_like_header
from tracker.domain.charter.text import is_parenthesised_number, parse_serial

__all__ = ["Cell", "Event", "Row", "TextLine", "read_events"]

_SEPARATOR = re.compile(r"^\s*:?-{2,}:?\s*$")


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
        self.counts = {"pipe": 0, "tab": 0, "cell-per-line": 0, "pipe-cells": 0,
                       "line-cells": 0}
        self._open: _OpenRow | None = None
        self._width: int | None = None  # cells in the header row, once one was read
        self._stream: PipeStream | None = None  # cells ended by "|", no leading pipe
        self._wrap: PipeStream | None = None  # a markdown row wrapped over lines

    def read_line(self, number: int, line: str) -> None:
        stripped = line.strip()
        if is_cut_marker(stripped):
            self.end(cut=True)
            self.events.append(TextLine(number, line))
            return
        if self._wrap is not None:
            if _continues_row(line):
                if self._wrap.feed(number, line):
                    self._end_wrap(cut=False)
                return
            self._end_wrap(cut=False)
        if self._stream is not None:
            # (a TAB inside a line of cells is a space: a TAB row has no "|")
            if "|" in stripped or ("\t" not in stripped and classify_heading(stripped) is None):
                self._stream.feed(number, line)
                return
            self._end_stream(cut=False)
        self._read_line(number, line, stripped)

    def _read_line(self, number: int, line: str, stripped: str) -> None:
        # The order of the tests matters: a single leading TAB is cell-per-line even on an
        # otherwise blank line, and a blank line neither continues a cell nor ends a row.
        if _is_pipe_row(stripped):
            self._pipe_row(number, line)
        elif "|" in stripped and "\t" not in line and not stripped.startswith("|"):
            self.flush()
            self._stream = PipeStream()
            self._stream.feed(number, line)
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

    def end(self, *, cut: bool) -> None:
        """End whatever is open: a wrapped row, a stream of cells, a cell-per-line row."""
        self._end_wrap(cut=cut)
        self._end_stream(cut=cut)
        self.flush()

    def _end_wrap(self, *, cut: bool) -> None:
        wrap, self._wrap = self._wrap, None
        if wrap is None:
            return
        open_row = bool(wrap.pending)
        wrap.finish(cut=True)  # the text left open is the row's last cell either way
        if wrap.cells:
            wrap.cells[-1].cut = cut and open_row
            first, last = wrap.lines[0][0], wrap.lines[-1][0]
            self.events.append(Row(first, wrap.cells, "pipe", last, closed=not open_row))
            self.counts["pipe"] += 1

    def _end_stream(self, *, cut: bool) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        left = stream.finish(cut=cut)
        table = cut_table(stream.cells)
        rows: list[list[Cell]] = []
        if table is not None:
            rows = [table.header] + ([table.numbers] if table.numbers else []) + table.rows
        else:
            # rows of a table whose header came before (a stream broken by a stray line):
            # from the first serial on; the cells before it are reported by the parser as
            # rows outside a services table only if they look like rows
            first = next((i for i, c in enumerate(stream.cells)
                          if parse_serial(c.text) is not None), None)
            if first is None:
                left = [(n, t) for n, t in stream.lines if t.strip()]
            else:
                rows = ([stream.cells[:first]] if first else []) + numbered_rows(
                    stream.cells[first:])
        for cells in rows:
            if cells:
                self.events.append(Row(cells[0].line, cells, "pipe-cells", cells[-1].line,
                                       closed=not any(c.cut for c in cells)))
                self.counts["pipe-cells"] += 1
        self.events.extend(TextLine(n, t) for n, t in left)

    def _pipe_row(self, number: int, line: str) -> None:
        self.flush()
        if not line.rstrip().endswith("|"):
            self._wrap = PipeStream()
            self._wrap.feed(number, line)
            return
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


def _continues_row(line: str) -> bool:
    """Whether ``line`` goes on with a markdown row left open on the line above: not a
    blank line, a heading, a TAB row or a row of its own (a leading "|" and a serial)."""
    stripped = line.strip()
    if not stripped or "\t" in line or classify_heading(stripped) is not None:
        return False
    if stripped.startswith("|") and stripped != "|":
        first = stripped[1:].split("|", 1)[0]
        return parse_serial(first) is None and not _SEPARATOR.match(first)
    return True


def read_events(text: str) -> tuple[list[Event], dict[str, int]]:
    """The rows and plain lines of a document, and how many rows each layout gave."""
    reader = _Reader()
    for number, line in enumerate(text.split("\n"), 1):
        reader.read_line(number, line.rstrip("\r"))
    reader.end(cut=False)
    events, found = find_line_tables(reader.events)
    reader.counts["line-cells"] = found
    return events, reader.counts
