"""Read a register file (CSV or XLSX) as numbered rows of text cells: streamed, nothing lost.

Every cell a register holds either reaches the importer or is an error naming its row and
column. Spreadsheets hide cells in ways a plain read loses silently, so each is refused:

- a ``<dimension>`` that understates the sheet (openpyxl's read-only mode trusts it and
  stops early): the dimension is ignored and every row is read;
- a formula without a saved value (the file was written by a program that does not
  calculate): it would read as empty;
- merged cells: only the first cell of the range holds the value;
- an error value (``#REF!``, ``#N/A``): it would read as text;
- a header named twice (a dict keeps only the last column), a value under no header, a
  row longer than the header;
- in a CSV, a cell longer than the csv module's field limit (often a stray quote mark that
  runs to the end of the file).

Memory stays bounded whatever the file holds: rows are streamed, never listed; a first
pass counts the data rows and refuses a file with more than ``max_rows`` before any row is
imported (and, for XLSX, before openpyxl opens the sheet: without a ``<dimension>`` it
would read the whole sheet to size it); the XLSX parts openpyxl loads whole (shared
strings, styles) are size-checked first.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from openpyxl.utils.cell import get_column_letter, range_boundaries

from tracker.domain.text import MAX_TEXT_CHARS
from tracker.errors import InputError

#: Most data rows one import takes (a year's register of a busy office is a few thousand):
#: a bigger file is refused before anything is imported, with a clear error.
MAX_ROWS = 50_000
#: Largest XLSX part that openpyxl loads whole (shared strings, styles): a bigger one is a
#: "zip bomb" (a 290 KB file can unpack to gigabytes), not a register.
MAX_XLSX_PART_BYTES = 64 * 1024 * 1024
#: Problems listed in one error message (the count says how many more there are).
MAX_PROBLEMS = 50

_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_CSV_SUFFIXES = (".csv", ".txt")


@dataclass(frozen=True)
class Columns:
    """The header names a register may use (lower case), and those it must have."""

    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class RegisterRow:
    """One non-empty data row: its spreadsheet row number (the header is row 1), its cells
    by header name (stripped text, "" for empty), and what makes it unreadable."""

    number: int
    cells: dict[str, str]
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Register:
    """An opened register: the header is checked and the data rows counted (at most the
    limit); ``rows()`` streams them."""

    path: Path
    header: tuple[str, ...]
    row_count: int

    def rows(self) -> Iterator[RegisterRow]:
        records = _records(self.path)
        next(records)  # the header, checked by open_register
        for number, values in records:
            row = _row(number, values, self.header)
            if row is not None:
                yield row


def open_register(path: Path, *, columns: Columns, max_rows: int = MAX_ROWS) -> Register:
    """Check the file (format, size, structure, header) and count its data rows.

    Raises InputError naming the file (and the rows/cells) for anything that cannot be
    imported as a whole; row-level problems are left to ``Register.rows()``.
    """
    if not path.exists():
        raise InputError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix not in _XLSX_SUFFIXES + _CSV_SUFFIXES:
        raise InputError(f"{path.name}: expected a .csv or .xlsx file")
    sheet_rows = _check_xlsx_structure(path, max_rows) if suffix in _XLSX_SUFFIXES else None
    records = _records(path)
    first = next(records, None)
    if first is None:
        raise InputError(f"{path.name}: empty file")
    header = _header(path, first[1], columns)
    count = _count_rows(path, records, max_rows) if sheet_rows is None else sheet_rows
    return Register(path=path, header=header, row_count=count)


def _count_rows(path: Path, records: Iterator[tuple[int, list[str]]], max_rows: int) -> int:
    count = 0
    for _number, values in records:
        if any(v.strip() for v in values):
            count += 1
            if count > max_rows:
                raise _too_many_rows(path, max_rows)
    return count


def _too_many_rows(path: Path, max_rows: int) -> InputError:
    return InputError(f"{path.name}: more than {max_rows:,} data rows (the most one import "
                      "takes); split the register into smaller files and import each")


# -- rows -------------------------------------------------------------------------------


def _header(path: Path, values: list[str], columns: Columns) -> tuple[str, ...]:
    header = tuple(v.strip().lower() for v in values)
    problems = []
    first_column: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name:
            continue
        if name in first_column:
            problems.append(f"columns {_letter(first_column[name])} and {_letter(index)} are "
                            f"both named {name!r}; keep one")
        first_column.setdefault(name, index)
    missing = [c for c in columns.required if c not in first_column]
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    unknown = [h for h in first_column if h not in columns.known]
    if unknown:
        problems.append(f"unknown column(s) {', '.join(repr(u) for u in unknown)} "
                        f"(expected {', '.join(columns.known)})")
    if problems:
        raise InputError(f"{path.name}: header (row 1): {'; '.join(problems)}")
    return header


def _row(number: int, values: list[str], header: tuple[str, ...]) -> RegisterRow | None:
    """The row's cells by header; None for an empty row. A value under no header (or
    beyond the header's last column) is a problem, not silently dropped."""
    cells: dict[str, str] = {name: "" for name in header if name}
    problems = []
    for index, value in enumerate(values):
        text = value.strip()
        name = header[index] if index < len(header) else ""
        if name:
            cells[name] = text
        elif text:
            problems.append(f"column {_letter(index)} has a value but no header")
    if not problems and not any(cells.values()):
        return None
    return RegisterRow(number=number, cells=cells, problems=tuple(problems))


def _letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based index (CSV files are opened as sheets too)."""
    return str(get_column_letter(index + 1))


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) of every row, the empty ones included, streamed."""
    if path.suffix.lower() in _XLSX_SUFFIXES:
        return _xlsx_records(path)
    return _csv_records(path)


def _csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    number = 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            for number, record in enumerate(reader, start=1):
                yield number, record
        except UnicodeDecodeError:
            raise InputError(f"{path.name}: row {number + 1}: not UTF-8 text "
                             "(save the CSV as UTF-8)") from None
        except csv.Error as exc:
            raise InputError(f"{path.name}: row {number + 1}: {_csv_problem(exc)}") from None


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (f"a cell is longer than {csv.field_size_limit():,} characters (a register "
                f"cell holds at most {MAX_TEXT_CHARS:,}); look for a stray quote mark")
    return f"not a readable CSV row ({exc})"


def _xlsx_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    number = 0
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # never trust <dimension>: it may say A1:E2 over 10 rows
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    except Exception as exc:  # a damaged sheet fails while it is read, row by row
        raise InputError(f"{path.name}: row {number + 1}: not a readable XLSX row "
                         f"({exc})") from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep="T", timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- the XLSX structure pass ------------------------------------------------------------


@dataclass
class _SheetScan:
    """What the sheet XML holds that a value-only read would lose, gathered in one pass."""

    max_rows: int
    valued_rows: int = 0
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)


def _check_xlsx_structure(path: Path, max_rows: int) -> int:
    """Refuse zip bombs, over-long sheets, formulas without values, error values and merged
    cells, from the first sheet's XML, before openpyxl reads any of it; the number of data
    rows (rows holding a cell, the header excluded)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    with archive:
        _check_part_sizes(path, archive)
        part = _first_sheet_part(path)
        scan = _SheetScan(max_rows=max_rows)
        try:
            with archive.open(part) as xml:
                _scan_sheet(xml, scan)
        except _TooManyRows:
            raise _too_many_rows(path, max_rows) from None
        except (KeyError, SyntaxError, ValueError) as exc:  # ParseError is a SyntaxError
            raise InputError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    if scan.problems:
        more = scan.problem_count - len(scan.problems)
        raise InputError(
            f"{path.name}: {scan.problem_count} cell problem(s), nothing imported:\n  "
            + "\n  ".join(scan.problems) + (f"\n  ... and {more} more" if more else ""))
    return max(scan.valued_rows - 1, 0)


def _check_part_sizes(path: Path, archive: zipfile.ZipFile) -> None:
    for info in archive.infolist():
        if info.filename.startswith("xl/worksheets/"):
            continue  # streamed, and bounded by the row limit
        if info.file_size > MAX_XLSX_PART_BYTES:
            raise InputError(
                f"{path.name}: {info.filename} unpacks to {info.file_size // 2**20:,} MB "
                f"(at most {MAX_XLSX_PART_BYTES // 2**20} MB): not a register export")


def _first_sheet_part(path: Path) -> str:
    """The archive member openpyxl reads as ``worksheets[0]`` (same rules as its reader)."""
    from openpyxl.reader.excel import ExcelReader

    try:
        reader = ExcelReader(path, read_only=True)
        try:
            reader.read_manifest()
            reader.read_workbook()
            for _sheet, rel in reader.parser.find_sheets():
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                    return str(rel.target)
        finally:
            reader.archive.close()
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    raise InputError(f"{path.name}: the workbook has no worksheet")


class _TooManyRows(Exception):
    pass


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _scan_sheet(xml: IO[bytes], scan: _SheetScan) -> None:
    """One streaming pass over the sheet XML. A finished row or merge range is removed from
    its parent as soon as it is read, so memory holds one row at a time."""
    from openpyxl.xml.functions import iterparse

    open_elements: list[Any] = []
    row_number = 0
    row_has_value = False
    for event, element in iterparse(xml, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            open_elements.append(element)
            if tag == "row":
                row_number = int(element.get("r") or row_number + 1)  # ValueError if bad
                row_has_value = False
            continue
        open_elements.pop()
        if tag == "c":
            row_has_value = _scan_cell(element, row_number, scan) or row_has_value
        elif tag == "row":
            if row_has_value:
                scan.valued_rows += 1
                if scan.valued_rows > scan.max_rows + 1:  # + the header
                    raise _TooManyRows
        elif tag == "mergeCell":
            _scan_merge(element.get("ref") or "", scan)
        if tag in ("row", "mergeCell") and open_elements:
            open_elements[-1].remove(element)


def _scan_cell(element: Any, row_number: int, scan: _SheetScan) -> bool:
    """Record the cell's problems; True if it holds anything (a value or a formula)."""
    children = {_local(child.tag): child for child in element}
    where = f"row {row_number}, cell {element.get('r') or '?'}"
    if "f" in children and not _has_saved_value(element, children.get("v")):
        scan.problem(f"{where}: a formula without a saved value (it would import as empty); "
                     "open the file in Excel or LibreOffice and save it, or paste values")
    elif element.get("t") == "e":
        value = children["v"].text if "v" in children else "?"
        scan.problem(f"{where}: holds the error value {value}; correct the cell")
    return bool(children.keys() & {"f", "v", "is"})


def _has_saved_value(cell: Any, value: Any) -> bool:
    """A formula's cached result: a non-empty <v>, or an empty one in a string cell (a
    formula that yields ""). openpyxl writes formulas with an untyped empty <v/>."""
    if value is None:
        return False
    return bool(value.text) or cell.get("t") == "str"


def _scan_merge(ref: str, scan: _SheetScan) -> None:
    try:
        _min_col, min_row, _max_col, _max_row = range_boundaries(ref)
    except (TypeError, ValueError):
        min_row = 0
    scan.problem(f"row {min_row}, cells {ref}: merged (only the first cell holds the value); "
                 "unmerge them and fill every cell")
