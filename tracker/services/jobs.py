"""Idempotent units of scheduled work: plan the day's digests, deliver what is due.

A digest for (recipient, date, kind) is **recorded before it is sent** — a
``digest_delivery`` row holding the complete message — and sent **at most once**:

1. ``plan_day`` inserts the day's rows with ``ON CONFLICT DO NOTHING`` on the unique
   (user, date, kind) key: however many workers plan at once, each digest has one row.
2. ``deliver`` claims a pending row with ``UPDATE ... SET state='sending' WHERE id=? AND
   state='pending'``: only one worker's update matches, the others see 0 rows and move on.
   The winner sends, then marks it ``sent``. A failed send goes back to ``pending`` with a
   later ``next_attempt_at`` (doubling back-off) until ``digest_max_attempts``, then
   ``failed`` — visible in ``tracker digest status``, never silently dropped. A row left in
   ``sending`` by a worker that died mid-send is marked ``failed`` (outcome unknown) after
   the lease, not re-sent: at most once wins over at least once.

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
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from tracker.config import AllClear, Settings, get_settings
from tracker.domain.calendar import load_calendar
from tracker.domain.periods import is_first_working_day_of_week
from tracker.services.complaints import escalate_due
from tracker.services.digests import LANGUAGES, build_digests, compose
from tracker.services.mail import Transport, TransportError
from tracker.store.db import session_scope
from tracker.store.models import DigestDelivery, District, Office, User

log = logging.getLogger(__name__)

TABLE: sa.Table = DigestDelivery.__table__  # type: ignore[attr-defined]
#: Consecutive failed sends after which a run stops trying (the server is down): the rest
#: stay pending, untouched, for the next run instead of each waiting for a timeout.
CIRCUIT_BREAKER = 3
INTERRUPTED = "interrupted while sending (outcome unknown); not re-sent automatically"


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    language: str
    role: str
    office_id: int
    office_kind: str
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
                  col(Office.id), col(Office.kind), col(Office.district_id),
                  col(District.name_en))
        .join(Office, col(Office.id) == User.office_id)
        .join(District, col(District.id) == Office.district_id)
        .where(col(User.active).is_(True), col(User.email).is_not(None), col(User.email) != "",
               col(User.role).in_(("upazila_officer", "district_programmer")))
        .order_by(col(User.id)))
    found = [Recipient(int(uid), str(mail), str(lang or "bn"), str(role), int(oid), str(kind),
                       int(did), str(den))
             for uid, mail, lang, role, oid, kind, did, den in rows]
    return [r for r in found if (r.role, r.office_kind) in (
        ("upazila_officer", "upazila"), ("district_programmer", "district"))]


@dataclass
class RunResult:
    """What one run did with the day's digests.

    skipped: already handled before this run (sent, skipped as all clear with the "skip"
    setting, given up) or claimed by another worker; failed: a send attempt failed in this
    run; pending: the day's digests waiting for a retry (failed now, or not tried because
    the server kept failing).
    """

    day: date
    working_day: bool = True
    planned: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    pending: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        if not self.working_day:
            return f"{self.day}: not a working day, no digests"
        verb = "would send" if self.dry_run else "sent"
        return (f"{self.day}: {verb} {self.sent}, skipped {self.skipped}, "
                f"failed {self.failed} ({self.pending} pending retry)")


def _message_id(kind: str, day: date, user_id: int, sender: str) -> str:
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "tracker.local"
    return f"<digest.{kind}.{day:%Y%m%d}.{user_id}@{domain}>"


def plan_rows(session: Session, *, day: date, now: datetime,
              settings: Settings | None = None) -> tuple[list[dict[str, Any]], int]:
    """The rows ``plan_day`` would record (those not recorded yet), and how many exist.

    One aggregate pass builds every digest still missing; recipients whose district has
    a regional closure on ``day`` get nothing.
    """
    s = settings or get_settings()
    weekly = is_first_working_day_of_week(day, load_calendar())
    existing = {(int(u), str(k)) for u, k in session.execute(
        sa.select(TABLE.c.user_id, TABLE.c.kind).where(TABLE.c.digest_date == day))}
    wanted: list[tuple[Recipient, str]] = []
    all_recipients = recipients(session)
    for r in all_recipients:
        if not load_calendar(r.district_en).is_working_day(day):
            continue
        daily, week_kind = r.kinds
        for kind in (daily, week_kind) if weekly else (daily,):
            if (r.user_id, kind) not in existing:
                wanted.append((r, kind))
    if not wanted:
        return [], len(existing)
    everyone = len({r.user_id for r, _ in wanted}) == len(all_recipients)
    # "Newly overdue" counts from each district's previous district digest actually sent.
    last_sent: dict[int, date] = {int(u): d for u, d in session.execute(
        sa.select(TABLE.c.user_id, sa.func.max(TABLE.c.digest_date))
        .where(TABLE.c.kind == "district_daily", TABLE.c.state == "sent",
               TABLE.c.digest_date < day).group_by(TABLE.c.user_id))}
    since: dict[int, date] = {}
    for r in all_recipients:
        if r.role == "district_programmer" and r.user_id in last_sent:
            previous = last_sent[r.user_id]
            since[r.district_id] = min(since.get(r.district_id, previous), previous)
    digests = build_digests(
        session, as_of=day, weekly=weekly, since=since,
        office_ids=None if everyone else {r.office_id for r, _ in wanted
                                          if r.role == "upazila_officer"},
        district_ids=None if everyone else {r.district_id for r, _ in wanted
                                            if r.role == "district_programmer"})
    rows: list[dict[str, Any]] = []
    for r, kind in wanted:
        digest = digests.for_kind(kind).get(r.digest_key)
        if digest is None:
            continue
        lang = r.language if r.language in LANGUAGES else "bn"
        rendered = digest.render(lang)
        message = compose(rendered, sender=s.mail_from, to=r.email,
                          message_id=_message_id(kind, day, r.user_id, s.mail_from),
                          date_=now, headers={"X-Tracker-Digest": f"{kind} {day.isoformat()}"})
        skip = digest.all_clear and s.digest_all_clear is AllClear.SKIP
        rows.append(dict(user_id=r.user_id, office_id=r.office_id, digest_date=day, kind=kind,
                         recipient=r.email, language=lang, subject=rendered.subject,
                         message=message.as_string(), state="skipped" if skip else "pending",
                         attempts=0, next_attempt_at=None, claimed_by=None, claimed_at=None,
                         sent_at=None, last_error="all clear" if skip else None,
                         created_at=now))
    return rows, len(existing)


def _insert_ignoring_duplicates(connection: Connection, rows: list[dict[str, Any]]) -> int:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(TABLE)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(TABLE)
    stmt = stmt.on_conflict_do_nothing(index_elements=["user_id", "digest_date", "kind"])
    return len(connection.execute(stmt.returning(TABLE.c.id), rows).all())


def plan_day(engine: Engine, *, day: date, now: datetime,
             settings: Settings | None = None) -> int:
    """Record the day's digests not recorded yet; returns how many this call recorded."""
    with Session(engine) as session:
        rows, _existing = plan_rows(session, day=day, now=now, settings=settings)
    if not rows:
        return 0
    with engine.begin() as connection:
        return _insert_ignoring_duplicates(connection, rows)


@dataclass
class DeliverResult:
    sent: int = 0
    failed: int = 0
    lost_claims: int = 0
    gave_up: int = 0


def _claimable(now: datetime) -> Any:
    return sa.and_(TABLE.c.state == "pending",
                   sa.or_(TABLE.c.next_attempt_at.is_(None), TABLE.c.next_attempt_at <= now))


def deliver(engine: Engine, *, transport: Transport, now: datetime, worker: str | None = None,
            day: date | None = None, settings: Settings | None = None) -> DeliverResult:
    """Send every pending digest that is due (of ``day``, or of any day): claim, send, mark."""
    s = settings or get_settings()
    worker = worker or default_worker()
    result = DeliverResult()
    with engine.begin() as connection:
        stale = connection.execute(
            TABLE.update()
            .where(TABLE.c.state == "sending",
                   TABLE.c.claimed_at < now - timedelta(seconds=s.digest_lease_seconds))
            .values(state="failed", last_error=INTERRUPTED))
        if stale.rowcount:
            log.warning("%d digest(s) were interrupted mid-send: marked failed", stale.rowcount)
    query = sa.select(TABLE.c.id).where(_claimable(now)).order_by(TABLE.c.id)
    if day is not None:
        query = query.where(TABLE.c.digest_date == day)
    with engine.connect() as connection:
        ids = [int(i) for i in connection.execute(query).scalars()]
    consecutive_failures = 0
    for delivery_id in ids:
        if consecutive_failures >= CIRCUIT_BREAKER:
            break
        with engine.begin() as connection:
            claimed = connection.execute(
                TABLE.update()
                .where(TABLE.c.id == delivery_id, _claimable(now))
                .values(state="sending", claimed_by=worker, claimed_at=now,
                        attempts=TABLE.c.attempts + 1)
                .returning(TABLE.c.message, TABLE.c.attempts)).first()
        if claimed is None:
            result.lost_claims += 1
            continue
        message_text, attempts = str(claimed[0]), int(claimed[1])
        try:
            transport.send(parse_message(message_text))
        except TransportError as exc:
            consecutive_failures += 1
            result.failed += 1
            give_up = attempts >= s.digest_max_attempts
            result.gave_up += int(give_up)
            backoff = timedelta(seconds=s.digest_retry_seconds * 2 ** (attempts - 1))
            log.warning("digest %d: attempt %d failed: %s", delivery_id, attempts, exc)
            with engine.begin() as connection:
                connection.execute(
                    TABLE.update().where(TABLE.c.id == delivery_id,
                                         TABLE.c.claimed_by == worker)
                    .values(state="failed" if give_up else "pending",
                            next_attempt_at=None if give_up else now + backoff,
                            last_error=str(exc)[:500]))
            continue
        consecutive_failures = 0
        result.sent += 1
        with engine.begin() as connection:
            connection.execute(
                TABLE.update().where(TABLE.c.id == delivery_id, TABLE.c.claimed_by == worker)
                .values(state="sent", sent_at=now, last_error=None))
    return result


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
            rows, _existing = plan_rows(session, day=day, now=now, settings=settings)
        states = day_states(engine, day)
        new = Counter(str(r["state"]) for r in rows)
        would = new["pending"] + states["pending"]
        total = sum(states.values()) + len(rows)
        return RunResult(day, planned=len(rows), sent=would, skipped=total - would,
                         pending=states["pending"], dry_run=True)
    planned = plan_day(engine, day=day, now=now, settings=settings)
    delivered = deliver(engine, transport=transport, now=now, worker=worker, day=day,
                        settings=settings)
    states = day_states(engine, day)
    # Pending rows this run did not try (the circuit breaker opened) are neither skipped
    # nor failed: they are reported as pending only.
    untried = states["pending"] - (delivered.failed - delivered.gave_up)
    return RunResult(day, planned=planned, sent=delivered.sent,
                     skipped=sum(states.values()) - delivered.sent - delivered.failed - untried,
                     failed=delivered.failed, pending=states["pending"])


def escalate_complaints_due(engine: Engine, *, day: date, now: datetime) -> int:
    """The morning's first unit: record GRS complaints whose tier limit passed by ``day``
    (idempotent: a tier already escalated is not recorded again), so that the district
    digests sent after it name the next officer. Returns the tiers escalated."""
    with session_scope(engine) as session:
        escalated = escalate_due(session, as_of=day, now=now)
    if escalated:
        log.info("GRS: %d complaint tier(s) escalated", len(escalated))
    return len(escalated)
