"""Passwords (argon2) and role scoping, enforced on the server side for reads and writes.

- upazila_officer: reads and writes its own office only;
- district_programmer: reads every office of its district, writes nothing;
- admin: everything.

A ``Scope`` is resolved once per user from the database and then used both to check a
single office and to filter queries (``Request.office_id IN scope.readable``).
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from tracker.errors import TrackerError
from tracker.store.models import Office, User

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


def authenticate(session: Session, *, username: str, password: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    # Verify against a dummy hash for unknown users so timing does not reveal them.
    stored = user.password_hash if user else _DUMMY_HASH
    if not verify_password(stored, password) or user is None or not user.active:
        raise AuthenticationFailed("wrong username or password")
    return user


_DUMMY_HASH = _hasher.hash("not-a-real-password")


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
