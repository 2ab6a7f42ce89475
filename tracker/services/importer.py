"""Import a paper register (CSV or XLSX) into the request log: all rows or none.

Columns (header names, any order; * = required):
  office*, service*, received_at*, channel*, external_ref*, applicant_name,
  applicant_contact, summary, track, track_reason, directive_due, directive_ref,
  closed_at, closed_as (delivered | rejected | withdrawn; default delivered), outcome

Every row goes through tracker.services.requests (the only writer), inside one transaction.
Any bad row -> nothing is written and every error is listed by its spreadsheet row number
(the header is row 1). The file is read by tracker.services.register_files, which loses no
cell silently (see there) and refuses more than ``MAX_ROWS`` data rows before any is
imported. Every text cell goes through tracker.domain.text (register numbers normalised,
control characters refused).

Re-importing a register (the same office and register number, compared in normalised form)
never ignores what changed:
- the same entry (service and receipt time) is "already present"; a different one is refused;
- a closure the register has gained (closed_at, closed_as, outcome) is applied as a
  lifecycle event (``requests.transition``); one that contradicts the request's own closure
  is refused (a closed request is not reopened);
- a descriptive field the register has filled or changed (applicant name and contact,
  summary, directive reference) is corrected through ``requests.update`` (one event each);
- a changed channel, track or directive due date is refused: no writer changes those.
A cell left empty in the register says nothing (the tracker may know more, e.g. a delivery
recorded since the register was exported).

SQLite holds one write lock for the whole import (all or nothing), so other writers wait for
it: there an import takes at most ``SQLITE_MAX_ROWS`` rows, and the error says to split the
file or use PostgreSQL, where imports do not block other writers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain.localtime import moment_to_utc, parse_date, parse_moment, to_local
from tracker.domain.status import CLOSED_STATES, RequestState
from tracker.domain.text import clean_text, normalise_reference
from tracker.errors import InputError, TrackerError
from tracker.services.auth import scope_for
from tracker.services.register_files import MAX_ROWS, Columns, RegisterRow, open_register
from tracker.services.requests import (
    EDITABLE,
    TRANSITIONS,
    NewRequest,
    RegisterNumberTaken,
    get_office,
    log_request,
    parse_service_key,
    transition,
    update,
)
from tracker.store.db import is_transient_lock
from tracker.store.models import Office, Request, Service, User

REQUIRED = ("office", "service", "received_at", "channel", "external_ref")
OPTIONAL = ("applicant_name", "applicant_contact", "summary", "track", "track_reason",
            "directive_due", "directive_ref", "closed_at", "closed_as", "outcome")
COLUMNS = Columns(required=REQUIRED, optional=OPTIONAL)
#: Closed state in a register -> the lifecycle action that closes a request so.
CLOSE_ACTIONS = {to.value: action for action, (_, to) in TRANSITIONS.items()
                 if to in CLOSED_STATES}
#: Free-text columns that may hold line breaks.
MULTILINE = ("summary", "track_reason", "outcome")
#: Descriptive columns a re-import corrects through ``requests.update``.
UPDATABLE = tuple(f for f in EDITABLE if f in OPTIONAL)
#: Columns no writer may change once a request is logged: a re-import that differs is refused.
FIXED = ("channel", "track", "track_reason")
#: Most rows one import takes on SQLite. The import holds SQLite's only write lock until it
#: ends (all rows or none), and every other writer waits meanwhile for at most the 30 s
#: busy timeout. A row costs ~15 ms (measured: 2,000 rows in 34 s of CPU), so 1,000 rows
#: keep the wait near 15 s; PostgreSQL has no such limit (its writers lock rows, not files).
SQLITE_MAX_ROWS = 1_000
#: Row errors listed in the message (the count says how many rows were refused).
MAX_ERRORS = 50


class RowOutcome(StrEnum):
    NEW = "new"
    UNCHANGED = "unchanged"
    UPDATED = "updated"


class ImportRaced(InputError):
    """Another import (or user) is writing the same register numbers at this moment."""


@dataclass(frozen=True)
class ImportLimits:
    """Row limits (parameters so tests need not build 50,000-row files)."""

    rows: int = MAX_ROWS
    sqlite_rows: int = SQLITE_MAX_ROWS


@dataclass
class ImportReport:
    rows: int = 0  # non-empty data rows read
    added: int = 0
    unchanged: int = 0
    updated: int = 0  # already present; closures or corrections applied
    refused: int = 0  # only ever non-zero in the error raised: then nothing is imported
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: RowOutcome) -> None:
        if outcome is RowOutcome.NEW:
            self.added += 1
        elif outcome is RowOutcome.UPDATED:
            self.updated += 1
        else:
            self.unchanged += 1

    def refuse(self, error: str) -> None:
        self.refused += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


def import_requests(session: Session, *, path: Path, now: datetime, user: User | None,
                    limits: ImportLimits = ImportLimits()) -> ImportReport:
    """Validate and write every row, or raise InputError listing the bad rows."""
    register = open_register(path, columns=COLUMNS, max_rows=limits.rows)
    _check_backend_limit(session, path, register.row_count, limits)
    run = _ImportRun(session, now=now, user=user, source=path.name)
    report = ImportReport()
    try:
        for row in register.rows():
            report.rows += 1
            try:
                report.count(run.import_row(row))
            except ImportRaced:
                raise
            except TrackerError as exc:
                report.refuse(f"row {row.number}: {exc}")
    except sa.exc.OperationalError as exc:
        if not is_transient_lock(exc):
            raise
        raise InputError(f"{path.name}: the database is busy with another writer (SQLite "
                         "takes one at a time); nothing imported, try again") from None
    if report.refused:
        more = report.refused - len(report.errors)
        raise InputError(
            f"{path.name}: {report.refused} of {report.rows} row(s) refused, nothing "
            "imported:\n  " + "\n  ".join(report.errors)
            + (f"\n  ... and {more} more" if more else ""))
    return report


def _check_backend_limit(session: Session, path: Path, rows: int,
                         limits: ImportLimits) -> None:
    if session.get_bind().dialect.name == "sqlite" and rows > limits.sqlite_rows:
        raise InputError(
            f"{path.name}: {rows:,} rows; on SQLite an import holds the only write lock until "
            f"it ends and would block every other user meanwhile: split the register into "
            f"files of at most {limits.sqlite_rows:,} rows, or use PostgreSQL "
            "(TRACKER_DATABASE_URL), where imports do not block other writers")


# -- one import -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Closure:
    """What a register row says about the request's end."""

    state: RequestState
    action: str
    at: datetime
    outcome: str | None

    @property
    def label(self) -> str:
        return f"{self.state.value} on {to_local(self.at).date}"


class _ImportRun:
    """The state of one import: the offices met, the register numbers per office, the rows
    seen (a register number may appear once per file)."""

    def __init__(self, session: Session, *, now: datetime, user: User | None,
                 source: str) -> None:
        self.session, self.now, self.user, self.source = session, now, user, source
        self._scope = scope_for(session, user)
        self._offices: dict[str, Office] = {}
        self._refs: dict[int, dict[str, int]] = {}
        self._seen: dict[tuple[int, str], int] = {}

    def import_row(self, row: RegisterRow) -> RowOutcome:
        if row.problems:
            raise InputError("; ".join(row.problems))
        cells = _clean_cells(row.cells)
        office = self._office(cells["office"])
        assert office.id is not None
        ref = cells["external_ref"]
        first = self._seen.setdefault((office.id, ref), row.number)
        if first != row.number:
            raise InputError(f"external_ref {ref!r} repeats row {first}")
        closure = _closure(cells)
        try:
            with self.session.begin_nested():
                existing = self._find(office, ref)
                if existing is None:
                    self._log(cells, closure, office, ref)
                    return RowOutcome.NEW
                return self._reconcile(existing, cells, closure, office, row.number)
        except RegisterNumberTaken:  # any other IntegrityError is a bug: it stays one
            # _find saw no such number: another writer added it meanwhile (on PostgreSQL the
            # unique index made this import wait for it). Every later row would collide too.
            raise ImportRaced(
                f"{self.source}: register number {ref!r} (row {row.number}) was added to "
                f"{office.code} by another import or user while this one ran; nothing "
                "imported: run the import again (rows already present are skipped)") from None

    def _office(self, code: str) -> Office:
        key = code.strip().lower()
        if key not in self._offices:
            office = get_office(self.session, key)
            self._scope.require_write(office)
            self._offices[key] = office
        return self._offices[key]

    def _find(self, office: Office, ref: str) -> Request | None:
        """The request with this register number in the office, references compared in
        normalised form (rows logged before normalisation included); a fresh exact look-up
        also finds one another import committed since the index was loaded."""
        assert office.id is not None
        found = self._office_refs(office.id).get(ref)
        if found is None:
            found = self.session.exec(select(Request.id).where(
                Request.office_id == office.id, Request.external_ref == ref)).first()
        return None if found is None else self.session.get(Request, found)

    def _office_refs(self, office_id: int) -> dict[str, int]:
        if office_id not in self._refs:
            rows = self.session.exec(select(Request.id, Request.external_ref).where(
                Request.office_id == office_id, col(Request.external_ref).is_not(None)))
            index: dict[str, int] = {}
            for request_id, stored in rows:
                if request_id is not None and stored is not None:
                    index.setdefault(_comparable_ref(stored), request_id)
            self._refs[office_id] = index
        return self._refs[office_id]

    def _log(self, cells: dict[str, str], closure: _Closure | None, office: Office,
             ref: str) -> None:
        directive_due = parse_date(cells["directive_due"]) if cells["directive_due"] else None
        request = log_request(self.session, new=NewRequest(
            office_code=office.code, service=cells["service"],
            received_at=moment_to_utc(parse_moment(cells["received_at"])),
            channel=cells["channel"], applicant_name=cells["applicant_name"] or None,
            applicant_contact=cells["applicant_contact"] or None,
            summary=cells["summary"], external_ref=ref,
            track=cells["track"] or None, track_reason=cells["track_reason"] or None,
            directive_due=directive_due, directive_ref=cells["directive_ref"] or None,
        ), now=self.now, user=self.user)
        assert request.id is not None and office.id is not None
        self._office_refs(office.id)[ref] = request.id
        if closure is not None:
            self._close(request, closure, reason=f"imported as {closure.state.value}")

    def _close(self, request: Request, closure: _Closure, *, reason: str) -> None:
        assert request.id is not None
        transition(self.session, request_id=request.id, action=closure.action,
                   at=closure.at, now=self.now, user=self.user,
                   reason=closure.outcome or reason, outcome=closure.outcome)

    def _reconcile(self, request: Request, cells: dict[str, str], closure: _Closure | None,
                   office: Office, number: int) -> RowOutcome:
        """An entry already in the log: unchanged, updated from the register, or refused."""
        _require_same_entry(self.session, request, cells, office)
        _refuse_fixed_changes(request, cells)
        corrected = self._correct_fields(request, cells, number)
        closed = closure is not None and self._apply_closure(request, closure, number)
        return RowOutcome.UPDATED if corrected or closed else RowOutcome.UNCHANGED

    def _correct_fields(self, request: Request, cells: dict[str, str], number: int) -> bool:
        changes: dict[str, str | None] = {
            name: cells[name] for name in UPDATABLE
            if cells[name] and cells[name] != getattr(request, name)}
        if changes:
            assert request.id is not None
            update(self.session, request_id=request.id, changes=changes, now=self.now,
                   user=self.user, reason=f"re-import of {self.source} row {number}")
        return bool(changes)

    def _apply_closure(self, request: Request, closure: _Closure, number: int) -> bool:
        """Close an open request as the register now says; True if it was closed."""
        if request.state in CLOSED_STATES:
            if (request.state == closure.state and request.closed_date == to_local(closure.at).date
                    and closure.outcome in (None, request.outcome)):
                return False
            raise InputError(
                f"request #{request.id} is already {request.state.value} on "
                f"{request.closed_date} (outcome {request.outcome!r}); the register says "
                f"{closure.label} (outcome {closure.outcome!r}): a closed request is not "
                "reopened, so correct the register row")
        self._close(request, closure, reason=f"closed by re-import of {self.source} row {number}")
        return True


# -- cells ------------------------------------------------------------------------------


def _clean_cells(cells: dict[str, str]) -> dict[str, str]:
    """Every column present ("" when empty or absent), text made safe by tracker.domain.text:
    the register number normalised, control characters refused in every cell."""
    empty = [name for name in REQUIRED if not cells.get(name)]
    if empty:
        raise InputError(f"empty required cell(s): {', '.join(empty)}")
    clean = {}
    for name in COLUMNS.known:
        value = cells.get(name, "")
        if name == "external_ref":
            clean[name] = normalise_reference(value, what="external_ref") or ""
        else:
            clean[name] = clean_text(value, what=name, multiline=name in MULTILINE) or ""
    return clean


def _comparable_ref(stored: str) -> str:
    """A stored register number in normalised form; one that can no longer be normalised
    (written before the rules) is compared as stored."""
    try:
        return normalise_reference(stored) or stored
    except InputError:
        return stored


def _closure(cells: dict[str, str]) -> _Closure | None:
    closed_as = cells["closed_as"].lower()
    if not cells["closed_at"]:
        for name in ("closed_as", "outcome"):
            if cells[name]:
                raise InputError(f"{name} given without closed_at")
        return None
    action = CLOSE_ACTIONS.get(closed_as or RequestState.DELIVERED.value)
    if action is None:
        raise InputError(f"unknown status {closed_as!r} in closed_as "
                         f"(one of {', '.join(CLOSE_ACTIONS)})")
    return _Closure(state=TRANSITIONS[action][1], action=action,
                    at=moment_to_utc(parse_moment(cells["closed_at"])),
                    outcome=cells["outcome"] or None)


def _require_same_entry(session: Session, request: Request, cells: dict[str, str],
                        office: Office) -> None:
    """The register number names this request: same service and receipt time."""
    received = moment_to_utc(parse_moment(cells["received_at"]))
    service = session.get(Service, request.service_id)
    assert service is not None
    category, number = parse_service_key(cells["service"])
    if (request.received_at, service.category, service.number) != (received, category, number):
        raise InputError(f"external_ref {cells['external_ref']!r} is already used in "
                         f"{office.code} for a different request (#{request.id})")


def _refuse_fixed_changes(request: Request, cells: dict[str, str]) -> None:
    """Channel, track and directive due date cannot change after logging: refuse, clearly."""
    stored = {"channel": request.channel, "track": request.track.value,
              "track_reason": request.track_reason or ""}
    differences = [f"{name} {stored[name]!r} -> {cells[name]!r}" for name in FIXED
                   if cells[name] and cells[name] != stored[name]]
    if cells["directive_due"] and parse_date(cells["directive_due"]) != request.anchor_due_date:
        differences.append(f"directive_due {request.anchor_due_date} -> {cells['directive_due']}")
    if differences:
        raise InputError(f"request #{request.id} differs from the register in "
                         f"{', '.join(differences)}, which an import cannot change; correct "
                         "the register row (or the request, e.g. `tracker request extend`)")
