"""Cut a stream of cells into a header row and service rows. Pure.

Some layouts give cells, not rows: a cell per line ending in " |" (or "|" alone for an
empty cell), whole rows "a | b | c |" wrapping over lines, cells separated by blank lines.
Where a row ends is then read from the cells themselves:

- the header is the run of cells before the first serial number (a numbered table, whose
  first header cell says ক্রমিক নং / Sr. No.), or the leading run of cells that each name a
  different column (a table without serials);
- a column-number row (১ ২ ৩ … or 1 2 3 … printed under the header) is kept as one row
  (the parser skips it);
- in a numbered table a row starts at the next serial (the one after the last, or any serial
  once the row has the header's width); a serial glued to the name ("০১অতি দরিদ্র…") is
  split off, unless what follows it is a unit of time ("৪৫কায্যদিবস" is a limit), and only
  in a cell that starts its source line or once the row has the header's width (in a whole
  row "১ | বয়স্ক ভাতা | ২ কপি ছবি |" the "২" is two copies, not service 2);
- in a table without serials a row is the header's width of cells; empty cells between rows
  are dropped;
- a name cell ending with a ditto mark ("…কর্মসূচী’’") where the row has no cell of its own
  for the time limit gives that mark its cell.

The cells keep their lines, so problems point at the source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.domain.charter.deadline import is_ditto
from tracker.domain.charter.sections import (
    Field,
    grs_header,
    is_number_header,
    meaning_field,
    meaning_header,
    service_header,
)
from tracker.domain.charter.text import ascii_digits, clean_cell, parse_serial, squash


@dataclass
class Cell:
    text: str
    line: int
    #: True for the last cell of a document cut off in the middle of it
    cut: bool = False
    #: False for a cell that follows another on its source line (a whole row "a | b | c |"):
    #: only a cell that starts a line may start a row with a serial glued to its text
    starts_line: bool = True


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

#: at most this many cells make a header (the widest real charter has 8 columns)
_MAX_HEADER = 14
#: a serial glued to the following word; the word must start with a letter
_GLUED_SERIAL = re.compile(r"^(\d{1,3})(?![\d.,/:\-])\s?([^\W\d_].*)$", re.DOTALL)
#: units of time (and money) that may follow a number directly: "৪৫কায্যদিবস" is no serial
_UNIT_START = re.compile(
    r"^(?:দিন|মাস|ঘণ্টা|ঘন্টা|কার্য|কায্য|কার্য্য|কর্ম\s?দিবস|টাকা|বছর|সপ্তাহ|তারিখ|মিনিট"
    r"|day|hour|month|week|year|min|taka|tk)",
    re.IGNORECASE,
)
_TRAILING_DITTO = re.compile("^(.*?)\\s*([\"'\u2018\u2019\u201c\u201d\u3003]{1,2}|-?ঐ-?)$",
                             re.DOTALL)


def glued_serial(text: str, expected: int) -> tuple[str, str] | None:
    """("০১", "অতি দরিদ্র…") when ``text`` is serial ``expected`` glued to a name, else None."""
    plain = squash(text)
    match = _GLUED_SERIAL.match(ascii_digits(plain))
    if match is None or int(match.group(1)) != expected:
        return None
    rest = match.group(2)
    if _UNIT_START.match(rest):
        return None
    return plain[:match.end(1)], plain[match.start(2):]


def _serials_from_one(cells: Sequence[Cell], start: int) -> int:
    """How many cells from ``start`` read 1, 2, 3, … (a column-number row)."""
    count = 0
    while start + count < len(cells) and parse_serial(cells[start + count].text) == count + 1:
        count += 1
    return count


def _header_fields(texts: Sequence[str]) -> list[Field | None] | None:
    """The columns of a services header, or of a GRS header (its serial and time limit are
    at the same places: the parser reads its columns again from the header row)."""
    found = service_header(texts) or meaning_header(texts)
    if found is not None:
        return found
    grs = grs_header(texts)
    if grs is None:
        return None
    return [f if f in ("number", "deadline") else "other" for f in grs]


def _header_end(cells: Sequence[Cell]) -> int:
    """Where the header ends (the index of the first cell after it), 0 if none."""
    if not cells:
        return 0
    if is_number_header(cells[0].text):
        end = 1
        while (end < len(cells) and end < _MAX_HEADER
               and parse_serial(cells[end].text) is None
               and glued_serial(cells[end].text, 1) is None):
            end += 1
        return end
    seen: set[Field] = set()
    end = 0
    while end < len(cells) and end < _MAX_HEADER:
        text = clean_cell(cells[end].text)
        found = meaning_field(text) if text else None
        if text and (found is None or found in seen):
            break
        if found is not None:
            seen.add(found)
        end += 1
    return end


@dataclass
class CutTable:
    """A header and the rows under it; ``rest`` are the cells that made no row."""

    header: list[Cell]
    fields: list[Field | None]
    numbers: list[Cell]
    rows: list[list[Cell]]


def cut_table(cells: Sequence[Cell]) -> CutTable | None:
    """The header and rows of a stream of cells that starts with a table header, or None."""
    end = _header_end(cells)
    header = _strip_empty(list(cells[:end]))
    fields = _header_fields([clean_cell(c.text) for c in header]) if header else None
    if fields is None:
        return None
    count = _serials_from_one(cells, end)
    numbers = list(cells[end:end + count]) if count >= 3 else []
    body = cells[end + len(numbers):]
    width = len(header)
    if "number" in fields or (body and parse_serial(body[0].text) is not None):
        rows = _numbered_rows(body, width)
    else:
        rows = _unnumbered_rows(body, width)
    deadline = fields.index("deadline") if "deadline" in fields else None
    rows = [_ditto_cell(row, deadline) for row in rows]
    return CutTable(header, list(fields), numbers, rows)


def numbered_rows(cells: Sequence[Cell]) -> list[list[Cell]]:
    """Rows of a table continued without its header (a page break), cut at serials."""
    return _numbered_rows(cells, 0)


def _numbered_rows(cells: Sequence[Cell], width: int) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    current: list[Cell] = []
    filled = 0  # non-empty cells in ``current`` (counted as they come: rows may be long)
    last = 0
    for cell in cells:
        room = not current or filled >= 2
        serial = parse_serial(cell.text)
        # "২ কপি ছবি" inside a whole row is a documents cell, not row 2 starting
        glued = glued_serial(cell.text, last + 1) if room and serial is None and (
            cell.starts_line or (width and len(current) >= width)) else None
        starts = serial is not None and room and (
            not current or serial == last + 1 or (width and len(current) >= width))
        if starts or glued:
            if current:
                rows.append(_strip_empty(current))
            last = serial if serial is not None else last + 1
            if glued:
                current = [Cell(glued[0], cell.line), Cell(glued[1], cell.line, cell.cut)]
            else:
                current = [cell]
            filled = len(current)
            continue
        if current:
            current.append(cell)
            filled += bool(clean_cell(cell.text))
    if current:
        rows.append(_strip_empty(current))
    return rows


def _unnumbered_rows(cells: Sequence[Cell], width: int) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    current: list[Cell] = []
    for cell in cells:
        if not current and not clean_cell(cell.text):
            continue  # an empty cell between two rows
        current.append(cell)
        if len(current) >= width:
            rows.append(current)
            current = []
    if current:
        rows.append(_strip_empty(current))
    return rows


def _strip_empty(cells: list[Cell]) -> list[Cell]:
    """Without the empty cells at its end (stray "|" lines after a row)."""
    end = len(cells)
    while end > 1 and not clean_cell(cells[end - 1].text) and not cells[end - 1].cut:
        end -= 1
    return cells[:end]


def _ditto_cell(row: list[Cell], deadline: int | None) -> list[Cell]:
    """A ditto mark glued to the last cell becomes the time-limit cell it stands for."""
    if deadline is None or len(row) != deadline or not row:
        return row
    last = row[-1]
    match = _TRAILING_DITTO.match(squash(last.text))
    if match is None or not match.group(1) or not is_ditto(match.group(2)):
        return row
    return [*row[:-1], Cell(match.group(1), last.line), Cell(match.group(2), last.line)]
