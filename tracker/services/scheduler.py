"""APScheduler 3.x wiring: the morning job and the retry sweep. No logic of its own: the
units it runs (GRS escalation, the day's digests, retries) live in tracker.services.jobs.

- Jobs live in a persistent ``SQLAlchemyJobStore`` (table ``apscheduler_jobs``) in the
  project database, so a restart keeps the schedule and its next run time.
- The daily job fires every day at ``digest_time`` (09:00) in ``digest_timezone``
  (Asia/Dhaka) and asks the working-day engine whether today is a working day: Fridays,
  Saturdays and holidays send nothing, a Saturday declared a working day sends as usual.
  (A cron rule cannot know about working Saturdays or moon-sighted holidays; the calendar
  files can.)
- Misfires coalesce and run within ``digest_misfire_grace_seconds``: a morning missed while
  the scheduler was down is sent late once, not once per missed run. The unit itself is
  idempotent (tracker.services.jobs), so a second scheduler started by mistake, a restart mid-run or
  a manual ``tracker digest send`` never sends a digest twice.
- The retry job sweeps failed sends every ``digest_retry_seconds``. Sends whose outcome is
  unknown (the server may have the message) are not swept: ``tracker digest requeue``.
"""

from __future__ import annotations

import logging
import time as pytime
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from tracker.config import Settings, get_settings
from tracker.services.jobs import RunResult, deliver, escalate_complaints_due, run_day
from tracker.services.mail import transport_from_settings
from tracker.services.requests import now_utc
from tracker.store.db import get_engine, is_transient_lock

log = logging.getLogger(__name__)

T = TypeVar("T")
DAILY_JOB_ID = "daily-digests"
RETRY_JOB_ID = "digest-retries"
JOBS_TABLE = "apscheduler_jobs"


def daily_trigger(settings: Settings) -> CronTrigger:
    at = settings.digests_at  # validated when the settings are read
    return CronTrigger(hour=at.hour, minute=at.minute,
                       timezone=settings.digest_zone)


def _retrying(unit: Callable[[], T], attempts: int = 5) -> T:
    """Run an idempotent unit again when SQLite reports a transient lock (the job store
    writes from the scheduler thread while the job runs)."""
    for attempt in range(1, attempts + 1):
        try:
            return unit()
        except Exception as exc:
            if attempt == attempts or not is_transient_lock(exc):
                raise
            log.warning("database busy, retrying %s (attempt %d)", unit, attempt)
            pytime.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def escalate_complaints(now: datetime | None = None) -> int:
    """Record GRS complaints whose tier limit has passed (idempotent), before the digests,
    so the morning's district digests name the next officer."""
    settings = get_settings()
    now = now or now_utc()
    return escalate_complaints_due(get_engine(settings.database_url),
                                   day=now.astimezone(settings.digest_zone).date(), now=now)


def daily_digests(now: datetime | None = None) -> RunResult:
    """The scheduled job: escalate overdue complaints, then today's digests if today is a
    working day. ``now``: for tests."""
    settings = get_settings()
    now = now or now_utc()
    day = now.astimezone(settings.digest_zone).date()
    _retrying(lambda: escalate_complaints(now))
    result = _retrying(lambda: run_day(get_engine(settings.database_url), day=day, now=now,
                                       transport=transport_from_settings(settings),
                                       settings=settings))
    log.info("daily digests: %s", result.summary())
    for failure in result.errors:  # the other recipients' digests went out
        log.error("daily digests: %s", failure.line())
    return result


def retry_digests(now: datetime | None = None) -> int:
    """The retry sweep: send every pending digest whose back-off has passed."""
    settings = get_settings()
    result = deliver(get_engine(settings.database_url), now=now or now_utc(),
                     transport=transport_from_settings(settings), settings=settings)
    if result.sent or result.failed or result.unknown:
        log.info("digest retries: %d sent, %d failed, %d outcome unknown (not re-sent)",
                 result.sent, result.failed, result.unknown)
    return result.sent


def build_scheduler(engine: Engine | None = None, settings: Settings | None = None, *,
                    background: bool = False) -> BaseScheduler:
    """A scheduler with both jobs in the project database (re-adding replaces them)."""
    s = settings or get_settings()
    engine = engine or get_engine(s.database_url)
    cls: Any = BackgroundScheduler if background else BlockingScheduler
    scheduler: BaseScheduler = cls(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
        timezone=s.digest_zone,
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": s.digest_misfire_grace_seconds},
    )
    scheduler.add_job("tracker.services.scheduler:daily_digests", daily_trigger(s), id=DAILY_JOB_ID,
                      name="daily digests", replace_existing=True)
    scheduler.add_job("tracker.services.scheduler:retry_digests",
                      IntervalTrigger(seconds=s.digest_retry_seconds), id=RETRY_JOB_ID,
                      name="digest retries", replace_existing=True)
    return scheduler


def next_daily_run(settings: Settings, after: datetime) -> datetime:
    """When the daily job next fires after ``after`` (it then checks the working day)."""
    fire: datetime | None = daily_trigger(settings).get_next_fire_time(None, after)
    assert fire is not None
    return fire
