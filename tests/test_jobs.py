"""The idempotent digest unit against a real SMTP server on loopback, on both backends:
right recipients and subjects, at most once, retries after a failure, racing workers."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tests.conftest import add_charter
from tests.test_digest_support import SmtpServer, at_nine, settings, smtp_server
from tracker.services.jobs import INTERRUPTED, TABLE, day_states, deliver, plan_day, run_day
from tracker.services.mail import OutboxTransport
from tracker.services.offices import create_user, load_geography_rows
from tracker.store.models import DigestDelivery, User

__all__ = ["smtp_server"]

DAY = date(2024, 8, 20)  # a Tuesday; the seeded log ends that evening
#: The demo's seven offices: five upazila ICT offices, the AC Land office of Madhabpur and
#: Doail Union Parishad (their codes' "." and "@" become "-" in the address, as in the demo).
OFFICERS = ["dinajpur-dinajpur-sadar@tracker.local", "jashore-keshabpur@tracker.local",
            "magura-magura-sadar@tracker.local", "manikganj-manikganj-sadar@tracker.local",
            "lalmonirhat-patgram@tracker.local", "habiganj-madhabpur-land@tracker.local",
            "jamalpur-sarishabari-doail-up@tracker.local"]
#: One programmer per district, and the seven offices are in seven districts.
PROGRAMMERS = ["dinajpur@tracker.local", "jashore@tracker.local", "magura@tracker.local",
               "manikganj@tracker.local", "lalmonirhat@tracker.local",
               "habiganj@tracker.local", "jamalpur@tracker.local"]
#: One daily digest per officer and per programmer: 7 + 7.
RECIPIENTS = 14


@pytest.fixture
def seeded(seeded_engine: Engine) -> Engine:
    return seeded_engine


def test_a_seeded_day_sends_one_digest_to_each_officer_and_programmer(
        seeded: Engine, smtp_server: SmtpServer) -> None:
    result = run_day(seeded, day=DAY, now=at_nine(DAY), transport=smtp_server.transport(),
                     settings=settings())
    assert len(OFFICERS) + len(PROGRAMMERS) == RECIPIENTS
    assert (result.sent, result.skipped, result.failed) == (RECIPIENTS, 0, 0)
    inbox = smtp_server.inbox
    assert inbox.recipients == sorted(OFFICERS + PROGRAMMERS)
    subjects = inbox.subjects()
    assert sum(s.startswith("দৈনিক সারসংক্ষেপ — ") for s in subjects) == 7
    assert sum(s.startswith("দৈনিক সারসংক্ষেপ — উপজেলা আইসিটি অফিস,") for s in subjects) == 5
    assert sum(s.startswith("দৈনিক সারসংক্ষেপ — সহকারী কমিশনার (ভূমি)") for s in subjects) == 1
    assert sum(s.startswith("দৈনিক সারসংক্ষেপ — দোয়াইল ইউনিয়ন পরিষদ") for s in subjects) == 1
    assert sum(s.startswith("জেলার দৈনিক সারসংক্ষেপ — ") for s in subjects) == 7
    assert all("২০-০৮-২০২৪" in s for s in subjects)
    for _rcpts, message in inbox.messages:
        assert message.get_content_type() == "multipart/alternative"
        assert message["From"] == "tracker@tracker.local"
        assert message["X-Tracker-Digest"].endswith("2024-08-20")
    with Session(seeded) as session:
        rows = session.exec(select(DigestDelivery)).all()
        assert {r.state for r in rows} == {"sent"} and len(rows) == RECIPIENTS
        assert all(r.attempts == 1 and r.sent_at == at_nine(DAY) for r in rows)


def test_the_digest_counts_match_the_request_log(seeded: Engine,
                                                 smtp_server: SmtpServer) -> None:
    from tracker.services.digests import build_digests

    with Session(seeded) as session:
        digests = build_digests(session, as_of=DAY)
    run_day(seeded, day=DAY, now=at_nine(DAY), transport=smtp_server.transport(),
            settings=settings())
    by_to = {rcpts[0]: m for rcpts, m in smtp_server.inbox.messages}
    for digest in digests.upazila.values():
        slug = digest.office_code.replace(".", "-").replace("@", "-")  # as the demo does
        message = by_to[slug + "@tracker.local"]
        assert str(message["Subject"]) == digest.render("bn").subject
        body = message.get_body(("plain",))
        assert body is not None and body.get_content().startswith(digest.render("bn").subject)


def test_english_for_users_who_chose_it(seeded: Engine, smtp_server: SmtpServer) -> None:
    with Session(seeded) as session:
        user = session.exec(select(User).where(User.username == "jashore-programmer")).one()
        user.language = "en"
        session.add(user)
        session.commit()
    run_day(seeded, day=DAY, now=at_nine(DAY), transport=smtp_server.transport(),
            settings=settings())
    [subject] = [str(m["Subject"]) for r, m in smtp_server.inbox.messages
                 if r == ["jashore@tracker.local"]]
    assert subject.startswith("District daily digest — Jashore — 20-08-2024: ")


def test_sending_twice_sends_nothing_new(seeded: Engine, smtp_server: SmtpServer) -> None:
    first = run_day(seeded, day=DAY, now=at_nine(DAY), transport=smtp_server.transport(),
                    settings=settings())
    again = run_day(seeded, day=DAY, now=at_nine(DAY) + timedelta(hours=3),
                    transport=smtp_server.transport(), settings=settings())
    assert first.sent == RECIPIENTS
    assert (again.planned, again.sent, again.skipped, again.failed) == (0, 0, RECIPIENTS, 0)
    assert len(smtp_server.inbox.messages) == RECIPIENTS


def test_no_digest_on_a_friday_or_a_public_holiday(seeded: Engine,
                                                   smtp_server: SmtpServer) -> None:
    for day in (date(2025, 5, 16), date(2024, 8, 26), date(2025, 5, 11)):
        result = run_day(seeded, day=day, now=at_nine(day), transport=smtp_server.transport(),
                         settings=settings())
        assert not result.working_day and result.sent == 0
    assert smtp_server.inbox.messages == []
    assert sum(day_states(seeded, date(2025, 5, 16)).values()) == 0


def test_a_working_saturday_gets_its_digest_and_the_weekly_summary(
        seeded: Engine, smtp_server: SmtpServer) -> None:
    day = date(2025, 5, 17)  # Saturday declared a working day: first of its week
    result = run_day(seeded, day=day, now=at_nine(day), transport=smtp_server.transport(),
                     settings=settings())
    # daily + weekly for each of the 14 recipients
    assert result.working_day and result.sent == 2 * RECIPIENTS == 28
    subjects = smtp_server.inbox.subjects()
    assert sum("সাপ্তাহিক সারসংক্ষেপ" in s for s in subjects) == RECIPIENTS
    assert all("১৭-০৫-২০২৫" in s for s in subjects)


def test_smtp_failure_then_recovery_sends_exactly_once(seeded: Engine,
                                                       smtp_server: SmtpServer) -> None:
    s = settings(digest_retry_seconds=60, digest_max_attempts=5)
    smtp_server.inbox.failing = True
    down = run_day(seeded, day=DAY, now=at_nine(DAY), transport=smtp_server.transport(),
                   settings=s)
    # The server answers 451: three attempts fail, then the run stops trying (breaker).
    assert (down.sent, down.failed, down.pending) == (0, 3, RECIPIENTS)
    states = day_states(seeded, DAY)
    assert states == {"pending": RECIPIENTS}
    with Session(seeded) as session:
        errors = [r.last_error for r in session.exec(select(DigestDelivery)) if r.attempts]
        assert len(errors) == 3 and all("451" in (e or "") for e in errors)
    # Too early for the retries of the failed three; the eleven untried go out.
    smtp_server.inbox.failing = False
    soon = deliver(seeded, transport=smtp_server.transport(), now=at_nine(DAY) +
                   timedelta(seconds=30), settings=s)
    assert soon.sent == RECIPIENTS - 3 == 11
    later = deliver(seeded, transport=smtp_server.transport(), now=at_nine(DAY) +
                    timedelta(seconds=61), settings=s)
    assert later.sent == 3
    again = run_day(seeded, day=DAY, now=at_nine(DAY) + timedelta(hours=1),
                    transport=smtp_server.transport(), settings=s)
    assert again.sent == 0
    assert smtp_server.inbox.recipients == sorted(OFFICERS + PROGRAMMERS)
    assert day_states(seeded, DAY) == {"sent": RECIPIENTS}


def test_a_digest_that_keeps_failing_is_marked_failed_and_stays_visible(
        seeded: Engine, smtp_server: SmtpServer) -> None:
    s = settings(digest_retry_seconds=60, digest_max_attempts=2)
    smtp_server.inbox.failing = True
    plan_day(seeded, day=DAY, now=at_nine(DAY), settings=s)
    now = at_nine(DAY)
    for _ in range(4):  # back-off 60 s, then 120 s: enough time passes for every retry
        deliver(seeded, transport=smtp_server.transport(), now=now, settings=s)
        now += timedelta(minutes=5)
    states = day_states(seeded, DAY)
    assert states["failed"] >= 3 and states["sent"] == 0
    with Session(seeded) as session:
        failed = session.exec(select(DigestDelivery).where(DigestDelivery.state == "failed"))
        assert all(r.attempts == 2 and "451" in (r.last_error or "") for r in failed)


def test_backoff_doubles_between_attempts(seeded: Engine, smtp_server: SmtpServer) -> None:
    s = settings(digest_retry_seconds=60, digest_max_attempts=5)
    smtp_server.inbox.failing = True
    plan_day(seeded, day=DAY, now=at_nine(DAY), settings=s)
    start = at_nine(DAY)
    deliver(seeded, transport=smtp_server.transport(), now=start, settings=s)
    deliver(seeded, transport=smtp_server.transport(), now=start + timedelta(seconds=60),
            settings=s)
    with Session(seeded) as session:
        first = session.exec(select(DigestDelivery).order_by(col(DigestDelivery.id))).first()
        assert first is not None and first.attempts == 2
        assert first.next_attempt_at == start + timedelta(seconds=60 + 120)


def test_racing_workers_send_each_digest_once(seeded: Engine,
                                              smtp_server: SmtpServer) -> None:
    barrier = threading.Barrier(4)
    results = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            results.append(run_day(seeded, day=DAY, now=at_nine(DAY),
                                   transport=smtp_server.transport(), worker=f"w{n}",
                                   settings=settings()))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r.sent for r in results) == RECIPIENTS
    assert smtp_server.inbox.recipients == sorted(OFFICERS + PROGRAMMERS)
    with seeded.connect() as connection:
        rows = connection.execute(sa.select(sa.func.count()).select_from(TABLE)).scalar()
        assert rows == RECIPIENTS


def test_a_send_interrupted_mid_way_is_marked_failed_not_resent(
        seeded: Engine, smtp_server: SmtpServer) -> None:
    s = settings(digest_lease_seconds=600)
    plan_day(seeded, day=DAY, now=at_nine(DAY), settings=s)
    with seeded.begin() as connection:  # a worker claimed one and died before marking it
        first = connection.execute(sa.select(sa.func.min(TABLE.c.id))).scalar()
        connection.execute(TABLE.update().where(TABLE.c.id == first).values(
            state="sending", claimed_by="dead", claimed_at=at_nine(DAY), attempts=1))
    result = deliver(seeded, transport=smtp_server.transport(),
                     now=at_nine(DAY) + timedelta(minutes=20), settings=s)
    assert result.sent == RECIPIENTS - 1  # all but the interrupted one
    with Session(seeded) as session:
        row = session.get(DigestDelivery, first)
        assert row is not None and row.state == "failed" and row.last_error == INTERRUPTED


def _one_office(session: Session) -> None:
    load_geography_rows(session)
    add_charter(session, "jashore.keshabpur")
    create_user(session, username="k", full_name="K", role="upazila_officer",
                password="password-1", office_code="jashore.keshabpur", email="k@x.test")
    create_user(session, username="j", full_name="J", role="district_programmer",
                password="password-1", office_code="jashore", email="j@x.test", language="en")
    create_user(session, username="noemail", full_name="N", role="upazila_officer",
                password="password-1", office_code="jashore.keshabpur")
    session.commit()


def test_all_clear_is_one_line_or_nothing_by_setting(engine: Engine,
                                                     smtp_server: SmtpServer) -> None:
    with Session(engine) as session:
        _one_office(session)
    day = date(2025, 5, 18)
    skip = run_day(engine, day=day, now=at_nine(day), transport=smtp_server.transport(),
                   settings=settings(digest_all_clear="skip"))
    assert (skip.sent, skip.skipped) == (0, 2)
    assert day_states(engine, day) == {"skipped": 2}
    day = date(2025, 5, 19)
    line = run_day(engine, day=day, now=at_nine(day), transport=smtp_server.transport(),
                   settings=settings(digest_all_clear="line"))
    assert line.sent == 2
    bodies = {r[0]: m.get_body(("plain",)) for r, m in smtp_server.inbox.messages}
    assert "All clear" not in str(bodies["k@x.test"].get_content())  # type: ignore[union-attr]
    assert "সব ঠিক আছে" in bodies["k@x.test"].get_content()  # type: ignore[union-attr]


def test_outbox_transport_writes_one_eml_per_digest(seeded: Engine, tmp_path: Path) -> None:
    result = run_day(seeded, day=DAY, now=at_nine(DAY), transport=OutboxTransport(tmp_path),
                     settings=settings())
    files = sorted(tmp_path.glob("*.eml"))
    assert result.sent == len(files) == RECIPIENTS
    assert not list(tmp_path.glob(".tmp-*"))
    text = files[0].read_bytes()
    assert b"multipart/alternative" in text and b"Subject: =?utf-8?" in text


def test_dry_run_counts_without_writing_or_sending(seeded: Engine,
                                                   smtp_server: SmtpServer) -> None:
    dry = run_day(seeded, day=DAY, now=at_nine(DAY), transport=smtp_server.transport(),
                  settings=settings(), dry_run=True)
    assert (dry.sent, dry.skipped, dry.dry_run) == (RECIPIENTS, 0, True)
    assert sum(day_states(seeded, DAY).values()) == 0 and smtp_server.inbox.messages == []


def test_a_regional_closure_skips_only_that_districts_recipients(
        engine: Engine, smtp_server: SmtpServer) -> None:
    with Session(engine) as session:
        _one_office(session)  # Keshabpur, Jashore: open on 13-04-2025
        add_charter(session, "rangamati.kaptai")  # hill district: Chaitra Sankranti closure
        create_user(session, username="r", full_name="R", role="upazila_officer",
                    password="password-1", office_code="rangamati.kaptai", email="r@x.test")
        session.commit()
    day = date(2025, 4, 13)
    result = run_day(engine, day=day, now=at_nine(day), transport=smtp_server.transport(),
                     settings=settings())
    assert result.sent == 4  # a Sunday after a closed Saturday: daily + weekly each
    assert smtp_server.inbox.recipients == ["j@x.test", "j@x.test", "k@x.test", "k@x.test"]


def test_newly_overdue_counts_from_the_last_district_digest_sent(
        seeded: Engine, smtp_server: SmtpServer) -> None:
    from tracker.services.digests import build_digests

    later = date(2024, 9, 10)
    run_day(seeded, day=DAY, now=at_nine(DAY), transport=smtp_server.transport(),
            settings=settings())
    run_day(seeded, day=later, now=at_nine(later), transport=smtp_server.transport(),
            settings=settings())
    with Session(seeded) as session:
        rows = session.exec(select(DigestDelivery).where(
            DigestDelivery.kind == "district_daily", DigestDelivery.digest_date == later)).all()
        districts = build_digests(session, as_of=later).district
        since = {i: DAY for i in districts}
        expected = {d.render("bn").subject
                    for d in build_digests(session, as_of=later, since=since).district.values()}
    assert {r.subject for r in rows} == expected
