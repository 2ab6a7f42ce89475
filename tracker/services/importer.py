"""Import a paper register (CSV or XLSX) into the request log: all rows or none.

Columns (header names, any order; * = required):
  office*, service*, received_at*, channel*, external_ref*, applicant_name,
  applicant_contact, summary, track, track_reason, directive_due, directive_ref,
  closed_at, closed_as (delivered | rejected | withdrawn; default delivered), outcome

Every row goes through tracker.services.requests (the only writer), inside one transaction. Any bad
row -> nothing is written and every error is listed by its spreadsheet row number (the
header is row 1). A row whose office and external_ref already exist with the same service
and receipt time is skipped, so re-importing the same file adds nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from tracker.domain.localtime import moment_to_utc, parse_date, parse_moment
from tracker.domain.status import CLOSED_STATES
from tracker.errors import InputError, TrackerError
from tracker.services.requests import (
    TRANSITIONS,
    NewRequest,
    get_office,
    log_request,
    parse_service_key,
    transition,
)
from tracker.store.models import Request, Service, User

REQUIRED = ("office", "service", "received_at", "channel", "external_ref")
OPTIONAL = ("applicant_name", "applicant_contact", "summary", "track", "track_reason",
            "directive_due", "directive_ref", "closed_at", "closed_as", "outcome")
#: Closed state in a register -> the lifecycle action that closes a request so.
CLOSE_ACTIONS = {to.value: action for action, (_, to) in TRANSITIONS.items()
                 if to in CLOSED_STATES}
MAX_ERRORS = 50


@dataclass
class ImportReport:
    added: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, cells by lower-case header) for every non-empty row."""
    if not path.exists():
        raise InputError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    if suffix not in (".csv", ".txt"):
        raise InputError(f"{path.name}: expected a .csv or .xlsx file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: not UTF-8 text (save the CSV as UTF-8)") from None
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    return _with_header(path, rows)


def _xlsx_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    sheet = workbook.worksheets[0]
    rows = [["" if v is None else _cell_text(v) for v in row]
            for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return _with_header(path, rows)


def _cell_text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep="T", timespec="minutes")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _with_header(path: Path, rows: list[list[str]]) -> list[tuple[int, dict[str, str]]]:
    if not rows:
        raise InputError(f"{path.name}: empty file")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"{path.name}: missing column(s) {', '.join(missing)}")
    unknown = [h for h in header if h and h not in REQUIRED + OPTIONAL]
    if unknown:
        raise InputError(f"{path.name}: unknown column(s) {', '.join(unknown)}")
    out = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if h}
        if any(cells.values()):
            out.append((number, cells))
    return out


def import_requests(session: Session, *, path: Path, now: datetime,
                    user: User | None) -> ImportReport:
    """Validate and write every row, or raise InputError listing the bad rows."""
    report = ImportReport()
    rows = read_rows(path)
    seen: dict[tuple[str, str], int] = {}
    for number, cells in rows:
        try:
            key = (cells["office"].strip().lower(), cells["external_ref"])
            if not cells["external_ref"]:
                raise InputError("external_ref is required (the register number)")
            if key in seen:
                raise InputError(f"external_ref {key[1]!r} repeats row {seen[key]}")
            seen[key] = number
            with session.begin_nested():
                if _already_imported(session, cells):
                    report.unchanged += 1
                    continue
                _import_row(session, cells, now=now, user=user)
                report.added += 1
        except TrackerError as exc:
            report.errors.append(f"row {number}: {exc}")
    if report.errors:
        shown = report.errors[:MAX_ERRORS]
        more = len(report.errors) - len(shown)
        raise InputError(
            f"{path.name}: {len(report.errors)} bad row(s), nothing imported:\n  "
            + "\n  ".join(shown) + (f"\n  ... and {more} more" if more else ""))
    return report


def _already_imported(session: Session, cells: dict[str, str]) -> bool:
    """True if the same register entry is already in the log; error if it conflicts."""
    office = get_office(session, cells["office"])
    existing = session.exec(select(Request).where(
        Request.office_id == office.id, Request.external_ref == cells["external_ref"])).first()
    if existing is None:
        return False
    received = moment_to_utc(parse_moment(cells["received_at"]))
    service = session.get(Service, existing.service_id)
    assert service is not None
    category, number = parse_service_key(cells["service"])
    same = (existing.received_at == received and service.category == category
            and service.number == number)
    if not same:
        raise InputError(f"external_ref {cells['external_ref']!r} is already used in "
                         f"{office.code} for a different request (#{existing.id})")
    return True


def _import_row(session: Session, cells: dict[str, str], *, now: datetime,
                user: User | None) -> None:
    directive_due = parse_date(cells["directive_due"]) if cells.get("directive_due") else None
    request = log_request(session, new=NewRequest(
        office_code=cells["office"], service=cells["service"],
        received_at=moment_to_utc(parse_moment(cells["received_at"])),
        channel=cells["channel"], applicant_name=cells.get("applicant_name") or None,
        applicant_contact=cells.get("applicant_contact") or None,
        summary=cells.get("summary", ""), external_ref=cells["external_ref"],
        track=cells.get("track") or None, track_reason=cells.get("track_reason") or None,
        directive_due=directive_due, directive_ref=cells.get("directive_ref") or None,
    ), now=now, user=user)
    closed_as = (cells.get("closed_as") or "").strip().lower()
    if cells.get("closed_at"):
        action = CLOSE_ACTIONS.get(closed_as or "delivered")
        if action is None:
            raise InputError(f"unknown status {closed_as!r} in closed_as "
                             f"(one of {', '.join(CLOSE_ACTIONS)})")
        assert request.id is not None
        transition(session, request_id=request.id, action=action,
                   at=moment_to_utc(parse_moment(cells["closed_at"])), now=now, user=user,
                   reason=cells.get("outcome") or f"imported as {closed_as or 'delivered'}",
                   outcome=cells.get("outcome") or None)
    elif closed_as:
        raise InputError("closed_as given without closed_at")
