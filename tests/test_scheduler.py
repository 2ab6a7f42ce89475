"""APScheduler wiring: persistent job store in the project database, 09:00 Asia/Dhaka,
coalescing misfires, working days only; two scheduler processes racing send once."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy.engine import Engine

from tests.conftest import DIGEST_DEMO
from tests.test_digest_support import SmtpServer, at_nine, smtp_server
from tracker.config import Settings, get_settings
from tracker.domain.calendar import load_calendar
from tracker.domain.periods import is_first_working_day_of_week
from tracker.services.jobs import day_states, is_digest_day
from tracker.services.scheduler import (
    DAILY_JOB_ID,
    JOBS_TABLE,
    RETRY_JOB_ID,
    build_scheduler,
    daily_digests,
    next_daily_run,
)

__all__ = ["smtp_server"]

DHAKA = ZoneInfo("Asia/Dhaka")
DAY = DIGEST_DEMO.until  # 2024-08-20, the last day of the seeded log (seeded_engine)
#: The demo's daily digests: the officer of each of its 7 offices (5 upazila ICT offices,
#: the AC Land office of Madhabpur, Doail Union Parishad) and each of their 7 districts'
#: programmers.
RECIPIENTS = 14


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_jobs_persist_in_the_project_database(engine: Engine) -> None:
    settings = Settings(digest_time="09:00", digest_misfire_grace_seconds=7200)
    for _ in range(2):  # a restart (or a second process) replaces, never duplicates
        scheduler = build_scheduler(engine, settings, background=True)
        scheduler.start(paused=True)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        scheduler.shutdown(wait=False)
    assert set(jobs) == {DAILY_JOB_ID, RETRY_JOB_ID}
    daily = jobs[DAILY_JOB_ID]
    assert daily.coalesce is True and daily.misfire_grace_time == 7200
    assert daily.max_instances == 1
    assert str(daily.trigger.timezone) == "Asia/Dhaka"
    fields = {f.name: str(f) for f in daily.trigger.fields}
    assert (fields["hour"], fields["minute"], fields["day_of_week"]) == ("9", "0", "*")
    with engine.connect() as connection:
        ids = connection.execute(sa.text(f"SELECT id FROM {JOBS_TABLE} ORDER BY id")).scalars()
        assert list(ids) == sorted([DAILY_JOB_ID, RETRY_JOB_ID])


def test_the_daily_run_is_at_nine_dhaka_and_configurable() -> None:
    after = datetime(2025, 5, 16, 10, 0, tzinfo=DHAKA)  # a Friday morning, after 09:00
    assert next_daily_run(Settings(), after) == datetime(2025, 5, 17, 9, 0, tzinfo=DHAKA)
    assert next_daily_run(Settings(digest_time="08:30"), after).astimezone(UTC) == \
        datetime(2025, 5, 17, 2, 30, tzinfo=UTC)


def _point_settings_at(monkeypatch: pytest.MonkeyPatch, engine: Engine,
                       server: SmtpServer) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", _url(engine))
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(server.port))
    monkeypatch.setenv("TRACKER_MAIL_FROM", "tracker@tracker.local")
    get_settings.cache_clear()


def test_the_job_sends_on_working_days_only(seeded_engine: Engine, smtp_server: SmtpServer,
                                            settings_env: pytest.MonkeyPatch) -> None:
    engine = seeded_engine  # the demo up to DAY, on each backend
    _point_settings_at(settings_env, engine, smtp_server)
    friday, holiday, saturday = date(2025, 5, 16), date(2025, 5, 11), date(2025, 5, 17)
    assert not daily_digests(now=at_nine(friday)).working_day
    assert not daily_digests(now=at_nine(holiday)).working_day
    assert smtp_server.inbox.messages == []
    sent = daily_digests(now=at_nine(saturday))  # a Saturday declared a working day
    # daily + the week's first-day summary, to each recipient: 2 x 14
    assert sent.working_day and sent.sent == 2 * RECIPIENTS == 28
    # A missed morning run late (coalesced) and again by mistake: nothing new.
    late = daily_digests(now=at_nine(saturday) + timedelta(hours=5))
    assert (late.sent, late.skipped) == (0, 2 * RECIPIENTS)
    assert len(smtp_server.inbox.messages) == 2 * RECIPIENTS


def _scheduler_process(url: str, port: int, now_iso: str, start_at: float,
                       out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One scheduler process: its own settings, engine and SMTP connections."""
    os.environ.update(TRACKER_DATABASE_URL=url, TRACKER_SMTP_HOST="127.0.0.1",
                      TRACKER_SMTP_PORT=str(port), TRACKER_MAIL_FROM="tracker@tracker.local")
    get_settings.cache_clear()
    time.sleep(max(0.0, start_at - time.time()))
    result = daily_digests(now=datetime.fromisoformat(now_iso))
    out.put((result.sent, result.skipped, result.failed))


def test_two_scheduler_processes_racing_send_each_digest_once(
        seeded_engine: Engine, smtp_server: SmtpServer) -> None:
    engine = seeded_engine  # the demo up to DAY, on each backend
    context = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    start_at = time.time() + 4.0  # both start together, after their imports
    processes = [context.Process(target=_scheduler_process,
                                 args=(_url(engine), smtp_server.port,
                                       at_nine(DAY).isoformat(), start_at, out))
                 for _ in range(3)]
    for p in processes:
        p.start()
    results = [out.get(timeout=120) for _ in processes]
    for p in processes:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert sum(sent for sent, _, _ in results) == RECIPIENTS
    assert all(failed == 0 for _, _, failed in results)
    assert sorted(r for rcpts, _ in smtp_server.inbox.messages for r in rcpts) == \
        smtp_server.inbox.recipients and len(smtp_server.inbox.recipients) == RECIPIENTS
    assert len(set(smtp_server.inbox.recipients)) == RECIPIENTS
    assert day_states(engine, DAY) == {"sent": RECIPIENTS}


def test_missed_mornings_are_coalesced_into_one_late_run(
        seeded_engine: Engine, smtp_server: SmtpServer, settings_env: pytest.MonkeyPatch) -> None:
    """The real APScheduler path: the daily job's next run is two days overdue (the
    scheduler was down); on start it runs once, not once per missed morning, and
    today's digests go out once — or none if today is not a working day."""
    engine = seeded_engine  # the demo up to DAY, on each backend
    _point_settings_at(settings_env, engine, smtp_server)
    settings_env.setenv("TRACKER_DIGEST_MISFIRE_GRACE_SECONDS", str(3 * 86400))
    # Keep the real next morning far from the wall clock, so that no legitimate run falls
    # inside this test (run at 09:00 Dhaka, it once saw a second, rightful run).
    far = (datetime.now(UTC) + timedelta(hours=12)).astimezone(ZoneInfo("Asia/Dhaka"))
    settings_env.setenv("TRACKER_DIGEST_TIME", f"{far:%H:%M}")
    get_settings.cache_clear()
    settings = get_settings()
    scheduler = build_scheduler(engine, settings, background=True)
    runs: list[object] = []
    done = threading.Event()

    def listener(event: object) -> None:
        if getattr(event, "job_id", None) == DAILY_JOB_ID:
            runs.append(event)
            done.set()

    scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start(paused=True)
    now = datetime.now(UTC)
    scheduler.modify_job(DAILY_JOB_ID, next_run_time=now - timedelta(days=2, hours=1))
    scheduler.resume()
    assert done.wait(60)
    time.sleep(1.0)  # would a second (uncoalesced) run follow?
    next_run = scheduler.get_job(DAILY_JOB_ID).next_run_time
    scheduler.shutdown(wait=True)
    assert len(runs) == 1 and getattr(runs[0], "exception", None) is None
    assert next_run > now  # rescheduled for the next 09:00, the backlog dropped
    today = now.astimezone(DHAKA).date()
    expected = 0
    if is_digest_day(today):
        first = is_first_working_day_of_week(today, load_calendar())
        expected = 2 * RECIPIENTS if first else RECIPIENTS
    assert len(smtp_server.inbox.messages) == expected


def test_the_daily_job_escalates_overdue_complaints_once(
        engine: Engine, settings_env: pytest.MonkeyPatch) -> None:
    """A complaint left unresolved past its 30-working-day tier becomes an appeal-officer
    case in the morning job, exactly once however often the unit runs."""
    from sqlmodel import Session

    from tests.conftest import add_charter
    from tracker.domain.localtime import DHAKA
    from tracker.services.complaints import NewComplaint, log_complaint
    from tracker.services.offices import load_geography_rows
    from tracker.services.scheduler import escalate_complaints

    with Session(engine) as session:
        load_geography_rows(session)
        add_charter(session, "jashore.keshabpur")
        log_complaint(session, new=NewComplaint(
            office_code="jashore.keshabpur", complainant_name="রহিম",
            complainant_contact="+8801711000000",
            received_at=datetime(2025, 1, 5, 11, tzinfo=DHAKA)),
            now=datetime(2025, 1, 5, 12, tzinfo=DHAKA), user=None)
        session.commit()
    settings_env.setenv("TRACKER_DATABASE_URL", _url(engine))
    get_settings.cache_clear()
    morning = datetime(2025, 3, 2, 9, tzinfo=DHAKA)  # well past 30 working days
    assert escalate_complaints(morning) == 1
    assert escalate_complaints(morning) == 0


def test_a_transient_sqlite_lock_is_retried_but_other_errors_are_not() -> None:
    from tracker.services.scheduler import _retrying

    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise sa.exc.OperationalError("UPDATE x", {}, Exception("database is locked"))
        return "done"

    assert _retrying(flaky) == "done" and len(calls) == 2

    def broken() -> str:
        calls.append(1)
        raise sa.exc.OperationalError("SELECT", {}, Exception("no such table: x"))

    calls.clear()
    with pytest.raises(sa.exc.OperationalError):
        _retrying(broken)
    assert len(calls) == 1
