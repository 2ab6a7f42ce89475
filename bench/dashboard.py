"""Benchmark: the dashboard overview's data calls at 10 thousand and 1 million requests.

Builds two temporary SQLite databases with bulk inserts (the national geography, 200
upazila offices in 25 districts with a 12-service charter each, a request log received from
1 July 2023 to the as-of date: 96% delivered, 2% rejected/withdrawn, the rest open, a
closing audit event per closed request), then times what the overview page asks for
(``tracker.services.aggregates.overview``, as ``dashboard/data.py`` calls it) for:

- a district programmer (one district, 8 offices) and an admin (every office), current
  fiscal year;
- cold: the first call of a server process (the rollup of closed requests is built);
- warm: a later call after requests were closed meanwhile (the rollup catches up from the
  audit events written since its last refresh: closed counts and the open requests);
- no rollup: the same figures straight from SQL (GROUP BY), for comparison.

Prints each figure (best of 5, milliseconds) and the 1M / 10k ratios. The target is the
warm figure: the 1-million one at most 3x the 10-thousand one.

Run: ``.venv/bin/python bench/dashboard.py [--small 10000] [--large 1000000]``.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, SQLModel, select

from tracker.domain.geo import load_geography
from tracker.domain.periods import fiscal_year
from tracker.services import aggregates
from tracker.services.auth import SYSTEM, Scope
from tracker.services.offices import ensure_office, load_geography_rows
from tracker.store.db import make_engine
from tracker.store.models import CharterVersion, Office, Service

AS_OF = date(2025, 11, 20)
START = date(2023, 7, 1)
N_DISTRICTS = 25
OFFICES_PER_DISTRICT = 8
SERVICES = 12
NOW = datetime(2025, 11, 20, 12, tzinfo=UTC)


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def build(path: Path, n_requests: int, seed: int = 1) -> list[int]:
    """Offices, charters and ``n_requests`` requests; returns one district's office ids."""
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    geo = load_geography()
    with Session(engine) as session:
        load_geography_rows(session)
        districts = [d for d in geo.districts if len(geo.upazilas_of(d)) >= 8][:N_DISTRICTS]
        for district in districts:
            for upazila in geo.upazilas_of(district)[:OFFICES_PER_DISTRICT]:
                office = ensure_office(session, upazila.code, go_live_date=START)
                version = CharterVersion(office_id=office.id, effective_date=date(2023, 1, 1),
                                         source="bench", content_hash=f"b-{office.code}",
                                         loaded_at=NOW)
                session.add(version)
                session.flush()
                for number in range(1, SERVICES + 1):
                    session.add(Service(
                        charter_version_id=version.id, office_id=office.id,
                        category="citizen" if number <= 8 else "institutional",
                        number=number, name_bn=f"সেবা {number}", deadline_raw="৩ কার্যদিবস",
                        unit="working_days", amount=3))
        session.commit()
        services = [(s.office_id, s.id, s.charter_version_id)
                    for s in session.exec(select(Service))]
        first_district = session.exec(select(Office).where(Office.kind == "upazila")
                                      .order_by(Office.id)).first()
        assert first_district is not None
        district_offices = [o.id for o in session.exec(select(Office).where(
            Office.district_id == first_district.district_id, Office.kind == "upazila"))]
    engine.dispose()

    rng = random.Random(seed)
    span = (AS_OF - START).days
    connection = sqlite3.connect(path)
    request_rows = []
    event_rows = []
    for rid in range(1, n_requests + 1):
        office_id, service_id, version_id = services[rng.randrange(len(services))]
        received = START + timedelta(days=int(span * rng.random() ** 0.8))
        due = received + timedelta(days=rng.choice((3, 4, 5)))
        roll = rng.random()
        recent = (AS_OF - received).days < 7
        if (recent and roll < 0.5) or roll < 0.02:
            state, closed = rng.choice(("received", "in_progress")), None
        elif roll < 0.04:
            state, closed = rng.choice(("rejected", "withdrawn")), received + timedelta(days=1)
        else:
            state = "delivered"
            closed = min(AS_OF, due + timedelta(days=rng.choice((-2, -1, 0, 0, 1, 3))
                                                if rng.random() < 0.2 else -1))
            closed = max(closed, received)
        at = f"{received} 05:00:00.000000"
        request_rows.append((
            rid, office_id, service_id, version_id, at, str(received), "in_person", "",
            "standard", str(due), str(due), 0, 0, "bench", 0, state,
            None if closed is None else f"{closed} 06:00:00.000000",
            None if closed is None else str(closed), 0, at, 0, 1))
        if closed is not None:
            event_rows.append((rid, f"{closed} 06:00:00.000000",
                               {"delivered": "deliver", "rejected": "reject",
                                "withdrawn": "withdraw"}[state], "state"))
        if len(request_rows) >= 100_000:
            _flush(connection, request_rows, event_rows)
    _flush(connection, request_rows, event_rows)
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()
    return [int(i) for i in district_offices if i is not None]


def _flush(connection: sqlite3.Connection, requests: list[tuple[object, ...]],
           events: list[tuple[object, ...]]) -> None:
    connection.executemany(
        "INSERT INTO request (id, office_id, service_id, charter_version_id, received_at, "
        "received_date, channel, summary, track, base_due_date, due_date, hold_working_days, "
        "extended, calendar_version, due_provisional, state, closed_at, closed_date, "
        "backdated, created_at, anchor_hold_days, version) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", requests)
    connection.executemany(
        "INSERT INTO requestevent (request_id, at, action, field) VALUES (?,?,?,?)", events)
    connection.commit()
    requests.clear()
    events.clear()


def new_activity(path: Path, serial: int) -> None:
    """A few requests closed since the last call (what a warm refresh catches up on)."""
    connection = sqlite3.connect(path)
    ids = [r for (r,) in connection.execute(
        "SELECT id FROM request WHERE state IN ('received','in_progress') LIMIT 5 OFFSET ?",
        (serial * 5,))]
    for rid in ids:
        connection.execute("UPDATE request SET state='delivered', closed_date=?, closed_at=? "
                           "WHERE id=?", (str(AS_OF), f"{AS_OF} 07:00:00.000000", rid))
        connection.execute("INSERT INTO requestevent (request_id, at, action, field) "
                           "VALUES (?,?,?,?)", (rid, f"{AS_OF} 07:00:00.000000", "deliver",
                                                "state"))
    connection.commit()
    connection.close()


def measure(path: Path, district_offices: list[int]) -> dict[str, float]:
    engine = make_engine(f"sqlite:///{path}")
    period = fiscal_year("2025-26")
    district = Scope("programmer", "district_programmer", frozenset(district_offices),
                     frozenset())
    results: dict[str, float] = {}
    rollup = aggregates.Rollup(engine)

    def call(scope: Scope) -> Callable[[], object]:
        def run() -> object:
            rollup.refresh()
            with Session(engine) as session:
                return aggregates.overview(session, scope=scope, start=period.start,
                                           end=period.end, as_of=AS_OF, rollup=rollup)
        return run

    results["cold (rollup build + admin overview)"] = best_of(1, call(SYSTEM))
    serial = 0
    for name, scope in (("district programmer", district), ("admin", SYSTEM)):
        def warm(scope: Scope = scope) -> object:
            nonlocal serial
            serial += 1
            new_activity(path, serial)
            t0 = time.perf_counter()
            call(scope)()
            return time.perf_counter() - t0
        results[f"warm {name}"] = min(float(warm()) for _ in range(5))  # type: ignore[arg-type]
    with Session(engine) as session:
        results["no rollup (direct SQL), district"] = best_of(3, lambda: aggregates.overview(
            session, scope=district, start=period.start, end=period.end, as_of=AS_OF))
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()
    figures: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (args.small, args.large):
            path = Path(tmp) / f"bench-{n}.db"
            t0 = time.perf_counter()
            offices = build(path, n)
            print(f"built {n:,} requests in {time.perf_counter() - t0:.1f} s")
            figures[n] = measure(path, offices)
    print(f"\noverview data calls, FY 2025-26 as of {AS_OF} (ms)")
    print(f"{'':42} {args.small:>12,} {args.large:>12,} {'ratio':>7}")
    for key in figures[args.small]:
        small, large = figures[args.small][key] * 1000, figures[args.large][key] * 1000
        print(f"{key:42} {small:12.1f} {large:12.1f} {large / small:7.1f}x")


if __name__ == "__main__":
    main()
