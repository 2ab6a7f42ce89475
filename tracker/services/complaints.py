"""GRS complaints (অভিযোগ প্রতিকার ব্যবস্থা): log, resolve, appeal, escalate, list.

A complaint (standalone or about one request) climbs up to three tiers — the complaint
officer (অনিক), the appeal officer, the Cabinet Division's cell — with the limits printed
in the office's charter (``GrsTierLimit``), or the national default 30 / 20 / 60 working
days. The limits are frozen on the complaint when it is logged.

Each tier has its own working-day clock, counted strictly after the day the tier started
(GUIDE §3 rule 2): tier 1 from the receipt date, a later tier from the day it was reached.

- **Automatic eligibility**: when a tier's limit passes unresolved, the complaint is with
  the next tier from the day after that due date (its clock starts on the due date, so the
  first working day after it is day 1), as right-to-service systems do. ``escalate_due``
  records that as a ``ComplaintStep(kind="auto")`` and an ``escalated`` event (idempotent:
  one row per complaint and tier); ``complaint_status`` derives it even before that.
- **Appeal**: a complainant dissatisfied with a resolution may appeal to the next tier
  (never past the Cabinet Division cell, never before the resolution); that tier's clock
  starts on the appeal date.
- **Status is never stored**: ``complaint_status`` derives it as of a date (pure).
  "Resolved within time" means resolved within the limit of the tier that resolved it,
  with no tier's limit passed on the way (no automatic escalation).

Writers follow tracker.services.requests: keyword-only, session passed in, the caller owns the
transaction, scope checked on the server side, an event for every change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain.bn import GRS_TITLES_EN as GRS_TITLES_EN  # re-exported for the CLI
from tracker.domain.calendar import BangladeshCalendar, load_calendar
from tracker.domain.charter.model import GrsTier
from tracker.domain.deadlines import DEFAULT_TIER_LIMITS as DEFAULT_LIMITS
from tracker.domain.deadlines import (
    GRS_ROLES,
    TierLimit,
    printed_tier_limit,
    tier_due,
)
from tracker.domain.localtime import to_local, to_utc
from tracker.domain.periods import Period
from tracker.domain.status import (
    ComplaintState,
    ComplaintStatus,
    StepFact,
    complaint_status,
    on_time,
)
from tracker.domain.text import clean_text, normalise_reference
from tracker.errors import TrackerError
from tracker.services.auth import Scope, scope_for
from tracker.services.requests import get_office, office_calendar
from tracker.store.models import (
    CharterVersion,
    Complaint,
    ComplaintEvent,
    ComplaintStep,
    District,
    GrsTierLimit,
    Office,
    Request,
    User,
)

#: Complaint-level statuses (as of a date).
COMPLAINT_STATUSES = tuple(s.value for s in ComplaintState)


class ComplaintError(TrackerError):
    """A complaint operation that cannot be done as asked (nothing was written)."""


# -- tier limits ----------------------------------------------------------------------------


def encode_limits(limits: Sequence[TierLimit]) -> str:
    """``working_days:30;working_days:20;working_days:60`` (tier order, roles implied)."""
    return ";".join(f"{t.unit}:{t.amount}" for t in limits)


def decode_limits(text: str) -> tuple[TierLimit, ...]:
    limits = []
    for i, part in enumerate(text.split(";"), 1):
        unit, _, amount = part.partition(":")
        limits.append(TierLimit(i, GRS_ROLES[i - 1], unit, int(amount)))
    return tuple(limits)


def limits_from_catalog(tiers: Iterable[GrsTier]) -> tuple[tuple[TierLimit, ...], bool]:
    """Tier limits of a catalog version: printed ones, the default for any tier missing or
    not understood (hours, per directive). Returns (limits, every tier is the default)."""
    printed = {t.tier: t for t in tiers}
    limits: list[TierLimit] = []
    all_default = True
    for default in DEFAULT_LIMITS:
        limit = _printed(default, printed.get(default.tier))
        limits.append(limit or default)
        all_default = all_default and limit is None
    return tuple(limits), all_default


def _printed(default: TierLimit, tier: GrsTier | None) -> TierLimit | None:
    if tier is None:
        return None
    return printed_tier_limit(default, marked_default=tier.default, unit=tier.deadline.unit,
                              amount=tier.deadline.amount)


def ensure_grs_limits(session: Session, charter_version_id: int,
                      tiers: Sequence[GrsTier]) -> int:
    """Store a charter version's GRS tier limits once (called by catalog_sync)."""
    if session.exec(select(GrsTierLimit.id).where(
            GrsTierLimit.charter_version_id == charter_version_id)).first() is not None:
        return 0
    limits, _ = limits_from_catalog(tiers)
    printed = {t.tier: t for t in tiers}
    for limit in limits:
        source = printed.get(limit.tier)
        officer = ""
        if source and source.contact:
            c = source.contact
            officer = ", ".join(p for p in (c.designation, c.name, *c.phones, *c.emails) if p)
        session.add(GrsTierLimit(
            charter_version_id=charter_version_id, tier=limit.tier, role=limit.role,
            unit=limit.unit, amount=limit.amount, raw=source.deadline.raw if source else "",
            title_bn=(source.title_bn if source and source.title_bn else limit.title_bn),
            officer=officer,
            is_default=_printed(limit, source) is None))
    session.flush()
    return len(limits)


def limits_for(session: Session, charter_version_id: int | None) -> tuple[
        tuple[TierLimit, ...], bool]:
    """The limits stored for a charter version, or the national default."""
    if charter_version_id is None:
        return DEFAULT_LIMITS, True
    rows = list(session.exec(select(GrsTierLimit).where(
        GrsTierLimit.charter_version_id == charter_version_id).order_by(
        col(GrsTierLimit.tier))))
    if not rows:
        return DEFAULT_LIMITS, True
    stored = {r.tier: r for r in rows}
    limits = tuple(TierLimit(d.tier, d.role, stored[d.tier].unit, stored[d.tier].amount)
                   if d.tier in stored else d for d in DEFAULT_LIMITS)
    return limits, all(r.is_default for r in rows)


# -- writes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewComplaint:
    office_code: str
    complainant_name: str
    complainant_contact: str
    received_at: datetime  # aware, or naive = Asia/Dhaka
    summary: str = ""
    request_id: int | None = None
    external_ref: str | None = None


def _event(session: Session, complaint: Complaint, *, at: datetime, user: User | None,
           action: str, tier: int | None = None, old: object = None, new: object = None,
           reason: str | None = None) -> None:
    assert complaint.id is not None
    session.add(ComplaintEvent(
        complaint_id=complaint.id, at=at, user_id=user.id if user else None, action=action,
        tier=tier, old_value=None if old is None else str(old),
        new_value=None if new is None else str(new), reason=reason))


def _charter_at(session: Session, office: Office, day: date) -> CharterVersion | None:
    return session.exec(
        select(CharterVersion)
        .where(CharterVersion.office_id == office.id, CharterVersion.effective_date <= day)
        .order_by(col(CharterVersion.effective_date).desc(), col(CharterVersion.id).desc())
    ).first()


def _reference_used(ref: str, office: Office) -> ComplaintError:
    return ComplaintError(f"complaint reference {ref!r} is already used in {office.code}")


def log_complaint(session: Session, *, new: NewComplaint, now: datetime,
                  user: User | None) -> Complaint:
    """Record a complaint; tier 1 (the complaint officer) starts its clock on receipt."""
    scope = scope_for(session, user)
    office = get_office(session, new.office_code)
    scope.require_write(office)
    received_at, now = to_utc(new.received_at), to_utc(now)
    if received_at > now:
        raise ComplaintError(f"received_at {new.received_at} is in the future")
    name = clean_text(new.complainant_name, what="the complainant's name") or ""
    contact = clean_text(new.complainant_contact, what="the complainant's contact") or ""
    summary = clean_text(new.summary, what="the summary", multiline=True) or ""
    if not name or not contact:
        raise ComplaintError("a complaint needs the complainant's name and contact")
    local = to_local(received_at).date
    if new.request_id is not None:
        request = session.get(Request, new.request_id)
        if request is None:
            raise ComplaintError(f"no request #{new.request_id}")
        if request.office_id != office.id:
            raise ComplaintError(f"request #{new.request_id} belongs to another office")
        if request.received_date > local:
            raise ComplaintError("the complaint is dated before the request was received")
    ref = normalise_reference(new.external_ref, what="complaint reference")
    if ref and session.exec(select(Complaint.id).where(
            Complaint.office_id == office.id, Complaint.external_ref == ref)).first():
        raise _reference_used(ref, office)
    charter = _charter_at(session, office, local)
    limits, default = limits_for(session, charter.id if charter else None)
    calendar = office_calendar(session, office)
    calendar.check_in_range(local)
    assert office.id is not None
    complaint = Complaint(
        office_id=office.id, request_id=new.request_id,
        charter_version_id=charter.id if charter else None, complainant_name=name,
        complainant_contact=contact, summary=summary, external_ref=ref,
        received_at=received_at, received_date=local, tier_limits=encode_limits(limits),
        limits_default=default, calendar_version=calendar.version, created_at=now,
        created_by=user.id if user else None)
    try:  # a writer racing for the same reference loses at the unique index, clearly
        with session.begin_nested():
            session.add(complaint)
            session.flush()
    except sa.exc.IntegrityError:
        if ref is None:
            raise
        raise _reference_used(ref, office) from None
    assert complaint.id is not None
    due = tier_due(local, limits[0], calendar)
    session.add(ComplaintStep(complaint_id=complaint.id, tier=1, kind="lodged",
                              start_date=local, due_date=due, started_at=received_at))
    _event(session, complaint, at=now, user=user, action="logged", tier=1, new=due,
           reason=f"{limits[0].title_en}: {limits[0].describe()}"
                  + (" (national default)" if default else " (charter)"))
    session.flush()
    return complaint


def _lock(session: Session, complaint_id: int, scope: Scope) -> tuple[Complaint, Office]:
    complaint = session.exec(select(Complaint).where(Complaint.id == complaint_id)
                             .with_for_update()).first()
    if complaint is None:
        raise ComplaintError(f"no complaint #{complaint_id}")
    office = session.get(Office, complaint.office_id)
    assert office is not None
    scope.require_write(office)
    return complaint, office


def _steps(session: Session, complaint_id: int) -> list[ComplaintStep]:
    return list(session.exec(select(ComplaintStep).where(
        ComplaintStep.complaint_id == complaint_id).order_by(col(ComplaintStep.tier))))


def _facts(steps: Iterable[ComplaintStep]) -> list[StepFact]:
    return [StepFact(s.tier, s.kind, s.start_date, s.due_date, s.resolved_date) for s in steps]


def _status(session: Session, complaint: Complaint, office: Office, as_of: date
            ) -> tuple[ComplaintStatus, list[ComplaintStep], BangladeshCalendar]:
    assert complaint.id is not None
    calendar = office_calendar(session, office)
    steps = _steps(session, complaint.id)
    status = complaint_status(received=complaint.received_date,
                              limits=decode_limits(complaint.tier_limits),
                              steps=_facts(steps), as_of=as_of, calendar=calendar)
    return status, steps, calendar


def _materialise(session: Session, complaint: Complaint, status: ComplaintStatus,
                 *, now: datetime) -> list[ComplaintStep]:
    """Write the automatic escalations that ``status`` derived but nobody recorded yet."""
    assert complaint.id is not None
    added = []
    states = status.tiers
    for below, state in pairwise(states):
        if state.recorded or state.kind != "auto":
            continue
        step = ComplaintStep(complaint_id=complaint.id, tier=state.tier, kind="auto",
                             start_date=state.start, due_date=state.due, started_at=now)
        # One row per complaint and tier: a concurrent escalation loses cleanly.
        try:
            with session.begin_nested():
                session.add(step)
                session.flush()
        except sa.exc.IntegrityError:
            existing = session.exec(select(ComplaintStep).where(
                ComplaintStep.complaint_id == complaint.id,
                ComplaintStep.tier == state.tier)).one()
            if (existing.start_date, existing.kind) == (state.start, "auto"):
                continue  # recorded meanwhile by someone else
            # A void escalation (made before a backdated resolution) is restarted.
            existing.kind, existing.start_date = "auto", state.start
            existing.due_date, existing.started_at = state.due, now
            session.add(existing)
            session.flush()
            step = existing
        limits = decode_limits(complaint.tier_limits)
        _event(session, complaint, at=now, user=None, action="escalated", tier=state.tier,
               old=below.tier, new=state.due,
               reason=f"tier {below.tier} limit ({limits[below.tier - 1].describe()}, due "
                      f"{below.due}) passed unresolved; now with the "
                      f"{limits[state.tier - 1].title_en}")
        added.append(step)
    return added


def resolve_complaint(session: Session, *, complaint_id: int, at: datetime, resolution: str,
                      now: datetime, user: User | None) -> ComplaintStep:
    """Record the resolution by the tier in force on that date."""
    scope = scope_for(session, user)
    complaint, office = _lock(session, complaint_id, scope)
    at, now = to_utc(at), to_utc(now)
    if not resolution.strip():
        raise ComplaintError("a resolution needs a text (what was decided)")
    if at > now:
        raise ComplaintError("the resolution time is in the future")
    day = to_local(at).date
    if day < complaint.received_date:
        raise ComplaintError("resolved before the complaint was received")
    status, _, _ = _status(session, complaint, office, day)
    if status.status == "resolved":
        raise ComplaintError(f"complaint #{complaint_id} is already resolved at tier "
                             f"{status.tier}; the complainant may appeal instead")
    later = [s for s in _steps(session, complaint_id) if s.tier > status.tier]
    recorded_after = [s for s in later if s.kind != "auto" or s.resolved_date is not None]
    if recorded_after:
        raise ComplaintError(f"tier {recorded_after[0].tier} was already {recorded_after[0].kind}"
                             f" on {recorded_after[0].start_date}, after {day}")
    for void in later:  # escalations recorded before this (backdated) resolution
        _event(session, complaint, at=now, user=user, action="escalation_void", tier=void.tier,
               old=void.start_date, reason=f"resolved on {day}, before this escalation")
    _materialise(session, complaint, status, now=now)
    step = next(s for s in _steps(session, complaint_id) if s.tier == status.tier)
    step.resolved_at, step.resolved_date = at, day
    step.resolution, step.resolved_by = resolution.strip(), user.id if user else None
    session.add(step)
    within = on_time(day, step.due_date)
    _event(session, complaint, at=now, user=user, action="resolved", tier=status.tier,
           new=day, reason=f"{resolution.strip()} ("
                           f"{'within' if within else 'after'} the limit, due {step.due_date})")
    session.flush()
    return step


def appeal_complaint(session: Session, *, complaint_id: int, at: datetime, reason: str,
                     now: datetime, user: User | None) -> ComplaintStep:
    """The complainant, dissatisfied with a resolution, appeals to the next tier."""
    scope = scope_for(session, user)
    complaint, office = _lock(session, complaint_id, scope)
    at, now = to_utc(at), to_utc(now)
    if not reason.strip():
        raise ComplaintError("an appeal needs a reason (why the resolution is not accepted)")
    if at > now:
        raise ComplaintError("the appeal time is in the future")
    day = to_local(at).date
    status, steps, calendar = _status(session, complaint, office, day)
    limits = decode_limits(complaint.tier_limits)
    if status.status != "resolved":
        current = status.tiers[-1]
        raise ComplaintError(
            f"complaint #{complaint_id} is not resolved at tier {status.tier} "
            f"({limits[status.tier - 1].title_en}, due {current.due}); "
            + ("it moves up automatically when that limit passes"
               if status.tier < len(limits) else "there is no tier above it"))
    if status.tier >= len(limits):
        raise ComplaintError(f"the {limits[-1].title_en} is the last tier: no appeal above it")
    nxt = limits[status.tier]
    resolved_on = status.tiers[-1].resolved
    assert complaint.id is not None and resolved_on is not None
    step = next((s for s in steps if s.tier == nxt.tier), None)
    if step is not None and not (step.kind == "auto" and step.resolved_date is None
                                 and step.start_date >= resolved_on):
        raise ComplaintError(f"tier {nxt.tier} was already started on {step.start_date}")
    if step is None:
        step = ComplaintStep(complaint_id=complaint.id, tier=nxt.tier, kind="appeal",
                             start_date=day, due_date=day, started_at=at)
    # (else: a void escalation's row is reused; its history stays in the events)
    step.kind, step.start_date, step.started_at = "appeal", day, at
    step.due_date = tier_due(day, nxt, calendar)
    session.add(step)
    _event(session, complaint, at=now, user=user, action="appealed", tier=nxt.tier,
           old=status.tier, new=step.due_date, reason=reason.strip())
    session.flush()
    return step


@dataclass(frozen=True)
class Escalation:
    complaint_id: int
    office_code: str
    from_tier: int
    to_tier: int
    due: date  # the new tier's due date


def escalate_due(session: Session, *, as_of: date, now: datetime,
                 office_codes: list[str] | None = None) -> list[Escalation]:
    """Record every automatic escalation due by ``as_of`` (idempotent; for the scheduler
    and digests): an ``auto`` step and an ``escalated`` event per tier passed."""
    query = (select(Complaint, Office).join(Office, col(Office.id) == Complaint.office_id)
             .where(col(Complaint.received_date) <= as_of).order_by(col(Complaint.id)))
    if office_codes:
        query = query.where(col(Office.code).in_(office_codes))
    done: list[Escalation] = []
    now = to_utc(now)
    for complaint, office in session.exec(query).all():
        status, _, _ = _status(session, complaint, office, as_of)
        for step in _materialise(session, complaint, status, now=now):
            assert complaint.id is not None
            done.append(Escalation(complaint.id, office.code, step.tier - 1, step.tier,
                                   step.due_date))
    session.flush()
    return done


# -- reading --------------------------------------------------------------------------------

FRAME_COLUMNS = ["id", "office_code", "office_name_bn", "district", "request_id",
                 "external_ref", "complainant_name", "complainant_contact", "summary",
                 "received_date", "tier", "role", "status", "due", "working_days_late",
                 "resolved_date", "within_time", "judged", "escalations", "appeals",
                 "limits", "limits_default", "tiers"]


def complaint_frame(session: Session, *, scope: Scope, period: Period, as_of: date,
                    office_codes: list[str] | None = None) -> pd.DataFrame:
    """One row per complaint received in the period (up to ``as_of``), judged as of it."""
    end = min(period.end, as_of)
    query = (
        select(Complaint, Office.code, Office.name_bn, District.name_en)
        .join(Office, col(Office.id) == Complaint.office_id)
        .join(District, col(District.id) == Office.district_id)
        .where(col(Complaint.received_date) >= period.start,
               col(Complaint.received_date) <= end)
        .order_by(col(Complaint.id)))
    if scope.readable is not None:
        query = query.where(col(Complaint.office_id).in_(sorted(scope.readable)))
    if office_codes:
        query = query.where(col(Office.code).in_(office_codes))
    found = session.exec(query).all()
    ids = [c.id for c, *_ in found]
    steps: dict[int, list[StepFact]] = {}
    if ids:
        for s in session.exec(select(ComplaintStep).where(
                col(ComplaintStep.complaint_id).in_(ids)).order_by(col(ComplaintStep.tier))):
            steps.setdefault(s.complaint_id, []).append(
                StepFact(s.tier, s.kind, s.start_date, s.due_date, s.resolved_date))
    rows = []
    for complaint, code, name_bn, district in found:
        assert complaint.id is not None
        limits = decode_limits(complaint.tier_limits)
        st = complaint_status(received=complaint.received_date, limits=limits,
                              steps=steps.get(complaint.id, []), as_of=as_of,
                              calendar=load_calendar(district))
        last = st.tiers[-1]
        rows.append([
            complaint.id, code, name_bn, district, complaint.request_id,
            complaint.external_ref, complaint.complainant_name,
            complaint.complainant_contact, complaint.summary, complaint.received_date,
            st.tier, last.role, st.status, st.due, st.working_days_late, last.resolved,
            st.within_time, st.judged, st.escalations, st.appeals,
            " / ".join(t.describe() for t in limits), complaint.limits_default, st.tiers])
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


SUMMARY_COLUMNS = ["received", "resolved", "resolved_within_time", "open", "open_overdue",
                   "escalated", "appealed", "pct_within_time"]


def complaint_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per office: received, resolved, resolved within time, open, open past the last
    tier's limit, escalated automatically, appealed, % resolved within time (of those
    resolved or past a limit)."""
    if frame.empty:
        return pd.DataFrame(columns=["office_code", *SUMMARY_COLUMNS])
    parts = pd.DataFrame({
        "office_code": frame["office_code"],
        "received": 1,
        "resolved": (frame["status"] == "resolved").astype(int),
        "resolved_within_time": frame["within_time"].astype(int),
        "open": (frame["status"] != "resolved").astype(int),
        "open_overdue": (frame["status"] == "overdue").astype(int),
        "escalated": (frame["escalations"] > 0).astype(int),
        "appealed": (frame["appeals"] > 0).astype(int),
        "judged": frame["judged"].astype(int),
    })
    result = parts.groupby("office_code", sort=True).sum()
    judged = result["judged"]
    result["pct_within_time"] = (100 * result["resolved_within_time"]
                                 / judged.where(judged > 0)).round(1)
    return result.reset_index()[["office_code", *SUMMARY_COLUMNS]]


TIER_COLUMNS = ["reached", "resolved_within_limit", "resolved_late", "escalated", "open",
                "overdue"]


def tier_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per office and tier: complaints that reached the tier, resolved there within its
    limit or late, moved up because its limit passed, still open there (within or past
    the limit)."""
    rows = []
    for office_code, tiers in zip(frame["office_code"], frame["tiers"], strict=True):
        for t in tiers:
            rows.append({
                "office_code": office_code, "tier": t.tier, "role": t.role, "reached": 1,
                "resolved_within_limit": int(t.status == "resolved_on_time"),
                "resolved_late": int(t.status == "resolved_late"),
                "escalated": int(t.status == "escalated"),
                "open": int(t.status in ("on_track", "due_today", "overdue")),
                "overdue": int(t.status == "overdue")})
    if not rows:
        return pd.DataFrame(columns=["office_code", "tier", "role", *TIER_COLUMNS])
    table = pd.DataFrame(rows).groupby(["office_code", "tier", "role"], sort=True).sum()
    return table.reset_index()[["office_code", "tier", "role", *TIER_COLUMNS]]


def complaint_history(session: Session, complaint_id: int) -> list[ComplaintEvent]:
    return list(session.exec(select(ComplaintEvent).where(
        ComplaintEvent.complaint_id == complaint_id).order_by(col(ComplaintEvent.id))))
