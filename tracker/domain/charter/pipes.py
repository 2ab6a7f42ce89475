"""Read cells separated by "|" across lines (the layouts without a leading pipe). Pure.

Web pages copied as text give tables whose "|" marks the end of a cell, not of a row:

- a cell per line ending in " |" (``ক্রমিকনং |``), a cell's text over several lines with its
  "|" on the next line, and "|" alone on a line for an empty cell (a blank line ends a
  cell whose "|" is missing);
- whole rows ``০২ | ওয়ারিশান সনদপত্র | … |`` without a leading pipe, a row wrapping over lines
  (a line starting with "|" then ends the cell left open on the line above);
- a markdown row (leading pipe) wrapped over lines, closed by a "|" further down.

A "|" ends a cell; text not yet ended by one continues on the next line. Blank lines are
ignored. Each cell keeps the line its text starts on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.domain.charter.cells import Cell


@dataclass
class PipeStream:
    """Cells read so far, and the text of a cell whose "|" has not come yet."""

    cells: list[Cell] = field(default_factory=list)
    pending: list[tuple[int, str]] = field(default_factory=list)
    #: the source lines fed, for a caller that finds no table in them
    lines: list[tuple[int, str]] = field(default_factory=list)
    #: cells up to here were ended by a "|"; those after it only by blank lines
    piped: int = 0
    #: whether the open cell's text started its line
    _pending_starts: bool = True

    def feed(self, number: int, line: str) -> bool:
        """Read one line; True if it ended with "|" (nothing left open)."""
        self.lines.append((number, line))
        stripped = line.strip()
        if not stripped:
            # a blank line ends a cell whose "|" is missing (cells are never split by one)
            self._end_pending()
            return True
        if stripped == "|":
            if not self._end_pending():
                self.cells.append(Cell("", number))
            self.piped = len(self.cells)
            return True
        body = stripped
        # a cell starts its line only if nothing was left open above (a leading "|" ends
        # that cell: what follows it goes on the same row)
        first = not self.pending
        if body.startswith("|"):
            self._end_pending()  # a leading "|" ends the cell left open above
            body = body[1:]
        *done, last = body.split("|")
        for part in done:
            if self.pending:
                self.pending.append((number, part))
                self._end_pending()
            else:
                self.cells.append(Cell(part, number, starts_line=first))
            first = False
        self.piped = len(self.cells)
        if last.strip():
            if not self.pending:
                self._pending_starts = first
            self.pending.append((number, last))
        return not self.pending

    def _end_pending(self) -> bool:
        if not self.pending:
            return False
        self.cells.append(Cell("\n".join(t for _, t in self.pending), self.pending[0][0],
                               starts_line=self._pending_starts))
        self.pending = []
        self._pending_starts = True
        return True

    def finish(self, *, cut: bool) -> list[tuple[int, str]]:
        """End the stream. The text still open is the last cell, cut off, if the document
        says it was cut here; otherwise it is plain text after the table (a page footer),
        returned as its lines, with the cells ended only by blank lines after the last "|"
        (paragraphs below the table)."""
        if not cut:
            # text after the last "|" (paragraphs below the table) is no cell
            tail = [(c.line, c.text) for c in self.cells[self.piped:]]
            del self.cells[self.piped:]
            left, self.pending = tail + self.pending, []
            return left
        if self.pending:
            first = self.pending[0][0]
            self.cells.append(Cell("\n".join(t for _, t in self.pending), first, cut=True,
                                   starts_line=self._pending_starts))
            self.pending = []
        return []
