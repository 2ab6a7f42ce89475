"""The Streamlit dashboard with AppTest: every page renders, needs a login, respects roles;
the log form refuses bad input and saves good input; actions need a confirmation."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from dashboard import data, i18n
from tests.conftest import FULL_DEMO
from tests.databases import DemoCopy, DemoDatabases
from tracker.config import PROJECT_ROOT, get_settings
from tracker.services.demo import DEMO_PASSWORD
from tracker.services.requests import NewRequest
from tracker.store.db import make_engine
from tracker.store.models import Request, User

NOW = datetime(2025, 6, 30, 10, tzinfo=UTC)

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGES = ["overview", "breaches", "log_request", "my_requests", "charter", "calendar",
         "complaints", "digests", "reports"]


@pytest.fixture(scope="module")
def demo_url(demo_databases: DemoDatabases) -> str:
    return demo_databases.shared(FULL_DEMO, "sqlite")


def _pointed_at(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    get_settings.cache_clear()
    st.cache_data.clear()
    yield url
    st.cache_data.clear()
    get_settings.cache_clear()


@pytest.fixture
def db(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The dashboard on the demo that every read-only test shares."""
    yield from _pointed_at(demo_url, monkeypatch)


@pytest.fixture
def db_to_change(demo_copy: DemoCopy, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The dashboard on a copy of the demo of its own, for a test that writes (or tries to)."""
    yield from _pointed_at(demo_copy(FULL_DEMO), monkeypatch)


def session_user(url: str, username: str) -> data.SessionUser:
    with Session(make_engine(url)) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        assert user.id is not None
        return data.SessionUser(user.id, user.username, user.full_name, user.role,
                                user.office_id, None, user.language)


def app(url: str, username: str | None = None, lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    if username:
        at.session_state["user"] = session_user(url, username)
    return at.run()


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "error", "warning", "info", "success", "markdown",
                                  "caption") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def request_count(url: str) -> int:
    with Session(make_engine(url)) as session:
        return int(session.exec(select(func.count()).select_from(Request)).one())


# -- login -------------------------------------------------------------------------------


def test_without_a_login_only_the_login_form_is_shown(db: str) -> None:
    at = app(db)
    assert not at.exception
    assert at.text_input(key="login_username") is not None
    assert not at.metric and not at.dataframe


@pytest.mark.parametrize("page", PAGES)
def test_every_page_requires_a_login(db: str, page: str) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app_pages" / f"{page}.py"),
                           default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [i18n.t("login_required", "en")]
    assert not at.dataframe and not at.metric


def test_login_with_a_wrong_password_fails_and_the_right_one_works(db_to_change: str) -> None:
    at = app(db_to_change)  # every login attempt is recorded: not on the shared demo
    at.text_input(key="login_username").input("jashore-keshabpur")
    at.text_input(key="login_password").input("wrong-password")
    at.button[0].click().run()
    assert i18n.t("login_failed", "en") in [e.value for e in at.error]
    assert "user" not in at.session_state
    at.text_input(key="login_password").input(DEMO_PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["user"].username == "jashore-keshabpur"
    assert [t.value for t in at.title] == [i18n.t("overview", "en")]


# -- every page, every role ---------------------------------------------------------------


@pytest.mark.parametrize("username", ["admin", "jashore-programmer", "jashore-keshabpur"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_every_role(db: str, username: str, page: str) -> None:
    at = app(db, username)
    if page in ("log_request", "my_requests") and username == "jashore-programmer":
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            open_page(at, page)  # not in a read-only programmer's navigation
        return
    open_page(at, page)
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [i18n.t(page, "en")]


def test_overview_shows_the_fiscal_year_for_the_users_scope(db: str) -> None:
    at = app(db, "jashore-programmer")
    at.selectbox(key="ov_fy").select("2024-25").run()
    assert not at.exception
    received = int(at.metric[2].value.replace(",", ""))
    assert received > 100
    admin = app(db, "admin")
    admin.selectbox(key="ov_fy").select("2024-25").run()
    assert int(admin.metric[2].value.replace(",", "")) > received  # five offices, not one
    # The programmer's office filter offers only the offices of their district.
    assert at.selectbox(key="ov_office").options == ["All", "Keshabpur Upazila ICT Office"]


def test_bengali_mode_shows_bengali_digits_and_dates(db: str) -> None:
    at = app(db, "admin", lang="bn")
    at.selectbox(key="ov_fy").select("2024-25").run()
    assert not at.exception
    value = at.metric[2].value
    assert value and all(not ch.isascii() or ch in ",." for ch in value)
    assert "০১-০৭-২০২৪" in texts(at)  # the period's start, dd-mm-yyyy
    assert i18n.fmt_date(date(2025, 3, 27), "bn") == "২৭-০৩-২০২৫"
    # One date format in both languages (tracker.domain.bn): dd-mm-yyyy, never ISO.
    assert i18n.fmt_date(date(2025, 3, 27), "en") == "27-03-2025"
    assert i18n.fmt_num(1234.0, "bn") == "১,২৩৪" and i18n.show(547.0, "bn") == "৫৪৭"
    assert i18n.fmt_pct(89.64, "bn") == "৮৯.৬%"
    # tracker's own refusals reach a Bengali-speaking officer in Bengali.
    assert i18n.error_text("external reference 'R/1' is already used in jashore.keshabpur",
                           "bn") == "রেজিস্টার নম্বর R/1 এই অফিসে আগেই ব্যবহৃত হয়েছে"
    assert i18n.error_text("request #12 is delivered: cannot start", "bn").startswith(
        "আবেদন #১২ এখন")
    assert i18n.error_text("request #12 is delivered: cannot start", "en") == (
        "request #12 is delivered: cannot start")
    assert i18n.error_text("the extended track needs a reason", "en") == (
        i18n.t("err_reason", "en"))


def test_english_mode_shows_dates_dd_mm_yyyy(db: str) -> None:
    at = app(db, "admin", lang="en")
    at.selectbox(key="ov_fy").select("2024-25").run()
    assert not at.exception
    body = texts(at)
    assert "01-07-2024 – 30-06-2025" in body and "2024-07-01" not in body


def test_the_language_switch_changes_the_labels(db: str) -> None:
    at = app(db, "admin", lang="bn")
    assert [t.value for t in at.title] == [i18n.t("overview", "bn")]
    at.radio(key="lang_switch").set_value("en").run()
    assert [t.value for t in at.title] == [i18n.t("overview", "en")]


def test_breaches_lists_overdue_requests_and_opens_one(db: str) -> None:
    at = open_page(app(db, "jashore-keshabpur"), "breaches")
    assert at.dataframe and not at.exception
    table = at.dataframe[0].value
    assert len(table) > 0
    first = int(table.iloc[0]["#"])
    at.selectbox(key="br_pick").select(first).run()
    assert not at.exception
    body = texts(at)
    assert i18n.t("why_due", "en") in body and i18n.t("history", "en") in body
    assert any("due date in force" in str(c.value) for c in at.code)


# -- logging a request -------------------------------------------------------------------


def fill_log_form(at: AppTest, *, time: str, applicant: str = "রহিম উদ্দিন",
                  ref: str = "DASH/1") -> AppTest:
    at.date_input(key="log_day").set_value(data.today() - timedelta(days=1))
    at.text_input(key="log_time").input(time)
    at.text_input(key="log_applicant").input(applicant)
    at.text_input(key="log_ref").input(ref)
    return at.run()


def test_log_form_shows_the_deadline_and_due_date_live(db: str) -> None:
    at = open_page(app(db, "jashore-keshabpur"), "log_request")
    at.date_input(key="log_day").set_value(data.today() - timedelta(days=1))
    at.text_input(key="log_time").input("10:15").run()
    assert any(i18n.t("deadline", "en") in i.value for i in at.info)
    assert any(s.value.startswith("Computed due date") for s in at.success)


def test_log_form_refuses_bad_input_in_the_users_language(db_to_change: str) -> None:
    db = db_to_change
    before = request_count(db)
    at = open_page(app(db, "jashore-keshabpur", lang="bn"), "log_request")
    fill_log_form(at, time="25:99")
    at.button(key="log_submit").click().run()
    assert i18n.t("err_time", "bn") in [e.value for e in at.error]
    at = open_page(app(db, "jashore-keshabpur", lang="en"), "log_request")
    fill_log_form(at, time="10:00", applicant=" ")
    at.button(key="log_submit").click().run()
    assert i18n.t("err_required", "en", field=i18n.t("applicant", "en")) in [
        e.value for e in at.error]
    # A service with an immediate / extended choice: the extended track needs a reason.
    at = open_page(app(db, "jashore-keshabpur", lang="en"), "log_request")
    extendable = [o for o in at.selectbox(key="log_service").options if o]
    for option in extendable:
        at.selectbox(key="log_service").select_index(
            at.selectbox(key="log_service").options.index(option)).run()
        if at.radio(key="log_track") is not None and "log_track" in at.session_state:
            break
    else:
        pytest.fail("no service with an extended track in the Keshabpur charter")
    at.radio(key="log_track").set_value("extended").run()
    fill_log_form(at, time="10:00")
    at.button(key="log_submit").click().run()
    assert i18n.t("err_reason", "en") in [e.value for e in at.error]
    assert request_count(db) == before  # nothing was written


def test_log_form_saves_good_input_as_the_officer(db_to_change: str) -> None:
    db = db_to_change
    before = request_count(db)
    at = open_page(app(db, "jashore-keshabpur"), "log_request")
    fill_log_form(at, time="10:15", ref="DASH/GOOD")
    at.button(key="log_submit").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any(s.value.startswith("Request #") for s in at.success)
    assert request_count(db) == before + 1
    with Session(make_engine(db)) as session:
        saved = session.exec(select(Request).where(Request.external_ref == "DASH/GOOD")).one()
        officer = session.exec(select(User).where(User.username == "jashore-keshabpur")).one()
        assert saved.created_by == officer.id and saved.office_id == officer.office_id
    # Logging the same register number again is refused with a clear message.
    at = open_page(app(db, "jashore-keshabpur"), "log_request")
    fill_log_form(at, time="10:15", ref="DASH/GOOD")
    at.button(key="log_submit").click().run()
    assert any("already used" in e.value for e in at.error)
    assert request_count(db) == before + 1


def test_a_programmer_forced_onto_the_log_page_cannot_log(db: str) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app_pages" / "log_request.py"),
                           default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["user"] = session_user(db, "jashore-programmer")
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [i18n.t("err_no_office", "en")]


# -- my requests -------------------------------------------------------------------------


def test_actions_need_a_confirmation_and_then_apply(db_to_change: str) -> None:
    db = db_to_change
    at = open_page(app(db, "jashore-keshabpur"), "my_requests")
    assert not at.exception
    with Session(make_engine(db)) as session:
        officer = session.exec(select(User).where(User.username == "jashore-keshabpur")).one()
        request = session.exec(select(Request).where(
            Request.office_id == officer.office_id, Request.state == "received")).first()
        assert request is not None and request.id is not None
        request_id = request.id
    at.selectbox(key="my_pick").select(request_id).run()
    at.selectbox(key="my_action").select("start")
    at.button(key="my_submit").click().run()  # not confirmed
    assert at.warning and not at.success
    with Session(make_engine(db)) as session:
        assert session.get(Request, request_id).state == "received"  # type: ignore[union-attr]
    at.selectbox(key="my_action").select("start")
    at.checkbox(key="my_confirm").check()
    at.button(key="my_submit").click().run()
    assert not at.exception and at.success
    with Session(make_engine(db)) as session:
        assert session.get(Request, request_id).state == "in_progress"  # type: ignore[union-attr]


# -- digests and reports when the other parts are missing --------------------------------


def test_digests_page_says_not_available_on_a_half_migrated_database(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "DIGEST_TABLE", "no_such_table")
    at = open_page(app(db, "admin"), "digests")
    assert not at.exception
    assert i18n.t("not_available", "en", what=i18n.t("digests", "en")) in texts(at)


def test_digests_page_shows_sent_pending_failed_in_the_users_scope(db_to_change: str) -> None:
    db = db_to_change
    import sqlalchemy as sa

    engine = make_engine(db)
    table = sa.Table(data.DIGEST_TABLE, sa.MetaData(), autoload_with=engine)
    with Session(engine) as session:
        users = {u.username: u for u in session.exec(select(User))}
        rows = []
        for n, (username, state) in enumerate([("jashore-keshabpur", "sent"),
                                               ("jashore-keshabpur", "failed"),
                                               ("lalmonirhat-patgram", "pending")]):
            user = users[username]
            rows.append({"user_id": user.id, "office_id": user.office_id,
                         "digest_date": date(2025, 1, 5 + n), "kind": "officer",
                         "recipient": f"{username}@example.org", "language": "bn",
                         "subject": f"digest {n}", "message": "secret body", "state": state,
                         "attempts": 1, "created_at": NOW})
        session.execute(table.delete())
        session.execute(table.insert(), rows)
        session.commit()
    try:
        at = open_page(app(db, "admin"), "digests")
        assert not at.exception
        assert [m.value for m in at.metric] == ["1", "1", "0", "1"]  # sent pending sending failed
        assert "secret body" not in at.dataframe[0].value.to_string()
        officer = open_page(app(db, "jashore-keshabpur"), "digests")
        assert [m.value for m in officer.metric] == ["1", "0", "0", "1"]
    finally:
        with Session(engine) as session:
            session.execute(table.delete())
            session.commit()


def test_reports_page_builds_the_apa_workbook(db: str) -> None:
    at = open_page(app(db, "jashore-keshabpur"), "reports")
    at.selectbox(key="rep_fy").select("2024-25").run()
    assert at.dataframe  # the compliance table
    at.button(key="rep_build").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    workbook = at.session_state["apa_bytes"]
    assert isinstance(workbook, bytes) and workbook[:2] == b"PK"  # an .xlsx (zip)


def test_calendar_marks_provisional_years(db: str) -> None:
    at = open_page(app(db, "admin"), "calendar")
    _years, provisional = data.calendar_years()
    assert provisional
    at.selectbox(key="cal_year").select(provisional[-1]).run()
    assert i18n.t("provisional_year", "en") in [w.value for w in at.warning]
    at.selectbox(key="cal_year").select(2025).run()
    assert not at.warning and len(at.dataframe[0].value) > 20


def test_charter_page_lists_services_and_versions(db: str) -> None:
    at = open_page(app(db, "jashore-keshabpur"), "charter")
    assert not at.exception
    assert at.selectbox(key="ch_office").options == ["Keshabpur Upazila ICT Office"]
    assert len(at.dataframe[0].value) > 5


# -- role scoping in the data layer (SQLite and PostgreSQL) --------------------------------


def test_an_officer_cannot_read_or_change_another_offices_requests(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import add_charter
    from tracker.services.auth import PermissionDenied
    from tracker.services.offices import create_user, load_geography_rows
    from tracker.services.requests import log_request

    with Session(engine) as session:
        load_geography_rows(session)
        ids = {}
        for code in ("jashore.keshabpur", "lalmonirhat.patgram"):
            add_charter(session, code)
            slug = code.replace(".", "-")
            create_user(session, username=slug, full_name=slug, role="upazila_officer",
                        password=DEMO_PASSWORD, office_code=code)
            request = log_request(session, new=NewRequest(
                office_code=code, service="citizen-1", received_at=datetime(2025, 3, 2, 10),
                channel="phone", external_ref=f"R-{slug}"), now=NOW, user=None)
            ids[code] = request.id
        create_user(session, username="jashore-programmer", full_name="p",
                    role="district_programmer", password=DEMO_PASSWORD, office_code="jashore")
        session.commit()
        users = {u.username: u.id for u in session.exec(select(User))}
    monkeypatch.setattr(data, "engine", lambda: engine)
    st.cache_data.clear()
    try:
        officer = users["jashore-keshabpur"]
        mine, theirs = ids["jashore.keshabpur"], ids["lalmonirhat.patgram"]
        assert isinstance(mine, int) and isinstance(theirs, int)
        # Reads: lists hold only the own office; another office's request is refused.
        assert set(data.breaches(officer, date(2025, 6, 30))["id"]) == {mine}
        assert set(data.requests_of(officer, date(2024, 7, 1), date(2025, 6, 30),
                                    date(2025, 6, 30))["id"]) == {mine}
        assert list(data.offices(officer)["code"]) == ["jashore.keshabpur"]
        assert data.request_detail(officer, mine).request["id"] == mine
        with pytest.raises(PermissionDenied):
            data.request_detail(officer, theirs)
        with pytest.raises(PermissionDenied):
            data.services_on(officer, "lalmonirhat.patgram", date(2025, 3, 2))
        # Writes: refused on the server side, nothing changes.
        with pytest.raises(PermissionDenied):
            data.act(officer, theirs, "start")
        with pytest.raises(PermissionDenied):
            data.log(officer, NewRequest(office_code="lalmonirhat.patgram",
                                         service="citizen-1",
                                         received_at=datetime(2025, 3, 3, 10),
                                         channel="phone"))
        with pytest.raises(PermissionDenied):
            data.extend_due(officer, theirs, date(2025, 12, 1), "x")
        assert data.act(officer, mine, "start") == "in_progress"
        # The programmer reads the district but writes nothing.
        programmer = users["jashore-programmer"]
        assert data.writable_offices(programmer).empty
        assert data.request_detail(programmer, mine).request["id"] == mine
        with pytest.raises(PermissionDenied):
            data.request_detail(programmer, theirs)
        with pytest.raises(PermissionDenied):
            data.act(programmer, mine, "deliver")
        overview = data.overview(officer, date(2024, 7, 1), date(2025, 6, 30),
                                 date(2025, 6, 30), None, None)
        assert set(overview.by_office["office_code"]) == {"jashore.keshabpur"}
        with Session(engine) as session:
            other = session.get(Request, theirs)
            assert other is not None and other.state == "received"
    finally:
        st.cache_data.clear()


def test_complaints_page_shows_only_the_offices_the_user_may_read(db: str) -> None:
    at = open_page(app(db, "admin"), "complaints")
    at.selectbox(key="grs_fy").select("2024-25").run()
    assert not at.exception
    everyone = set(at.dataframe[1].value["office_code"])
    assert len(everyone) > 1  # the demo has complaints in several offices
    at = open_page(app(db, "jashore-keshabpur"), "complaints")
    at.selectbox(key="grs_fy").select("2024-25").run()
    assert not at.exception
    assert set(at.dataframe[1].value["office_code"]) == {"jashore.keshabpur"}


def test_the_breach_list_and_the_detail_show_the_due_date_in_force_of_a_request_on_hold(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import add_charter
    from tracker.services.offices import create_user, load_geography_rows
    from tracker.services.requests import log_request, transition

    with Session(engine) as session:
        load_geography_rows(session)
        add_charter(session, "jashore.keshabpur")
        create_user(session, username="officer", full_name="o", role="upazila_officer",
                    password=DEMO_PASSWORD, office_code="jashore.keshabpur")
        request = log_request(session, new=NewRequest(
            office_code="jashore.keshabpur", service="citizen-1",
            received_at=datetime(2025, 3, 2, 10), channel="phone"), now=NOW, user=None)
        transition(session, request_id=request.id, action="hold",  # type: ignore[arg-type]
                   at=datetime(2025, 3, 3, 10), now=NOW, user=None, reason="documents")
        session.commit()
        stored_due, request_id = request.due_date, request.id
        officer = session.exec(select(User).where(User.username == "officer")).one().id
    assert isinstance(officer, int) and isinstance(request_id, int)
    monkeypatch.setattr(data, "engine", lambda: engine)
    st.cache_data.clear()
    try:
        # The hold still runs today: the due date in force has moved past the stored one.
        as_of = data.today()
        listed = data.breaches(officer, as_of).set_index("id").loc[request_id]
        detail = data.request_detail(officer, request_id)
        assert stored_due is not None and listed["effective_due"] > stored_due
        assert detail.request["effective_due"] == listed["effective_due"]
        assert detail.request["status"] == listed["status"] == "on_track"
        assert detail.request["due_date"] == stored_due  # the stored one, kept apart
        assert "resume" in detail.actions and "start" not in detail.actions
        assert "extend" not in detail.actions  # "3 working days": no extension allowed
        assert "due date in force" in detail.explanation
    finally:
        st.cache_data.clear()


def test_working_days_left_count_each_offices_own_calendar_from_the_due_date_in_force(
        ) -> None:
    import pandas as pd

    from tracker.services.queries import judge_frame

    # Thursday 10 April 2025; due Tuesday 15th (the 14th is Pohela Boishakh). Sunday the
    # 13th is a working day, except in the hill districts (Chaitra Sankranti, regional).
    # The third request is on hold since Sunday 6 April: the working days 7-10 April are
    # wholly on hold, so its stored due date (8 April) is pushed four working days to 15
    # April, its due date in force (counted by the judged frame, the one home of the rule).
    raw = pd.DataFrame({
        "id": [1, 2, 3, 4, 5], "district": ["Jashore", "Rangamati", "Jashore", "Jashore",
                                             "Jashore"],
        "category": "citizen", "number": 1, "received_date": [date(2025, 4, 1)] * 5,
        "due_date": [date(2025, 4, 15), date(2025, 4, 15), date(2025, 4, 8), None,
                     date(2025, 4, 1)],
        "closed_date": None, "state": ["received", "received", "on_hold", "received",
                                       "in_progress"],
        "go_live_date": None, "hold_start": [None, None, date(2025, 4, 6), None, None]})
    frame = judge_frame(raw, date(2025, 4, 10))
    left = data.working_days_left(frame, date(2025, 4, 10))
    assert frame["effective_due"][2] == date(2025, 4, 15)
    assert list(left[[0, 1, 2, 4]]) == [2, 1, 2, 0] and pd.isna(left[3])


def test_an_officers_time_of_day_is_read_as_dhaka_time_in_either_digits() -> None:
    assert data.received_at(date(2025, 3, 27), "১০:১৫") == datetime(2025, 3, 27, 4, 15,
                                                                   tzinfo=UTC)
    assert data.received_at(date(2025, 3, 27), " 10:15 ") == datetime(2025, 3, 27, 4, 15,
                                                                     tzinfo=UTC)
    for bad in ("25:99", "10", "", "ten past ten"):
        with pytest.raises(data.InputError):
            data.received_at(date(2025, 3, 27), bad)


def test_the_extended_track_and_extensions_follow_the_deadline_rules() -> None:
    service = {"key": "citizen-2", "unit": "immediate", "extended_working_days": 3,
               "deadline_raw": "তাৎক্ষণিক/৩ কার্যদিবস"}
    assert data.track_refusal(service, "extended", " ") == "the extended track needs a reason"
    assert data.track_refusal(service, "extended", "site visit") is None
    single = {**service, "unit": "working_days", "extended_working_days": float("nan")}
    assert data.track_refusal(single, None, "") is None
    assert data.track_refusal(single, "extended", "x") is not None
    assert data.actions_for("in_progress", unit="working_days", conditional=True)[-1] == (
        "extend")
    assert "extend" in data.actions_for("received", unit="per_directive", conditional=False)
    assert "extend" not in data.actions_for("delivered", unit="working_days",
                                            conditional=True)


# -- layers: the pages read tracker only through dashboard.data -----------------------------

DASHBOARD = PROJECT_ROOT / "dashboard"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (``import a.b`` and ``from a.b import c``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_pages_import_no_tracker_module_and_i18n_ui_only_its_formatters() -> None:
    pages = [*sorted((DASHBOARD / "app_pages").glob("*.py")), DASHBOARD / "app.py"]
    assert {p.stem for p in pages} >= set(PAGES)
    for page in pages:
        tracker_imports = {m for m in imported_modules(page)
                           if m == "tracker" or m.startswith("tracker.")}
        assert not tracker_imports, f"{page.name} imports {sorted(tracker_imports)}"
    for helper in ("i18n.py", "ui.py"):
        tracker_imports = {m for m in imported_modules(DASHBOARD / helper)
                           if m == "tracker" or m.startswith("tracker.")}
        assert tracker_imports <= {"tracker.domain", "tracker.domain.bn"}, helper


def test_the_dashboard_asks_the_clock_only_in_data_py() -> None:
    for path in sorted(DASHBOARD.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for clock in ("datetime.now", "date.today", "utcnow", "time.time(", "now_utc"):
            if path.name == "data.py" and clock == "now_utc":
                continue  # data.now(): the one clock
            assert clock not in source, f"{path.name} asks the clock ({clock})"


def test_complaint_totals_pool_the_offices_as_the_service_summary_does() -> None:
    """% resolved within time over the scope: 2 of 4 judged complaints (50.0), not the mean
    of the offices' percentages (66.7)."""
    import pandas as pd

    frame = pd.DataFrame({
        "office_code": ["a", "b", "b", "b"],
        "status": ["resolved", "resolved", "overdue", "overdue"],
        "within_time": [True, True, False, False], "escalations": [0, 0, 2, 2],
        "appeals": [0, 0, 0, 0], "judged": [True, True, True, True]})
    summary, totals = data.complaint_totals(frame)
    assert list(summary["pct_within_time"]) == [100.0, 33.3]
    assert (totals.received, totals.open, totals.past_limit) == (4, 2, 2)
    assert totals.pct_within_time == 50.0
    assert data.complaint_totals(frame.iloc[0:0])[1].pct_within_time is None


# -- issue 12: offices of every kind, review before use, no deadline -----------------------

LAND = "jashore.keshabpur@land"
LAND_SERVICES: list[dict[str, object]] = [
    dict(number=1, unit="calendar_days", amount=7, deadline_raw="৭ দিন"),
    dict(number=2, unit="calendar_days", amount=3, needs_review=True,
         deadline_raw="নবায়ন ১ দিন / নতুন ২-৩ দিন"),
    dict(number=3, unit="no_deadline", deadline_raw="চলমান প্রক্রিয়া"),
]


@pytest.fixture
def with_land_office(db_to_change: str) -> str:
    """The demo plus a land office in Keshabpur (beside its ICT office) whose charter has a
    service needing review and a "no deadline" one, and two of its requests (one open and
    long overdue, one with no deadline)."""
    from tests.conftest import add_charter
    from tracker.domain.localtime import DHAKA
    from tracker.services.offices import ensure_office
    from tracker.services.requests import log_request

    with Session(make_engine(db_to_change)) as session:
        ensure_office(session, LAND, kind="land", go_live_date=date(2024, 7, 1))
        add_charter(session, LAND, services=[dict(s) for s in LAND_SERVICES])
        for ref, service in (("L/1", "citizen-1"), ("L/2", "citizen-3")):
            log_request(session, new=NewRequest(
                office_code=LAND, service=service, channel="letter", external_ref=ref,
                received_at=datetime(2025, 1, 5, 11, tzinfo=DHAKA)), now=NOW, user=None)
        session.commit()
    return db_to_change


def test_office_labels_tell_the_offices_of_one_upazila_apart(with_land_office: str) -> None:
    user = session_user(with_land_office, "admin")
    offices = data.offices(user.id).set_index("code")
    assert offices.loc[LAND, "office_kind"] == "land"
    assert offices.loc["jashore.keshabpur", "office_kind"] == "ict"
    for lang in ("bn", "en"):
        labels = offices[f"label_{lang}"]
        assert labels.is_unique
        assert offices.loc[LAND, f"kind_{lang}"] in labels[LAND]
    kinds = data.office_kinds(data.offices(user.id), "en")
    assert (kinds["ict"], kinds["land"]) == ("Upazila ICT Office", "Upazila Land Office")
    assert next(iter(kinds)) == "ict"  # the ICT offices first, then the other kinds
    # Two offices that would read alike (two union parishads of one upazila) get their code.
    alike = data.with_office_labels(pd.DataFrame({
        "code": ["a.b@x-up", "a.b@y-up"], "name_bn": ["ইউনিয়ন পরিষদ, খ"] * 2,
        "name_en": ["Union Parishad, B"] * 2, "office_kind": ["union_parishad"] * 2,
        "level": ["upazila"] * 2}))
    assert list(alike["label_en"]) == ["Union Parishad, B · a.b@x-up",
                                       "Union Parishad, B · a.b@y-up"]
    at = open_page(app(with_land_office, "admin"), "log_request")
    assert "Upazila Land Office, Keshabpur" in at.selectbox(key="log_office").options


@pytest.mark.parametrize("lang", ["bn", "en"])
def test_the_charter_page_lists_the_services_needing_review(with_land_office: str,
                                                            lang: str) -> None:
    at = open_page(app(with_land_office, "admin", lang=lang), "charter")
    assert not at.exception
    assert i18n.t("needs_review", lang) in [s.value for s in at.subheader]
    assert i18n.t("needs_review_help", lang) in [w.value for w in at.warning]
    review = next(d.value for d in at.dataframe
                  if i18n.t("what_to_do", lang) in d.value.columns)
    place = "কেশবপুর" if lang == "bn" else "Keshabpur"
    ours = review[[place in str(o) for o in review[i18n.t("office", lang)]]]
    assert len(ours) == 1  # the demo's own offices may have theirs too
    row = ours.iloc[0]
    assert ("ভূমি" if lang == "bn" else "Land") in row[i18n.t("office", lang)]
    assert row[i18n.t("printed_cell", lang)] == "নবায়ন ১ দিন / নতুন ২-৩ দিন"
    assert f"data/charters/{LAND}.toml" in row[i18n.t("what_to_do", lang)]
    assert "tracker init" in row[i18n.t("what_to_do", lang)]
    assert i18n.t("line", lang) in review.columns


def test_the_charter_page_says_when_nothing_waits_for_review(db: str) -> None:
    at = open_page(app(db, "jashore-keshabpur"), "charter")  # an ICT office: all reviewed
    assert i18n.t("needs_review_none", "en") in [s.value for s in at.success]


def test_the_review_list_takes_the_line_from_the_catalog() -> None:
    from types import SimpleNamespace

    from tracker.store.models import Service

    flagged = Service(charter_version_id=1, office_id=1, category="citizen", number=4,
                      name_bn="নামজারি", deadline_raw="৩০/৪৫ দিন",
                      unit=data.DeadlineUnit.CALENDAR_DAYS, amount=45, needs_review=True)
    fine = Service(charter_version_id=1, office_id=1, category="citizen", number=5,
                   name_bn="খতিয়ান", deadline_raw="৭ দিন",
                   unit=data.DeadlineUnit.CALENDAR_DAYS, amount=7)
    catalog = SimpleNamespace(versions=[SimpleNamespace(
        effective=date(2025, 1, 1),
        services=[SimpleNamespace(category="citizen", number=4, line=31),
                  SimpleNamespace(category="citizen", number=5, line=33)])])
    rows = data._needs_review(LAND, date(2025, 1, 1), [flagged, fine], catalog)
    assert [(r["key"], r["line"], r["deadline_raw"]) for r in rows] == [
        ("citizen-4", 31, "৩০/৪৫ দিন")]
    assert data._needs_review(LAND, date(2025, 1, 1), [flagged], None)[0]["line"] is None


def test_the_log_page_does_not_offer_a_service_needing_review(with_land_office: str) -> None:
    at = open_page(app(with_land_office, "admin"), "log_request")
    at.selectbox(key="log_office").select(LAND).run()
    assert not at.exception
    options = at.selectbox(key="log_service").options
    assert len(options) == 2 and not any("2." in o for o in options)
    warning = " ".join(w.value for w in at.warning)
    assert "needs review" in warning and "নবায়ন ১ দিন / নতুন ২-৩ দিন" in warning


def test_the_server_refuses_a_service_needing_review_whatever_the_page_offers(
    with_land_office: str,
) -> None:
    before = request_count(with_land_office)
    user = session_user(with_land_office, "admin")
    with pytest.raises(data.TrackerError, match="needs review") as refused:
        data.log(user.id, NewRequest(office_code=LAND, service="citizen-2", channel="letter",
                                     received_at=NOW - timedelta(days=1),
                                     external_ref="L/REVIEW"))
    assert "data/charters/jashore.keshabpur@land.toml" in str(refused.value)
    assert request_count(with_land_office) == before
    assert i18n.error_text(str(refused.value), "bn").startswith("সেবা citizen-2 এর সময়সীমা")


def test_a_no_deadline_service_is_logged_from_the_page(with_land_office: str) -> None:
    before = request_count(with_land_office)
    at = open_page(app(with_land_office, "admin", lang="bn"), "log_request")
    at.selectbox(key="log_office").select(LAND).run()
    at.selectbox(key="log_service").select("citizen-3").run()
    fill_log_form(at, time="10:15", ref="L/NEW")
    assert any(i18n.t("no_deadline", "bn") in i.value for i in at.info)
    assert any("চলমান প্রক্রিয়া" in s.value for s in at.success)  # no due date, says why
    assert "log_directive_due" not in at.session_state  # no directive date to enter
    at.button(key="log_submit").click().run()
    assert not at.exception and not at.error
    assert request_count(with_land_office) == before + 1
    logged = at.session_state["last_logged"]
    assert i18n.t("logged_no_deadline", "bn", id=logged) in [s.value for s in at.success]
    with Session(make_engine(with_land_office)) as session:
        stored = session.get(Request, logged)
        assert stored is not None and stored.due_date is None


def land_requests(url: str, start: date, end: date) -> dict[str, int]:
    """Requests received in [start, end] per office of kind land (counted in SQL here)."""
    from tracker.store.models import Office

    with Session(make_engine(url)) as session:
        rows = session.exec(select(Office.code, func.count()).join(
            Request, Request.office_id == Office.id).where(
            Office.office_kind == "land", Request.received_date >= start,
            Request.received_date <= end).group_by(Office.code))
        return {code: int(n) for code, n in rows}


def test_the_office_kind_filter_narrows_overview_reports_and_breaches(
    with_land_office: str,
) -> None:
    fy = data.fiscal_year("2024-25")
    land = land_requests(with_land_office, fy.start, fy.end)
    assert land[LAND] == 2
    at = app(with_land_office, "admin")
    at.selectbox(key="ov_fy").select("2024-25").run()
    everything = int(at.metric[2].value.replace(",", ""))
    at.selectbox(key="ov_kind").select("land").run()
    assert not at.exception
    assert int(at.metric[2].value.replace(",", "")) == sum(land.values()) < everything
    assert "Upazila Land Office, Keshabpur" in at.selectbox(key="ov_office").options
    assert "Keshabpur Upazila ICT Office" not in at.selectbox(key="ov_office").options

    reports = open_page(app(with_land_office, "admin"), "reports")
    reports.selectbox(key="rep_fy").select("2024-25").run()
    reports.selectbox(key="rep_kind").select("land").run()
    assert not reports.exception
    table = reports.dataframe[0].value.set_index("office_code")
    assert set(table.index) == set(land)
    assert (int(table.loc[LAND, "received"]), int(table.loc[LAND, "no_deadline"])) == (2, 1)

    breaches = open_page(app(with_land_office, "admin"), "breaches")
    all_rows = len(breaches.dataframe[0].value)
    breaches.selectbox(key="br_kind").select("land").run()
    assert not breaches.exception
    shown = breaches.dataframe[0].value
    assert 1 <= len(shown) < all_rows
    assert all("Land" in office for office in shown[i18n.t("office", "en")])
    refs = set(shown[i18n.t("external_ref", "en")])
    assert "L/1" in refs and "L/2" not in refs  # overdue listed; "no deadline" never a breach


def test_the_reports_page_groups_by_office_kind(with_land_office: str) -> None:
    fy = data.fiscal_year("2024-25")
    land = sum(land_requests(with_land_office, fy.start, fy.end).values())
    at = open_page(app(with_land_office, "admin"), "reports")
    at.selectbox(key="rep_fy").select("2024-25").run()
    at.radio(key="rep_by").set_value("kind").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("office_kind")
    assert {"ict", "land"} <= set(table.index)
    assert int(table.loc["land", "received"]) == land


def test_the_demo_land_office_shows_its_flagged_services_with_their_lines(db: str) -> None:
    """End to end on the demo: the catalog's flagged services of the AC Land office are
    listed on the Charter page with the line they were read from, and its officer's log
    page does not offer them (its "no deadline" services it does)."""
    from tracker.domain.charter.catalog import load_all

    code = "habiganj.madhabpur@land"
    latest = load_all()[code].latest

    def prefix(service: object) -> str:  # how the log page labels a service (English)
        category, number = service.category, service.number  # type: ignore[attr-defined]
        return f"{i18n.label(i18n.CATEGORIES, category, 'en')} {number}. "

    flagged = [s for s in latest.services if s.deadline.needs_review]
    no_deadline = [s for s in latest.services
                   if s.deadline.no_deadline and not s.deadline.needs_review]
    assert flagged and no_deadline
    entry = next(e for e in data.charters(session_user(db, "admin").id) if e["code"] == code)
    assert {r["key"]: r["line"] for r in entry["needs_review"]} == {
        f"{s.category}-{s.number}": s.line for s in flagged}
    at = open_page(app(db, "habiganj-madhabpur-land"), "log_request")
    assert not at.exception
    options = at.selectbox(key="log_service").options
    assert not [o for o in options for s in flagged if o.startswith(prefix(s))]
    assert all(any(o.startswith(prefix(s)) for o in options) for s in no_deadline)
