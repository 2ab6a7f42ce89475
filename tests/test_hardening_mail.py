"""Issue 11, items 2 and 1 (the daily run): nothing sent twice, one bad digest stops no other.

- A server that stores a message but answers after the client's timeout (or drops the line
  after the message) must get each digest once: the send's outcome is unknown, the row is
  marked so (as a worker killed mid-send) and only ``tracker digest requeue`` sends it again,
  with the same Message-ID. Failures before the message is handed over stay retryable.
- A recipient whose digest cannot be built (a TrackerError) is reported; everyone else's
  digest goes out.

Real SMTP servers on loopback (aiosmtpd), both database backends.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session as DBSession
from sqlmodel import select

from tests.databases import Builder, DemoCopy, DemoSpec
from tests.test_cli import run
from tests.test_digest_support import Inbox, SmtpServer, at_nine, free_port, settings
from tracker.config import get_settings
from tracker.errors import CalendarRangeError
from tracker.services import jobs
from tracker.services.digests import build_digests
from tracker.services.digests import compose as compose_message
from tracker.services.jobs import (
    INTERRUPTED,
    OUTCOME_UNKNOWN,
    TABLE,
    day_states,
    deliver,
    is_outcome_unknown,
    plan_day,
    requeue,
    run_day,
)
from tracker.services.mail import OutcomeUnknown, SMTPTransport, TransportError
from tracker.store.models import DigestDelivery

#: A Tuesday: fourteen digests, one to the officer of each of the demo's seven offices and
#: one to the programmer of each of their seven districts.
DAY = date(2024, 8, 20)
RECIPIENTS = 14
#: The client gives up after CLIENT_TIMEOUT; the slow server answers after SERVER_DELAY.
CLIENT_TIMEOUT = 0.4
SERVER_DELAY = 1.2


@dataclass
class SlowInbox(Inbox):
    """Stores the message, then answers only after ``delay`` seconds (or drops the line)."""

    delay: float = SERVER_DELAY
    hang_up: bool = False

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if self.hang_up:
            assert server.transport is not None
            server.transport.close()
        else:
            await asyncio.sleep(self.delay)
        return answer


@dataclass
class SlowBeforeData(Inbox):
    """Stalls on RCPT (before any message is handed over), or answers it with 451."""

    refuse: bool = False

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if self.refuse:
            return "451 4.3.0 mailbox busy, try again later"
        await asyncio.sleep(SERVER_DELAY)
        envelope.rcpt_tos.append(address)
        return "250 OK"


@dataclass
class SlowQuit(Inbox):
    """Accepts the message at once, then stalls on QUIT."""

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(SERVER_DELAY)
        return "221 Bye"


@pytest.fixture
def serve() -> Iterator[Any]:
    """``serve(handler)`` starts a loopback SMTP server; all are stopped after the test."""
    controllers: list[Controller] = []

    def start(handler: Inbox) -> SmtpServer:
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return SmtpServer(handler, port)

    yield start
    for controller in controllers:
        controller.stop()


def _impatient(server: SmtpServer) -> SMTPTransport:
    return SMTPTransport("127.0.0.1", server.port, timeout=CLIENT_TIMEOUT)


def _message() -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "পরীক্ষা"
    message["From"] = "tracker@tracker.local"
    message["To"] = "officer@tracker.local"
    message["Message-ID"] = "<digest.upazila_daily.20240820.7@tracker.local>"
    message.set_content("আজ ১টি\n.\nশেষ")  # a line with only a dot is stuffed, not the end
    return message


def _stored_per_message_id(inbox: Inbox) -> Counter[str]:
    return Counter(str(m["Message-ID"]) for _rcpts, m in inbox.messages)


# -- the transport: which failures are retryable, which are "outcome unknown" -------------


@pytest.mark.parametrize("hang_up", [False, True], ids=["slow-answer", "line-dropped"])
def test_no_answer_after_the_message_is_outcome_unknown(serve: Any, hang_up: bool) -> None:
    server = serve(SlowInbox(hang_up=hang_up))
    with pytest.raises(OutcomeUnknown, match="may have been delivered"):
        _impatient(server).send(_message())
    [(_rcpts, stored)] = server.inbox.messages
    body = stored.get_body(("plain",))
    assert body is not None and body.get_content().splitlines() == ["আজ ১টি", ".", "শেষ"]


def test_outcome_unknown_is_not_a_retryable_transport_error(serve: Any) -> None:
    """Code that retries on TransportError must not catch it by accident."""
    with pytest.raises(OutcomeUnknown) as raised:
        _impatient(serve(SlowInbox())).send(_message())
    assert not isinstance(raised.value, TransportError)


@pytest.mark.parametrize("refuse", [False, True], ids=["stall-on-rcpt", "451-on-rcpt"])
def test_failures_before_the_message_is_handed_over_stay_retryable(serve: Any,
                                                                 refuse: bool) -> None:
    server = serve(SlowBeforeData(refuse=refuse))
    with pytest.raises(TransportError, match="451" if refuse else "timed out|Connection"):
        _impatient(server).send(_message())
    assert server.inbox.messages == []


def test_a_rejected_message_is_retryable(serve: Any) -> None:
    server = serve(Inbox(failing=True))  # 451 after the message: the server did not take it
    with pytest.raises(TransportError, match="451"):
        _impatient(server).send(_message())


def test_a_slow_goodbye_after_acceptance_is_a_success(serve: Any) -> None:
    server = serve(SlowQuit())
    _impatient(server).send(_message())
    assert len(server.inbox.messages) == 1


#: Body lines: ordinary text, and the lines SMTP's dot-stuffing must protect.
_LINES = st.one_of(st.sampled_from([".", "..", ".x", ". ", "...."]),
                   st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                           max_size=30))


def test_any_body_arrives_as_it_was_sent(serve: Any) -> None:
    """The transport writes DATA itself now (a guard, not a regression test): the stored
    body is the body sent, for any lines (dots included), through a real server."""
    server = serve(Inbox())
    transport = server.transport()

    @examples(max_examples=60, deadline=None)
    @given(lines=st.lists(_LINES, min_size=1, max_size=8))
    def check(lines: list[str]) -> None:
        message = _message()
        message.set_content("\n".join(lines), cte="8bit")
        before = len(server.inbox.messages)
        transport.send(message)
        sent, stored = (m.get_body(("plain",)) for m in (message,
                                                         server.inbox.messages[before][1]))
        assert sent is not None and stored is not None
        assert stored.get_content().replace("\r\n", "\n") == sent.get_content()

    check()


# -- the daily run against a slow server: each digest stored once, marked, requeued -------


def _run_until_nothing_is_pending(engine: Engine, server: SmtpServer) -> int:
    """The morning run, then the retry sweep every 10 minutes for a day: what the scheduler
    does. Returns how many sweeps ran."""
    s = settings(digest_retry_seconds=60, digest_max_attempts=5)
    now = at_nine(DAY)
    run_day(engine, day=DAY, now=now, transport=_impatient(server), settings=s)
    sweeps = 0
    while day_states(engine, DAY)["pending"] and sweeps < 50:
        now += timedelta(minutes=10)
        deliver(engine, transport=_impatient(server), now=now, settings=s)
        sweeps += 1
    return sweeps


def test_a_slow_server_gets_each_digest_once_and_rows_say_outcome_unknown(
        seeded_engine: Engine, serve: Any) -> None:
    server = serve(SlowInbox())
    _run_until_nothing_is_pending(seeded_engine, server)
    stored = _stored_per_message_id(server.inbox)
    assert len(stored) == RECIPIENTS and set(stored.values()) == {1}
    assert day_states(seeded_engine, DAY) == {"failed": RECIPIENTS}
    with DBSession(seeded_engine) as session:
        rows = session.exec(select(DigestDelivery)).all()
    assert all(r.attempts == 1 and is_outcome_unknown(r.last_error) for r in rows)
    assert all((r.last_error or "").startswith(OUTCOME_UNKNOWN) for r in rows)
    # Further runs and sweeps, later that day: nothing more goes out.
    again = run_day(seeded_engine, day=DAY, now=at_nine(DAY) + timedelta(hours=6),
                    transport=_impatient(server), settings=settings())
    deliver(seeded_engine, transport=_impatient(server), now=at_nine(DAY) + timedelta(hours=7),
            settings=settings())
    assert (again.sent, again.failed, again.skipped) == (0, 0, RECIPIENTS)
    assert _stored_per_message_id(server.inbox) == stored


def test_one_run_reports_the_unknown_outcomes(seeded_engine: Engine, serve: Any) -> None:
    result = run_day(seeded_engine, day=DAY, now=at_nine(DAY),
                     transport=_impatient(serve(SlowInbox())), settings=settings())
    # The breaker opens after three sends without an answer; the rest wait, untouched.
    assert (result.sent, result.failed, result.unknown, result.pending) == (
        0, 0, 3, RECIPIENTS - 3)
    assert "outcome unknown 3" in result.summary()


def test_requeue_resends_once_with_the_same_message_id(seeded_engine: Engine,
                                                       serve: Any) -> None:
    slow = serve(SlowInbox())
    _run_until_nothing_is_pending(seeded_engine, slow)
    first = _stored_per_message_id(slow.inbox)
    healthy = serve(Inbox())
    later = at_nine(DAY) + timedelta(days=1)
    assert requeue(seeded_engine, day=DAY, now=later,
                   recipient="JASHORE@tracker.local ") == 1
    result = deliver(seeded_engine, transport=healthy.transport(), now=later, day=DAY)
    assert result.sent == 1
    [(rcpts, message)] = healthy.inbox.messages
    assert rcpts == ["jashore@tracker.local"] and str(message["Message-ID"]) in first
    assert requeue(seeded_engine, day=DAY, now=later) == RECIPIENTS - 1
    deliver(seeded_engine, transport=healthy.transport(), now=later, day=DAY)
    deliver(seeded_engine, transport=healthy.transport(), now=later + timedelta(hours=1))
    assert _stored_per_message_id(healthy.inbox) == first  # each once more, same ids
    assert day_states(seeded_engine, DAY) == {"sent": RECIPIENTS}
    assert requeue(seeded_engine, day=DAY, now=later) == 0  # sent digests are not requeued


def test_requeue_also_takes_interrupted_and_given_up_digests(seeded_engine: Engine,
                                                            serve: Any) -> None:
    s = settings(digest_max_attempts=1)
    plan_day(seeded_engine, day=DAY, now=at_nine(DAY), settings=s)
    with seeded_engine.begin() as connection:
        ids = list(connection.execute(sa.select(TABLE.c.id).order_by(TABLE.c.id)).scalars())
        connection.execute(TABLE.update().where(TABLE.c.id == ids[0]).values(
            state="failed", last_error=INTERRUPTED, attempts=1))
        connection.execute(TABLE.update().where(TABLE.c.id == ids[1]).values(
            state="failed", last_error="451 gave up", attempts=1))
        connection.execute(TABLE.update().where(TABLE.c.id.in_(ids[2:])).values(
            state="sent"))
    assert requeue(seeded_engine, day=DAY, now=at_nine(DAY)) == 2
    with DBSession(seeded_engine) as session:
        row = session.get(DigestDelivery, ids[0])
        assert row is not None and (row.state, row.attempts) == ("pending", 0)
        assert not is_outcome_unknown(row.last_error)
    server = serve(Inbox())
    assert deliver(seeded_engine, transport=server.transport(), now=at_nine(DAY),
                   settings=s).sent == 2


# -- per recipient: one digest that cannot be built stops no other ------------------------


def _breaks_for(office_code: str) -> Any:
    """build_digests that fails (as a calendar range error does) whenever ``office_code``'s
    digest is among those asked for."""
    real = build_digests

    def build(session: Any, **kwargs: Any) -> Any:
        digests = real(session, **kwargs)
        if any(d.office_code == office_code for d in digests.upazila.values()):
            raise CalendarRangeError("2032-01-01 is outside the known calendar (test)")
        return digests

    return build


def test_one_recipient_whose_digest_cannot_be_built_stops_no_other(
        seeded_engine: Engine, serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "build_digests", _breaks_for("jashore.keshabpur"))
    server = serve(Inbox())
    result = run_day(seeded_engine, day=DAY, now=at_nine(DAY), transport=server.transport(),
                     settings=settings())
    # Keshabpur's officer, and Jashore's programmer (whose digest covers Keshabpur).
    assert (result.sent, result.planned) == (RECIPIENTS - 2, RECIPIENTS - 2)
    assert sorted(f.recipient for f in result.errors) == ["jashore-keshabpur@tracker.local",
                                                          "jashore@tracker.local"]
    assert all("outside the known calendar" in f.line() for f in result.errors)
    assert "not built 2" in result.summary()
    assert "jashore@tracker.local" not in server.inbox.recipients
    # Nothing was recorded for them: once the data is fixed, the next run sends both.
    monkeypatch.undo()
    later = run_day(seeded_engine, day=DAY, now=at_nine(DAY) + timedelta(hours=1),
                    transport=server.transport(), settings=settings())
    assert (later.sent, later.errors) == (2, ())
    assert len(server.inbox.messages) == RECIPIENTS


def test_a_far_future_due_date_in_the_data_stops_no_other_office(
        seeded_engine: Engine, serve: Any) -> None:
    """The real fault of item 1: one request's due date beyond the known calendar."""
    with seeded_engine.begin() as connection:
        office = connection.execute(sa.text(
            "SELECT id FROM office WHERE code = 'magura.magura-sadar'")).scalar_one()
        request_id = connection.execute(sa.text(
            "SELECT min(id) FROM request WHERE office_id = :o AND closed_at IS NULL"),
            {"o": office}).scalar_one()
        connection.execute(sa.text(
            "UPDATE request SET due_date = :d, base_due_date = :d, anchor_due_date = :d "
            "WHERE id = :i"), {"d": date(2032, 1, 1), "i": request_id})
    server = serve(Inbox())
    result = run_day(seeded_engine, day=DAY, now=at_nine(DAY), transport=server.transport(),
                     settings=settings())
    others = {"dinajpur-dinajpur-sadar@tracker.local", "jashore-keshabpur@tracker.local",
              "manikganj-manikganj-sadar@tracker.local", "lalmonirhat-patgram@tracker.local",
              "dinajpur@tracker.local", "jashore@tracker.local", "manikganj@tracker.local",
              "lalmonirhat@tracker.local", "habiganj-madhabpur-land@tracker.local",
              "jamalpur-sarishabari-doail-up@tracker.local", "habiganj@tracker.local",
              "jamalpur@tracker.local"}
    assert len(others) == RECIPIENTS - 2  # all but Magura Sadar's officer and programmer
    assert others <= set(server.inbox.recipients)
    assert result.sent + len(result.errors) == RECIPIENTS


def test_a_build_failure_is_the_only_one_even_when_one_pass_is_not_possible(
        seeded_engine: Engine, serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while rendering one digest (after the aggregate pass) costs only it."""
    real = compose_message

    def compose(rendered: Any, **kwargs: Any) -> EmailMessage:
        if kwargs["to"] == "magura@tracker.local":
            raise CalendarRangeError("2032-01-01 is outside the known calendar (test)")
        return real(rendered, **kwargs)

    monkeypatch.setattr(jobs, "compose", compose)
    server = serve(Inbox())
    result = run_day(seeded_engine, day=DAY, now=at_nine(DAY), transport=server.transport(),
                     settings=settings())
    assert result.sent == RECIPIENTS - 1
    assert [f.recipient for f in result.errors] == ["magura@tracker.local"]


# -- the CLI: send prints the failures, status shows unknown outcomes, requeue resends -----


@pytest.fixture
def cli_demo(tmp_path: Path, settings_env: pytest.MonkeyPatch, demo_copy: DemoCopy) -> Path:
    url = demo_copy(DemoSpec(until=DAY, builder=Builder.MIGRATIONS))
    settings_env.setenv("TRACKER_DATABASE_URL", url)
    settings_env.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    settings_env.setenv("TRACKER_SMTP_TIMEOUT", str(CLIENT_TIMEOUT))
    get_settings.cache_clear()
    return tmp_path


def _point_at(server: SmtpServer, settings_env: pytest.MonkeyPatch) -> None:
    settings_env.setenv("TRACKER_SMTP_PORT", str(server.port))
    get_settings.cache_clear()


def test_cli_status_shows_unknown_outcomes_and_requeue_resends_them(
        cli_demo: Path, serve: Any, settings_env: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    slow = serve(SlowInbox())
    _point_at(slow, settings_env)
    code, out, _ = run(capsys, "digest", "send", "--date", "2024-08-20")
    assert code == 0
    # the breaker opens after three sends without an answer: 3 unknown, 11 wait
    assert out == ("2024-08-20: sent 0, skipped 0, failed 0 (11 pending retry), outcome "
                   "unknown 3 (not re-sent, see tracker digest status) via smtp\n")
    code, out, _ = run(capsys, "digest", "send", "--date", "2024-08-20")
    assert len(slow.inbox.messages) == 6
    _code, out, _ = run(capsys, "digest", "status", "--date", "2024-08-20")
    lines = out.splitlines()
    assert lines[0] == "2024-08-20: failed 6, pending 8"  # 3 more unknown, 14 - 6 wait
    assert sum("failed   " in line and OUTCOME_UNKNOWN in line for line in lines) == 6
    assert lines[-1].startswith("6 digest(s) with outcome unknown: the server may have "
                                "delivered them")
    healthy = serve(Inbox())
    _point_at(healthy, settings_env)
    code, out, _ = run(capsys, "digest", "requeue", "--date", "2024-08-20")
    assert code == 0
    # the six requeued and the eight still pending
    assert out == "2024-08-20: requeued 6; sent 14, failed 0 via smtp\n"
    assert len(healthy.inbox.messages) == RECIPIENTS
    code, out, _ = run(capsys, "digest", "requeue", "--date", "2024-08-20")
    assert out == "2024-08-20: no failed digests to requeue\n"
    assert len(healthy.inbox.messages) == RECIPIENTS


def test_cli_send_prints_each_digest_it_could_not_build(
        cli_demo: Path, serve: Any, settings_env: pytest.MonkeyPatch,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(jobs, "build_digests", _breaks_for("lalmonirhat.patgram"))
    server = serve(Inbox())
    _point_at(server, settings_env)
    code, out, err = run(capsys, "digest", "send", "--date", "2024-08-20")
    assert code == 1
    # all but Patgram's officer and Lalmonirhat's programmer: 14 - 2
    assert out == ("2024-08-20: sent 12, skipped 0, failed 0 (0 pending retry), not built 2 "
                   "via smtp\n")
    assert err.splitlines() == [
        "error: upazila_daily digest for lalmonirhat-patgram@tracker.local not built: "
        "2032-01-01 is outside the known calendar (test)",
        "error: district_daily digest for lalmonirhat@tracker.local not built: "
        "2032-01-01 is outside the known calendar (test)"]
    assert len(server.inbox.messages) == RECIPIENTS - 2
