"""Shared pieces of the digest tests: a real SMTP server on loopback (aiosmtpd) and a
small seeded database (the demo offices and their log), built once per run."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.engine import Engine
from sqlmodel import Session as DBSession

from tracker.config import Settings
from tracker.domain.localtime import DHAKA
from tracker.services.demo import build_demo
from tracker.services.mail import SMTPTransport

#: The seeded log runs to this day; digests are built for days around it.
SEED_UNTIL = date(2025, 5, 20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    """What the loopback SMTP server accepted; ``failing`` makes it answer 451."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    failing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.failing:
            return "451 4.3.0 temporary failure, try again later"
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(([str(r) for r in envelope.rcpt_tos], message))
        return "250 OK"

    @property
    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _ in self.messages for r in rcpts)

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for _, m in self.messages]


@dataclass
class SmtpServer:
    inbox: Inbox
    port: int

    def transport(self) -> SMTPTransport:
        return SMTPTransport("127.0.0.1", self.port, timeout=10)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(inbox, port)
    finally:
        controller.stop()


def seed(engine: Engine, until: date = SEED_UNTIL, seed_: int = 1) -> None:
    """The demo database (five upazila offices, their districts, users) up to ``until``.
    Prefer the ``seeded_engine`` or ``demo_copy`` fixtures: this builds it on every call."""
    with DBSession(engine) as session:
        build_demo(session, until=until, seed=seed_)
        session.commit()


def at_nine(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=DHAKA).astimezone(UTC)


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"mail_from": "tracker@tracker.local", "digest_retry_seconds": 60,
                              "digest_max_attempts": 3, **overrides}
    return Settings(**values)


def test_the_loopback_server_accepts_utf8_messages(smtp_server: SmtpServer) -> None:
    message = EmailMessage()
    message["Subject"] = "পরীক্ষা ১২৩"
    message["From"] = "tracker@tracker.local"
    message["To"] = "a@tracker.local"
    message.set_content("বাংলা লেখা")
    smtp_server.transport().send(message)
    assert smtp_server.inbox.subjects() == ["পরীক্ষা ১২৩"]
    body = smtp_server.inbox.messages[0][1].get_body()
    assert body is not None and body.get_content().strip() == "বাংলা লেখা"
