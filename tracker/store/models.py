"""SQLModel tables. Data only: the rules live in deadlines.py, status.py and requests.py.

Times are stored in UTC (``UTCDateTime`` keeps the zone through SQLite, which has none);
the Asia/Dhaka local dates the rules work on are stored beside them for SQL aggregation.
A request's SLA status (on time, overdue, ...) is never stored: status.py derives it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString

from tracker.domain.deadlines import DeadlineUnit, Track
from tracker.domain.status import OPEN_STATES as DOMAIN_OPEN_STATES
from tracker.domain.status import RequestState

ROLES = ("upazila_officer", "district_programmer", "admin")
CHANNELS = ("web", "phone", "email", "in_person", "letter", "e_nothi")
# States, tracks and units are enums of the domain; the columns store their values.
OPEN_STATES: tuple[str, ...] = tuple(s.value for s in DOMAIN_OPEN_STATES)

E = TypeVar("E", bound=StrEnum)


class StrEnumText(sa.types.TypeDecorator[E]):
    """A StrEnum stored as its text value (a plain VARCHAR, as the migrations made it):
    unknown values are refused on write, and reads give the enum member back."""

    impl = AutoString
    cache_ok = True

    def __init__(self, enum: type[E]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_column(nullable: bool = False, index: bool = False) -> Any:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


# -- geography and offices ----------------------------------------------------------------


class Division(SQLModel, table=True):
    id: int = Field(primary_key=True)
    name_en: str
    name_bn: str


class District(SQLModel, table=True):
    id: int = Field(primary_key=True)
    division_id: int = Field(foreign_key="division.id", index=True)
    name_en: str = Field(index=True)
    name_bn: str


class Upazila(SQLModel, table=True):
    id: int = Field(primary_key=True)
    district_id: int = Field(foreign_key="district.id", index=True)
    name_en: str
    name_bn: str


class Office(SQLModel, table=True):
    """An office at upazila or district level. Codes: ``jashore.keshabpur`` / ``jashore``
    for the ICT offices; other offices of a place add ``@<slug>``
    (``jashore.keshabpur@land``, ``dhaka@btcl``: tracker.domain.offices).

    ``kind`` is the *level* (upazila | district: whose officers and programmers it has);
    ``office_kind`` is what the office is (ict, land, uno, union_parishad, …, or free text).
    """

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    kind: str  # "upazila" | "district"
    office_kind: str = Field(default="ict", index=True,
                             sa_column_kwargs={"server_default": "ict"})
    name_en: str
    name_bn: str
    district_id: int = Field(foreign_key="district.id", index=True)
    upazila_id: int | None = Field(default=None, foreign_key="upazila.id")
    parent_office_id: int | None = Field(default=None, foreign_key="office.id")
    website: str | None = None
    #: Requests received before this date are "not measured" (GUIDE §3 rule 11).
    go_live_date: date | None = None


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True)
    full_name: str
    role: str  # one of ROLES
    office_id: int | None = Field(default=None, foreign_key="office.id")
    email: str | None = None
    password_hash: str
    language: str = "bn"
    active: bool = True


# -- charters -----------------------------------------------------------------------------


class CharterVersion(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("office_id", "content_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    effective_date: date
    source: str
    content_hash: str
    loaded_at: datetime = Field(sa_column=utc_column())


class Service(SQLModel, table=True):
    """One service of one charter version, with its promised time limit.

    ``unit``: a DeadlineUnit: working_days | calendar_days | months | hours | immediate |
    per_directive | no_deadline. ``needs_review``: see below.
    ``conditional``: the longer limit applies only where needed (immediate / N where
    applicable, or N / as needed) — the officer picks a track or extends with a reason.
    """

    id: int | None = Field(default=None, primary_key=True)
    charter_version_id: int = Field(foreign_key="charterversion.id", index=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    category: str  # citizen | institutional | internal
    number: int
    name_bn: str
    name_en: str | None = None
    deadline_raw: str
    unit: DeadlineUnit = Field(sa_type=StrEnumText(DeadlineUnit))
    amount: int = 0
    #: For "immediate / N working days where applicable": the extended track's N.
    extended_working_days: int | None = None
    conditional: bool = False
    #: The charter's limit was not safely understood: no request may be logged against
    #: this service until a reviewer sets the limit in the catalog TOML (GUIDE §6).
    needs_review: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    fee_raw: str = ""
    responsible_officer: str = ""
    responsible_contact: str = ""
    escalation_officer: str = ""


# -- requests -----------------------------------------------------------------------------


#: Optimistic-locking counter: SQLAlchemy adds "AND version = :old" to every UPDATE and
#: raises StaleDataError if another transaction changed the row meanwhile.
_request_version = sa.Column("version", sa.Integer, nullable=False, default=1)


class Request(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("office_id", "external_ref"),)
    __mapper_args__ = {"version_id_col": _request_version}

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    service_id: int = Field(foreign_key="service.id", index=True)
    charter_version_id: int = Field(foreign_key="charterversion.id")
    received_at: datetime = Field(sa_column=utc_column(index=True))
    received_date: date = Field(index=True)  # Asia/Dhaka local date of received_at
    channel: str
    applicant_name: str | None = None
    applicant_contact: str | None = None
    summary: str = ""
    external_ref: str | None = None  # paper-register number; unique per office
    track: Track = Field(default=Track.STANDARD, sa_type=StrEnumText(Track))
    track_reason: str | None = None
    directive_ref: str | None = None
    #: The due date before holds and extensions (frozen when logged).
    base_due_date: date | None = None
    #: The due date in force: base + working days on hold, or the extension's date.
    due_date: date | None = Field(default=None, index=True)
    hold_working_days: int = 0
    extended: bool = False
    calendar_version: str = ""
    due_provisional: bool = False
    state: RequestState = Field(default=RequestState.RECEIVED, index=True,
                                sa_type=StrEnumText(RequestState))
    closed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    closed_date: date | None = None  # Asia/Dhaka local date of closed_at
    outcome: str | None = None
    backdated: bool = False
    created_at: datetime = Field(sa_column=utc_column())
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    #: Extension (GUIDE §3 rule 6) or the date entered for a per-directive service; holds
    #: after it push it later by the working days on hold beyond ``anchor_hold_days``.
    anchor_due_date: date | None = None
    anchor_hold_days: int = 0
    version: int = Field(default=1, sa_column=_request_version)


class HoldPeriod(SQLModel, table=True):
    """The hold ledger (clock stops while the office waits for the applicant)."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    started_at: datetime = Field(sa_column=utc_column())
    start_date: date
    ended_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    end_date: date | None = None
    reason: str


class RequestEvent(SQLModel, table=True):
    """Append-only audit: every change, who, when, old -> new, why. Nothing is deleted."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    at: datetime = Field(sa_column=utc_column())
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    action: str
    field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    reason: str | None = None


# -- GRS complaints -------------------------------------------------------------------------


class GrsTierLimit(SQLModel, table=True):
    """One GRS tier's time limit in one charter version (the charter's, or 30/20/60)."""

    __table_args__ = (sa.UniqueConstraint("charter_version_id", "tier"),)

    id: int | None = Field(default=None, primary_key=True)
    charter_version_id: int = Field(foreign_key="charterversion.id", index=True)
    tier: int  # 1 complaint officer, 2 appeal officer, 3 Cabinet Division cell
    role: str
    unit: str  # working_days | calendar_days | months
    amount: int
    raw: str = ""
    title_bn: str = ""
    officer: str = ""
    is_default: bool = False


class Complaint(SQLModel, table=True):
    """A grievance (অভিযোগ), standalone or about one request. Its status is derived."""

    __table_args__ = (sa.UniqueConstraint("office_id", "external_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True)
    charter_version_id: int | None = Field(default=None, foreign_key="charterversion.id")
    complainant_name: str
    complainant_contact: str
    summary: str = ""
    external_ref: str | None = None  # GRS portal / register number; unique per office
    received_at: datetime = Field(sa_column=utc_column(index=True))
    received_date: date = Field(index=True)  # Asia/Dhaka local date
    #: The tier limits frozen when logged, e.g. "working_days:30;working_days:20;months:2".
    tier_limits: str
    limits_default: bool = False
    calendar_version: str = ""
    created_at: datetime = Field(sa_column=utc_column())
    created_by: int | None = Field(default=None, foreign_key="app_user.id")


class ComplaintStep(SQLModel, table=True):
    """One tier's clock for one complaint: started (lodged, appealed or escalated
    automatically when the tier below passed its limit), due, and how it was settled."""

    __table_args__ = (sa.UniqueConstraint("complaint_id", "tier"),)

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    tier: int
    kind: str  # lodged | appeal | auto
    start_date: date  # the clock counts working days strictly after this date
    due_date: date
    started_at: datetime = Field(sa_column=utc_column())
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    resolved_date: date | None = None
    resolution: str | None = None
    resolved_by: int | None = Field(default=None, foreign_key="app_user.id")


class ComplaintEvent(SQLModel, table=True):
    """Append-only audit of complaints: logged, resolved, appealed, escalated."""

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    at: datetime = Field(sa_column=utc_column())
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    action: str
    tier: int | None = None
    old_value: str | None = None
    new_value: str | None = None
    reason: str | None = None


# -- digests ------------------------------------------------------------------------------

DIGEST_KINDS = ("upazila_daily", "district_daily", "upazila_weekly", "district_weekly")
#: pending (to send, maybe after ``next_attempt_at``) -> sending (claimed by one worker)
#: -> sent | failed (gave up, or outcome unknown: interrupted, or no answer after DATA; see
#: jobs.OUTCOME_UNKNOWN — never re-sent automatically, `tracker digest requeue` resends) ;
#: skipped: all clear.
DELIVERY_STATES = ("pending", "sending", "sent", "failed", "skipped")


class DigestDelivery(SQLModel, table=True):
    """One digest for one recipient, date and kind: recorded before it is sent.

    The unique (user, date, kind) key is the claim: whoever inserts the row plans the
    digest, and only the worker whose conditional UPDATE moves it from pending to sending
    sends it — so a digest goes out at most once across workers, restarts and manual runs.
    """

    __tablename__ = "digest_delivery"
    __table_args__ = (sa.UniqueConstraint("user_id", "digest_date", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    office_id: int = Field(foreign_key="office.id")
    digest_date: date = Field(index=True)
    kind: str  # one of DIGEST_KINDS
    recipient: str  # the e-mail address at planning time
    language: str
    subject: str
    #: The complete RFC 5322 message (UTF-8), so a retry sends exactly what was planned.
    message: str
    state: str = Field(default="pending", index=True)  # one of DELIVERY_STATES
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    claimed_by: str | None = None
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_error: str | None = None
    created_at: datetime = Field(sa_column=utc_column())


# -- login attempts -----------------------------------------------------------------------


class LoginOutcome(StrEnum):
    """How one login attempt ended (tracker.services.auth decides; this only records it)."""

    SUCCEEDED = "succeeded"
    #: Unknown user, wrong password or disabled account (deliberately not told apart).
    FAILED = "failed"
    #: Refused while the account or the client was locked: the password was not checked.
    REFUSED = "refused"
    #: Not a login: an administrator cleared the failures of an account or a client.
    UNLOCKED = "unlocked"


class LoginAttempt(SQLModel, table=True):
    """Every dashboard login attempt, and every unlock: the throttle's memory and the
    administrator's view (``tracker user attempts``). Append-only.

    ``username`` is the name as typed, normalised (NFC, trimmed, case-folded, controls
    replaced), whether or not such a user exists; ``client`` is the dashboard's client key
    (the connection's address, else a per-browser-session id). An unlock row names the
    account or the client it cleared (the other is NULL) and the administrator in ``actor``.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_username_outcome_at", "username", "outcome", "at"),
        sa.Index("ix_login_attempt_client_outcome_at", "client", "outcome", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str | None = None
    client: str | None = None
    at: datetime = Field(sa_column=utc_column(index=True))
    outcome: LoginOutcome = Field(sa_type=StrEnumText(LoginOutcome))
    actor: str | None = None
