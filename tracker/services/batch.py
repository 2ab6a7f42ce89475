"""Due dates for a CSV file of receipts (``tracker calendar due --file``).

All rows or none: every bad row is reported with its line number and nothing is written.
Working-day rows go through the vectorised path; immediate rows (empty N) per row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tracker.domain.calendar import BangladeshCalendar
from tracker.domain.deadlines import DeadlineSpec, due_date, due_dates
from tracker.domain.localtime import LocalMoment, parse_moment
from tracker.errors import InputError, TrackerError
from tracker.services.exports import write_csv_rows

REQUIRED_COLUMNS = ("received_at", "working_days")
MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True)
class BatchResult:
    csv_text: str
    warnings: list[str]


@dataclass(frozen=True)
class _Receipt:
    """One valid input row: its text as given (echoed back unchanged) and what it means."""

    raw_received: str
    raw_n: str
    moment: LocalMoment
    working_days: int | None  # None: immediate


def _open_csv(path: Path) -> csv.DictReader[str]:
    """A reader over the file, once its header has the required columns."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: files saved by Excel have a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} "
                         f"(expected header: received_at,working_days)")
    return reader


def _working_days(raw_n: str) -> int | None:
    """The N of "N working days"; empty means immediate (None)."""
    if not raw_n:
        return None
    if not raw_n.isdigit() or int(raw_n) < 1:
        raise InputError(f"working_days must be a whole number >= 1, got {raw_n!r}")
    return int(raw_n)


def _receipt(row: dict[str, str | None], calendar: BangladeshCalendar) -> _Receipt:
    """One row, checked (TrackerError if bad), including that the calendar covers its date."""
    raw_received = (row.get("received_at") or "").strip()
    raw_n = (row.get("working_days") or "").strip()
    moment = parse_moment(raw_received)
    n = _working_days(raw_n)
    calendar.check_in_range(moment.date)
    return _Receipt(raw_received, raw_n, moment, n)


def _bad_rows_error(path: Path, errors: list[str]) -> InputError:
    """One error for all bad rows, the first MAX_ERRORS_SHOWN of them spelt out."""
    shown = errors[:MAX_ERRORS_SHOWN]
    more = f" (and {len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
    return InputError(f"{path}: {len(errors)} bad row(s), nothing written: "
                      + "; ".join(shown) + more)


def _read_receipts(path: Path, calendar: BangladeshCalendar) -> list[_Receipt]:
    """Every row of the file; all rows or none, so every bad row is collected first."""
    reader = _open_csv(path)
    receipts: list[_Receipt] = []
    errors: list[str] = []
    for row in reader:
        try:
            receipts.append(_receipt(row, calendar))
        except TrackerError as exc:
            errors.append(f"line {reader.line_num}: {exc}")
    if errors:
        raise _bad_rows_error(path, errors)
    return receipts


def _working_day_dues(path: Path, receipts: list[_Receipt], calendar: BangladeshCalendar,
                      dues: list[str]) -> None:
    """Fill in the due dates of the working-day rows, all at once on the vectorised path."""
    wd_rows = [i for i, r in enumerate(receipts) if r.working_days is not None]
    if not wd_rows:
        return
    received = np.array([receipts[i].moment.date for i in wd_rows], dtype="datetime64[D]")
    counts = np.array([receipts[i].working_days for i in wd_rows], dtype=np.int64)
    try:
        result = due_dates(received, counts, calendar)
    except TrackerError as exc:
        raise InputError(f"{path}: {exc}") from None
    for i, due in zip(wd_rows, result, strict=True):
        dues[i] = str(due)


def _immediate_dues_and_provisional_lines(receipts: list[_Receipt],
                                          calendar: BangladeshCalendar,
                                          dues: list[str]) -> list[int]:
    """Fill in the immediate rows' due dates (per row: they depend on the time of day) and
    return the file lines (header is line 1) whose receipt-to-due span is provisional."""
    provisional_lines: list[int] = []
    for i, receipt in enumerate(receipts):
        if receipt.working_days is None:
            dues[i] = due_date(receipt.moment, DeadlineSpec.immediate(),
                               calendar).due.isoformat()
        if calendar.any_provisional(receipt.moment.date, np.datetime64(dues[i], "D").item()):
            provisional_lines.append(i + 2)
    return provisional_lines


def _render_csv(receipts: list[_Receipt], dues: list[str]) -> str:
    """The output CSV: the input columns as given, plus the due date, in input order
    (through the tracker's one CSV writer: CRLF record ends, text neutralised)."""
    out = io.StringIO()
    write_csv_rows(out, [["received_at", "working_days", "due_date"],
                         *([receipt.raw_received, receipt.raw_n, due]
                           for receipt, due in zip(receipts, dues, strict=True))])
    return out.getvalue()


def _provisional_warnings(provisional_lines: list[int],
                          calendar: BangladeshCalendar) -> list[str]:
    """A warning naming the (first 50) lines whose due dates rest on a forecast year."""
    if not provisional_lines:
        return []
    return [
        f"provisional due dates (no curated holiday list for "
        f"{', '.join(map(str, calendar.provisional_years))} years) on line(s) "
        + ", ".join(map(str, provisional_lines[:50]))
        + (" ..." if len(provisional_lines) > 50 else "")
    ]


def due_dates_csv(path: Path, calendar: BangladeshCalendar) -> BatchResult:
    receipts = _read_receipts(path, calendar)
    dues: list[str] = [""] * len(receipts)
    _working_day_dues(path, receipts, calendar, dues)
    provisional_lines = _immediate_dues_and_provisional_lines(receipts, calendar, dues)
    return BatchResult(_render_csv(receipts, dues),
                       _provisional_warnings(provisional_lines, calendar))
