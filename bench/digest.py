"""Benchmark: every digest of one morning for 494 upazilas and 64 districts.

Builds a national-scale synthetic log (one year, ~2.2 requests per working day per upazila
office, about 1/4 million requests) with bulk inserts into a temporary SQLite file, then
builds and renders (Bengali) every daily digest and weekly summary of ``--as-of``:

- aggregate: ``tracker.services.digests.build_digests`` once — one pass over all offices;
- naive baseline: the same builder called once per upazila office and once per district
  (one query set per recipient), in the same process on the same data.

Prints wall time and SQL statements issued (counted with a ``before_cursor_execute``
event) for both, the ratio, and checks that both produce identical digests.

Run: ``.venv/bin/python bench/digest.py [--as-of 2025-06-01] [--days 365] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from tracker.domain.calendar import BangladeshCalendar, load_calendar
from tracker.domain.deadlines import due_dates
from tracker.domain.geo import Geography, load_geography
from tracker.services.digests import DigestSet, build_digests
from tracker.services.offices import load_geography_rows
from tracker.store.db import make_engine
from tracker.store.models import (
    CharterVersion,
    HoldPeriod,
    Office,
    Request,
    Service,
    User,
)

SERVICE_DAYS = np.array([1, 3, 3, 5, 7, 7, 10, 15])
RATE_PER_WORKING_DAY = 2.2


def _table(model: Any) -> sa.Table:
    return model.__table__  # type: ignore[no-any-return]


GO_LIVE = date(2024, 7, 1)


def _office_rows(geo: Geography) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """One office per district (ids 1..64), then one per upazila under its district's office;
    also the upazila offices as (office id, district name_en), which get the requests."""
    district_office: dict[int, int] = {}
    offices: list[dict[str, Any]] = []
    for i, d in enumerate(geo.districts, start=1):
        district_office[d.id] = i
        offices.append(dict(id=i, code=d.slug, kind="district", name_en=f"{d.name_en} District "
                            "ICT Office", name_bn=f"জেলা আইসিটি অফিস, {d.name_bn}",
                            district_id=d.id, upazila_id=None, parent_office_id=None,
                            website=None, go_live_date=GO_LIVE))
    upazila_offices: list[tuple[int, str]] = []  # (office id, district name_en)
    for j, u in enumerate(geo.upazilas, start=len(offices) + 1):
        offices.append(dict(id=j, code=u.code, kind="upazila",
                            name_en=f"{u.name_en} Upazila ICT Office",
                            name_bn=f"উপজেলা আইসিটি অফিস, {u.name_bn}",
                            district_id=u.district.id, upazila_id=u.id,
                            parent_office_id=district_office[u.district.id], website=None,
                            go_live_date=GO_LIVE))
        upazila_offices.append((j, u.district.name_en))
    return offices, upazila_offices


def _charter_rows(upazila_offices: list[tuple[int, str]], now: datetime,
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One charter version per upazila office (id = office id) and its SERVICE_DAYS
    services (id = office id * 100 + number), so request rows can name them directly."""
    versions, services = [], []
    for office_id, _ in upazila_offices:
        versions.append(dict(id=office_id, office_id=office_id, effective_date=date(2024, 1, 1),
                             source="bench", content_hash=f"bench-{office_id}", loaded_at=now))
        for k, n in enumerate(SERVICE_DAYS, start=1):
            services.append(dict(id=office_id * 100 + k, charter_version_id=office_id,
                                 office_id=office_id, category="citizen", number=k,
                                 name_bn=f"সেবা {k}", name_en=None, deadline_raw=f"{n} কার্যদিবস",
                                 unit="working_days", amount=int(n),
                                 extended_working_days=None, conditional=False, fee_raw="",
                                 responsible_officer="", responsible_contact="",
                                 escalation_officer=""))
    return versions, services


def _user_rows(offices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One digest recipient per office (no login: the bench only sends digests)."""
    users = []
    for o in offices:
        role = "upazila_officer" if o["kind"] == "upazila" else "district_programmer"
        users.append(dict(username=o["code"], full_name=o["name_en"], role=role,
                          office_id=o["id"], email=f"{o['code']}@bench.local",
                          password_hash="not-a-login", language="bn", active=True))
    return users


def _insert_offices(engine: Engine, now: datetime) -> list[tuple[int, str]]:
    """Geography, offices, charters, services and users; returns the upazila offices."""
    with Session(engine) as session:
        load_geography_rows(session)
        session.commit()
    offices, upazila_offices = _office_rows(load_geography())
    versions, services = _charter_rows(upazila_offices, now)
    users = _user_rows(offices)
    with engine.begin() as connection:
        connection.execute(_table(Office).insert(), offices)
        connection.execute(_table(CharterVersion).insert(), versions)
        connection.execute(_table(Service).insert(), services)
        connection.execute(_table(User).insert(), users)
    return upazila_offices


@dataclass(frozen=True)
class _OfficeLog:
    """One office's synthetic requests as arrays, drawn all at once (vectorised)."""

    received: np.ndarray[Any, Any]  # local dates, datetime64[D]
    service: np.ndarray[Any, Any]  # index into SERVICE_DAYS
    due: np.ndarray[Any, Any]
    closed: np.ndarray[Any, Any]  # when it would be closed, if it is
    roll: np.ndarray[Any, Any]  # the draw that decides its fate
    forgotten: np.ndarray[Any, Any]
    rejected: np.ndarray[Any, Any]


def _draw_office_log(rng: np.random.Generator, calendar: BangladeshCalendar,
                     working: np.ndarray[Any, Any]) -> _OfficeLog:
    """Poisson arrivals per working day; 88% delivered on time, the rest late by 1-6
    working days, 1.5% forgotten, 1.5% rejected. The draws' order fixes the log per seed."""
    counts = rng.poisson(RATE_PER_WORKING_DAY, len(working))
    received = np.repeat(working, counts)
    k = rng.integers(0, len(SERVICE_DAYS), len(received))
    n = SERVICE_DAYS[k]
    due = due_dates(received, n, calendar)
    roll = rng.random(len(received))
    span = rng.integers(0, n + 1)  # 0: delivered the day it came
    on_time = np.where(span == 0, received, calendar.index.add_working_days(
        received, np.maximum(span, 1)))
    late = calendar.index.add_working_days(due, rng.integers(1, 7, len(received)))
    closed = np.where(roll < 0.88, on_time, late)
    forgotten = (roll >= 0.97) & (roll < 0.985)
    rejected = roll >= 0.985
    return _OfficeLog(received, k, due, closed, roll, forgotten, rejected)


def _fate(log: _OfficeLog, i: int, as_of64: np.datetime64) -> tuple[str, Any]:
    """The state of request ``i`` as of the bench date, and its closing date (None if open).

    A delivery after ``as_of`` has not happened yet, so that request is still in progress.
    """
    c = log.closed[i]
    state = "delivered"
    if log.rejected[i]:
        state, c = "rejected", log.received[i]
    if log.forgotten[i] or c > as_of64:
        state, c = "in_progress", None
    if state == "in_progress" and log.roll[i] < 0.004:
        state = "on_hold"
    return state, c


def _request_row(log: _OfficeLog, i: int, *, request_id: int, office_id: int, state: str,
                 closed: Any, now: datetime) -> dict[str, Any]:
    """The requests-table row of request ``i`` (received 10:00, closed 14:00 Dhaka time)."""
    rdate = log.received[i].astype(object)
    cdate = None if closed is None else closed.astype(object)
    due = log.due[i].astype(object)
    return dict(
        id=request_id, office_id=office_id,
        service_id=office_id * 100 + int(log.service[i]) + 1,
        charter_version_id=office_id,
        received_at=datetime(rdate.year, rdate.month, rdate.day, 4, tzinfo=UTC),
        received_date=rdate, channel="in_person", summary="",
        external_ref=f"B{request_id}", track="standard",
        base_due_date=due, due_date=due,
        hold_working_days=0, extended=False, calendar_version="bench",
        due_provisional=False, state=state,
        closed_at=None if cdate is None else datetime(
            cdate.year, cdate.month, cdate.day, 8, tzinfo=UTC),
        closed_date=cdate, backdated=False, created_at=now, anchor_hold_days=0,
        version=1)


def _offices_by_district(upazila_offices: list[tuple[int, str]]) -> dict[str, list[int]]:
    by_district: dict[str, list[int]] = {}
    for office_id, district in upazila_offices:
        by_district.setdefault(district, []).append(office_id)
    return by_district


def build_national_log(engine: Engine, *, as_of: date, days: int, seed: int) -> int:
    """Offices, charters, users and a synthetic request log; returns the request count."""
    rng = np.random.default_rng(seed)
    now = datetime(as_of.year, as_of.month, as_of.day, 12, tzinfo=UTC)
    upazila_offices = _insert_offices(engine, now)

    start = as_of - timedelta(days=days)
    as_of64 = np.datetime64(as_of, "D")
    total = 0
    next_id = 1
    # District by district: offices of one district share a calendar (regional holidays).
    for district, office_ids in sorted(_offices_by_district(upazila_offices).items()):
        calendar = load_calendar(district)
        all_days = np.arange(np.datetime64(start, "D"), as_of64 + 1)
        working = all_days[calendar.index.is_working_day(all_days)]
        rows: list[dict[str, Any]] = []
        holds: list[dict[str, Any]] = []
        for office_id in office_ids:
            log = _draw_office_log(rng, calendar, working)
            for i in range(len(log.received)):
                state, closed = _fate(log, i, as_of64)
                if state == "on_hold":
                    holds.append(dict(request_id=next_id, started_at=now,
                                      start_date=log.received[i].astype(object),
                                      reason="bench"))
                rows.append(_request_row(log, i, request_id=next_id, office_id=office_id,
                                         state=state, closed=closed, now=now))
                next_id += 1
        with engine.begin() as connection:
            connection.execute(_table(Request).insert(), rows)
            if holds:
                connection.execute(_table(HoldPeriod).insert(), holds)
        total += len(rows)
    return total


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.count += 1


def render_all(digests: DigestSet) -> dict[tuple[str, int], str]:
    out = {}
    for kind in ("upazila_daily", "district_daily", "upazila_weekly", "district_weekly"):
        for key, digest in digests.for_kind(kind).items():
            rendered = digest.render("bn")
            out[(kind, key)] = rendered.subject + "\n" + rendered.text + rendered.html
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--as-of", default="2025-06-01", help="the digests' date")
    parser.add_argument("--days", type=int, default=365, help="length of the synthetic log")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--naive", action=argparse.BooleanOptionalAction, default=True,
                        help="also run the per-office baseline")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        SQLModel.metadata.create_all(engine)
        t0 = time.perf_counter()
        n = build_national_log(engine, as_of=as_of, days=args.days, seed=args.seed)
        print(f"synthetic log: {n:,} requests in 494 upazila offices, {args.days} days to "
              f"{as_of} (bulk insert {time.perf_counter() - t0:.1f} s)")
        for district in [None, *(d.name_en for d in load_geography().districts)]:
            load_calendar(district)  # warm the calendar caches for both runs alike
        counter = QueryCounter(engine)

        t0 = time.perf_counter()
        with Session(engine) as session:
            digests = build_digests(session, as_of=as_of)
        aggregate = render_all(digests)
        t_agg = time.perf_counter() - t0
        q_agg = counter.count
        print(f"aggregate: {len(digests.upazila)} upazila + {len(digests.district)} district "
              f"digests, {len(digests.upazila_weekly) + len(digests.district_weekly)} weekly "
              f"summaries in {t_agg:.2f} s, {q_agg} SQL statements")
        if not args.naive:
            return
        counter.count = 0
        t0 = time.perf_counter()
        naive: dict[tuple[str, int], str] = {}
        with Session(engine) as session:
            for office_id in digests.upazila:
                one = build_digests(session, as_of=as_of, office_ids={office_id})
                naive.update((k, v) for k, v in render_all(one).items()
                             if k[0].startswith("upazila"))
            for district_id in digests.district:
                one = build_digests(session, as_of=as_of, district_ids={district_id})
                naive.update((k, v) for k, v in render_all(one).items()
                             if k[0].startswith("district"))
        t_naive = time.perf_counter() - t0
        q_naive = counter.count
        print(f"naive per office: {t_naive:.2f} s, {q_naive} SQL statements")
        print(f"ratio: {t_naive / t_agg:.1f}x faster, {q_naive / max(q_agg, 1):.0f}x fewer "
              f"statements; identical digests: {naive == aggregate}")
        engine.dispose()


if __name__ == "__main__":
    main()
