"""Issue 11 item 11: login throttling, on SQLite and PostgreSQL.

Before: ~4 wrong passwords a second were checked for ever (130 of 130 verified) and the
right password still worked after them. Now an account locks after 5 failures and a client
after 20, for a delay that doubles (1 min .. 1 h), checked before any password; every
attempt is recorded, logged and listed for administrators (``tracker user attempts``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from tests.conftest import SMALL_DEMO
from tests.databases import DemoCopy
from tests.test_cli import run
from tracker.config import PROJECT_ROOT, get_settings
from tracker.domain.localtime import to_local
from tracker.services import auth
from tracker.services.auth import (
    ACCOUNT_THROTTLE,
    CLIENT_FAILURES_BEFORE_LOCK,
    CLIENT_THROTTLE,
    FIRST_LOCK,
    INVALID_NAME_KEY,
    LONGEST_LOCK,
    SYSTEM,
    AuthenticationFailed,
    LoginLocked,
    LoginResult,
    PermissionDenied,
    Scope,
    account_key,
    attempt_login,
    authenticate,
    client_key,
    current_locks,
    list_attempts,
    retry_time,
    unlock,
)
from tracker.services.demo import DEMO_PASSWORD
from tracker.store import db
from tracker.store.db import make_engine, session_scope
from tracker.store.models import LoginAttempt, LoginOutcome, User

RIGHT = "the-right-password"
#: 15:00 in Dhaka: lock times read plainly in the messages.
T0 = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)
CLIENT = "ip:203.0.113.7"
OTHER_CLIENT = "ip:198.51.100.9"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its lowest cost: the throttle does not depend on the hash's cost, and the
    shared machine verifies a default hash in about a second."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("not-a-real-password"))


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passwords actually checked against a hash, in order."""
    checked: list[str] = []
    real = auth.verify_password

    def counting(password_hash: str, password: str) -> bool:
        checked.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    return checked


def add_user(engine: Engine, username: str = "admin", role: str = "admin") -> None:
    with Session(engine) as session:
        session.add(User(username=username, full_name=username, role=role,
                         password_hash=auth.hash_password(RIGHT)))
        session.commit()


def attempt(engine: Engine, username: str, password: str, at: datetime,
            client: str = CLIENT) -> LoginResult:
    """One login as the dashboard makes it: its own unit of work, committed."""
    with session_scope(engine) as session:
        result = attempt_login(session, username=username, password=password,
                               client=client, now=at)
        session.expunge_all()
        return result


def fail(engine: Engine, times: int, start: datetime, username: str = "admin",
         client: str = CLIENT, step: timedelta = timedelta(seconds=1)) -> datetime:
    """``times`` wrong passwords a ``step`` apart; the moment of the last one."""
    at = start
    for i in range(times):
        at = start + i * step
        assert attempt(engine, username, f"wrong-{i}", at, client).user is None
    return at


def outcomes(engine: Engine, **where: str) -> list[LoginOutcome]:
    with Session(engine) as session:
        query = select(LoginAttempt).order_by(col(LoginAttempt.id))
        for name, value in where.items():
            query = query.where(getattr(LoginAttempt, name) == value)
        return [row.outcome for row in session.exec(query)]


# -- the policy, pure -----------------------------------------------------------------------


def test_the_lock_doubles_from_the_threshold_and_stops_at_an_hour() -> None:
    assert ACCOUNT_THROTTLE.lock_after(4) is None
    minutes = [ACCOUNT_THROTTLE.lock_after(n) for n in range(5, 14)]
    assert minutes == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]
    assert ACCOUNT_THROTTLE.lock_after(10**9) == LONGEST_LOCK
    assert CLIENT_THROTTLE.lock_after(CLIENT_FAILURES_BEFORE_LOCK - 1) is None
    assert CLIENT_THROTTLE.lock_after(CLIENT_FAILURES_BEFORE_LOCK) == FIRST_LOCK


def test_the_retry_time_is_the_first_whole_minute_after_the_lock_in_dhaka() -> None:
    assert retry_time(datetime(2025, 6, 30, 9, 1, 0, tzinfo=UTC)) == "15:01"
    assert retry_time(datetime(2025, 6, 30, 9, 1, 0, 1, tzinfo=UTC)) == "15:02"
    assert retry_time(datetime(2025, 6, 30, 17, 59, 30, tzinfo=UTC)) == "00:00"


def test_the_client_is_the_address_else_the_browser_session() -> None:
    assert client_key("203.0.113.7", "abc") == "ip:203.0.113.7"
    assert client_key(None, "abc") == client_key("  ", "abc") == "session:abc"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # cheap_hashes
@given(st.text(max_size=300))
def test_any_typed_name_gives_a_short_key_without_control_characters(typed: str) -> None:
    key = account_key(typed)
    assert len(key) <= auth.MAX_NAME_CHARS
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in key)
    assert key == INVALID_NAME_KEY or key == key.strip().casefold()


def test_names_differing_in_case_and_spaces_are_one_account() -> None:
    assert account_key(" Admin ") == account_key("ADMIN") == account_key("admin") == "admin"
    assert account_key("ad\x00min") == INVALID_NAME_KEY


# -- the account lock -----------------------------------------------------------------------


def test_five_wrong_passwords_lock_out_even_the_right_one(engine: Engine,
                                                           verified: list[str]) -> None:
    add_user(engine)
    last = fail(engine, 4, T0)
    fifth = attempt(engine, "admin", "wrong-5", last + timedelta(seconds=1))
    assert fifth.outcome is LoginOutcome.FAILED
    assert fifth.locked_until == last + timedelta(seconds=1) + FIRST_LOCK
    checked = len(verified)
    refused = attempt(engine, "admin", RIGHT, last + timedelta(seconds=10))
    assert (refused.outcome, refused.user) == (LoginOutcome.REFUSED, None)
    assert len(verified) == checked, "a locked account must not have its password checked"
    with pytest.raises(LoginLocked) as error:
        refused.user_or_raise()
    assert str(error.value) == "too many failed attempts; try again after 15:02 (Asia/Dhaka)"
    assert outcomes(engine) == [LoginOutcome.FAILED] * 5 + [LoginOutcome.REFUSED]


def test_after_the_lock_the_right_password_works_and_clears_the_count(engine: Engine) -> None:
    add_user(engine)
    last = fail(engine, 5, T0)
    after = last + FIRST_LOCK
    result = attempt(engine, "admin", RIGHT, after)
    assert result.outcome is LoginOutcome.SUCCEEDED and result.user is not None
    assert result.user.username == "admin"
    # A fresh count: four more failures do not lock, the fifth does.
    last = fail(engine, 4, after + timedelta(seconds=1))
    assert attempt(engine, "admin", RIGHT, last + timedelta(seconds=1)).user is not None


def test_every_failure_after_a_lock_doubles_it_up_to_an_hour(engine: Engine) -> None:
    add_user(engine)
    at = fail(engine, 5, T0)
    locks = []
    for _ in range(8):
        result = attempt(engine, "admin", RIGHT, at + timedelta(seconds=1))
        assert result.outcome is LoginOutcome.REFUSED  # one second into the lock
        assert result.locked_until is not None
        locks.append(result.locked_until - at)
        at = result.locked_until  # the moment the lock ends: one more wrong guess
        assert attempt(engine, "admin", "wrong-again", at).outcome is LoginOutcome.FAILED
    assert locks == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60)]


def test_refusals_do_not_lengthen_the_lock(engine: Engine) -> None:
    add_user(engine)
    last = fail(engine, 5, T0)
    for second in range(1, 60, 5):
        assert attempt(engine, "admin", "x", last + timedelta(seconds=second)).locked_until \
            == last + FIRST_LOCK
    assert attempt(engine, "admin", RIGHT, last + FIRST_LOCK).user is not None


def test_130_guesses_at_4_a_second_check_only_5_passwords(engine: Engine,
                                                         verified: list[str]) -> None:
    """The reported attack: 130 guesses, then the right password."""
    add_user(engine)
    results = [attempt(engine, "admin", f"guess-{i}", T0 + i * timedelta(milliseconds=250))
               for i in range(130)]
    assert len(verified) == 5  # before: 130
    assert [r.outcome for r in results].count(LoginOutcome.REFUSED) == 125
    assert attempt(engine, "admin", RIGHT, T0 + timedelta(seconds=33)).user is None


def test_unknown_names_lock_like_real_ones(engine: Engine) -> None:
    """The lockout must not tell a guesser which names exist."""
    add_user(engine)
    for name in ("admin", "nobody"):
        last = fail(engine, 5, T0, username=name)
        result = attempt(engine, name, RIGHT, last + timedelta(seconds=1))
        assert (result.outcome, result.locked_until) == (LoginOutcome.REFUSED,
                                                         last + FIRST_LOCK)


def test_a_lock_covers_the_names_that_differ_only_in_case(engine: Engine) -> None:
    add_user(engine)
    for i, typed in enumerate(["Admin", "ADMIN ", " admin", "aDmin", "admin"]):
        attempt(engine, typed, "wrong", T0 + timedelta(seconds=i))
    assert attempt(engine, "admin", RIGHT, T0 + timedelta(seconds=9)).outcome \
        is LoginOutcome.REFUSED


def test_failures_older_than_a_day_are_forgotten(engine: Engine) -> None:
    add_user(engine)
    fail(engine, 4, T0)
    later = T0 + ACCOUNT_THROTTLE.memory + timedelta(seconds=5)
    last = fail(engine, 4, later)
    assert attempt(engine, "admin", RIGHT, last + timedelta(seconds=1)).user is not None


def test_a_name_with_a_nul_byte_is_recorded_not_a_crash(engine: Engine) -> None:
    """PostgreSQL refuses NUL in text: the typed name is stored as its key."""
    result = attempt(engine, "adm\x00in", RIGHT, T0)
    assert result.outcome is LoginOutcome.FAILED
    assert outcomes(engine, username=INVALID_NAME_KEY) == [LoginOutcome.FAILED]


def test_authenticate_raises_the_lockout_and_the_failure(engine: Engine) -> None:
    add_user(engine)
    with Session(engine) as session:
        with pytest.raises(AuthenticationFailed) as wrong:
            authenticate(session, username="admin", password="nope", client=CLIENT, now=T0)
        assert not isinstance(wrong.value, LoginLocked)
        for i in range(4):
            attempt_login(session, username="admin", password="nope", client=CLIENT,
                          now=T0 + timedelta(seconds=i + 1))
        with pytest.raises(LoginLocked, match="try again after 15:02"):
            authenticate(session, username="admin", password=RIGHT, client=CLIENT,
                         now=T0 + timedelta(seconds=30))


def test_failed_and_refused_logins_are_logged(engine: Engine,
                                              caplog: pytest.LogCaptureFixture) -> None:
    add_user(engine)
    with caplog.at_level(logging.INFO, logger="tracker.services.auth"):
        last = fail(engine, 5, T0)
        attempt(engine, "admin", RIGHT, last + timedelta(seconds=1))
    lines = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert [level for level, _ in lines] == [logging.WARNING] * 5 + [logging.INFO]
    assert all(line.startswith("login failed for 'admin' from ip:203.0.113.7")
               for _, line in lines[:5])
    assert lines[4][1].endswith("; account locked until 2025-06-30T09:01:04+00:00")
    assert lines[5][1].startswith("login refused for 'admin' from ip:203.0.113.7: account")


# -- the client lock --------------------------------------------------------------------------


def test_one_client_trying_many_names_is_locked_out_of_every_account(engine: Engine) -> None:
    add_user(engine)
    for i in range(CLIENT_FAILURES_BEFORE_LOCK):
        attempt(engine, f"user{i}", "Spring2025!", T0 + timedelta(seconds=i))
    after = T0 + timedelta(seconds=30)
    refused = attempt(engine, "admin", RIGHT, after)
    assert refused.outcome is LoginOutcome.REFUSED
    assert refused.locked_until == T0 + timedelta(seconds=19) + FIRST_LOCK
    # The account itself is not locked: from another client the right password works.
    assert attempt(engine, "admin", RIGHT, after, client=OTHER_CLIENT).user is not None


def test_a_success_does_not_clear_the_clients_failures(engine: Engine) -> None:
    add_user(engine, "mine", role="upazila_officer")
    at = T0
    for i in range(CLIENT_FAILURES_BEFORE_LOCK - 1):
        at = T0 + timedelta(seconds=i)
        attempt(engine, f"user{i}", "guess", at)
        if i % 4 == 3:  # the sprayer's own account, between rounds, resets only itself
            assert attempt(engine, "mine", RIGHT, at).user is not None
    assert attempt(engine, "victim", "guess", at + timedelta(seconds=1)).locked_until \
        is not None
    assert attempt(engine, "mine", RIGHT, at + timedelta(seconds=2)).outcome \
        is LoginOutcome.REFUSED


def test_parallel_guesses_are_counted_one_after_another(engine: Engine,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight guesses at once on an account one failure short of its lock: one is checked,
    seven are refused (not eight checked because each counted before the others wrote)."""
    add_user(engine)
    last = fail(engine, 4, T0)
    real = auth.verify_password

    def slow(password_hash: str, password: str) -> bool:
        time.sleep(0.3)  # a wide window for the race
        return real(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", slow)
    start = threading.Barrier(8)

    def guess(i: int) -> LoginOutcome:
        start.wait()
        return attempt(engine, "admin", f"parallel-{i}", last + timedelta(seconds=5),
                       client=f"ip:10.0.0.{i}").outcome

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(guess, range(8)))
    assert sorted(results) == sorted([LoginOutcome.FAILED] + [LoginOutcome.REFUSED] * 7)


# -- administrators ---------------------------------------------------------------------------


OFFICER = Scope("officer", "upazila_officer", frozenset(), frozenset())


def test_an_admin_unlocks_an_account_and_the_unlock_is_recorded(engine: Engine) -> None:
    add_user(engine)
    last = fail(engine, 7, T0)
    now = last + timedelta(seconds=5)
    with session_scope(engine) as session:
        locks = current_locks(session, scope=SYSTEM, now=now)
        # 5 failures (then 2 refusals) lock the account; not the client (limit 20).
        assert [(lock.kind.value, lock.key, lock.failures) for lock in locks] == [
            ("account", "admin", 5)]
        with pytest.raises(PermissionDenied, match="administrators only"):
            unlock(session, scope=OFFICER, now=now, username="admin")
        unlock(session, scope=SYSTEM, now=now, username="Admin")
    assert attempt(engine, "admin", RIGHT, now + timedelta(seconds=1)).user is not None
    with Session(engine) as session:
        rows = list_attempts(session, scope=SYSTEM, since=T0)
        assert [(r.outcome, r.actor) for r in rows[-2:]] == [
            (LoginOutcome.UNLOCKED, "system"), (LoginOutcome.SUCCEEDED, None)]
        with pytest.raises(PermissionDenied):
            list_attempts(session, scope=OFFICER, since=T0)


def test_an_admin_unlocks_a_client(engine: Engine) -> None:
    add_user(engine)
    for i in range(CLIENT_FAILURES_BEFORE_LOCK):
        attempt(engine, f"user{i}", "guess", T0 + timedelta(seconds=i))
    now = T0 + timedelta(seconds=25)
    with session_scope(engine) as session:
        assert [lock.key for lock in current_locks(session, scope=SYSTEM, now=now)] == [CLIENT]
        unlock(session, scope=SYSTEM, now=now, client=CLIENT)
    assert attempt(engine, "admin", RIGHT, now + timedelta(seconds=1)).user is not None


# -- the CLI ----------------------------------------------------------------------------------


@pytest.fixture
def cli_engine(cli_db: str, capsys: pytest.CaptureFixture[str]) -> Iterator[Engine]:
    code, _, err = run(capsys, "db", "upgrade")
    assert code == 0, err
    engine = make_engine(cli_db)
    yield engine
    engine.dispose()


def _recent(engine: Engine) -> tuple[datetime, int]:
    """Failures on ``admin`` over the last ten minutes, each after the lock before it had
    ended, so that it is locked for some minutes yet (the CLI reads the real clock)."""
    add_user(engine)
    add_user(engine, "officer", role="upazila_officer")
    now = datetime.now(UTC)
    start = now - timedelta(minutes=10)
    last = fail(engine, 5, start)
    assert attempt(engine, "admin", RIGHT, last + timedelta(seconds=1)).locked_until
    until, failures = last + FIRST_LOCK, 5
    while until < now + timedelta(minutes=5):
        locked = attempt(engine, "admin", "wrong", until).locked_until
        assert locked is not None
        until, failures = locked, failures + 1
    attempt(engine, "ghost\x07", "guess", now - timedelta(minutes=1), client=OTHER_CLIENT)
    return start, failures


def test_the_cli_lists_attempts_and_locks_to_admins_only(
        cli_engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    start, failures = _recent(cli_engine)
    code, out, err = run(capsys, "user", "attempts", "--username", "ADMIN")
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[2:] for line in lines] == (
        [["failed", "admin", CLIENT]] * 5 + [["refused", "admin", CLIENT]]
        + [["failed", "admin", CLIENT]] * (failures - 5))
    first = to_local(start)
    assert lines[0].startswith(f"{first.date} {first.time:%H:%M:%S}  failed")
    _, out, _ = run(capsys, "user", "attempts", "--client", OTHER_CLIENT)
    assert out.split()[2:] == ["failed", INVALID_NAME_KEY, OTHER_CLIENT]
    _, out, _ = run(capsys, "user", "attempts", "--since",
                    f"{to_local(start).date}T{to_local(start).time:%H:%M}", "--limit", "2")
    assert len(out.splitlines()) == 2 and OTHER_CLIENT in out
    _, out, _ = run(capsys, "user", "locked")
    assert out.startswith("account admin  until ") and f"({failures} failures)" in out
    code, _, err = run(capsys, "user", "attempts", "--as", "officer")
    assert code == 2 and err.strip() == (
        "error: officer may not read login attempts: administrators only")


def test_the_cli_unlocks_an_account(cli_engine: Engine,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    _recent(cli_engine)
    code, _, err = run(capsys, "user", "unlock", "admin", "--as", "officer")
    assert code == 2 and "administrators only" in err
    code, out, err = run(capsys, "user", "unlock", "admin", "--as", "admin")
    assert (code, out) == (0, "unlocked account admin\n"), err
    assert run(capsys, "user", "locked")[1] == ""
    _, out, _ = run(capsys, "user", "attempts", "--username", "admin")
    assert out.splitlines()[-1].endswith("unlocked  admin  - by admin")
    code, _, err = run(capsys, "user", "unlock")
    assert code == 2 and "name an account" in err


# -- the dashboard ----------------------------------------------------------------------------


@pytest.fixture
def dashboard_db(demo_copy: DemoCopy, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The dashboard on a writable copy of the small demo (logins write attempts)."""
    import streamlit

    url = demo_copy(SMALL_DEMO)
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    get_settings.cache_clear()
    streamlit.cache_resource.clear()
    yield url
    streamlit.cache_resource.clear()
    get_settings.cache_clear()


def _login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def _dashboard(lang: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


def _earlier_failures(url: str, username: str, count: int) -> None:
    """Failures just now from other clients (the dashboard reads the real clock)."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    for i in range(count):
        attempt(engine, username, "wrong", now - timedelta(seconds=count - i),
                client=f"ip:192.0.2.{i}")
    engine.dispose()


def test_the_login_page_shows_the_lockout_and_refuses_the_right_password(
        dashboard_db: str) -> None:
    _earlier_failures(dashboard_db, "jashore-keshabpur", 4)
    at = _login(_dashboard("en"), "jashore-keshabpur", "wrong-password")  # the fifth
    assert not at.exception
    [message] = [e.value for e in at.error]
    assert message.startswith("Too many failed attempts; try again after ")
    assert message.endswith(" (Asia/Dhaka)")
    _login(at, "jashore-keshabpur", DEMO_PASSWORD)
    assert [e.value for e in at.error] == [message]
    assert "user" not in at.session_state
    with Session(make_engine(dashboard_db)) as session:
        rows = list_attempts(session, scope=SYSTEM, since=T0, username="jashore-keshabpur")
    assert [r.outcome for r in rows][-2:] == [LoginOutcome.FAILED, LoginOutcome.REFUSED]
    assert rows[-1].client is not None and rows[-1].client.startswith("session:")


def test_the_lockout_message_is_in_bengali_with_bengali_digits(dashboard_db: str) -> None:
    _earlier_failures(dashboard_db, "jashore-keshabpur", 5)
    at = _login(_dashboard("bn"), "jashore-keshabpur", DEMO_PASSWORD)
    [message] = [e.value for e in at.error]
    with Session(make_engine(dashboard_db)) as session:
        [lock] = current_locks(session, scope=SYSTEM, now=datetime.now(UTC))
    assert message == i18n.t("login_locked", "bn",
                             time=i18n.fmt_time(retry_time(lock.until), "bn"))
    assert "ঢাকা সময়" in message and not any(c.isascii() and c.isdigit() for c in message)


def test_a_database_without_the_attempts_table_refuses_logins_plainly(
        cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A dashboard started on a database not yet upgraded: no throttle, no login."""
    import streamlit

    assert run(capsys, "db", "upgrade")[0] == 0
    engine = make_engine(cli_db)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE login_attempt")
    engine.dispose()
    streamlit.cache_resource.clear()
    db.clear_engine_cache()
    at = _login(_dashboard("en"), "admin", RIGHT)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "the database is not up to date: run `tracker db upgrade`"]
    streamlit.cache_resource.clear()
