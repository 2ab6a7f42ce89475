"""The dashboard's only data layer: every read and write the pages make goes through here.

- Pages import this module (and dashboard.i18n / dashboard.ui), never ``tracker``: what they
  need of it — errors to catch, ``NewRequest``, channels, periods, units and tracks — is
  re-exported here, and every rule is called in its home (statuses and due dates in force
  from the judged frame, tracks from tracker.domain.deadlines, dates from
  tracker.domain.localtime, periods from tracker.domain.periods).
- ``st.cache_resource`` holds the engine and the rollup of closed requests (one per database
  URL); ``st.cache_data(ttl=...)`` holds query results, keyed by the user's id so one
  user's figures are never served to another. Every write clears the data cache.
- **Role scoping is enforced here**, not by hiding widgets: each function takes the
  logged-in user's id, loads the user from the database and passes ``scope_for(user)`` to
  the tracker functions (reads) or the user to ``tracker.services.requests`` (writes, which check
  the scope again on the server side). A page cannot ask for another office's data.
- "Now" is asked of the clock here (``now``/``local_now``/``today``: today in Dhaka), and
  nowhere else in the dashboard; never in tracker/.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tracker.config import get_settings
from tracker.domain.calendar import KIND_LABELS, load_calendar
from tracker.domain.deadlines import (
    DeadlineError,
    DeadlineUnit,
    Track,
    allows_extension,
    choose_track,
    due_date,
    has_extended_track,
    uncounted_explanation,
)
from tracker.domain.localtime import LocalMoment, moment_to_utc, parse_moment, to_local
from tracker.domain.offices import as_level, kind_label
from tracker.domain.periods import Period, fiscal_quarter, fiscal_year, fiscal_year_of
from tracker.domain.status import RequestState, Status
from tracker.errors import InputError, TrackerError
from tracker.services import aggregates, exports, queries
from tracker.services import complaints as grs
from tracker.services.apa import build_apa
from tracker.services.apa_scope import resolve_offices
from tracker.services.auth import (
    LoginLocked,
    PermissionDenied,
    Scope,
    attempt_login,
    client_key,
    scope_for,
)
from tracker.services.reports import compliance, request_frame
from tracker.services.requests import (
    TRANSITIONS,
    NewRequest,
    charter_in_force,
    deadline_for,
    extend,
    get_office,
    get_service,
    log_request,
    now_utc,
    office_calendar,
    review_instruction,
    service_key,
    transition,
)
from tracker.store.db import make_engine, session_scope
from tracker.store.models import (
    CHANNELS,
    CharterVersion,
    District,
    Division,
    LoginAttempt,
    Office,
    Service,
    User,
)

#: What the pages use of tracker, re-exported so that they import only this module.
__all__ = [
    "CHANNELS", "DeadlineUnit", "InputError", "LoginLocked", "NewRequest", "Period",
    "PermissionDenied", "RequestState", "Status", "Track", "TrackerError", "fiscal_quarter",
    "fiscal_year", "fiscal_year_of",
]

#: Seconds a cached query result may be served before it is read again.
TTL = 60


# -- engine, clock, users -------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url)


@st.cache_resource(show_spinner=False)
def _rollup(_engine_obj: Engine, url: str) -> aggregates.Rollup:
    # Keyed by URL (Streamlit does not hash the underscored engine argument); built on the
    # same engine every other query uses, so both always read the same database.
    return aggregates.Rollup(_engine_obj)


def rollup() -> aggregates.Rollup:
    current = engine()
    return _rollup(current, current.url.render_as_string(hide_password=False))


def engine() -> Engine:
    return _engine(get_settings().database_url)


def now() -> datetime:
    """The dashboard's one clock (aware UTC)."""
    return now_utc()


def local_now() -> LocalMoment:
    """Now in Dhaka: the local date and time of day."""
    return to_local(now())


def today() -> date:
    """Today in Dhaka: the as-of date of every page."""
    return local_now().date


@dataclass(frozen=True)
class SessionUser:
    """What the session keeps about the logged-in user (never the password or hash)."""

    id: int
    username: str
    full_name: str
    role: str
    office_id: int | None
    office_code: str | None
    language: str


#: Session-state key of this browser session's client id (when the address is unknown).
CLIENT_ID_KEY = "login_client_id"


def login_client() -> str:
    """Who is logging in, for the per-client throttle (tracker.services.auth.client_key).

    Streamlit knows the connection's address, or the one forwarded by a reverse proxy on
    this machine (uvicorn trusts X-Forwarded-For from FORWARDED_ALLOW_IPS, default
    127.0.0.1): reading the header here would let any client pick its own key. A local
    connection has no address: the browser session's random id stands in, so there a new
    session is a new client (the per-account limit still applies).
    """
    if CLIENT_ID_KEY not in st.session_state:
        st.session_state[CLIENT_ID_KEY] = uuid.uuid4().hex
    address = st.context.ip_address
    return client_key(address if isinstance(address, str) else None,  # (AppTest: a mock)
                      str(st.session_state[CLIENT_ID_KEY]))


def login(username: str, password: str) -> SessionUser | None:
    """The user if the password matches (argon2), else None; raises LoginLocked while the
    account or this client is locked out (too many failures: it says until when).

    The attempt is recorded in the same unit of work, which commits whatever the outcome.
    A database without the attempts table (not upgraded) refuses every login: no
    throttle, no login.
    """
    if not sa.inspect(engine()).has_table(LoginAttempt.__tablename__):
        raise TrackerError("the database is not up to date: run `tracker db upgrade`")
    with session_scope(engine()) as session:
        result = attempt_login(session, username=username, password=password,
                               client=login_client(), now=now())
        user = result.user
        if user is None:
            found = None
        else:
            office = session.get(Office, user.office_id) if user.office_id else None
            assert user.id is not None
            found = SessionUser(user.id, user.username, user.full_name, user.role,
                                user.office_id, office.code if office else None,
                                user.language)
    if found is None and result.locked_until is not None:
        raise LoginLocked(result.locked_until)
    return found


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise PermissionDenied("unknown or disabled user")
    return user


def _scope(session: Session, user_id: int) -> Scope:
    return scope_for(session, _user(session, user_id))


def invalidate() -> None:
    """After a write: every cached result may be stale (the rollup catches up by itself)."""
    st.cache_data.clear()


# -- filters and overview -------------------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def offices(user_id: int) -> pd.DataFrame:
    """The offices the user may read (with a charter): id, code, names, office kind and its
    names, labels (``label_bn``/``label_en``: name and kind, unique), district, division."""
    with Session(engine()) as session:
        scope = _scope(session, user_id)
        with_charter = set(session.exec(select(CharterVersion.office_id)))
        rows = session.execute(
            sa.select(col(Office.id), col(Office.code), col(Office.name_bn),
                      col(Office.name_en), col(Office.office_kind), col(Office.kind),
                      col(District.name_en), col(District.name_bn),
                      col(Division.name_en), col(Division.name_bn))
            .join(District, col(District.id) == Office.district_id)
            .join(Division, col(Division.id) == District.division_id)
            .order_by(col(Office.code))).all()
    frame = pd.DataFrame([tuple(r) for r in rows],
                         columns=["office_id", "code", "name_bn", "name_en", "office_kind",
                                  "level", "district", "district_bn", "division",
                                  "division_bn"])
    keep = [int(i) in with_charter and scope.can_read(int(i)) for i in frame["office_id"]]
    return with_office_labels(frame[keep].reset_index(drop=True))


def with_office_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``kind_bn``/``kind_en`` (the kind's name: tracker.domain.offices) and
    ``label_bn``/``label_en``: the office's name with its kind where the name does not say
    it, and its code where two offices would still read alike (two union parishads of one
    upazila), so that every office of a place can be told apart in a selector."""
    if frame.empty:
        return frame.assign(kind_bn=[], kind_en=[], label_bn=[], label_en=[])
    kinds = [kind_label(str(k), as_level(str(lvl)))
             for k, lvl in zip(frame["office_kind"], frame["level"], strict=True)]
    out = frame.assign(kind_bn=[k[0] for k in kinds], kind_en=[k[1] for k in kinds])
    for lang in ("bn", "en"):
        labels = [name if kind.casefold() in name.casefold() else f"{name} ({kind})"
                  for name, kind in zip(out[f"name_{lang}"], out[f"kind_{lang}"], strict=True)]
        series = pd.Series(labels, index=out.index)
        alike = series.duplicated(keep=False)
        out[f"label_{lang}"] = series.where(~alike, series + " · " + out["code"])
    return out


def office_kinds(offices_frame: pd.DataFrame, lang: str) -> dict[str, str]:
    """The office kinds among ``offices`` (a frame of ``offices``) -> their names, for the
    office-kind filters."""
    names: dict[str, str] = {}
    for kind, name in zip(offices_frame["office_kind"], offices_frame[f"kind_{lang}"],
                          strict=True):
        names.setdefault(str(kind), str(name))
    return dict(sorted(names.items(), key=lambda item: (item[0] != "ict", item[1])))


def offices_of_kind(offices_frame: pd.DataFrame, office_kind: str | None) -> pd.DataFrame:
    """The rows of ``offices`` of one kind (None: all)."""
    if office_kind is None:
        return offices_frame
    return offices_frame[offices_frame["office_kind"] == office_kind]


@st.cache_data(ttl=TTL, show_spinner="…")
def overview(user_id: int, start: date, end: date, as_of: date,
             office_ids: tuple[int, ...] | None,
             categories: tuple[str, ...] | None,
             office_kind: str | None = None) -> aggregates.Overview:
    """The overview's figures; ``office_ids`` (the page's division/district/office filters)
    and ``office_kind`` (None: every kind) narrow the user's scope."""
    fresh = rollup().refresh()
    with Session(engine()) as session:
        return aggregates.overview(
            session, scope=_scope(session, user_id), start=start, end=end, as_of=as_of,
            office_ids=frozenset(office_ids) if office_ids is not None else None,
            categories=list(categories) if categories else None, rollup=fresh,
            office_kind=office_kind)


@st.cache_data(ttl=TTL, show_spinner=False)
def breaches(user_id: int, as_of: date, office_kind: str | None = None) -> pd.DataFrame:
    """Open requests in the user's scope (of offices of ``office_kind``: None = every kind),
    judged as of ``as_of`` (the one judged frame), with ``working_days_left`` to the due date
    in force."""
    with Session(engine()) as session:
        frame = aggregates.open_frame(session, scope=_scope(session, user_id), as_of=as_of,
                                      office_kind=office_kind)
    return frame.assign(working_days_left=working_days_left(frame, as_of))


def working_days_left(frame: pd.DataFrame, as_of: date) -> pd.Series:
    """Working days after ``as_of`` up to each request's due date in force (``effective_due``:
    running holds counted), 0 on or past it, <NA> without a due date.

    Counted with each office's own calendar (its district's regional closures), as the
    judged frame judges it.
    """
    if frame.empty:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    # The judged frame counts them (tracker.domain.deadlines.working_days_left).
    left = frame["wd_left"].astype("Int64")
    return left.where(left >= 0, pd.NA)


@dataclass(frozen=True)
class BreachList:
    """Overdue requests and those due within ``window`` working days (still open)."""

    shown: pd.DataFrame
    overdue: int
    due_soon: int


def breach_list(user_id: int, as_of: date, window: int,
                office_kind: str | None = None) -> BreachList:
    frame = breaches(user_id, as_of, office_kind)
    if frame.empty:
        return BreachList(frame, 0, 0)
    overdue = frame["status"] == Status.OVERDUE
    ahead = frame["status"].isin([Status.ON_TRACK, Status.DUE_TODAY])
    soon = ahead & frame["working_days_left"].le(window).fillna(False).astype(bool)
    return BreachList(frame[overdue | soon].copy(), int(overdue.sum()), int(soon.sum()))


@st.cache_data(ttl=TTL, show_spinner=False)
def requests_of(user_id: int, start: date, end: date, as_of: date) -> pd.DataFrame:
    """Requests received in [start, end] in the user's scope, judged as of ``as_of``."""
    with Session(engine()) as session:
        return request_frame(session, scope=_scope(session, user_id),
                             period=Period(start, end, "dashboard"), as_of=as_of)


@st.cache_data(ttl=TTL, show_spinner=False)
def compliance_table(user_id: int, start: date, end: date, as_of: date, by: str,
                     office_kind: str | None = None) -> pd.DataFrame:
    """tracker.services.reports.compliance for the user's scope (with the median working
    days); ``office_kind`` keeps the offices of one kind (None: every kind)."""
    with Session(engine()) as session:
        frame = request_frame(session, scope=_scope(session, user_id),
                              period=Period(start, end, "dashboard"), as_of=as_of,
                              office_kind=office_kind)
    return compliance(frame, by)


# -- one request ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestDetail:
    """tracker.services.queries.request_detail as the pages show it: the request's fields
    (with its status, due date in force and working days late as of today), its history,
    why it is due then, and the actions the user may take on it."""

    request: dict[str, Any]
    history: pd.DataFrame
    explanation: str
    actions: list[str]


def request_detail(user_id: int, request_id: int) -> RequestDetail:
    """One request the user may read (else PermissionDenied), judged as of today."""
    with Session(engine()) as session:
        detail = queries.request_detail(session, request_id=request_id,
                                        scope=_scope(session, user_id), as_of=today())
        request, office, service = detail.request, detail.office, detail.service
        history = pd.DataFrame([{
            "at": to_local(e.at).date, "action": e.action, "field": e.field or "",
            "old": e.old_value or "", "new": e.new_value or "", "reason": e.reason or ""}
            for e in detail.events])
        status = detail.status
        fields = request.model_dump(exclude={"version"})
        fields.update(office_code=office.code, office_name_bn=office.name_bn,
                      service_key=f"{service.category}-{service.number}",
                      service_name_bn=service.name_bn, deadline_raw=service.deadline_raw,
                      responsible_officer=service.responsible_officer,
                      responsible_contact=service.responsible_contact,
                      escalation_officer=service.escalation_officer,
                      conditional=service.conditional, unit=service.unit,
                      status=status.status.value, effective_due=status.effective_due,
                      working_days_late=status.working_days_late)
        actions = actions_for(request.state, unit=service.unit,
                              conditional=service.conditional)
        return RequestDetail(fields, history, "\n".join(detail.explanation), actions)


def actions_for(state: str, *, unit: str, conditional: bool) -> list[str]:
    """The lifecycle actions allowed from ``state`` (tracker.services.requests.TRANSITIONS),
    and ``extend`` for an open request whose charter allows an extension."""
    actions = [action for action, (allowed, _) in TRANSITIONS.items() if state in allowed]
    if RequestState(state).is_open and extension_allowed(unit=unit, conditional=conditional):
        actions.append("extend")
    return actions


def extension_allowed(*, unit: str, conditional: bool) -> bool:
    """Whether the due date may be extended (tracker.domain.deadlines.allows_extension)."""
    return allows_extension(unit, conditional)


# -- logging and lifecycle (writes) ---------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def writable_offices(user_id: int) -> pd.DataFrame:
    """Offices the user may log requests for (an officer: their own; admin: all)."""
    with Session(engine()) as session:
        scope = _scope(session, user_id)
        with_charter = set(session.exec(select(CharterVersion.office_id)))
        rows = [(o.id, o.code, o.name_bn, o.name_en, o.office_kind, o.kind)
                for o in session.exec(select(Office).order_by(col(Office.code)))
                if o.id is not None and o.id in with_charter and scope.can_write(o.id)]
    return with_office_labels(pd.DataFrame(rows, columns=["office_id", "code", "name_bn",
                                                          "name_en", "office_kind", "level"]))


CATEGORY_ORDER = {"citizen": 0, "institutional": 1, "internal": 2}


@st.cache_data(ttl=TTL, show_spinner=False)
def services_on(user_id: int, office_code: str, day: date) -> pd.DataFrame:
    """The services of the charter in force on ``day`` for an office the user may read;
    ``has_extended_track``: the officer picks a track (tracker.domain.deadlines);
    ``needs_review``: not loggable until a reviewer sets the limit (``review``: what to do;
    tracker.services.requests refuses it anyway); ``no_deadline``: no per-request limit."""
    with Session(engine()) as session:
        office = get_office(session, office_code)
        _scope(session, user_id).require_read(office)
        version = charter_in_force(session, office, day)
        services = session.exec(select(Service).where(Service.charter_version_id == version.id)
                                .order_by(col(Service.category), col(Service.number))).all()
        rows = [{"key": service_key(s), "category": s.category,
                 "number": s.number, "name_bn": s.name_bn, "deadline_raw": s.deadline_raw,
                 "unit": s.unit, "amount": s.amount, "needs_review": s.needs_review,
                 "no_deadline": s.unit == DeadlineUnit.NO_DEADLINE,
                 "review": review_instruction(office.code) if s.needs_review else "",
                 "extended_working_days": s.extended_working_days,
                 "has_extended_track": has_extended_track(s.unit, s.extended_working_days),
                 "conditional": s.conditional, "fee_raw": s.fee_raw,
                 "responsible_officer": s.responsible_officer,
                 "responsible_contact": s.responsible_contact,
                 "escalation_officer": s.escalation_officer} for s in services]
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame = frame.sort_values(["category", "number"], key=lambda s: s.map(CATEGORY_ORDER)
                                  if s.name == "category" else s).reset_index(drop=True)
    return frame


def track_refusal(service: Mapping[str, Any], track: str | None, reason: str) -> str | None:
    """Why tracker.domain.deadlines.choose_track refuses this track for a row of
    ``services_on`` (e.g. the extended track without a reason), or None."""
    extended = service["extended_working_days"]
    try:
        choose_track(service["unit"], None if pd.isna(extended) else int(extended), track,
                     reason, service_label=str(service["key"]),
                     deadline_raw=str(service["deadline_raw"]))
    except DeadlineError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class DuePreview:
    due: date | None
    provisional: bool
    explanation: str


def preview_due(user_id: int, office_code: str, service_key: str, received_at: datetime,
                track: str | None) -> DuePreview:
    """The due date the request would get if logged now (nothing is written)."""
    with Session(engine()) as session:
        office = get_office(session, office_code)
        _scope(session, user_id).require_read(office)
        version = charter_in_force(session, office, to_local(received_at).date)
        service = get_service(session, version, service_key)
        spec = deadline_for(service, track or Track.STANDARD)
        if spec is None:
            return DuePreview(None, False, uncounted_explanation(
                service.unit, service.deadline_raw, None, None))
        result = due_date(received_at, spec, office_calendar(session, office), explain=True)
        return DuePreview(result.due, result.provisional, result.explain())


def received_at(day: date, hhmm: str) -> datetime:
    """A Dhaka local date and the time of day an officer typed (``10:15``, ASCII or Bengali
    digits) as an aware UTC datetime; InputError if the time is malformed."""
    if not hhmm.strip():
        raise InputError("empty time")
    moment = parse_moment(f"{day:%d-%m-%Y} {hhmm.strip()}")
    return moment_to_utc(moment)


def log(user_id: int, new: NewRequest) -> tuple[int, date | None]:
    """Log a request as the user (tracker.services.requests checks the office is writable)."""
    with session_scope(engine()) as session:
        request = log_request(session, new=new, now=now(), user=_user(session, user_id))
        assert request.id is not None
        result = request.id, request.due_date
    invalidate()
    return result


def act(user_id: int, request_id: int, action: str, *, reason: str | None = None,
        outcome: str | None = None) -> str:
    """A lifecycle action (start, hold, resume, deliver, reject, withdraw) as the user."""
    moment = now()
    with session_scope(engine()) as session:
        request = transition(session, request_id=request_id, action=action, at=moment,
                             now=moment, user=_user(session, user_id), reason=reason,
                             outcome=outcome)
        state = request.state
    invalidate()
    return state


def extend_due(user_id: int, request_id: int, new_due: date, reason: str) -> date | None:
    with session_scope(engine()) as session:
        request = extend(session, request_id=request_id, new_due=new_due, reason=reason,
                         now=now(), user=_user(session, user_id))
        due = request.due_date
    invalidate()
    return due


# -- charter, calendar, digests, reports ----------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def charters(user_id: int) -> list[dict[str, Any]]:
    """Per readable office: its label and kind, its charter versions (with services; a
    service's ``needs_review`` says it cannot be logged against yet), the parse problems,
    and ``needs_review``: the services of its latest version waiting for a reviewer (with
    the printed cell, its line in the source and what to do)."""
    from tracker.domain.charter.catalog import load_all

    catalogs: dict[str, Any] = {}
    try:
        catalogs = dict(load_all())
    except Exception:  # a broken catalog file must not take the page down
        catalogs = {}
    result = []
    with Session(engine()) as session:
        scope = _scope(session, user_id)
        offices_rows = [o for o in session.exec(select(Office).order_by(col(Office.code)))
                        if o.id is not None and scope.can_read(o.id)]
        labels = with_office_labels(pd.DataFrame(
            [(o.code, o.name_bn, o.name_en, o.office_kind, o.kind) for o in offices_rows],
            columns=["code", "name_bn", "name_en", "office_kind", "level"])).set_index("code")
        for office in offices_rows:
            versions = session.exec(select(CharterVersion).where(
                CharterVersion.office_id == office.id)
                .order_by(col(CharterVersion.effective_date), col(CharterVersion.id))).all()
            if not versions:
                continue
            label = labels.loc[office.code]
            entry: dict[str, Any] = {
                "code": office.code, "name_bn": office.name_bn, "name_en": office.name_en,
                "office_kind": office.office_kind, "label_bn": label["label_bn"],
                "label_en": label["label_en"], "versions": []}
            catalog = catalogs.get(office.code)
            for version in versions:
                services = session.exec(select(Service).where(
                    Service.charter_version_id == version.id)
                    .order_by(col(Service.category), col(Service.number))).all()
                entry["versions"].append({
                    "effective": version.effective_date, "source": version.source,
                    "services": pd.DataFrame([{
                        "category": s.category, "number": s.number, "name_bn": s.name_bn,
                        "deadline_raw": s.deadline_raw, "unit": s.unit, "amount": s.amount,
                        "needs_review": s.needs_review,
                        "fee_raw": s.fee_raw, "responsible_officer": s.responsible_officer,
                        "responsible_contact": s.responsible_contact,
                        "escalation_officer": s.escalation_officer} for s in services]),
                    "_rows": services})
            latest = entry["versions"][-1]
            entry["needs_review"] = _needs_review(office.code, latest["effective"],
                                                  latest.pop("_rows"), catalog)
            for version_entry in entry["versions"]:
                version_entry.pop("_rows", None)
            entry["problems"] = [] if catalog is None else [
                {"effective": v.effective, "line": getattr(p, "line", None),
                 "message": getattr(p, "message", str(p))}
                for v in catalog.versions for p in v.review]
            result.append(entry)
    return result


def _needs_review(code: str, effective: date, services: Sequence[Service],
                  catalog: Any) -> list[dict[str, Any]]:
    """The services waiting for a reviewer, with the printed cell, the line of the source
    document it was read from (from the catalog file, when it has the version) and what
    to do (tracker.services.requests.review_instruction: the refusal says the same)."""
    lines: dict[tuple[str, int], int | None] = {}
    if catalog is not None:
        for version in catalog.versions:
            if version.effective == effective:
                lines.update({(s.category, s.number): getattr(s, "line", None)
                              for s in version.services})
    return [{"key": service_key(s), "category": s.category, "number": s.number,
             "name_bn": s.name_bn, "deadline_raw": s.deadline_raw,
             "line": lines.get((s.category, s.number)),
             "what_to_do": review_instruction(code)}
            for s in services if s.needs_review]


@st.cache_data(ttl=3600, show_spinner=False)
def calendar_years() -> tuple[list[int], list[int]]:
    """(every year the calendar covers, the provisional ones)."""
    calendar = load_calendar()
    return sorted(calendar.years), list(calendar.provisional_years)


@st.cache_data(ttl=3600, show_spinner=False)
def calendar_year(year: int) -> tuple[pd.DataFrame, bool, dict[str, Any] | None]:
    """The year's dated entries (date, kind, names, districts, confidence, source)."""
    calendar = load_calendar()
    entry = calendar.years[year]
    frame = pd.DataFrame([{
        "date": d.date, "kind": d.kind, "kind_en": KIND_LABELS[d.kind][0],
        "kind_bn": KIND_LABELS[d.kind][1], "name_en": d.name_en, "name_bn": d.name_bn,
        "districts": ", ".join(d.districts), "confidence": d.confidence, "source": d.source,
    } for d in entry.days])
    ramadan = None if entry.ramadan is None else {
        "first": entry.ramadan.first_day, "last": entry.ramadan.last_day,
        "closing": f"{entry.ramadan.closing_time:%H:%M}"}
    return frame, entry.provisional, ramadan


DIGEST_TABLE = "digest_delivery"


DIGEST_COLUMNS = ["id", "digest_date", "kind", "recipient", "language", "subject", "state",
                  "attempts", "next_attempt_at", "sent_at", "last_error", "office_id",
                  "user_id"]


@st.cache_data(ttl=TTL, show_spinner=False)
def digests(user_id: int) -> pd.DataFrame | None:
    """Digest deliveries the user may see (admin: all; others: their offices' and their
    own), newest first, without the message bodies; None if the digest table is not there."""
    eng = engine()
    if not sa.inspect(eng).has_table(DIGEST_TABLE):
        return None
    table = sa.Table(DIGEST_TABLE, sa.MetaData(), autoload_with=eng)
    shown = [table.c[c] for c in DIGEST_COLUMNS if c in table.c]
    query = sa.select(*shown)
    with Session(eng) as session:
        scope = _scope(session, user_id)
        if scope.readable is not None:
            mine = [table.c.user_id == user_id] if "user_id" in table.c else []
            offices = ([table.c.office_id.in_(sorted(scope.readable))]
                       if "office_id" in table.c else [])
            query = query.where(sa.or_(*mine, *offices) if mine or offices else sa.false())
        order = [table.c[c].desc() for c in ("digest_date", "id") if c in table.c]
        rows = session.execute(query.order_by(*order).limit(1000)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in shown])


def outbox_files(user_id: int) -> list[tuple[str, int]] | None:
    """Files in the outbox folder (admin only), newest first; None if there is none."""
    with Session(engine()) as session:
        if _user(session, user_id).role != "admin":
            return None
    folder = get_settings().outbox_dir
    if not folder.is_dir():
        return None
    files = sorted(folder.glob("**/*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [(str(p.relative_to(folder)), p.stat().st_size) for p in files[:200]]


def apa_workbook(user_id: int, fy: str, quarter: str | None, lang: str) -> bytes:
    """The APA workbook for the user's scope as .xlsx bytes (same figures as the CLI)."""
    period, _ = exports.periods_of(fy, quarter)
    day = today()
    with Session(engine()) as session:
        scope = _scope(session, user_id)
        infos, codes, label = resolve_offices(session, scope=scope, office=None,
                                              district=None, day=min(day, period.end))
        report = exports.render_apa(build_apa(
            session, scope=scope, fy=fy, quarter=quarter, as_of=day, offices=infos,
            office_codes=codes, scope_label=label, generated_at=now()), lang=lang)
    return bytes(exports.xlsx_bytes(report))


@st.cache_data(ttl=TTL, show_spinner="…")
def complaints(user_id: int, start: date, end: date, as_of: date) -> pd.DataFrame:
    """GRS complaints the user may read, received in [start, end], judged as of ``as_of``."""
    with Session(engine()) as session:
        return grs.complaint_frame(session, scope=_scope(session, user_id),
                                   period=Period(start, end, "dashboard"), as_of=as_of)


@dataclass(frozen=True)
class ComplaintTotals:
    """The complaints page's headline figures, summed from tracker's per-office summary."""

    received: int
    open: int
    past_limit: int
    pct_within_time: float | None  # of those resolved or past a limit; None if none is


def complaint_totals(frame: pd.DataFrame) -> tuple[pd.DataFrame, ComplaintTotals]:
    """tracker.services.complaints.complaint_summary (per office) and its totals."""
    summary = grs.complaint_summary(frame)
    # The whole scope as one "office": the service's own summary computes the total %.
    overall = grs.complaint_summary(frame.assign(office_code="")) if not frame.empty else None
    pct = None if overall is None else overall["pct_within_time"].iloc[0]
    totals = ComplaintTotals(
        received=int(summary["received"].sum()), open=int(summary["open"].sum()),
        past_limit=int(summary["open_overdue"].sum()),
        pct_within_time=None if pct is None or pd.isna(pct) else float(pct))
    return summary, totals


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as the CSV a download offers: quoted and formula-safe like every export,
    with the byte-order mark Excel needs to show Bengali."""
    return exports.frame_csv(table).encode("utf-8-sig")
