"""Find tables printed a cell per line among a document's plain lines. Pure.

Web pages copied as text often lose the table: every cell becomes a line of its own, usually
with a blank line between cells, the words of a cell sometimes squashed together
("সেবাপ্রাপ্তিরসময়সীমা"), the header sometimes glued into one line ("ক্রমিক নংসেবা প্রদানের
বিবরণসেবা প্রদানের সময়"). Such a table is found by its header: a line saying ক্রমিক নং /
ক্রঃ নং / Sr. No. followed by lines naming a service and (usually) a time limit, or lines
each naming another column, the service's name and its time limit among them; its cells run
to the next heading, the next header, a page footer or the end of the document, and
:func:`cells.cut_table` cuts them into rows.
"""

from __future__ import annotations

import re

from tracker.domain.charter.cells import Cell, Event, Row, TextLine, cut_table
from tracker.domain.charter.ending import is_cut_marker, is_page_footer
from tracker.domain.charter.sections import (
    classify_heading,
    is_number_header,
    meaning_field,
    meaning_header,
)
from tracker.domain.charter.text import squash

#: header words that start a column's name; in a glued header line they follow the end of
#: the previous column's name without a space
_GLUE = re.compile(
    r"(?<=[^\s/(])(?=সেবা|কাজের|নিস্পত্তি|নিষ্পত্তি|সময়|মন্তব্য|দায়িত্ব|প্রয়োজনীয়|উর্ধ্বতন"
    r"|উর্দ্ধতন|ফি|মূল্য)"
)
#: a header line is short; a long line starting "ক্রমিক নং" is a whole table on one line
_HEADER_LINE_CHARS = 160


def split_glued_header(text: str) -> list[str] | None:
    """The header cells of a glued header line, or None if ``text`` is not one."""
    plain = squash(text)
    if len(plain) > _HEADER_LINE_CHARS:
        return None
    parts = [p.strip() for p in _GLUE.split(plain) if p.strip()]
    if len(parts) < 3 or not is_number_header(parts[0]):
        return None
    return parts if meaning_header(parts) is not None else None


def _header_cells(events: list[Event], start: int) -> list[Cell] | None:
    event = events[start]
    assert isinstance(event, TextLine)
    if is_number_header(event.text):
        return [Cell(squash(event.text), event.line)]
    glued = split_glued_header(event.text)
    if glued:
        return [Cell(p, event.line) for p in glued]
    return [Cell(squash(event.text), event.line)] if _unnumbered_header(events, start) else None


#: a header without a serial column: at most this many lines, each naming another column
_UNNUMBERED_HEADER = 8


def _unnumbered_header(events: list[Event], start: int) -> bool:
    """Whether a header without a serial column starts here: consecutive short lines each
    naming a different column, among them the service's name and its time limit."""
    seen: list[str] = []
    for event in events[start:start + _UNNUMBERED_HEADER]:
        found = meaning_field(event.text) if isinstance(event, TextLine) else None
        if found is None or found in seen:
            break
        seen.append(found)
    return len(seen) >= 2 and "name" in seen and "deadline" in seen


def _ends_table(text: str) -> bool:
    return (classify_heading(text) is not None or is_page_footer(text)
            or is_number_header(text) or split_glued_header(text) is not None)


def _table_at(events: list[Event], start: int) -> tuple[list[Row], int] | None:
    """The rows of a cell-per-line table whose header starts at ``events[start]``, and the
    index after its last cell; None if no table starts there."""
    first = events[start]
    if not isinstance(first, TextLine):
        return None
    cells = _header_cells(events, start)
    if cells is None:
        return None
    end = start + 1
    while end < len(events):
        event = events[end]
        if not isinstance(event, TextLine) or _ends_table(event.text):
            break
        if is_cut_marker(event.text):
            if len(cells) > 1:
                cells[-1].cut = True
            break
        cells.append(Cell(squash(event.text), event.line))
        end += 1
    table = cut_table(cells)
    if table is None or not table.rows:
        return None
    rows = [table.header] + ([table.numbers] if table.numbers else []) + table.rows
    return [Row(r[0].line, r, "line-cells", r[-1].line, closed=not any(c.cut for c in r))
            for r in rows if r], end


def find_line_tables(events: list[Event]) -> tuple[list[Event], int]:
    """``events`` with the cell-per-line tables among its plain lines made rows, and how
    many rows were made."""
    out: list[Event] = []
    found = 0
    index = 0
    while index < len(events):
        table = _table_at(events, index)
        if table is None:
            out.append(events[index])
            index += 1
            continue
        rows, index = table
        out.extend(rows)
        found += len(rows)
    return out, found
