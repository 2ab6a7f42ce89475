"""Read a charter saved as an HTML page: one ``<tr>`` a row, ``<td>``/``<th>`` its cells. Pure.

The standard library's :class:`html.parser.HTMLParser` does the tokenising (no new
dependency). Text outside tables becomes plain lines (headings, the office's name). A cell's
``<br>``/``<p>`` start a new line inside it; ``colspan`` gives the row that many cells, and a
``rowspan`` cell leaves an empty cell in the rows below it, so every row keeps the header's
columns in place (the parser then takes a blank officer cell from the row above). Scripts
and styles are skipped. Every cell and line keeps the 1-based line of the source it starts on.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tracker.domain.charter.cells import Cell, Event, Row, TextLine

_LOOKS_LIKE_HTML = re.compile(r"<t[rd]\b", re.IGNORECASE)
_BLOCK = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
                    "tr", "title", "section", "article", "header", "footer", "ul", "ol",
                    "caption", "thead", "tbody", "hr"})
_SKIP = frozenset({"script", "style", "head"})
#: a colspan or rowspan larger than any charter table is a typo (or hostile)
_MAX_SPAN = 20


def looks_like_html(text: str) -> bool:
    """Whether the text is an HTML page with a table (rather than a text export)."""
    return _LOOKS_LIKE_HTML.search(text) is not None


def _span(attrs: list[tuple[str, str | None]], name: str) -> int:
    value = dict(attrs).get(name) or "1"
    return min(int(value), _MAX_SPAN) if value.strip().isdigit() and int(value) > 0 else 1


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[Event] = []
        self._row: list[Cell] | None = None
        self._row_line = 0
        self._cell: list[str] | None = None
        self._cell_line = 0
        self._spans: dict[int, int] = {}  # column -> rows still covered by a rowspan above
        self._colspan = 1
        self._rowspan = 1
        self._text: list[str] = []
        self._text_line = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in _SKIP:
            self._skip += 1
        elif tag == "tr":
            self._end_row()
            self._flush_text()
            self._row, self._row_line = [], line
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row, self._row_line = [], line
            self._fill_spans()
            self._cell, self._cell_line = [], line
            self._colspan, self._rowspan = _span(attrs, "colspan"), _span(attrs, "rowspan")
        elif tag in _BLOCK:
            if self._cell is not None:
                self._cell.append("\n")
            else:
                self._flush_text()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()
        elif tag in _BLOCK and self._cell is None:
            self._flush_text()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
            return
        line = self.getpos()[0]
        for offset, piece in enumerate(data.split("\n")):
            if offset:
                self._flush_text()
            if piece.strip():
                if not self._text:
                    self._text_line = line + offset
                self._text.append(piece)

    def _flush_text(self) -> None:
        text = "".join(self._text).strip()
        if text:
            self.events.append(TextLine(self._text_line, text))
        self._text = []

    def _fill_spans(self) -> None:
        """Empty cells where a rowspan from a row above covers the next column."""
        assert self._row is not None
        while self._spans.get(len(self._row), 0) > 0:
            self._spans[len(self._row)] -= 1
            self._row.append(Cell("", self._row_line))

    def _end_cell(self) -> None:
        if self._cell is None or self._row is None:
            return
        column = len(self._row)
        self._row.append(Cell("".join(self._cell), self._cell_line))
        if self._rowspan > 1:
            self._spans[column] = self._rowspan - 1
        for extra in range(1, self._colspan):
            self._row.append(Cell("", self._cell_line))
            if self._rowspan > 1:
                self._spans[column + extra] = self._rowspan - 1
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is None:
            return
        self._fill_spans()
        row, self._row = self._row, None
        if any(c.text.strip() for c in row):
            self.events.append(Row(self._row_line, row, "html", row[-1].line))

    def close(self) -> None:
        super().close()
        self._end_row()
        self._flush_text()


def read_html(text: str) -> tuple[list[Event], dict[str, int]]:
    """The rows and plain lines of an HTML charter, and how many rows it gave."""
    reader = _Reader()
    reader.feed(text)
    reader.close()
    rows = sum(1 for e in reader.events if isinstance(e, Row))
    return reader.events, {"html": rows}
