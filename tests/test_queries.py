"""The one judged frame: every reader agrees on every request (issue 10's bugs).

Over the whole demo log, on both backends: the frame that ``request list``, reports and
digests read gives each request exactly the status, days late and due date in force that
the scalar rule (tracker.domain.status.request_status) gives it from its stored row, and
``request show`` prints what ``request list`` prints for a request of every status.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import Session, col, select

from tests.conftest import FULL_DEMO, DemoCopy, DemoDatabases
from tests.test_cli import run
from tracker.config import get_settings
from tracker.domain.calendar import load_calendar
from tracker.domain.localtime import to_local
from tracker.domain.status import RequestState, Status, request_status
from tracker.services.auth import SYSTEM
from tracker.services.queries import judged_requests, request_detail
from tracker.store import db
from tracker.store.models import District, HoldPeriod, Office, Request, RequestEvent

BACKENDS = ["sqlite", "postgresql"]
#: After the demo's last day (closures are all in the past) and inside it (some are not).
AS_OF = [date(2025, 3, 1), date(2024, 11, 20)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", AS_OF)
def test_the_judged_frame_equals_the_scalar_rule_for_every_request(
        demo_databases: DemoDatabases, backend: str, as_of: date) -> None:
    engine = db.make_engine(demo_databases.shared(FULL_DEMO, backend))
    with Session(engine) as session:
        frame = judged_requests(session, scope=SYSTEM, as_of=as_of).set_index("id")
        holds = {r: s for r, s in session.exec(select(col(HoldPeriod.request_id),
                                                      col(HoldPeriod.start_date))
                                               .where(col(HoldPeriod.end_date).is_(None)))}
        rows = session.exec(select(Request, District.name_en)
                            .join(Office, col(Office.id) == Request.office_id)
                            .join(District, col(District.id) == Office.district_id)
                            .where(col(Request.received_date) <= as_of)).all()
    engine.dispose()
    assert len(rows) == len(frame) > 500
    seen: set[str] = set()
    for request, district in rows:
        expected = request_status(state=request.state, due=request.due_date,
                                  closed=request.closed_date, as_of=as_of,
                                  calendar=load_calendar(district),
                                  running_hold_start=holds.get(request.id))
        row = frame.loc[request.id]
        assert (row["status"], int(row["working_days_late"]), row["effective_due"]) == (
            expected.status.value, expected.working_days_late, expected.effective_due), request
        seen.add(expected.status.value)
    # The log has every kind of request, so the comparison above cannot pass vacuously.
    assert {Status.ON_TIME, Status.LATE, Status.OVERDUE, Status.REJECTED} <= seen


def _interesting(url: str, as_of: date) -> dict[str, int]:
    """One request id per status of the log as of the date, and one on hold."""
    engine = db.make_engine(url)
    with Session(engine) as session:
        frame = judged_requests(session, scope=SYSTEM, as_of=as_of)
        picks = {str(s): int(ids.iloc[-1]) for s, ids in frame.groupby("status")["id"]}
        held = frame[frame["state"] == RequestState.ON_HOLD.value]
        if not held.empty:
            picks["on_hold"] = int(held["id"].iloc[-1])
        # request_detail (show) and the frame (list) agree on each pick.
        for request_id in picks.values():
            detail = request_detail(session, request_id=request_id, scope=SYSTEM, as_of=as_of)
            row = frame.set_index("id").loc[request_id]
            assert detail.status.status.value == row["status"]
    engine.dispose()
    return picks


def _open_request(url: str) -> tuple[int, date]:
    engine = db.make_engine(url)
    with Session(engine) as session:
        request = session.exec(select(Request).where(
            col(Request.state).in_(["received", "in_progress"]),
            col(Request.due_date).is_not(None)).order_by(col(Request.id))).first()
        assert request is not None
        last = session.exec(select(RequestEvent).where(RequestEvent.request_id == request.id)
                            .order_by(col(RequestEvent.id).desc())).first()
        assert last is not None
    engine.dispose()
    return int(request.id or 0), to_local(last.at).date


@pytest.mark.parametrize("backend", BACKENDS)
def test_request_show_and_request_list_agree(
        demo_copy: DemoCopy, backend: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = demo_copy(FULL_DEMO, backend)
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    get_settings.cache_clear()
    db.clear_engine_cache()
    as_of = "2025-03-01"
    # Put a request still open at the end of the log on hold (waiting for the applicant)
    # since its last event: a running hold, as of 01-03-2025 the clock is stopped.
    held, since = _open_request(url)
    code, _, err = run(capsys, "request", "hold", str(held), "--reason", "documents asked for",
                       "--at", f"{since.isoformat()}T16:00")
    assert code == 0, err
    # "Why is it due then" names the running hold and the due date it pushes.
    code, explained, _ = run(capsys, "request", "explain", str(held))
    assert code == 0 and f"on hold since {since:%d-%m-%Y}: the clock is stopped" in explained
    picks = _interesting(url, date.fromisoformat(as_of))
    assert {"rejected", "on_hold", "overdue", "on_time"} <= set(picks)
    code, listed, _ = run(capsys, "request", "list", "--as-of", as_of, "--limit", "100000")
    assert code == 0
    by_id = {int(m.group(1)): m for m in re.finditer(
        r"^#(\d+)\s+\S+\s+\S+\s+\S+ due (\S+)\s+\S+\s+(\w+)(?: \+(\d+)wd)?$", listed, re.M)}
    for what, request_id in picks.items():
        code, shown, _ = run(capsys, "request", "show", str(request_id), "--as-of", as_of)
        assert code == 0, shown
        status = re.search(r"as of \S+: (\w+)(?:, (\d+) working day)?", shown)
        due = re.search(r"; due (\S+); state", shown)
        assert status and due, shown
        listed_row = by_id[request_id]
        assert status.group(1) == listed_row.group(3), (what, shown, listed_row.group(0))
        assert (status.group(2) or None) == listed_row.group(4), (what, shown)
        assert due.group(1).replace("none", "-") == listed_row.group(2), (what, shown)
    db.clear_engine_cache()
    get_settings.cache_clear()
