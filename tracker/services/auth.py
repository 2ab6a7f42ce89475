"""Passwords (argon2), login throttling, and role scoping, enforced on the server side.

Roles (reads and writes):

- upazila_officer: reads and writes its own office only;
- district_programmer: reads every office of its district, writes nothing;
- admin: everything.

A ``Scope`` is resolved once per user from the database and then used both to check a
single office and to filter queries (``Request.office_id IN scope.readable``).

Login throttling (``attempt_login``): every attempt is recorded in ``login_attempt`` with
the name as typed (``account_key``) and the client (``client_key``). Before any password is
checked, the account's and the client's recent failures are counted:

- an account's failures since its last success (or unlock), within ``ACCOUNT_MEMORY``:
  the ``ACCOUNT_FAILURES_BEFORE_LOCK``-th locks it for ``FIRST_LOCK``, each further one
  for twice as long as the one before (1, 2, 4 ... minutes), at most ``LONGEST_LOCK``;
- a client's failures across every account within ``CLIENT_MEMORY`` (a success does not
  clear them: one good account must not launder a spray): the same doubling from
  ``CLIENT_FAILURES_BEFORE_LOCK`` on.

While either is locked the attempt is refused — the right password too — without hashing
(the hash's cost and result tell a locked-out guesser nothing) and recorded as refused;
refusals do not lengthen the lock (a user retrying in good faith is not punished for it).
Unknown names are throttled exactly like real ones, so the lockout reveals no account.
An administrator lists attempts and locks and unlocks accounts or clients (``tracker user
attempts | locked | unlock``). "Now" is always a parameter: the edges read the clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, func, select

from tracker.domain.localtime import to_local
from tracker.domain.text import clean_text
from tracker.errors import InputError, TrackerError
from tracker.store.models import LoginAttempt, LoginOutcome, Office, User

log = logging.getLogger(__name__)

_hasher = PasswordHasher()


class PermissionDenied(TrackerError):
    """The user's role does not allow this."""


class AuthenticationFailed(TrackerError):
    """Unknown user or wrong password (deliberately not saying which)."""


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise TrackerError("passwords need at least 8 characters")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Scope:
    """What one user may read and write. ``None`` sets mean every office."""

    username: str
    role: str
    readable: frozenset[int] | None
    writable: frozenset[int] | None

    def can_read(self, office_id: int) -> bool:
        return self.readable is None or office_id in self.readable

    def can_write(self, office_id: int) -> bool:
        return self.writable is None or office_id in self.writable

    def require_read(self, office: Office) -> None:
        assert office.id is not None
        if not self.can_read(office.id):
            raise PermissionDenied(f"{self.username} may not read office {office.code}")

    def require_write(self, office: Office) -> None:
        assert office.id is not None
        if not self.can_write(office.id):
            raise PermissionDenied(f"{self.username} may not change office {office.code}")


#: The system itself: CLI maintenance commands, the scheduler, the demo builder.
SYSTEM = Scope("system", "admin", None, None)


def scope_for(session: Session, user: User | None) -> Scope:
    if user is None:
        return SYSTEM
    if not user.active:
        raise PermissionDenied(f"user {user.username} is disabled")
    if user.role == "admin":
        return Scope(user.username, user.role, None, None)
    office = session.get(Office, user.office_id) if user.office_id else None
    if office is None or office.id is None:
        return Scope(user.username, user.role, frozenset(), frozenset())
    if user.role == "upazila_officer":
        own = frozenset({office.id})
        return Scope(user.username, user.role, own, own)
    if user.role == "district_programmer":
        ids = session.exec(select(Office.id).where(Office.district_id == office.district_id))
        return Scope(user.username, user.role, frozenset(i for i in ids if i is not None),
                     frozenset())
    return Scope(user.username, user.role, frozenset(), frozenset())


def require_admin(scope: Scope, what: str) -> None:
    """Refuse anyone but an administrator (or the system) ``what``."""
    if scope.role != "admin":
        raise PermissionDenied(f"{scope.username} may not {what}: administrators only")


# -- login throttling -----------------------------------------------------------------------

#: The account's failures that lock it: the 5th in a row locks it for FIRST_LOCK.
ACCOUNT_FAILURES_BEFORE_LOCK = 5
#: How far back an account's failures count (a success or an unlock clears them sooner).
#: A day, not minutes: with a short window a guesser pacing 4 tries per window is never
#: locked at all (4 per 15 minutes is 384 guesses a day).
ACCOUNT_MEMORY = timedelta(hours=24)
#: Failures from one client across all accounts that lock the client (spraying one
#: password over many names). Higher than the account's: an office may share an address.
CLIENT_FAILURES_BEFORE_LOCK = 20
CLIENT_MEMORY = timedelta(hours=1)
#: The first lock; each further failure doubles it, up to LONGEST_LOCK.
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
#: The account key of a typed name that cannot be anyone's (control characters, too long).
INVALID_NAME_KEY = "(invalid-name)"
#: Longest name kept as an account key; longer names are INVALID_NAME_KEY.
MAX_NAME_CHARS = 150

_DUMMY_HASH = _hasher.hash("not-a-real-password")


@dataclass(frozen=True)
class ThrottlePolicy:
    """When failures lock: none before ``failures_before_lock``, then ``first_lock``,
    doubled for every failure beyond it, never longer than ``longest_lock``."""

    failures_before_lock: int
    memory: timedelta
    first_lock: timedelta = FIRST_LOCK
    longest_lock: timedelta = LONGEST_LOCK

    def lock_after(self, failures: int) -> timedelta | None:
        """How long the ``failures``-th counted failure locks (None: not at all)."""
        if failures < self.failures_before_lock:
            return None
        doublings = min(failures - self.failures_before_lock, 32)  # 2**32 minutes is plenty
        return min(self.first_lock * (1 << doublings), self.longest_lock)


ACCOUNT_THROTTLE = ThrottlePolicy(ACCOUNT_FAILURES_BEFORE_LOCK, ACCOUNT_MEMORY)
CLIENT_THROTTLE = ThrottlePolicy(CLIENT_FAILURES_BEFORE_LOCK, CLIENT_MEMORY)


class LockKind(StrEnum):
    ACCOUNT = "account"
    CLIENT = "client"


@dataclass(frozen=True)
class Lock:
    """An account or a client that may not log in before ``until`` (UTC)."""

    kind: LockKind
    key: str
    until: datetime
    failures: int


def retry_time(until: datetime) -> str:
    """``HH:MM`` in Asia/Dhaka of the first whole minute at which a lock has ended."""
    local = to_local(until + timedelta(seconds=59, microseconds=999_999)).time
    assert local is not None
    return f"{local:%H:%M}"


class LoginLocked(AuthenticationFailed):
    """Too many failures: every login of this account or client is refused until ``until``."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        self.retry_at = retry_time(until)
        super().__init__(f"too many failed attempts; try again after {self.retry_at} "
                         "(Asia/Dhaka)")


@dataclass(frozen=True)
class LoginResult:
    """How one attempt ended. ``locked_until``: refused for a lock, or this failure locked."""

    outcome: LoginOutcome
    user: User | None
    locked_until: datetime | None

    def user_or_raise(self) -> User:
        """The user, or LoginLocked / AuthenticationFailed (one line for the user)."""
        if self.user is not None:
            return self.user
        if self.locked_until is not None:
            raise LoginLocked(self.locked_until)
        raise AuthenticationFailed("wrong username or password")


def account_key(typed: str) -> str:
    """The throttle's (and the attempt log's) name for whatever was typed as a username:
    NFC, trimmed and case-folded, so "Admin " and "admin" are one account to throttle. A
    name no user can have (control characters, overlong) is one shared invalid key."""
    try:
        cleaned = clean_text(typed, what="username", max_chars=MAX_NAME_CHARS) or ""
    except InputError:
        return INVALID_NAME_KEY
    # clean_text lets a tab through (it is text in a summary); in a login name it is not.
    return INVALID_NAME_KEY if "\t" in cleaned else cleaned.casefold()


def client_key(ip_address: str | None, session_id: str) -> str:
    """The client of a dashboard login: its address where the server knows one, else the
    browser session's id. Streamlit's address is the connection's peer, or the address a
    reverse proxy on this machine forwarded (uvicorn trusts X-Forwarded-For from
    FORWARDED_ALLOW_IPS, default 127.0.0.1 only); a direct local connection has none,
    and a new browser session is a new client — the account limit still holds there."""
    ip = (ip_address or "").strip()
    return f"ip:{ip}"[:MAX_NAME_CHARS] if ip else f"session:{session_id}"[:MAX_NAME_CHARS]


def attempt_login(session: Session, *, username: str, password: str, client: str,
                  now: datetime) -> LoginResult:
    """Check a login against the throttle, then the password; record the attempt.

    Refused at once (recorded, password not checked) while the account or the client is
    locked. Never raises for a failed login: the caller's unit of work commits the record
    (see ``LoginResult.user_or_raise``). Attempts on one account or client are serialised
    (PostgreSQL: advisory locks; SQLite: the writer's BEGIN IMMEDIATE), so parallel guesses
    cannot all pass the count before any of them is recorded.
    """
    account = account_key(username)
    _serialise(session, account, client)
    lock = current_lock(session, account=account, client=client, now=now)
    if lock is not None:
        _record(session, account=account, client=client, at=now,
                outcome=LoginOutcome.REFUSED)
        # INFO, not WARNING: a locked-out script would write a warning line per try; the
        # failure that locked it was a warning already, and every refusal is in the table.
        log.info("login refused for %r from %s: %s locked until %s", account, client,
                 lock.kind.value, lock.until.isoformat())
        return LoginResult(LoginOutcome.REFUSED, None, lock.until)
    user = _verified_user(session, username, password)
    outcome = LoginOutcome.SUCCEEDED if user is not None else LoginOutcome.FAILED
    _record(session, account=account, client=client, at=now, outcome=outcome)
    if user is not None:
        return LoginResult(outcome, user, None)
    lock = current_lock(session, account=account, client=client, now=now)
    log.warning("login failed for %r from %s%s", account, client,
                f"; {lock.kind.value} locked until {lock.until.isoformat()}" if lock else "")
    return LoginResult(outcome, None, lock.until if lock else None)


def authenticate(session: Session, *, username: str, password: str, client: str,
                 now: datetime) -> User:
    """``attempt_login`` that raises LoginLocked / AuthenticationFailed. The attempt is
    flushed but not committed: a caller that lets the error end its unit of work loses
    the record (and the throttle with it), so edges use ``attempt_login``."""
    return attempt_login(session, username=username, password=password, client=client,
                         now=now).user_or_raise()


def current_lock(session: Session, *, account: str, client: str, now: datetime) -> Lock | None:
    """The lock in force on this account or client at ``now`` (the later one if both)."""
    locks = [lock for lock in (_lock(session, LockKind.ACCOUNT, account, now),
                               _lock(session, LockKind.CLIENT, client, now))
             if lock is not None]
    return max(locks, key=lambda lock: lock.until) if locks else None


def _verified_user(session: Session, typed: str, password: str) -> User | None:
    try:
        name = clean_text(typed, what="username", max_chars=MAX_NAME_CHARS)
    except InputError:
        name = None
    user = (session.exec(select(User).where(User.username == name)).first()
            if name else None)
    # Verify against a dummy hash for unknown users so timing does not reveal them.
    stored = user.password_hash if user else _DUMMY_HASH
    if not verify_password(stored, password) or user is None or not user.active:
        return None
    return user


def _record(session: Session, *, account: str | None, client: str | None, at: datetime,
            outcome: LoginOutcome, actor: str | None = None) -> LoginAttempt:
    row = LoginAttempt(username=account, client=client, at=at, outcome=outcome, actor=actor)
    session.add(row)
    session.flush()
    return row


#: pg_advisory_xact_lock's first key: which kind of throttle key the second one hashes.
_ADVISORY_SPACE = {LockKind.ACCOUNT: 71_101, LockKind.CLIENT: 71_102}


def _serialise(session: Session, account: str, client: str) -> None:
    """Hold the account's, then the client's, lock until the transaction ends (PostgreSQL).
    Always in that order, so two attempts never wait for each other in a cycle."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the dashboard's unit of work holds the one write lock already
    for kind, key in ((LockKind.ACCOUNT, account), (LockKind.CLIENT, client)):
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
                        {"space": _ADVISORY_SPACE[kind], "key": key})


def _keyed(kind: LockKind) -> Mapped[str | None]:
    return col(LoginAttempt.username) if kind is LockKind.ACCOUNT else col(LoginAttempt.client)


def _lock(session: Session, kind: LockKind, key: str, now: datetime) -> Lock | None:
    """Count the key's failures since its last reset and within the policy's memory."""
    policy = ACCOUNT_THROTTLE if kind is LockKind.ACCOUNT else CLIENT_THROTTLE
    # An account is cleared by a success or an unlock, a client by an unlock only.
    resets = ([LoginOutcome.SUCCEEDED, LoginOutcome.UNLOCKED] if kind is LockKind.ACCOUNT
              else [LoginOutcome.UNLOCKED])
    last_reset = (select(func.coalesce(func.max(LoginAttempt.id), 0))
                  .where(_keyed(kind) == key, col(LoginAttempt.outcome).in_(resets))
                  .scalar_subquery())
    failures, last = session.execute(
        sa.select(func.count(), func.max(LoginAttempt.at))
        .where(_keyed(kind) == key, col(LoginAttempt.outcome) == LoginOutcome.FAILED,
               col(LoginAttempt.at) > now - policy.memory, col(LoginAttempt.id) > last_reset)
    ).one()
    lock_for = policy.lock_after(int(failures))
    if lock_for is None or last is None or now >= last + lock_for:
        return None
    return Lock(kind, key, last + lock_for, int(failures))


# -- the administrators' view ---------------------------------------------------------------


def list_attempts(session: Session, *, scope: Scope, since: datetime,
                  username: str | None = None, client: str | None = None,
                  limit: int = 200) -> list[LoginAttempt]:
    """The newest ``limit`` attempts (and unlocks) since ``since``, oldest first."""
    require_admin(scope, "read login attempts")
    query = select(LoginAttempt).where(col(LoginAttempt.at) >= since)
    if username is not None:
        query = query.where(col(LoginAttempt.username) == account_key(username))
    if client is not None:
        query = query.where(col(LoginAttempt.client) == client.strip())
    newest = session.exec(query.order_by(col(LoginAttempt.id).desc()).limit(limit)).all()
    return list(reversed(newest))


def current_locks(session: Session, *, scope: Scope, now: datetime) -> list[Lock]:
    """Every account and client locked at ``now``, the longest lock first."""
    require_admin(scope, "read login locks")
    locks: list[Lock] = []
    for kind, policy in ((LockKind.ACCOUNT, ACCOUNT_THROTTLE),
                         (LockKind.CLIENT, CLIENT_THROTTLE)):
        keys = session.exec(
            select(_keyed(kind)).distinct()
            .where(col(LoginAttempt.outcome) == LoginOutcome.FAILED,
                   col(LoginAttempt.at) > now - policy.memory)).all()
        locks += [lock for key in keys if key is not None
                  if (lock := _lock(session, kind, key, now)) is not None]
    return sorted(locks, key=lambda lock: lock.until, reverse=True)


def unlock(session: Session, *, scope: Scope, now: datetime, username: str | None = None,
           client: str | None = None) -> list[LoginAttempt]:
    """Clear the failures of an account and/or a client: one ``unlocked`` row each, naming
    the administrator, recorded in the caller's transaction (the row is its own audit)."""
    require_admin(scope, "unlock logins")
    if username is None and client is None:
        raise InputError("name an account (USERNAME) or a client (--client) to unlock")
    rows = []
    if username is not None:
        rows.append(_record(session, account=account_key(username), client=None, at=now,
                            outcome=LoginOutcome.UNLOCKED, actor=scope.username))
    if client is not None:
        rows.append(_record(session, account=None, client=client.strip(), at=now,
                            outcome=LoginOutcome.UNLOCKED, actor=scope.username))
    for row in rows:
        log.warning("login unlocked by %s: account %r, client %r", scope.username,
                    row.username, row.client)
    return rows
