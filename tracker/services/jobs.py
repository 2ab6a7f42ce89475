"""Idempotent units of scheduled work: plan the day's digests, deliver what is due.

A digest for (recipient, date, kind) is **recorded before it is sent** — a
``digest_delivery`` row holding the complete message, with its Message-ID — and sent **at
most once**:

1. ``plan_day`` inserts the day's rows with ``ON CONFLICT DO NOTHING`` on the unique
   (user, date, kind) key: however many workers plan at once, each digest has one row.
   A recipient whose digest cannot be built (a TrackerError, e.g. a date outside the
   calendar) gets no row and is reported (``RunResult.errors``); everyone else is planned,
   and the next run tries that recipient again.
2. ``deliver`` claims a pending row with ``UPDATE ... SET state='sending' WHERE id=? AND
   state='pending'``: only one worker's update matches, the others see 0 rows and move on.
   The winner sends, then marks it ``sent``. A send that failed before the message was
   handed over (TransportError) goes back to ``pending`` with a later ``next_attempt_at``
   (doubling back-off) until ``digest_max_attempts``, then ``failed`` — visible in
   ``tracker digest status``, never silently dropped.
3. Outcome unknown: a send whose answer never came after the message was handed over
   (OutcomeUnknown: the server may have stored it), and a row left in ``sending`` by a
   worker that died mid-send (after the lease), are marked ``failed`` with ``last_error``
   starting with OUTCOME_UNKNOWN — not re-sent: at most once wins over at least once.
   ``requeue`` (``tracker digest requeue``) puts failed rows back deliberately; the stored
   message, and so its Message-ID, is the same, which lets servers drop a duplicate.

``run_day`` is the thin loop the scheduler and ``tracker digest send`` share. Time is a
parameter (``day``, ``now``); nothing here reads the clock.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from tracker.config import AllClear, Settings, get_settings
from tracker.domain.calendar import load_calendar
from tracker.domain.offices import has_own_officers
from tracker.domain.periods import is_first_working_day_of_week
from tracker.errors import TrackerError
from tracker.services.complaints import escalate_due
from tracker.services.digests import LANGUAGES, DigestSet, build_digests, compose
from tracker.services.mail import OutcomeUnknown, Transport, TransportError
from tracker.store.db import session_scope
from tracker.store.models import DigestDelivery, District, Office, User

log = logging.getLogger(__name__)

TABLE: sa.Table = DigestDelivery.__table__  # type: ignore[attr-defined]
#: Consecutive failed sends after which a run stops trying (the server is down): the rest
#: stay pending, untouched, for the next run instead of each waiting for a timeout.
CIRCUIT_BREAKER = 3
#: ``last_error`` of a failed row whose send may have been delivered: never re-sent
#: automatically, only by ``requeue``.
OUTCOME_UNKNOWN = "outcome unknown"
INTERRUPTED = (f"{OUTCOME_UNKNOWN}: interrupted while sending; not re-sent automatically "
               "(tracker digest requeue resends it)")
#: ``last_error`` of a row put back to pending by ``requeue`` (followed by the old error).
REQUEUED = "requeued by hand, was: "


def is_outcome_unknown(last_error: str | None) -> bool:
    """Whether a failed row's send may have been delivered (interrupted, or no answer)."""
    return (last_error or "").startswith(OUTCOME_UNKNOWN)


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    language: str
    role: str
    office_id: int
    office_level: str  # upazila | district (Office.kind)
    district_id: int
    district_en: str

    @property
    def kinds(self) -> tuple[str, str]:
        """(daily kind, weekly kind) of this recipient's role."""
        prefix = "upazila" if self.role == "upazila_officer" else "district"
        return f"{prefix}_daily", f"{prefix}_weekly"

    @property
    def digest_key(self) -> int:
        """Upazila digests are keyed by office, district digests by district."""
        return self.office_id if self.role == "upazila_officer" else self.district_id


def recipients(session: Session) -> list[Recipient]:
    """Active upazila officers of upazila offices and district programmers, with e-mail."""
    rows = session.execute(
        sa.select(col(User.id), col(User.email), col(User.language), col(User.role),
                  col(Office.id), col(Office.kind), col(Office.office_kind),
                  col(Office.district_id), col(District.name_en))
        .join(Office, col(Office.id) == User.office_id)
        .join(District, col(District.id) == Office.district_id)
        .where(col(User.active).is_(True), col(User.email).is_not(None), col(User.email) != "",
               col(User.role).in_(("upazila_officer", "district_programmer")))
        .order_by(col(User.id)))
    found = [(Recipient(int(uid), str(mail), str(lang or "bn"), str(role), int(oid),
                        str(level), int(did), str(den)), str(kind))
             for uid, mail, lang, role, oid, level, kind, did, den in rows]
    # An officer gets the digest of an office that has officers of its own (any upazila
    # office, a district's non-ICT offices); a programmer that of a district-level office.
    return [r for r, kind in found
            if (r.role == "upazila_officer" and has_own_officers(r.office_level, kind))
            or (r.role == "district_programmer" and r.office_level == "district")]


@dataclass(frozen=True)
class BuildFailure:
    """A digest that could not be built for one recipient (nothing was recorded for it)."""

    recipient: str
    kind: str
    reason: str

    def line(self) -> str:
        return f"{self.kind} digest for {self.recipient} not built: {self.reason}"


@dataclass
class RunResult:
    """What one run did with the day's digests.

    skipped: already handled before this run (sent, skipped as all clear with the "skip"
    setting, given up) or claimed by another worker; failed: a send attempt failed in this
    run (not accepted: retried later); unknown: a send in this run got no answer after the
    message was handed over (marked failed, not re-sent); pending: the day's digests
    waiting for a retry (failed now, or not tried because the server kept failing);
    errors: recipients whose digest could not be built (no row recorded, tried next run).
    """

    day: date
    working_day: bool = True
    planned: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    pending: int = 0
    dry_run: bool = False
    unknown: int = 0
    errors: tuple[BuildFailure, ...] = ()

    def summary(self) -> str:
        if not self.working_day:
            return f"{self.day}: not a working day, no digests"
        verb = "would send" if self.dry_run else "sent"
        text = (f"{self.day}: {verb} {self.sent}, skipped {self.skipped}, "
                f"failed {self.failed} ({self.pending} pending retry)")
        if self.unknown:
            text += (f", outcome unknown {self.unknown} (not re-sent, see tracker digest "
                     "status)")
        if self.errors:
            text += f", not built {len(self.errors)}"
        return text


def _message_id(kind: str, day: date, user_id: int, sender: str) -> str:
    """One id per digest (the row's unique key), stored with the message: every retry and
    requeue sends the same id, so a server or reader can drop a duplicate."""
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "tracker.local"
    return f"<digest.{kind}.{day:%Y%m%d}.{user_id}@{domain}>"


@dataclass
class Plan:
    """``plan_rows``: the rows to record, how many the day already has, what failed."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    existing: int = 0
    errors: list[BuildFailure] = field(default_factory=list)

    def fail(self, r: Recipient, kinds: Iterable[str], exc: TrackerError) -> None:
        """Not logged here: the caller reports ``errors`` (the CLI as one line each, the
        scheduler in its log), so that each failure is told once."""
        self.errors.extend(BuildFailure(r.email, kind, str(exc)) for kind in kinds)


def _wanted(all_recipients: list[Recipient], day: date, weekly: bool,
            existing: set[tuple[int, str]], plan: Plan) -> list[tuple[Recipient, str]]:
    """(recipient, kind) not recorded yet, of recipients whose district works on ``day``."""
    wanted: list[tuple[Recipient, str]] = []
    for r in all_recipients:
        daily, week_kind = r.kinds
        kinds = [k for k in ((daily, week_kind) if weekly else (daily,))
                 if (r.user_id, k) not in existing]
        try:
            if not kinds or not load_calendar(r.district_en).is_working_day(day):
                continue
        except TrackerError as exc:
            plan.fail(r, kinds, exc)
            continue
        wanted.extend((r, kind) for kind in kinds)
    return wanted


def _since(session: Session, day: date, all_recipients: list[Recipient]) -> dict[int, date]:
    """Per district, the previous district digest actually sent ("newly overdue" counts
    from it)."""
    last_sent: dict[int, date] = {int(u): d for u, d in session.execute(
        sa.select(TABLE.c.user_id, sa.func.max(TABLE.c.digest_date))
        .where(TABLE.c.kind == "district_daily", TABLE.c.state == "sent",
               TABLE.c.digest_date < day).group_by(TABLE.c.user_id))}
    since: dict[int, date] = {}
    for r in all_recipients:
        if r.role == "district_programmer" and r.user_id in last_sent:
            previous = last_sent[r.user_id]
            since[r.district_id] = min(since.get(r.district_id, previous), previous)
    return since


#: Builds the digests of some recipients (None: of everyone) in one aggregate pass.
DigestBuilder = Callable[[list[Recipient] | None], DigestSet]


def _builder(session: Session, *, day: date, weekly: bool,
             since: dict[int, date]) -> DigestBuilder:
    def build(some: list[Recipient] | None) -> DigestSet:
        if some is None:
            return build_digests(session, as_of=day, weekly=weekly, since=since)
        return build_digests(
            session, as_of=day, weekly=weekly, since=since,
            office_ids={r.office_id for r in some if r.role == "upazila_officer"},
            district_ids={r.district_id for r in some if r.role == "district_programmer"})
    return build


def _digest_sets(wanted: list[tuple[Recipient, str]], everyone: bool, build: DigestBuilder,
                 plan: Plan) -> dict[int, DigestSet]:
    """The digests of every wanted recipient, by user id: one aggregate pass; if that
    fails, one pass per recipient, so that a recipient whose digest cannot be built (say
    a due date outside the calendar in its office) costs only its own digests."""
    users = {r.user_id: r for r, _kind in wanted}
    try:
        return dict.fromkeys(users, build(None if everyone else list(users.values())))
    except TrackerError as exc:
        log.debug("digests could not be built in one pass (%s): building them one "
                  "recipient at a time", exc)
    sets: dict[int, DigestSet] = {}
    for user_id, r in users.items():
        try:
            sets[user_id] = build([r])
        except TrackerError as exc:
            plan.fail(r, [k for u, k in wanted if u.user_id == user_id], exc)
    return sets


def _row(r: Recipient, kind: str, digests: DigestSet, *, day: date, now: datetime,
         s: Settings) -> dict[str, Any] | None:
    """The digest_delivery row of one recipient's digest (None: no digest of that kind)."""
    digest = digests.for_kind(kind).get(r.digest_key)
    if digest is None:
        return None
    lang = r.language if r.language in LANGUAGES else "bn"
    rendered = digest.render(lang)
    message = compose(rendered, sender=s.mail_from, to=r.email,
                      message_id=_message_id(kind, day, r.user_id, s.mail_from),
                      date_=now, headers={"X-Tracker-Digest": f"{kind} {day.isoformat()}"})
    skip = digest.all_clear and s.digest_all_clear is AllClear.SKIP
    return dict(user_id=r.user_id, office_id=r.office_id, digest_date=day, kind=kind,
                recipient=r.email, language=lang, subject=rendered.subject,
                message=message.as_string(), state="skipped" if skip else "pending",
                attempts=0, next_attempt_at=None, claimed_by=None, claimed_at=None,
                sent_at=None, last_error="all clear" if skip else None, created_at=now)


def plan_rows(session: Session, *, day: date, now: datetime,
              settings: Settings | None = None) -> Plan:
    """The rows ``plan_day`` would record (those not recorded yet), how many exist, and
    the recipients whose digest could not be built.

    One aggregate pass builds every digest still missing; recipients whose district has
    a regional closure on ``day`` get nothing.
    """
    s = settings or get_settings()
    weekly = is_first_working_day_of_week(day, load_calendar())
    existing = {(int(u), str(k)) for u, k in session.execute(
        sa.select(TABLE.c.user_id, TABLE.c.kind).where(TABLE.c.digest_date == day))}
    plan = Plan(existing=len(existing))
    all_recipients = recipients(session)
    wanted = _wanted(all_recipients, day, weekly, existing, plan)
    if not wanted:
        return plan
    everyone = len({r.user_id for r, _ in wanted}) == len(all_recipients)
    build = _builder(session, day=day, weekly=weekly,
                     since=_since(session, day, all_recipients))
    sets = _digest_sets(wanted, everyone, build, plan)
    for r, kind in wanted:
        if r.user_id not in sets:
            continue
        try:
            row = _row(r, kind, sets[r.user_id], day=day, now=now, s=s)
        except TrackerError as exc:
            plan.fail(r, [kind], exc)
            continue
        if row is not None:
            plan.rows.append(row)
    return plan


def _insert_ignoring_duplicates(connection: Connection, rows: list[dict[str, Any]]) -> int:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(TABLE)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(TABLE)
    stmt = stmt.on_conflict_do_nothing(index_elements=["user_id", "digest_date", "kind"])
    return len(connection.execute(stmt.returning(TABLE.c.id), rows).all())


@dataclass(frozen=True)
class Planned:
    """``plan_day``: how many rows this call recorded, and the digests not built."""

    recorded: int
    errors: tuple[BuildFailure, ...] = ()


def plan_day(engine: Engine, *, day: date, now: datetime,
             settings: Settings | None = None) -> Planned:
    """Record the day's digests not recorded yet (every recipient whose digest can be
    built); returns how many this call recorded and which could not be built."""
    with Session(engine) as session:
        plan = plan_rows(session, day=day, now=now, settings=settings)
    if not plan.rows:
        return Planned(0, tuple(plan.errors))
    with engine.begin() as connection:
        return Planned(_insert_ignoring_duplicates(connection, plan.rows), tuple(plan.errors))


class Outcome(Enum):
    """What became of one claimed send."""

    SENT = "sent"
    RETRY = "retry"  # not accepted: pending again after the back-off
    GAVE_UP = "gave up"  # not accepted, the last attempt: failed
    UNKNOWN = "outcome unknown"  # handed over, no answer: failed, not re-sent


@dataclass
class DeliverResult:
    sent: int = 0
    failed: int = 0  # not accepted (retry or gave up)
    lost_claims: int = 0
    gave_up: int = 0
    unknown: int = 0

    def count(self, outcome: Outcome) -> None:
        self.sent += outcome is Outcome.SENT
        self.failed += outcome in (Outcome.RETRY, Outcome.GAVE_UP)
        self.gave_up += outcome is Outcome.GAVE_UP
        self.unknown += outcome is Outcome.UNKNOWN


def _claimable(now: datetime) -> Any:
    return sa.and_(TABLE.c.state == "pending",
                   sa.or_(TABLE.c.next_attempt_at.is_(None), TABLE.c.next_attempt_at <= now))


def _expire_leases(engine: Engine, now: datetime, s: Settings) -> None:
    """Rows left in ``sending`` past the lease: the worker died mid-send."""
    with engine.begin() as connection:
        stale = connection.execute(
            TABLE.update()
            .where(TABLE.c.state == "sending",
                   TABLE.c.claimed_at < now - timedelta(seconds=s.digest_lease_seconds))
            .values(state="failed", last_error=INTERRUPTED))
    if stale.rowcount:
        log.warning("%d digest(s) were interrupted mid-send: marked failed", stale.rowcount)


def _claim(engine: Engine, delivery_id: int, worker: str,
           now: datetime) -> tuple[str, int] | None:
    """(message, attempts) if this worker won the row, None if another did."""
    with engine.begin() as connection:
        claimed = connection.execute(
            TABLE.update()
            .where(TABLE.c.id == delivery_id, _claimable(now))
            .values(state="sending", claimed_by=worker, claimed_at=now,
                    attempts=TABLE.c.attempts + 1)
            .returning(TABLE.c.message, TABLE.c.attempts)).first()
    return None if claimed is None else (str(claimed[0]), int(claimed[1]))


def _mark(engine: Engine, delivery_id: int, worker: str, **values: Any) -> None:
    with engine.begin() as connection:
        connection.execute(TABLE.update().where(TABLE.c.id == delivery_id,
                                                TABLE.c.claimed_by == worker).values(**values))


def _send_claimed(engine: Engine, transport: Transport, delivery_id: int, worker: str,
                  claimed: tuple[str, int], now: datetime, s: Settings) -> Outcome:
    """Send one claimed row and record what became of it."""
    message_text, attempts = claimed
    try:
        transport.send(parse_message(message_text))
    except OutcomeUnknown as exc:
        log.error("digest %d: %s: %s; marked failed, not re-sent (tracker digest requeue)",
                  delivery_id, OUTCOME_UNKNOWN, exc)
        _mark(engine, delivery_id, worker, state="failed", next_attempt_at=None,
              last_error=f"{OUTCOME_UNKNOWN}: {exc}"[:500])
        return Outcome.UNKNOWN
    except TransportError as exc:
        give_up = attempts >= s.digest_max_attempts
        backoff = timedelta(seconds=s.digest_retry_seconds * 2 ** (attempts - 1))
        log.warning("digest %d: attempt %d failed: %s", delivery_id, attempts, exc)
        _mark(engine, delivery_id, worker, state="failed" if give_up else "pending",
              next_attempt_at=None if give_up else now + backoff, last_error=str(exc)[:500])
        return Outcome.GAVE_UP if give_up else Outcome.RETRY
    _mark(engine, delivery_id, worker, state="sent", sent_at=now, last_error=None)
    return Outcome.SENT


def deliver(engine: Engine, *, transport: Transport, now: datetime, worker: str | None = None,
            day: date | None = None, settings: Settings | None = None) -> DeliverResult:
    """Send every pending digest that is due (of ``day``, or of any day): claim, send, mark."""
    s = settings or get_settings()
    worker = worker or default_worker()
    result = DeliverResult()
    _expire_leases(engine, now, s)
    query = sa.select(TABLE.c.id).where(_claimable(now)).order_by(TABLE.c.id)
    if day is not None:
        query = query.where(TABLE.c.digest_date == day)
    with engine.connect() as connection:
        ids = [int(i) for i in connection.execute(query).scalars()]
    consecutive_failures = 0  # not accepted, or no answer: the server is in trouble
    for delivery_id in ids:
        if consecutive_failures >= CIRCUIT_BREAKER:
            break
        claimed = _claim(engine, delivery_id, worker, now)
        if claimed is None:
            result.lost_claims += 1
            continue
        outcome = _send_claimed(engine, transport, delivery_id, worker, claimed, now, s)
        result.count(outcome)
        consecutive_failures = 0 if outcome is Outcome.SENT else consecutive_failures + 1
    return result


def requeue(engine: Engine, *, day: date, now: datetime, recipient: str | None = None) -> int:
    """Put the day's failed digests (outcome unknown, or given up) back to pending, with a
    fresh set of attempts: the deliberate resend of ``tracker digest requeue``. Only the
    recipient's, if given. The stored message is sent as it is, with its Message-ID.
    Returns how many rows were requeued."""
    where = [TABLE.c.digest_date == day, TABLE.c.state == "failed"]
    if recipient is not None:
        where.append(sa.func.lower(TABLE.c.recipient) == recipient.strip().lower())
    with engine.begin() as connection:
        done = connection.execute(TABLE.update().where(*where).values(
            state="pending", attempts=0, next_attempt_at=None, claimed_by=None,
            claimed_at=None, last_error=sa.func.substr(
                sa.literal(REQUEUED) + sa.func.coalesce(TABLE.c.last_error, ""), 1, 500)))
    log.info("%d digest(s) of %s requeued at %s", done.rowcount, day, now.isoformat())
    return int(done.rowcount)


def parse_message(text: str) -> EmailMessage:
    message = email.message_from_string(text, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def day_states(engine: Engine, day: date) -> Counter[str]:
    with engine.connect() as connection:
        return Counter({str(state): int(n) for state, n in connection.execute(
            sa.select(TABLE.c.state, sa.func.count())
            .where(TABLE.c.digest_date == day).group_by(TABLE.c.state))})


def is_digest_day(day: date) -> bool:
    """Digests go out on working days of the national calendar (working Saturdays too)."""
    return load_calendar().is_working_day(day)


def run_day(engine: Engine, *, day: date, now: datetime, transport: Transport,
            worker: str | None = None, settings: Settings | None = None,
            dry_run: bool = False) -> RunResult:
    """Plan and deliver the digests of ``day``: safe to run any number of times, anywhere."""
    if not is_digest_day(day):
        return RunResult(day, working_day=False, dry_run=dry_run)
    if dry_run:
        with Session(engine) as session:
            plan = plan_rows(session, day=day, now=now, settings=settings)
        states = day_states(engine, day)
        new = Counter(str(r["state"]) for r in plan.rows)
        would = new["pending"] + states["pending"]
        total = sum(states.values()) + len(plan.rows)
        return RunResult(day, planned=len(plan.rows), sent=would, skipped=total - would,
                         pending=states["pending"], dry_run=True, errors=tuple(plan.errors))
    planned = plan_day(engine, day=day, now=now, settings=settings)
    delivered = deliver(engine, transport=transport, now=now, worker=worker, day=day,
                        settings=settings)
    states = day_states(engine, day)
    # Pending rows this run did not try (the circuit breaker opened) are neither skipped
    # nor failed: they are reported as pending only.
    untried = states["pending"] - (delivered.failed - delivered.gave_up)
    handled = delivered.sent + delivered.failed + delivered.unknown
    return RunResult(day, planned=planned.recorded, sent=delivered.sent,
                     skipped=sum(states.values()) - handled - untried,
                     failed=delivered.failed, pending=states["pending"],
                     unknown=delivered.unknown, errors=planned.errors)


def escalate_complaints_due(engine: Engine, *, day: date, now: datetime) -> int:
    """The morning's first unit: record GRS complaints whose tier limit passed by ``day``
    (idempotent: a tier already escalated is not recorded again), so that the district
    digests sent after it name the next officer. Returns the tiers escalated."""
    with session_scope(engine) as session:
        escalated = escalate_due(session, as_of=day, now=now)
    if escalated:
        log.info("GRS: %d complaint tier(s) escalated", len(escalated))
    return len(escalated)
