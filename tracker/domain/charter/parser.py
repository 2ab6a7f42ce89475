"""Turn one charter document into a :class:`ParsedCharter`: office, services, GRS, problems.

Pure: no database, no clock, no files (``parse_file`` only reads the one file given).
The steps:

1. :mod:`reader` splits the text into table rows and plain lines (three layouts);
2. headings set the section (নাগরিক / প্রাতিষ্ঠানিক / অভ্যন্তরীণ সেবা, GRS, other);
3. header rows map columns to fields by their *text*: the printed column numbers are not
   trusted (one charter numbers them ০১ ০২ ০৪ ০৫ ০৬ ০৩ ০৭ ০৮) and the number row is skipped;
4. a row without a number continues the service above (a row split by a page break);
5. services printed before their section heading are given the section of the first
   heading that has no table of its own (a heading printed in the wrong place);
6. blank officer cells inherit the officer above (merged cells).

Whatever is not understood becomes a :class:`Problem` with its source line; the service is
kept with what was understood. Quirks that were understood are listed as ``notes``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from tracker.domain.bn import GRS_TITLES_BN
from tracker.domain.charter.cells import Event, Row, TextLine
from tracker.domain.charter.contacts import ContactIssue, ContactMessage, parse_officer
from tracker.domain.charter.deadline import is_ditto, parse_deadline
from tracker.domain.charter.ending import Ending, is_cut_marker, is_page_footer
from tracker.domain.charter.html import looks_like_html, read_html
from tracker.domain.charter.model import (
    Category,
    Deadline,
    GrsTier,
    OfficeInfo,
    Officer,
    ParsedCharter,
    Problem,
    Service,
    default_grs,
)
from tracker.domain.charter.prose import flattened_table, numbered_prose
from tracker.domain.charter.reader import read_events
from tracker.domain.charter.sections import (
    Field,
    GrsField,
    classify_heading,
    grs_header,
    is_closing_heading,
    looks_like_header,
    meaning_field,
    meaning_header,
    number_row,
    service_header,
)
from tracker.domain.charter.text import (
    ascii_digits,
    clean_cell,
    match_key,
    nfc,
    parse_serial,
    squash,
)
from tracker.domain.deadlines import GRS_ROLES, GrsRole
from tracker.domain.geo import District, Geography, Upazila, load_geography
from tracker.errors import InputError

# Both patterns start only where a match can begin (the lookbehind: not inside a run of
# host characters; a link text stops at the next "["), so a long line without a match is
# scanned once instead of once per character (they were quadratic: 10 KB took 19 s).
_WEBSITE = re.compile(
    r"(?<![A-Za-z0-9.\-])\.*((?:https?://)?(?:www\.)?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.gov\.bd)"
)
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\([^()]*\)")
_GOVERNMENT = match_key("গণপ্রজাতন্ত্রী বাংলাদেশ সরকার")
_DATE_LINE = re.compile(
    r"^\s*(?:তারিখ\s*[:ঃ]?\s*)?(\d{1,2})[-./](\d{1,2})[-./](\d{4})\s*(?:খ্রি\S*)?\s*$"
)


@dataclass
class _Table:
    """A services table's columns, as its header row named them."""

    columns: list[Field | None]
    line: int
    #: the column picked for the time limit when the header names none (by content)
    deadline_at: int | None = None

    @property
    def numbered(self) -> bool:
        return "number" in self.columns


@dataclass
class _RawService:
    """A service row (or rows joined across a page break) before interpretation."""

    line: int
    end_line: int
    category: Category | None
    heading: int | None  # index of the section heading it was printed under
    cells: dict[Field, tuple[str, int]] = field(default_factory=dict)
    has_escalation_column: bool = False
    number: int | None = None
    table: _Table | None = None
    #: the row's cells by position (a table without a time column finds it by content)
    by_position: list[tuple[str, int]] = field(default_factory=list)
    cut_positions: set[int] = field(default_factory=set)  # cells cut by the document's end
    #: why the time limit must be reviewed whatever it reads (e.g. read from a sentence)
    review: str | None = None
    #: cells continued by rows split off by a page break, joined once all rows are read
    #: (joining at every row copied the whole cell each time: quadratic on many rows)
    continued: dict[Field, list[str]] = field(default_factory=dict)

    def continue_cell(self, column: Field, value: str, line: int) -> None:
        """Add a continuation row's non-blank cell: after the text so far, or instead of a
        blank cell (which then starts at the continuation's line)."""
        parts = self.continued.get(column)
        if parts is not None:
            parts.append(value)
            return
        old = self.cells.get(column, ("", line))[0]
        if clean_cell(old):
            self.continued[column] = [old, value]
        else:
            self.cells[column] = (value, line)

    def join_continued(self) -> None:
        for column, parts in self.continued.items():
            self.cells[column] = ("\n".join(parts), self.cells[column][1])
        self.continued.clear()


@dataclass
class _Heading:
    line: int
    category: Category
    rows: int = 0


@dataclass
class _State:
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    category: Category | None = None
    heading: int | None = None
    headings: list[_Heading] = field(default_factory=list)
    table: str | None = None  # "service", "grs", "other"
    columns: list[Field | None] = field(default_factory=list)
    current: _Table | None = None
    grs_columns: list[GrsField | None] = field(default_factory=list)
    raw: list[_RawService] = field(default_factory=list)
    grs_rows: list[tuple[int, dict[GrsField, str]]] = field(default_factory=list)
    ending: Ending = field(default_factory=Ending)  # to tell a file cut off in its services

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(line, message))

    def note(self, line: int, message: str) -> None:
        self.notes.append(Problem(line, message))


@dataclass
class _OfficerMessages:
    """What was unclear in officer cells, one problem per distinct message.

    Charters repeat the same officer cell on every row; a misprinted phone number would
    otherwise become one problem per service. The first row carries the problem, and its
    message lists the other lines (each service has its own officer in the catalog).
    """

    seen: dict[tuple[str, str], list[tuple[int, int | None]]] = field(default_factory=dict)

    def add(self, role: str, line: int, number: int | None,
            messages: list[ContactMessage]) -> None:
        for message in messages:
            self.seen.setdefault((role, str(message)), []).append((line, number))

    def report(self, state: _State) -> None:
        for (role, text), rows in self.seen.items():
            (line, number), *others = rows
            also = f" (the same at lines {', '.join(str(o[0]) for o in others)})" if others else ""
            state.problem(line, f"service {number}: {role} officer: {text}{also}")


#: The largest charter accepted, in bytes of UTF-8 text. The five real charters are 11-36 KB
#: (data/charters/*.txt) and a big office's charter with 100 services is a few hundred KB;
#: 5 MB leaves room for a verbose HTML export while a wrong or hostile file (a 50 MB dump)
#: is refused at once, before it is read into memory, instead of parsed for minutes.
MAX_CHARTER_BYTES = 5 * 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _too_large(what: str, size: str) -> InputError:
    return InputError(
        f"{what} is {size}, more than a charter may have ({_megabytes(MAX_CHARTER_BYTES)}, "
        "MAX_CHARTER_BYTES): real charters are text exports of a few hundred KB at most; "
        "check that this is the charter's text export"
    )


def _read_bounded(path: Path) -> bytes:
    """The file's bytes, refused past MAX_CHARTER_BYTES without reading further (a device or
    a growing file has no size worth trusting, so the read itself is bounded)."""
    with path.open("rb") as handle:
        data = handle.read(MAX_CHARTER_BYTES + 1)
    if len(data) > MAX_CHARTER_BYTES:
        size = path.stat().st_size if path.is_file() else 0
        raise _too_large(str(path), _megabytes(size) if size > MAX_CHARTER_BYTES
                         else f"more than {_megabytes(MAX_CHARTER_BYTES)}")
    return data


def parse_file(path: Path, geo: Geography | None = None) -> ParsedCharter:
    """Read and parse one charter file; InputError if it cannot be read as text or is
    larger than MAX_CHARTER_BYTES."""
    return parse_charter(read_charter(path), geo=geo)


def read_charter(path: Path) -> str:
    """The text of one charter file; InputError if it cannot be read as text or is larger
    than MAX_CHARTER_BYTES."""
    try:
        data = _read_bounded(path)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    return decode_charter(data, str(path))


def decode_charter(data: bytes, source: str) -> str:
    """The text of a charter file's bytes (UTF-8, a BOM allowed); InputError naming
    ``source`` if they are not UTF-8 text (e.g. a file cut inside a character)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not UTF-8 text (byte {exc.start}); export the charter as UTF-8 text"
        ) from None
    if "\x00" in text:
        raise InputError(f"{source}: binary file, not a text export of a charter")
    return text


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def parse_charter(text: str, geo: Geography | None = None) -> ParsedCharter:
    """Parse the text of one charter (any of the three layouts); InputError if it is larger
    than MAX_CHARTER_BYTES."""
    # (a character is at most 4 bytes: short texts are not encoded to be measured)
    if len(text) * 4 > MAX_CHARTER_BYTES and _utf8_size(text) > MAX_CHARTER_BYTES:
        raise _too_large("the charter", _megabytes(_utf8_size(text)))
    geo = geo or load_geography()
    text = nfc(text)
    events, counts = read_html(text) if looks_like_html(text) else read_events(text)
    state = _State()
    for index, event in enumerate(events):
        if isinstance(event, TextLine):
            _on_text(state, event)
        else:
            _on_row(state, event, is_last=index == len(events) - 1)
    if not state.raw:
        _read_prose(state, events)
    _choose_deadline_columns(state)
    _drop_cut_row(state)
    _assign_pending(state)
    services = _build_services(state)
    grs = _build_grs(state)
    office = _office(events, geo, state)
    printed = _printed_date(events, state)
    if printed:
        office = replace(office, date_printed=printed)
    if not services:
        state.problem(1, "no service table found in the document")
    else:
        cut_off = state.ending.problem()
        if cut_off is not None:
            state.problems.append(cut_off)
    layout = ", ".join(name for name, n in counts.items() if n) or "none"
    return ParsedCharter(
        office=office,
        services=tuple(services),
        grs=grs,
        problems=tuple(sorted(state.problems, key=lambda p: p.line)),
        notes=tuple(sorted(state.notes, key=lambda p: p.line)),
        layout=layout,
    )


# --------------------------------------------------------------------------------------
# Events


def _on_text(state: _State, event: TextLine) -> None:
    if is_cut_marker(event.text):
        state.ending.truncated(event.line)
        return
    heading = classify_heading(event.text)
    if is_closing_heading(event.text) or _date_line(event.text) or is_page_footer(event.text):
        state.ending.close()
    if heading is None:
        return
    kind, category = heading
    if kind == "category" and category is not None:
        state.ending.section(event.line, _plain(event.text))
        state.category = category
        state.headings.append(_Heading(event.line, category))
        state.heading = len(state.headings) - 1
        if state.table in ("grs", "other"):
            state.table = None
    else:
        state.category = None
        state.heading = None
        state.table = None  # a GRS or other table announces itself by its header row


def _on_row(state: _State, row: Row, is_last: bool) -> None:
    if row.layout == "pipe":
        state.ending.pipe_row(closed=row.closed)
    texts = [clean_cell(t) for t in row.texts]
    if not any(texts):
        return  # a page break that blanked the header row
    if parse_serial(texts[0]) is None and _header_row(state, row, texts):
        return
    numbers = number_row(texts)
    if numbers is not None and state.table in ("service", "grs"):
        expected = list(range(1, len(numbers) + 1))
        if numbers != expected:
            printed = " ".join(f"{n:02d}" for n in numbers)
            state.note(row.line, f"column numbers printed as {printed}: columns are "
                                 "mapped by their header text, not by these numbers")
        return
    if state.table == "service":
        _service_row(state, row, texts, is_last)
    elif state.table == "grs":
        _grs_row(state, row, texts)
    elif state.table == "other":
        return
    else:
        state.problem(row.line, f"table row outside any service table: {' | '.join(texts)[:80]!r}")


def _header_row(state: _State, row: Row, texts: list[str]) -> bool:
    """Start the table whose header this row is; False if it is no header.

    Only rows that do not start with a serial number are tried: matching every cell of
    every service row against the column words was a third of the time of a parse.
    """
    columns = service_header(texts)
    if columns is not None:
        _start_service_table(state, row, _fill_columns(columns, texts))
        return True
    grs_columns = grs_header(texts)
    if grs_columns is not None:
        state.table, state.grs_columns = "grs", grs_columns
        state.category = None
        state.ending.close()
        return True
    # by meaning (other offices' words, English): a header's first cell names a column. A
    # row of a markdown or TAB table must name the time column too (half a header line cut
    # off is no header); a table cut from a stream of cells was found by its header already
    columns = meaning_header(texts) if texts[0] else None
    if columns is not None and ("deadline" in columns or row.layout in _CELL_LAYOUTS):
        _start_service_table(state, row, columns)
        return True
    if looks_like_header(texts):
        # e.g. "আপনার কাছে আমাদের প্রত্যাশা"; it does not close the services (for the ending
        # check): a services header cut short of its time-limit column looks the same
        state.table = "other"
        return True
    return False


#: layouts whose rows were cut by :func:`cells.cut_table` (after finding their header)
_CELL_LAYOUTS = ("pipe-cells", "line-cells", "html")


def _fill_columns(columns: list[Field | None], texts: list[str]) -> list[Field | None]:
    """The ICT vocabulary's columns, those it does not know read by meaning."""
    filled = list(columns)
    for index, (column, text) in enumerate(zip(columns, texts, strict=False)):
        found = meaning_field(text) if column is None and text else None
        if found is not None and (found == "other" or found not in filled):
            filled[index] = found
    return filled


def _start_service_table(state: _State, row: Row, columns: list[Field | None]) -> None:
    state.table, state.columns = "service", columns
    state.current = _Table(columns, row.line)
    state.ending.table(row.end_line or row.line)
    for cell, column in zip(row.cells, columns, strict=False):
        if column is None and clean_cell(cell.text):
            state.problem(cell.line, f"unknown column {clean_cell(cell.text)!r}: ignored")
    if "deadline" not in columns:
        state.note(row.line, "the header names no time-limit column: the column whose "
                             "cells read as time limits is taken")


def _service_row(state: _State, row: Row, texts: list[str], is_last: bool) -> None:
    cut_short = _check_width(state, row, texts, is_last)
    _read_service_row(state, row, texts)
    last = state.raw[-1] if state.raw else None
    state.ending.row(row.end_line or row.line, last.category if last else state.category,
                     last.number if last else None, open_row=not row.closed, reported=cut_short)


def _check_width(state: _State, row: Row, texts: list[str], is_last: bool) -> bool:
    """Report a row with fewer or more cells than its header; True if it is the document's
    last row and cut short (the document ends inside it)."""
    width = len(state.columns)
    if len(texts) < width:
        where = "the document ends here: it seems cut off" if is_last else "cells missing"
        state.problem(row.end_line or row.line,
                      f"row has {len(texts)} of {width} cells ({where}); missing cells left blank")
        return is_last
    if len(texts) > width and any(texts[width:]):
        extra = " | ".join(t for t in texts[width:] if t)[:60]
        state.problem(row.line, f"row has {len(texts)} cells, the header {width}: "
                                f"extra cells ignored: {extra!r}")
    return False


def _read_service_row(state: _State, row: Row, texts: list[str]) -> None:
    """Add the row's service, or join it onto the service above (a page break).
    ``texts`` are the row's cells cleaned up (officer cells keep their HTML for e-mails)."""
    columns = state.columns
    cells: dict[Field, tuple[str, int]] = {}
    cleaned: dict[Field, str] = {}
    for cell, column, text in zip(row.cells, columns, texts, strict=False):
        if column is not None and column not in cells:
            keep_html = column in ("responsible", "escalation")
            cells[column] = (cell.text if keep_html else text, cell.line)
            cleaned[column] = text
    numbered = state.current is None or state.current.numbered
    number_text = cleaned.get("number", "")
    number = parse_serial(number_text)
    others = [text for column, text in cleaned.items() if column != "number"]
    if numbered and number is None and not number_text:
        _continue_service(state, row, cells, cleaned)
        return
    if not any(others):
        state.problem(row.line, f"service row {number_text!r} has no content")
        return
    if number is None:
        guess = (state.raw[-1].number or 0) + 1 if state.raw else 1
        if numbered:
            state.problem(row.line, f"service number {number_text!r} not understood; "
                                    f"numbered {guess}")
        number = guess
    raw = _RawService(
        line=row.line,
        end_line=row.end_line or row.line,
        category=state.category,
        heading=state.heading,
        cells=cells,
        has_escalation_column="escalation" in columns,
        number=number,
        table=state.current,
        by_position=[(text, cell.line) for cell, text in zip(row.cells, texts, strict=True)],
        cut_positions={i for i, cell in enumerate(row.cells) if cell.cut},
    )
    state.raw.append(raw)
    if state.heading is not None:
        state.headings[state.heading].rows += 1


def _read_prose(state: _State, events: list[Event]) -> None:
    """Services printed without a table: a table flattened onto one line, numbered prose."""
    items = flattened_table(events) or numbered_prose(events)
    table = _Table(["number", "name", "deadline"], items[0].line if items else 1)
    if items and not items[-1].closed:
        last = items[-1]
        state.problem(last.line, f"the document ends inside its numbered items, after item "
                                 f"{last.number} (line {last.line}), with no heading or page "
                                 "footer after it: if the charter goes on, the file is cut off "
                                 f"(item {last.number} may be incomplete, later items missing)")
    for item in items:
        if item.cut:
            state.problem(item.line, f"item {item.number} (line {item.line}) is cut off by the "
                                     "end of the document: not read as a service")
            continue
        cells: dict[Field, tuple[str, int]] = {"name": (item.name, item.line)}
        if item.deadline is not None:
            cells["deadline"] = item.deadline
        state.raw.append(_RawService(
            line=item.line, end_line=item.line, category=None, heading=None, cells=cells,
            number=item.number, table=table, review=item.review))


def _continue_service(state: _State, row: Row, cells: dict[Field, tuple[str, int]],
                      cleaned: dict[Field, str]) -> None:
    """Join a row without a number onto the service above (a row split by a page break);
    a row cut off by the end of the document is reported instead (half a row is no part of
    the service above)."""
    previous = state.raw[-1] if state.raw else None
    if previous is None:
        state.problem(row.line, "row without a service number and no service above it")
        return
    if any(cell.cut for cell in row.cells):
        state.problem(row.line, f"row at line {row.line} is cut off by the end of the "
                                f"document: not joined to service {previous.number}")
        return
    for column, (value, line) in cells.items():
        if column != "number" and cleaned[column]:
            previous.continue_cell(column, value, line)
    previous.end_line = row.end_line or row.line
    state.note(row.line, f"row continues service {previous.number} (line {previous.line}) "
                         "across a page break: cells joined")


def _grs_row(state: _State, row: Row, texts: list[str]) -> None:
    values: dict[GrsField, str] = {}
    for cell, column in zip(row.cells, state.grs_columns, strict=False):
        if column is not None:
            values[column] = cell.text
    state.grs_rows.append((row.line, values))


# --------------------------------------------------------------------------------------
# After reading


def _assign_pending(state: _State) -> None:
    """Give services printed before any section heading the section they belong to."""
    pending = [r for r in state.raw if r.category is None]
    if not pending:
        return
    last_line = pending[-1].line
    later = [h for h in state.headings if h.line > last_line]
    target = next((h for h in later if h.rows == 0), None)
    if target is not None:
        category = target.category
        state.note(pending[0].line,
                   f"{len(pending)} services printed before their heading (line {target.line}): "
                   f"taken as {category} services")
    elif later:
        category = later[0].category
        state.problem(pending[0].line,
                      f"{len(pending)} services printed before any section heading; "
                      f"taken as {category} services (check)")
    else:
        # many offices print one list of services, with no sections at all
        category = "citizen"
        state.note(pending[0].line,
                   f"{len(pending)} services without a section heading (নাগরিক / "
                   "প্রাতিষ্ঠানিক / অভ্যন্তরীণ সেবা); taken as citizen services")
    for raw in pending:
        raw.category = category


def _build_services(state: _State) -> list[Service]:
    services: list[Service] = []
    last_responsible: Officer | None = None
    last_escalation: Officer | None = None
    inherited = {"responsible": 0, "escalation": 0}
    first_inherited = {"responsible": 0, "escalation": 0}
    officer_messages = _OfficerMessages()
    no_officer_column = 0
    for raw in state.raw:
        raw.join_continued()
        category: Category = raw.category or "citizen"
        previous = services[-1] if services else None
        name = _service_name(state, raw, previous)
        deadline = _service_deadline(state, raw, previous)
        responsible_text, responsible_line = raw.cells.get("responsible", ("", raw.line))
        responsible, contact_messages = parse_officer(responsible_text)
        officer_messages.add("responsible", responsible_line, raw.number, contact_messages)
        if responsible is None and not _has_column(raw, "responsible"):
            no_officer_column += 1
        elif responsible is None:
            if last_responsible is None:
                state.problem(responsible_line,
                              f"service {raw.number}: no responsible officer (empty cell)")
            else:
                inherited["responsible"] += 1
                first_inherited["responsible"] = first_inherited["responsible"] or raw.line
            responsible = last_responsible
        last_responsible = responsible
        escalation: Officer | None = None
        if raw.has_escalation_column:
            escalation_text, escalation_line = raw.cells.get("escalation", ("", raw.end_line))
            escalation, contact_messages = parse_officer(escalation_text)
            officer_messages.add("escalation", escalation_line, raw.number, contact_messages)
            if escalation is None:
                if last_escalation is None:
                    state.problem(escalation_line,
                                  f"service {raw.number}: no escalation officer (empty cell)")
                else:
                    inherited["escalation"] += 1
                    first_inherited["escalation"] = first_inherited["escalation"] or raw.line
                escalation = last_escalation
            last_escalation = escalation
        services.append(Service(
            category=category,
            number=raw.number or 0,
            name_bn=name,
            deadline=deadline,
            fee_raw=clean_cell(raw.cells.get("fee", ("", 0))[0]),
            responsible_officer=responsible,
            escalation_officer=escalation,
            line=raw.line,
        ))
    officer_messages.report(state)
    if no_officer_column:
        state.note(state.raw[0].line, f"{no_officer_column} services from a table without a "
                                      "responsible-officer column: set the officer in the catalog")
    for kind, count in inherited.items():
        if count:
            state.note(first_inherited[kind], f"{kind} officer of {count} services taken "
                                              "from the row above (merged cells)")
    _check_numbering(state, services)
    for role in ("responsible_officer", "escalation_officer"):
        _check_consistency(state, services, role)
    return services


#: list bullets a web page prints before a name ("· টেলিফোন ত্রুটি মুক্ত করণ")
_BULLETS = "·•◦▪‣∙ "


def _has_column(raw: _RawService, column: Field) -> bool:
    return raw.table is None or column in raw.table.columns


def _service_name(state: _State, raw: _RawService, previous: Service | None) -> str:
    name, name_line = raw.cells.get("name", ("", raw.line))
    name = clean_cell(name).lstrip(_BULLETS)
    if not name:
        state.problem(name_line, f"service {raw.number}: no service name")
    elif previous is not None and is_ditto(name):
        state.note(name_line, f"service {raw.number}: name {name!r} is a ditto mark: "
                              f"that of service {previous.number}")
        name = previous.name_bn
    return name


def _deadline_position(raw: _RawService) -> int | None:
    """Where the row's time-limit cell is: its column, or the one chosen by content."""
    table = raw.table
    if table is None:
        return None
    if "deadline" in table.columns:
        return table.columns.index("deadline")
    return table.deadline_at


def _deadline_cell(raw: _RawService) -> tuple[str, int] | None:
    """The row's time-limit cell (text, line), or None if the row has none."""
    if "deadline" in raw.cells:
        return raw.cells["deadline"]
    at = _deadline_position(raw)
    if raw.table is not None and "deadline" not in raw.table.columns and at is not None \
            and at < len(raw.by_position):
        return raw.by_position[at]
    return None


def _service_deadline(state: _State, raw: _RawService, previous: Service | None) -> Deadline:
    """The service's time limit: its cell read by parse_deadline (whatever it does not
    understand a problem at the cell's line), the limit above for a ditto mark, and
    needs_review when the row has no time-limit cell at all."""
    cell = _deadline_cell(raw)
    if cell is None:
        why = raw.review or ("no time-limit cell in its row: the limit is to be set by a "
                             "reviewer")
        state.problem(raw.line, f"service {raw.number}: {why}")
        return Deadline(raw="", needs_review=True, notes=(why,) if raw.review else ())
    text, line = clean_cell(cell[0]), cell[1]
    if previous is not None and text and is_ditto(text):
        state.note(line, f"service {raw.number}: time limit {text!r} is a ditto mark: that "
                         f"of service {previous.number}")
        ditto = f"ditto mark {text!r}: the limit of service {previous.number}"
        return replace(previous.deadline, raw=text, notes=(*previous.deadline.notes, ditto))
    deadline, messages = parse_deadline(text)
    for message in messages:
        state.problem(line, f"service {raw.number}: {message}")
    if raw.review is not None:
        state.problem(line, f"service {raw.number}: {raw.review}")
        deadline = replace(deadline, needs_review=True,
                           notes=(*deadline.notes, raw.review))
    return deadline


def _choose_deadline_columns(state: _State) -> None:
    """For a table whose header names no time-limit column, the column whose cells most
    often read as time limits (or ditto marks) holds them."""
    tables: dict[int, tuple[_Table, list[_RawService]]] = {}
    for raw in state.raw:
        if raw.table is not None and "deadline" not in raw.table.columns:
            tables.setdefault(id(raw.table), (raw.table, []))[1].append(raw)
    for table, raws in tables.values():
        counts: dict[int, int] = {}
        for raw in raws:
            for index, (text, _) in enumerate(raw.by_position):
                column = table.columns[index] if index < len(table.columns) else None
                if column in ("number", "name") or not text:
                    continue
                if is_ditto(text) or parse_deadline(text)[0].understood:
                    counts[index] = counts.get(index, 0) + 1
        if counts:
            table.deadline_at = max(counts, key=lambda i: (counts[i], -i))
            state.note(table.line, f"time limits read from column {table.deadline_at + 1} "
                                   "(its cells read as time limits)")


def _drop_cut_row(state: _State) -> None:
    """A last row cut off by the end of the document before its time limit is complete is
    a problem, not a service."""
    if not state.raw or not state.ending.cut:
        return
    last = state.raw[-1]
    if last.table is None or last.review is not None:
        return  # (prose: an item cut off was reported when it was read)
    at = _deadline_position(last)
    if at is not None and at < len(last.by_position) and at not in last.cut_positions:
        return
    state.raw.pop()
    if last.heading is not None:
        state.headings[last.heading].rows -= 1
    state.problem(last.line, f"service {last.number} (line {last.line}) is cut off by the end "
                             "of the document before its time limit: not read as a service")


def _check_consistency(state: _State, services: list[Service], role: str) -> None:
    """Note when one officer (same designation) is printed with different names or phones."""
    forms: dict[str, dict[tuple[str | None, tuple[str, ...]], int]] = {}
    for service in services:
        officer: Officer | None = getattr(service, role)
        if officer is None or officer.designation is None:
            continue
        variants = forms.setdefault(officer.designation, {})
        variants.setdefault((officer.name, officer.phones), service.line)
    for designation, variants in forms.items():
        if len(variants) < 2:
            continue
        described = "; ".join(
            f"{name or '(no name)'} {' '.join(phones) or '(no phone)'} (line {line})"
            for (name, phones), line in variants.items()
        )
        state.note(min(variants.values()), f"{role.replace('_', ' ')} {designation!r} is "
                                           f"printed in {len(variants)} forms: {described}")


def _check_numbering(state: _State, services: list[Service]) -> None:
    """Services are numbered 1, 2, 3... within each section: report repeats and jumps."""
    seen: dict[tuple[str, int], int] = {}
    previous: dict[str, int] = {}
    for service in services:
        if service.key in seen:
            state.problem(service.line, f"{service.category} service {service.number} appears "
                                        f"twice (also line {seen[service.key]})")
        else:
            seen[service.key] = service.line
            last = previous.get(service.category, 0)
            if service.number != last + 1:
                state.problem(service.line, f"{service.category} services numbered {last} "
                                            f"then {service.number}")
        previous[service.category] = service.number


def _grs_role(values: dict[GrsField, str], index: int) -> GrsRole:
    key = match_key(values.get("whom", "") + values.get("when", ""))
    if match_key("মন্ত্রিপরিষদ") in key or match_key("সেল") in match_key(values.get("whom", "")):
        return "cabinet_cell"
    if match_key("আপিল") in match_key(values.get("whom", "")):
        return "appeal_officer"
    if match_key("অনিক") in key or match_key("অভিযোগ নিষ্পত্তি") in match_key(
        values.get("whom", "")
    ):
        return "complaint_officer"
    return GRS_ROLES[min(index, len(GRS_ROLES) - 1)]


def _build_grs(state: _State) -> tuple[GrsTier, ...]:
    if not state.grs_rows:
        state.note(1, "no GRS table: the national default 30/20/60 working days applies")
        return default_grs()
    tiers: list[GrsTier] = []
    for index, (line, values) in enumerate(state.grs_rows):
        deadline, messages = parse_deadline(clean_cell(values.get("deadline", "")))
        for message in messages:
            state.problem(line, f"GRS tier {index + 1}: {message}")
        contact, contact_messages = parse_officer(values.get("address", ""))
        # a GRS address names an office or a cell, not an officer's designation: only a
        # phone number that is not valid is worth a problem
        for contact_message in contact_messages:
            if contact_message.issue is ContactIssue.PHONE:
                state.problem(line, f"GRS tier {index + 1}: contact: {contact_message}")
        role = _grs_role(values, index)
        tiers.append(GrsTier(
            tier=parse_serial(clean_cell(values.get("number", ""))) or index + 1,
            role=role,
            deadline=deadline,
            title_bn=clean_cell(values.get("whom", "")) or GRS_TITLES_BN[role],
            contact=contact,
            line=line,
        ))
    if len(tiers) != 3:
        state.problem(state.grs_rows[0][0], f"GRS table has {len(tiers)} tiers, expected 3")
    return tuple(tiers)


# --------------------------------------------------------------------------------------
# Office


def _printed_date(events: list[Event], state: _State) -> str | None:
    """A date printed on a line of its own (the signature date), as ISO, or None."""
    for event in events:
        if not isinstance(event, TextLine):
            continue
        match = _date_line(event.text)
        if not match:
            continue
        day, month, year = (int(g) for g in match.groups())
        try:
            found = date(year, month, day)
        except ValueError:
            state.problem(event.line, f"printed date {squash(event.text)!r} is not a date")
            continue
        state.note(event.line, f"date printed: {found.isoformat()} (the charter's date? "
                               "a candidate for --effective)")
        return found.isoformat()
    return None


def _date_line(text: str) -> re.Match[str] | None:
    """The day, month and year of a date printed on a line of its own, or None. (A date
    line is short: a long line is not cleaned up to find out.)"""
    if len(text) > 120:
        return None
    return _DATE_LINE.match(ascii_digits(_plain(text)))


def _plain(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    return squash(text.replace("**", " ").replace("#", " ")).strip(" ।.")


#: How many lines of the document head may hold the office's name and location.
_HEAD_LINES = 15


def _head(events: list[Event]) -> list[TextLine]:
    """The plain lines before the first table row, at most _HEAD_LINES of them."""
    head: list[TextLine] = []
    for event in events:
        if isinstance(event, Row):
            break
        head.append(event)
        if len(head) >= _HEAD_LINES:
            break
    return head


def _head_website(head: list[TextLine]) -> str | None:
    """The first website printed in the head, if any."""
    for event in head:
        # the substring test first: a long line without a website is not cleaned up
        match = _WEBSITE.search(_plain(event.text)) if ".gov.bd" in event.text else None
        if match:
            return match.group(1)
    return None


def _name_start(head: list[TextLine]) -> int:
    """Where the office's name begins: after the "Government of Bangladesh" line, if any."""
    for i, event in enumerate(head):
        if _GOVERNMENT in match_key(event.text):
            return i + 1
    return 0


@dataclass(frozen=True)
class _Location:
    """An upazila and district found at the end of a head line, with their printed names."""

    district: District
    upazila: Upazila
    district_bn: str
    upazila_bn: str


def _location(plain: str, line: int, geo: Geography, state: _State) -> _Location | None:
    """The line's last two comma-separated parts as "upazila, district", if they are ones.

    A known district with an unknown upazila is reported (a typo worth fixing), not taken.
    """
    if ".gov.bd" in plain and _WEBSITE.search(plain):
        return None
    parts = [p.strip(" ।.") for p in re.split(r"[,،]", plain) if p.strip(" ।.")]
    if len(parts) < 2:
        return None
    district = geo.find_district(parts[-1])
    if district is None:
        return None
    upazila = geo.find_upazila(parts[-2], district)
    if upazila is None:
        state.problem(line, f"office location {plain!r}: no upazila {parts[-2]!r} "
                            f"in {district.name_en} (data/geo)")
        return None
    return _Location(district, upazila, district_bn=parts[-1], upazila_bn=parts[-2])


def _office(events: list[Event], geo: Geography, state: _State) -> OfficeInfo:
    """The office named in the document head (before the first table or section)."""
    head = _head(events)
    website = _head_website(head)
    start = _name_start(head)
    for i, event in enumerate(head):
        plain = _plain(event.text)
        found = _location(plain, event.line, geo, state)
        if found is None:
            continue
        # The name is every line from after the government line down to the location line.
        name_lines = [_plain(e.text) for e in head[start:i + 1] if _plain(e.text)]
        return OfficeInfo(
            name=", ".join(name_lines) or plain,
            upazila=found.upazila.name_en,
            district=found.district.name_en,
            upazila_bn=found.upazila_bn,
            district_bn=found.district_bn,
            code=found.upazila.code,
            website=website,
            line=event.line,
        )
    named = _office_name_only(head[start:])
    if named is not None:
        state.problem(named.line, f"office {named.text!r} is named without its location "
                                  "(upazila, district): give --office CODE when importing")
        return OfficeInfo(name=named.text, website=website, line=named.line)
    state.problem(1, "no office name or location (upazila, district) in the document head: "
                     "give --office CODE when importing")
    return OfficeInfo(website=website)


#: words naming an office (কার্যালয়, অফিস, দপ্তর, পরিষদ), for a head without a location
_OFFICE_WORD = re.compile(r"কার্যালয়|অফিস|দপ্তর|পরিষদ|\boffice\b", re.IGNORECASE)
#: "… কার্যালয়, সদর, গাজীপুর — এর সেবা সম্পর্কিত তথ্য": what follows the dash is no name
_NAME_TAIL = re.compile(r"\s+[—–-]\s+.*$")


def _office_name_only(head: list[TextLine]) -> TextLine | None:
    """The first short head line naming an office, when no line gives its location."""
    for event in head:
        plain = _NAME_TAIL.sub("", _plain(event.text))
        if plain and len(plain) <= 120 and _OFFICE_WORD.search(nfc(plain)):
            return TextLine(event.line, plain)
    return None
