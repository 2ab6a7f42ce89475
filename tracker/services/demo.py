"""The demo database: geography, the offices and charters, users, a synthetic log.

Offices: the five upazila ICT offices, and two offices of other kinds with their real
charters (data/charters/*@*.toml: the AC Land office of Madhabpur, Habiganj, and Doail
Union Parishad in Sarishabari, Jamalpur), each with its officer, its district's
programmer and its own log. Services the catalog still flags ``needs_review`` get no
requests (they cannot be logged against); "no deadline" services are logged as such.

Deterministic for a (seed, until) pair: the same seed gives the same log, row for row, on
SQLite and PostgreSQL. Every request goes through tracker.services.requests, so the demo exercises
the real rules (holds, tracks, extensions, per-directive dates, audit events).

The log starts on 1 July 2024 (the offices' go-live) and has a realistic shape: more
requests early in the week and in the weeks before each Eid, a channel mix dominated by
walk-ins, about 10% late deliveries, some holds, extensions and per-directive services,
and some requests still open and overdue at ``until``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from tracker.domain.calendar import BangladeshCalendar
from tracker.domain.deadlines import DeadlineUnit
from tracker.domain.localtime import DHAKA
from tracker.domain.offices import OfficeKind
from tracker.domain.status import Status
from tracker.services.auth import SYSTEM
from tracker.services.catalog import sync_all
from tracker.services.complaints import (
    ComplaintError,
    NewComplaint,
    appeal_complaint,
    escalate_due,
    log_complaint,
    resolve_complaint,
)
from tracker.services.offices import create_user, ensure_office, load_geography_rows
from tracker.services.queries import judged_requests
from tracker.services.requests import (
    NewRequest,
    RequestError,
    extend,
    log_request,
    office_calendar,
    transition,
)
from tracker.store.models import Office, Request, Service, User

START = date(2024, 7, 1)
DEMO_PASSWORD = "demo-pass-2024"  # demo only: printed by `tracker demo`
CHANNELS = (("in_person", 40), ("phone", 18), ("web", 12), ("email", 10), ("letter", 10),
            ("e_nothi", 10))
NAMES = ("রহিম উদ্দিন", "করিম হোসেন", "ফাতেমা বেগম", "নাসরিন আক্তার", "সুমন দাস",
         "মিজানুর রহমান", "শাহানা পারভীন", "আব্দুল মালেক", "রাজিয়া সুলতানা", "তপন কুমার")
EXTENSION_REASONS = ("মাঠ পরিদর্শন প্রয়োজন", "উর্ধ্বতন অফিসের মতামত প্রয়োজন")
HOLD_REASONS = ("আবেদনকারীর জাতীয় পরিচয়পত্রের কপি প্রয়োজন", "অসম্পূর্ণ আবেদন")
#: Who logs the requests of an office of each kind (the demo user's title).
OFFICER_TITLES: dict[str, str] = {OfficeKind.ICT: "Assistant Programmer",
                                  OfficeKind.LAND: "Assistant Commissioner (Land)",
                                  OfficeKind.UNION_PARISHAD: "Union Parishad Secretary"}


@dataclass(frozen=True)
class DemoResult:
    offices: list[str]
    users: list[tuple[str, str, str]]  # username, role, office
    requests: int
    open_overdue: int
    complaints: int = 0


def _eid_season(calendar: BangladeshCalendar, day: date) -> bool:
    """True in the ten days before an Eid closure (the busy season for certificates)."""
    for ahead in range(1, 11):
        for entry in calendar.entries_on(day + timedelta(days=ahead)):
            if "Eid-ul" in entry.name_en and entry.is_closure:
                return True
    return False


def _demo_offices(session: Session) -> tuple[list[Office], list[Office]]:
    """The offices that log requests: the upazila ICT offices, then the others (sorted by
    code). The ICT offices come first and draw from the seed's random stream exactly as
    before offices of other kinds were added, so their log is unchanged row for row."""
    offices = list(session.exec(select(Office).where(Office.kind == "upazila")
                                .order_by(col(Office.code))))
    ict = [o for o in offices if o.office_kind == OfficeKind.ICT]
    return ict, [o for o in offices if o.office_kind != OfficeKind.ICT]


def _demo_users(session: Session, offices: list[Office]) -> list[tuple[str, str, str]]:
    """An administrator, each office's officer and each district's programmer."""
    users: list[tuple[str, str, str]] = []
    admin = create_user(session, username="admin", full_name="System administrator",
                        role="admin", password=DEMO_PASSWORD, email="admin@tracker.local",
                        language="en")
    users.append((admin.username, admin.role, "-"))
    districts_done: set[str] = set()
    for office in offices:
        ensure_office(session, office.code, go_live_date=START)
        slug = office.code.replace(".", "-").replace("@", "-")
        title = OFFICER_TITLES.get(office.office_kind, "Officer")
        create_user(session, username=slug, full_name=f"{title}, {office.name_en}",
                    role="upazila_officer", password=DEMO_PASSWORD, office_code=office.code,
                    email=f"{slug}@tracker.local")
        users.append((slug, "upazila_officer", office.code))
        district_code = office.code.split(".")[0]
        if district_code not in districts_done:
            districts_done.add(district_code)
            create_user(session, username=f"{district_code}-programmer",
                        full_name=f"Programmer, {district_code.title()} district",
                        role="district_programmer", password=DEMO_PASSWORD,
                        office_code=district_code, email=f"{district_code}@tracker.local")
            users.append((f"{district_code}-programmer", "district_programmer", district_code))
    session.flush()
    return users


def build_demo(session: Session, *, until: date, seed: int = 1) -> DemoResult:
    """Fill an empty database. The caller commits (or rolls back) the whole demo."""
    now = datetime.combine(until, time(18, 0), tzinfo=DHAKA).astimezone(UTC)
    load_geography_rows(session)
    sync_all(session, now=now)
    ict, others = _demo_offices(session)
    users = _demo_users(session, [*ict, *others])
    rng = random.Random(seed)
    count = sum(_office_log(session, rng, office, until, now) for office in ict)
    complaints = sum(_complaints(session, rng, office, until, now) for office in ict)
    for office in others:
        # each its own stream (seeded by the seed and the code): deterministic, and
        # adding an office never changes the log of another
        own = random.Random(f"{seed}:{office.code}")
        count += _office_log(session, own, office, until, now)
        complaints += _complaints(session, own, office, until, now)
    escalate_due(session, as_of=until, now=now)
    session.flush()
    # Judged like every report (the judged frame), so the figure agrees with them.
    judged = judged_requests(session, scope=SYSTEM, as_of=until)
    open_overdue = int((judged["status"] == Status.OVERDUE).sum())
    return DemoResult([o.code for o in [*ict, *others]], users, count, open_overdue,
                      complaints)


def _office_log(session: Session, rng: random.Random, office: Office, until: date,
                now: datetime) -> int:
    """The office's requests from START to ``until``: a few a working day, more early in
    the week and before each Eid, a trickle on closed days (web, e-mail)."""
    officer = session.exec(select(User).where(User.office_id == office.id,
                                              User.role == "upazila_officer")).one()
    calendar = office_calendar(session, office)
    # review before use: a service still flagged needs_review cannot be logged against
    services = list(session.exec(select(Service).where(
        Service.office_id == office.id, col(Service.needs_review).is_(False))
        .order_by(col(Service.id))))
    if not services:
        return 0
    # "no deadline" services (schedules, ongoing processes) are asked for less often
    weights = [1 if s.unit == DeadlineUnit.NO_DEADLINE else 5 if s.category == "citizen"
               else 2 if s.category == "institutional" else 1 for s in services]
    serial = 0
    day = START
    while day <= until:
        working = calendar.is_working_day(day)
        rate = (2.2 * (1.3 if day.weekday() == 6 else 0.8 if day.weekday() == 3 else 1.0)
                * (1.6 if _eid_season(calendar, day) else 1.0)) if working else 0.15
        for _ in range(_poisson(rng, rate)):
            serial += 1
            service = rng.choices(services, weights)[0]
            _one_request(session, rng, office, officer, service, calendar, day, until,
                         now, serial)
        day += timedelta(days=1)
    session.flush()
    return serial


def _complaints(session: Session, rng: random.Random, office: Office, until: date,
                now: datetime) -> int:
    """GRS complaints about some late requests: most resolved in time, a few escalated,
    a few appealed (GRS tiers from the office's charter, default 30/20/60)."""
    late = list(session.exec(
        select(Request).where(Request.office_id == office.id, Request.state == "delivered",
                              col(Request.closed_date) > col(Request.due_date))
        .order_by(col(Request.id))))
    calendar = office_calendar(session, office)
    made = 0
    for request in late:
        if rng.random() > 0.25 or request.closed_date is None:
            continue
        received = _at(calendar.add_working_days(request.closed_date, rng.randint(1, 5)), rng)
        if received > now:
            continue
        complaint = log_complaint(session, new=NewComplaint(
            office_code=office.code, complainant_name=request.applicant_name or "আবেদনকারী",
            complainant_contact=request.applicant_contact or "+8801700000000",
            received_at=received, summary="সময়মতো সেবা পাইনি", request_id=request.id),
            now=received + timedelta(minutes=5), user=None)
        made += 1
        assert complaint.id is not None
        roll = rng.random()
        if roll < 0.15 and received.date() > until - timedelta(days=120):
            continue  # left unresolved: escalates to the next tier when its limit passes
        span = 45 if roll < 0.25 else 20  # a few resolved after the 30-working-day limit
        resolved = _at(calendar.add_working_days(received.date(), rng.randint(3, span)), rng)
        if resolved > now:
            continue
        try:
            resolve_complaint(session, complaint_id=complaint.id, at=resolved,
                              resolution="অভিযোগ নিষ্পত্তি করা হয়েছে", now=now, user=None)
            if rng.random() < 0.1:
                appealed = resolved + timedelta(days=rng.randint(1, 10))
                if appealed < now:
                    appeal_complaint(session, complaint_id=complaint.id, at=appealed,
                                     reason="সমাধানে সন্তুষ্ট নই", now=now, user=None)
        except ComplaintError:
            continue  # e.g. the tier had already passed; the escalation stands
    session.flush()
    return made


def _poisson(rng: random.Random, rate: float) -> int:
    # Knuth's method: fine for the small rates used here, and deterministic with rng.
    limit, k, p = pow(2.718281828459045, -rate), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _at(day: date, rng: random.Random, start: int = 9, end: int = 17) -> datetime:
    minute = rng.randrange(start * 60, end * 60)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=DHAKA)


# Every helper below draws from ``rng`` in exactly the order the demo always has (including
# the draws that a short-circuited ``and`` skips): the same seed must give the same database.


def _received_at(rng: random.Random, calendar: BangladeshCalendar, day: date) -> datetime:
    """Working days: office hours (some come at 8); closed days: any hour (web, e-mail)."""
    working = calendar.is_working_day(day)
    return _at(day, rng, 8 if working else 0, 17 if working else 24)


def _track(rng: random.Random, service: Service) -> tuple[str | None, str | None]:
    """Sometimes an "immediate / N working days" service is put on its extended track."""
    if service.unit == "immediate" and service.extended_working_days and rng.random() < 0.3:
        return "extended", rng.choice(EXTENSION_REASONS)
    return None, None


def _directive_due(rng: random.Random, service: Service, calendar: BangladeshCalendar,
                   day: date) -> date | None:
    """Most per-directive requests get a date from the directive; the rest have none."""
    if service.unit == "per_directive" and rng.random() < 0.6:
        due: date = calendar.add_working_days(day, rng.randint(5, 15))
        return due
    return None


def _log(session: Session, rng: random.Random, *, office: Office, officer: User,
         service: Service, calendar: BangladeshCalendar, day: date, received: datetime,
         now: datetime, serial: int) -> Request:
    """Log the request through the real writer, a few minutes after it was received."""
    track, reason = _track(rng, service)
    directive_due = _directive_due(rng, service, calendar, day)
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    return log_request(session, new=NewRequest(
        office_code=office.code, service=f"{service.category}-{service.number}",
        received_at=received, channel=channel, applicant_name=rng.choice(NAMES),
        applicant_contact=f"+8801{rng.randint(300000000, 999999999)}",
        summary=service.name_bn[:80], external_ref=f"{day:%Y}/{serial:05d}", track=track,
        track_reason=reason, directive_due=directive_due,
        directive_ref="DC office memo" if directive_due else None,
    ), now=max(received, min(now, received + timedelta(minutes=20))), user=officer)


@dataclass
class _Life:
    """One logged request played forward by its officer, up to ``until`` and ``now``."""

    session: Session
    rng: random.Random
    calendar: BangladeshCalendar
    officer: User
    request: Request
    day: date  # the (local) day of receipt
    moment: datetime  # half an hour after receipt: when work on it starts
    until: date
    now: datetime

    def act(self, action: str, when: datetime, why: str | None = None) -> bool:
        """Apply one action; skipped (False) if it lies in the future or is not allowed."""
        if when.date() > self.until or when > self.now:
            return False
        assert self.request.id is not None
        try:
            transition(self.session, request_id=self.request.id, action=action, at=when,
                       now=self.now, user=self.officer, reason=why)
        except RequestError:
            return False
        return True

    def hold_and_resume(self) -> None:
        """Put the request on hold (the same day or the next working day) and resume it."""
        rng, calendar, day = self.rng, self.calendar, self.day
        hold_day = calendar.add_working_days(day, rng.randint(0, 1)) if rng.random() < 0.5 \
            else day
        hold_at = _at(hold_day, rng, 10, 16) if hold_day > day \
            else self.moment + timedelta(minutes=5)
        if self.act("hold", hold_at, rng.choice(HOLD_REASONS)):
            resume_day = calendar.add_working_days(hold_day, rng.randint(1, 5))
            self.act("resume", _at(resume_day, rng, 9, 12))
            self.session.refresh(self.request)

    def maybe_extend(self, service: Service, received: datetime) -> None:
        """Now and then extend an "N working days / as needed" request, with a reason."""
        request = self.request
        if (request.due_date is not None and service.conditional
                and service.unit != "immediate" and self.rng.random() < 0.05
                and request.state != "on_hold"):
            assert request.id is not None
            extend(self.session, request_id=request.id,
                   new_due=self.calendar.add_working_days(request.due_date,
                                                          self.rng.randint(3, 10)),
                   reason=self.rng.choice(EXTENSION_REASONS),
                   now=min(self.now, received + timedelta(hours=2)), user=self.officer)

    def delivery_day(self, due: date) -> date:
        """About 10% late by 1-6 working days; the rest on a day up to the due date."""
        rng, calendar, day = self.rng, self.calendar, self.day
        if rng.random() < 0.10:
            late: date = calendar.add_working_days(due, rng.randint(1, 6))
            return late
        span = max(0, int(calendar.get_working_days_delta(day, due)))
        deliver_day = day if span == 0 else calendar.add_working_days(day, rng.randint(0, span)
                                                                      or 1)
        return min(deliver_day, due)

    def delivery_time(self, deliver_day: date) -> datetime:
        """A time in office hours; on the day of receipt, after work started and before
        closing (else ten minutes after work started)."""
        when = _at(deliver_day, self.rng, 9, 17)
        if deliver_day == self.day:
            when = max(when, self.moment + timedelta(minutes=10))
            if when.date() != self.day or when.time() >= self.calendar.office_closing_time(
                    self.day):
                when = self.moment + timedelta(minutes=10)
        return when


def _one_request(session: Session, rng: random.Random, office: Office, officer: User,
                 service: Service, calendar: BangladeshCalendar, day: date, until: date,
                 now: datetime, serial: int) -> None:
    """Log one request and play its life forward (some are left open at ``until``)."""
    received = _received_at(rng, calendar, day)
    request = _log(session, rng, office=office, officer=officer, service=service,
                   calendar=calendar, day=day, received=received, now=now, serial=serial)
    life = _Life(session, rng, calendar, officer, request, day,
                 moment=received + timedelta(minutes=30), until=until, now=now)
    if rng.random() < 0.85:
        life.act("start", life.moment)
    if rng.random() < 0.08:  # waiting for the applicant
        life.hold_and_resume()
    life.maybe_extend(service, received)
    roll = rng.random()
    if roll < 0.02:
        life.act("reject", life.moment + timedelta(hours=1), "আবেদন যোগ্য নয়")
        return
    if roll < 0.03:
        life.act("withdraw", life.moment + timedelta(hours=1), "আবেদনকারী প্রত্যাহার করেছেন")
        return
    due = request.due_date or calendar.add_working_days(day, 10)
    if rng.random() < 0.012:  # forgotten: stays open
        return
    when = life.delivery_time(life.delivery_day(due))
    if request.state == "on_hold":
        life.act("resume", min(when, now))
    life.act("deliver", when, None)
