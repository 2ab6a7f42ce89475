"""Issue 11 item 1 (the read side): a date outside the calendar stops nothing.

Rows already in the store with a date the calendar does not know (a per-directive due date
typed as 2032-01-01, an extension to 9999-12-31, old data, a direct edit, a calendar file
removed later) used to stop the judged frame with "... is outside the known calendar" —
and with it ``report compliance``, ``export apa``, ``request list`` and every digest of
every scope holding that office. Now such a request is ``outside_calendar`` (not judged,
reported apart) and every other request is judged exactly as before.

The bad rows are written straight into the store (bypassing tracker.services.requests,
whose own checks bound what may be entered), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tests.test_cli import run
from tracker.config import get_settings
from tracker.domain.calendar import BangladeshCalendar, load_calendar
from tracker.domain.periods import Period, fiscal_year
from tracker.domain.status import (
    STATUS_CODES,
    RequestState,
    Status,
    outside_calendar,
    request_status,
    request_statuses,
)
from tracker.errors import CalendarRangeError
from tracker.services import aggregates
from tracker.services.apa import build_apa
from tracker.services.auth import SYSTEM, scope_for
from tracker.services.digests import DigestSet, build_digests
from tracker.services.queries import judged_requests, request_detail
from tracker.services.reports import RATIO_COLUMNS, REPORT_COLUMNS, compliance
from tracker.store import db
from tracker.store.models import HoldPeriod, Office, Request, User

#: DIGEST_DEMO's last day (the log of the ``seeded_engine`` fixture).
AS_OF = date(2024, 8, 20)
FY = fiscal_year("2024-25")
COUNTS = [c for c in REPORT_COLUMNS if c not in RATIO_COLUMNS]
FAR = date(9999, 12, 31)
JUST_AFTER = date(2032, 1, 1)  # the day after the calendar's last (2022-2031)
ANCIENT = date(1, 1, 1)


# -- the domain: one rule, scalar and vectorised ------------------------------------------


def _arr(values: list[date | None]) -> np.ndarray:
    return np.array([v if v else "NaT" for v in values], dtype="datetime64[D]")


def test_the_vectorised_rules_raise_where_the_range_checks_say_no(
        calendar: BangladeshCalendar) -> None:
    index = calendar.index
    days = _arr([calendar.first_day, calendar.last_day, JUST_AFTER, FAR, ANCIENT, None])
    assert list(index.covers(days)) == [True, True, False, False, False, False]
    # reaches: the n-th working day after is still in the calendar.
    last_working = calendar.last_day
    while not calendar.is_working_day(last_working):
        last_working -= timedelta(days=1)
    before_last = last_working - timedelta(days=1)
    while not calendar.is_working_day(before_last):
        before_last -= timedelta(days=1)
    assert list(index.reaches(_arr([before_last, before_last, FAR]),
                              np.array([1, 2, 1]))) == [True, False, False]
    assert index.add_working_days(_arr([before_last]), np.array([1]))[0] == \
        np.datetime64(last_working)
    with pytest.raises(CalendarRangeError):
        index.add_working_days(_arr([before_last]), np.array([2]))
    with pytest.raises(CalendarRangeError):
        index.working_days_between(_arr([AS_OF]), _arr([FAR]))


#: Days inside the calendar, and days well outside it on both sides.
inside_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 12, 31))
any_days = st.one_of(inside_days, st.dates(min_value=ANCIENT, max_value=date(2021, 12, 31)),
                     st.dates(min_value=date(2032, 1, 1), max_value=FAR))
maybe = st.one_of(st.none(), any_days)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(list(RequestState)), any_days, maybe, maybe,
                               maybe), min_size=1, max_size=25),
       as_of=inside_days)
def test_scalar_and_vectorised_agree_on_dates_outside_the_calendar(
        calendar: BangladeshCalendar,
        rows: list[tuple[RequestState, date, date | None, date | None, date | None]],
        as_of: date) -> None:
    """Any receipt, due, closing and hold dates, far outside the calendar or not: the bulk
    judgement never raises and equals the one-request rule row for row."""
    judged = request_statuses(np.array([r[0].value for r in rows], dtype=object),
                              _arr([r[2] for r in rows]), _arr([r[3] for r in rows]),
                              _arr([r[4] for r in rows]), as_of, calendar,
                              received=_arr([r[1] for r in rows]))
    for (state, received, due, closed, hold), code, late, eff in zip(
            rows, judged.codes, judged.working_days_late, judged.effective_due, strict=True):
        expected = request_status(state=state, due=due, closed=closed, as_of=as_of,
                                  calendar=calendar, running_hold_start=hold,
                                  received=received)
        assert STATUS_CODES[code] is expected.status
        assert late == expected.working_days_late
        assert (None if np.isnat(eff) else eff.astype(object)) == expected.effective_due


def test_a_running_hold_that_pushes_the_due_date_past_the_calendar_is_flagged(
        calendar: BangladeshCalendar) -> None:
    last = calendar.last_day
    due, long_ago = last - timedelta(days=3), last - timedelta(days=40)
    assert outside_calendar(state=RequestState.ON_HOLD, due=due, closed=None, as_of=last,
                            calendar=calendar, running_hold_start=long_ago)
    assert not outside_calendar(state=RequestState.ON_HOLD, due=due, closed=None, as_of=last,
                                calendar=calendar, running_hold_start=last)
    result = request_status(state=RequestState.ON_HOLD, due=due, closed=None, as_of=last,
                            calendar=calendar, running_hold_start=long_ago)
    assert (result.status, result.working_days_late, result.effective_due) == (
        Status.OUTSIDE_CALENDAR, 0, due)
    vector = request_statuses(np.array(["on_hold"], dtype=object), _arr([due]), _arr([None]),
                              _arr([long_ago]), last, calendar)
    assert STATUS_CODES[vector.codes[0]] is Status.OUTSIDE_CALENDAR


def test_only_the_as_of_date_itself_must_be_inside_the_calendar(
        calendar: BangladeshCalendar) -> None:
    with pytest.raises(CalendarRangeError, match="cannot judge requests as of 2032-01-01"):
        request_statuses(np.array(["received"], dtype=object), _arr([None]), _arr([None]),
                         _arr([None]), JUST_AFTER, calendar)


# -- the store: every reader, every scope --------------------------------------------------


@dataclass(frozen=True)
class Planted:
    """The requests given a date outside the calendar, and what each was before."""

    office_code: str
    before: pd.DataFrame  # the judged frame (SYSTEM, AS_OF) before the edit, by id
    ids: dict[str, int]  # case -> request id


OPEN = ("received", "in_progress")


def _pick(session: Session, office_id: int, states: tuple[str, ...], *, dated: bool = True,
          closed_by: date | None = None, taken: set[int]) -> int:
    query = select(Request).where(Request.office_id == office_id,
                                  col(Request.state).in_(states),
                                  col(Request.received_date) <= AS_OF)
    if dated:
        query = query.where(col(Request.due_date).is_not(None))
    if closed_by is not None:
        query = query.where(col(Request.closed_date) <= closed_by,
                            col(Request.closed_date) >= closed_by - timedelta(days=20))
    for request in session.exec(query.order_by(col(Request.id).desc())):
        assert request.id is not None
        if request.id not in taken:
            taken.add(request.id)
            return request.id
    raise AssertionError(f"the demo has no {states} request to plant in office {office_id}")


def _plant(engine: Engine) -> Planted:
    """Give requests of the upazila office with the most open requests dates outside the
    calendar, by SQL."""
    with Session(engine) as session:
        before = judged_requests(session, scope=SYSTEM, as_of=AS_OF).set_index("id")
        open_dated = before[before["state"].isin(OPEN) & before["due_date"].notna()]
        office_id = int(open_dated.groupby("office_id").size().idxmax())
        office = session.get(Office, office_id)
        assert office is not None
        taken: set[int] = set()
        ids = {
            "directive_2032": _pick(session, office_id, OPEN, taken=taken),
            "extended_9999": _pick(session, office_id, OPEN, taken=taken),
            "delivered_9999": _pick(session, office_id, ("delivered",), closed_by=AS_OF,
                                    taken=taken),
            "received_year_1": _pick(session, office_id, OPEN, taken=taken),
        }
        edits: dict[str, dict[str, object]] = {
            "directive_2032": dict(due_date=JUST_AFTER),
            "extended_9999": dict(due_date=FAR, anchor_due_date=FAR, extended=True),
            "delivered_9999": dict(due_date=FAR),
            "received_year_1": dict(received_date=ANCIENT)}
        for case, values in edits.items():
            session.execute(sa.update(Request).where(col(Request.id) == ids[case])
                            .values(**values))
        # A hold still running that started before the calendar's first day.
        held = session.exec(select(Request).where(Request.state == "on_hold")
                            .order_by(col(Request.id))).first()
        if held is not None and held.id is not None:
            session.execute(sa.update(HoldPeriod).where(
                col(HoldPeriod.request_id) == held.id, col(HoldPeriod.end_date).is_(None))
                .values(start_date=date(1999, 1, 1)))
            ids["hold_since_1999"] = held.id
        session.commit()
        return Planted(office.code, before, ids)


@pytest.fixture
def planted(seeded_engine: Engine) -> Iterator[tuple[Engine, Planted, DigestSet]]:
    with Session(seeded_engine) as session:
        digests_before = build_digests(session, as_of=AS_OF)
    yield seeded_engine, _plant(seeded_engine), digests_before


def test_the_judged_frame_flags_the_bad_rows_and_judges_the_rest_as_before(
        planted: tuple[Engine, Planted, DigestSet]) -> None:
    engine, plant, _ = planted
    with Session(engine) as session:
        after = judged_requests(session, scope=SYSTEM, as_of=AS_OF).set_index("id")
    bad = sorted(plant.ids.values())
    assert list(after.loc[bad, "status"]) == [Status.OUTSIDE_CALENDAR.value] * len(bad)
    assert (after.loc[bad, "working_days_late"] == 0).all()
    assert after.loc[plant.ids["extended_9999"], "effective_due"] == FAR
    others = after.index.difference(bad)
    assert len(others) > 300
    pd.testing.assert_frame_equal(after.loc[others], plant.before.loc[others])


def _outside_contribution(rows: pd.DataFrame) -> pd.Series:
    """What rows outside the calendar add to an office's report, by the definitions: they
    are received, delivered or open and on their track, and not judged."""
    m = rows["measured"].astype(bool)
    counts = pd.Series(0, index=COUNTS)
    counts["received"] = len(rows)
    counts["not_measured"] = int((~m).sum())
    counts["delivered"] = int((m & rows["is_delivered"].astype(bool)).sum())
    counts["open"] = int((m & rows["is_open"].astype(bool)).sum())
    counts["extended_track"] = int((m & (rows["track"] == "extended")).sum())
    counts["outside_calendar"] = int(m.sum())
    return counts


def _in_fy(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["received_date"] >= FY.start) & (frame["received_date"] <= FY.end)]


def test_report_and_apa_count_them_apart_and_every_scope_gets_its_figures(
        planted: tuple[Engine, Planted, DigestSet]) -> None:
    engine, plant, _ = planted
    old = _in_fy(plant.before.reset_index())
    old_bad = old[old["id"].isin(plant.ids.values())]
    before = compliance(old, "office").set_index("office_code")[COUNTS]
    old_bad_counts = compliance(old_bad, "office").set_index("office_code")[COUNTS]
    with Session(engine) as session:
        frame = judged_requests(session, scope=SYSTEM, as_of=AS_OF, received_from=FY.start,
                                received_to=FY.end)
        after = compliance(frame, "office").set_index("office_code")[COUNTS]
        new_bad = frame[frame["id"].isin(plant.ids.values())]
        assert set(new_bad["status"]) == {Status.OUTSIDE_CALENDAR.value}
        # Each office: its figures before, less what the bad rows counted for then, plus
        # what they count for now (outside_calendar) — every other request as before.
        for office_code in after.index:
            expected = before.loc[office_code].copy()
            if office_code in old_bad_counts.index:
                expected -= old_bad_counts.loc[office_code]
            expected += _outside_contribution(new_bad[new_bad["office_code"] == office_code])
            assert after.loc[office_code].to_dict() == expected.to_dict(), office_code
        assert int(after.loc[plant.office_code, "outside_calendar"]) >= 3
        # Every user's scope: the list, the report and the APA figures all come out.
        for user in session.exec(select(User)):
            scope = scope_for(session, user)
            judged_requests(session, scope=scope, as_of=AS_OF)
            apa = build_apa(session, scope=scope, fy="2024-25", quarter=None, as_of=AS_OF,
                            offices=(), office_codes=None, scope_label=("", ""))
            readable = after if scope.readable is None else after.loc[
                [c for c in after.index if c in _codes(session, scope.readable)]]
            assert int(apa.total["outside_calendar"].iloc[0]) == int(
                readable["outside_calendar"].sum())
            assert Status.OUTSIDE_CALENDAR.value not in set(apa.evidence["status"])


def _codes(session: Session, office_ids: frozenset[int]) -> set[str]:
    return {o.code for o in session.exec(select(Office).where(
        col(Office.id).in_(sorted(office_ids))))}


def test_the_dashboard_aggregates_agree_with_the_report(
        planted: tuple[Engine, Planted, DigestSet]) -> None:
    engine, _, _ = planted
    rollup = aggregates.Rollup(engine).refresh()
    for period in (FY, Period(date(2024, 7, 1), AS_OF, "to date"),
                   Period(date(1, 1, 1), AS_OF, "all time")):
        with Session(engine) as session:
            reference = compliance(judged_requests(
                session, scope=SYSTEM, as_of=AS_OF, received_from=period.start,
                received_to=period.end), "office")[["office_code", *COUNTS]]
            assert int(reference["outside_calendar"].sum()) >= 3
            for source in (rollup, None):
                result = aggregates.overview(session, scope=SYSTEM, start=period.start,
                                             end=period.end, as_of=AS_OF, rollup=source)
                mine = aggregates.summarise(result.counts, ["office_code"])
                pd.testing.assert_frame_equal(
                    mine[["office_code", *COUNTS]].reset_index(drop=True).astype(str),
                    reference.reset_index(drop=True).astype(str))


def test_digests_list_the_bad_rows_apart_and_every_other_digest_is_unchanged(
        planted: tuple[Engine, Planted, DigestSet]) -> None:
    engine, plant, before = planted
    with Session(engine) as session:
        after = build_digests(session, as_of=AS_OF)
        office = session.exec(select(Office).where(Office.code == plant.office_code)).one()
        held_office = None
        if "hold_since_1999" in plant.ids:
            held = session.get(Request, plant.ids["hold_since_1999"])
            assert held is not None
            held_office = held.office_id
    assert set(after.upazila) == set(before.upazila) and len(after.upazila) >= 5
    touched = {office.id, held_office}
    for office_id, digest in after.upazila.items():
        if office_id in touched:
            continue
        for lang in ("bn", "en"):
            assert digest.render(lang) == before.upazila[office_id].render(lang)
    assert office.id is not None
    mine = after.upazila[office.id]
    listed = {i.request_id for i in mine.outside_calendar}
    open_or_recent = {plant.ids[c] for c in ("directive_2032", "extended_9999",
                                             "delivered_9999", "received_year_1")}
    assert open_or_recent <= listed
    others = [i.request_id for items in (mine.due_today, mine.due_next, mine.overdue,
                                         mine.on_hold, mine.delivered) for i in items]
    assert not listed & set(others)
    text = mine.render("en").text
    assert "Date outside the calendar (not judged): correct the date" in text
    assert "31-12-9999" in text
    assert not mine.all_clear


def test_request_show_explains_what_to_correct(
        planted: tuple[Engine, Planted, DigestSet]) -> None:
    engine, plant, _ = planted
    with Session(engine) as session:
        for request_id in plant.ids.values():
            detail = request_detail(session, request_id=request_id, scope=SYSTEM, as_of=AS_OF)
            assert detail.status.status is Status.OUTSIDE_CALENDAR
            assert "outside the calendar" in detail.explanation[-1]


def test_the_cli_report_list_show_export_and_digest_send_all_run(
        planted: tuple[Engine, Planted, DigestSet], tmp_path: Path,
        settings_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    engine, plant, _ = planted
    settings_env.setenv("TRACKER_DATABASE_URL", engine.url.render_as_string(
        hide_password=False))
    settings_env.setenv("TRACKER_OUTBOX_DIR", str(tmp_path / "outbox"))
    settings_env.delenv("TRACKER_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    db.clear_engine_cache()
    try:
        code, out, err = run(capsys, "report", "compliance", "--fy", "2024-25", "--format",
                             "csv", "--as-of", str(AS_OF))
        assert code == 0, err
        header, *lines = out.splitlines()
        # outside_calendar after the other counts (only the office's kind follows it)
        columns = header.split(",")
        assert columns[-2:] == ["outside_calendar", "office_kind"]
        mine = next(x for x in lines if x.startswith(plant.office_code + ","))
        assert int(mine.split(",")[columns.index("outside_calendar")]) >= 3
        code, out, err = run(capsys, "request", "list", "--office", plant.office_code,
                             "--as-of", str(AS_OF), "--limit", "100000")
        assert code == 0, err
        assert out.count(Status.OUTSIDE_CALENDAR.value) >= 3
        code, out, err = run(capsys, "request", "show", str(plant.ids["extended_9999"]),
                             "--as-of", str(AS_OF))
        assert code == 0, err
        assert f"as of {AS_OF}: outside_calendar" in out
        code, out, err = run(capsys, "export", "apa", "--fy", "2024-25", "--as-of",
                             str(AS_OF), "--out", str(tmp_path / "apa.xlsx"))
        assert code == 0, err
        code, out, err = run(capsys, "digest", "send", "--date", str(AS_OF))
        assert code == 0, err
        # every one of the 14 recipients (7 officers, 7 district programmers) gets a
        # digest: a row outside the calendar is listed in it, never a failure
        assert out.startswith(f"{AS_OF}: sent 14, skipped 0, failed 0")
    finally:
        db.clear_engine_cache()


# -- a calendar file removed later ---------------------------------------------------------


def test_a_calendar_shortened_later_flags_the_rows_it_no_longer_covers(
        seeded_engine: Engine, tmp_path: Path, settings_env: pytest.MonkeyPatch) -> None:
    """Dates that were inside the calendar when entered fall outside once a year's file is
    gone: the reports flag them, the rollup built before is not trusted blindly."""
    with Session(seeded_engine) as session:
        ids = []
        for state in ("in_progress", "delivered"):  # an open one; a closed one (rolled up)
            request = session.exec(select(Request).where(
                Request.state == state, col(Request.due_date).is_not(None),
                col(Request.received_date) >= FY.start).order_by(col(Request.id))).first()
            assert request is not None and request.id is not None
            ids.append(request.id)
        session.execute(sa.update(Request).where(col(Request.id).in_(ids))
                        .values(due_date=date(2025, 3, 2)))
        session.commit()
    rollup = aggregates.Rollup(seeded_engine).refresh()
    folder = tmp_path / "calendars"
    folder.mkdir()
    shutil.copy(get_settings().calendars_dir / "bd-2024.toml", folder)
    settings_env.setenv("TRACKER_CALENDARS_DIR", str(folder))
    settings_env.setenv("TRACKER_FORECAST_YEARS_AFTER", "0")
    get_settings.cache_clear()
    assert load_calendar().last_day == date(2024, 12, 31)
    with Session(seeded_engine) as session:
        frame = judged_requests(session, scope=SYSTEM, as_of=AS_OF)
        assert set(frame.set_index("id").loc[ids, "status"]) == {"outside_calendar"}
        reference = compliance(frame[frame["received_date"] >= FY.start], "office")
        for source in (rollup, None):
            result = aggregates.overview(session, scope=SYSTEM, start=FY.start, end=FY.end,
                                         as_of=AS_OF, rollup=source)
            mine = aggregates.summarise(result.counts, ["office_code"])
            pd.testing.assert_frame_equal(
                mine[["office_code", *COUNTS]].reset_index(drop=True).astype(str),
                reference[["office_code", *COUNTS]].reset_index(drop=True).astype(str))
        assert int(reference["outside_calendar"].sum()) >= 2
        # The APA export of the year says which calendar year is missing; no KeyError.
        apa = build_apa(session, scope=SYSTEM, fy="2024-25", quarter=None, as_of=AS_OF,
                        offices=(), office_codes=None, scope_label=("", ""))
        assert ("2025: outside the calendar", True) in apa.rules.calendars[0].versions
        assert 2025 in apa.warnings[0].years
        assert int(apa.total["outside_calendar"].iloc[0]) == int(
            reference["outside_calendar"].sum())
