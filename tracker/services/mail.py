"""Delivery behind one small interface: ``send(message)`` or raise ``TransportError``.

- ``SMTPTransport``: host, port, optional STARTTLS and login, from settings;
- ``OutboxTransport``: one ``.eml`` file per message in a folder (the demo, or when no SMTP
  server is configured), written atomically so a reader never sees half a message.

Adding SMS later is one more class with ``name`` and ``send``.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from tracker.config import Settings, get_settings
from tracker.errors import TrackerError


class TransportError(TrackerError):
    """The message was not accepted; it may be retried later."""


class Transport(Protocol):
    name: str

    def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise TransportError."""


@dataclass
class SMTPTransport:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0
    name: str = "smtp"

    def send(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                refused = smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP {self.host}:{self.port}: "
                                 f"{type(exc).__name__}: {exc}") from exc
        if refused:
            raise TransportError(f"SMTP {self.host}:{self.port} refused {sorted(refused)}")


@dataclass
class OutboxTransport:
    folder: Path
    name: str = "outbox"

    def send(self, message: EmailMessage) -> None:
        raw = str(message.get("Message-ID", "")).strip("<>") or "message"
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", raw)[:150]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
            os.replace(tmp, self.folder / f"{stem}.eml")
        except OSError as exc:
            raise TransportError(f"outbox {self.folder}: {exc}") from exc


def transport_from_settings(settings: Settings | None = None) -> Transport:
    """SMTP when ``TRACKER_SMTP_HOST`` is set, otherwise the outbox folder."""
    s = settings or get_settings()
    if s.smtp_host:
        return SMTPTransport(s.smtp_host, s.smtp_port, s.smtp_user, s.smtp_password,
                             s.smtp_starttls, s.smtp_timeout)
    return OutboxTransport(s.outbox_dir)
