"""Delivery behind one small interface: ``send(message)``, or raise ``TransportError``
(nothing was accepted: retry later) or ``OutcomeUnknown`` (it may have been: do not).

- ``SMTPTransport``: host, port, optional STARTTLS and login, from settings;
- ``OutboxTransport``: one ``.eml`` file per message in a folder (the demo, or when no SMTP
  server is configured), written atomically so a reader never sees half a message.

Adding SMS later is one more class with ``name`` and ``send``.

Why two errors: once the whole message has been handed over, a server that stores it and
then answers too late (or the line drops) has delivered it although the client saw a
failure. Retrying that blindly sends it again and again (issue 11: ten digests, fifty mails
with five attempts). SMTP settles it only at the end-of-data reply, so the SMTP transport
sends MAIL, RCPT and DATA itself and knows which side of that line a failure fell on.
"""

from __future__ import annotations

import copy
import email.policy
import io
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol

from tracker.config import Settings, get_settings
from tracker.errors import TrackerError

#: Replies to MAIL/RCPT that accept (RFC 5321 4.2.2: 251 = "will forward").
_ACCEPTED = (250, 251)


class TransportError(TrackerError):
    """The message was not accepted; it may be retried later."""


class OutcomeUnknown(TrackerError):
    """The message was handed over but no final answer came: it may have been delivered.

    Deliberately not a TransportError, so code that retries on TransportError cannot
    resend it by accident; whoever sends must decide (the digest job marks it and waits
    for ``tracker digest requeue``).
    """


class Transport(Protocol):
    name: str

    def send(self, message: EmailMessage) -> None:
        """Deliver one message, or raise TransportError (not accepted, retryable) or
        OutcomeUnknown (handed over, no answer: maybe delivered)."""


@dataclass(frozen=True)
class _Envelope:
    sender: str
    recipients: list[str]
    payload: bytes  # the message with CRLF line ends and no Bcc header
    options: tuple[str, ...]  # MAIL FROM parameters


def _envelope(message: EmailMessage, smtp: smtplib.SMTP) -> _Envelope:
    """Sender, recipients and bytes as ``smtplib.SMTP.send_message`` derives them."""
    sender = getaddresses([str(message.get("Sender") or message.get("From") or "")])[0][1]
    fields = [str(message[h]) for h in ("To", "Cc", "Bcc") if message[h] is not None]
    recipients = [address for _name, address in getaddresses(fields) if address]
    if not recipients:
        raise smtplib.SMTPRecipientsRefused({})
    international = not all(a.isascii() for a in (sender, *recipients))
    if international and not smtp.has_extn("smtputf8"):
        raise smtplib.SMTPNotSupportedError(
            "a non-ASCII address needs SMTPUTF8, which the server does not offer")
    visible = copy.copy(message)
    del visible["Bcc"]
    with io.BytesIO() as buffer:
        policy = email.policy.SMTPUTF8 if international else message.policy
        BytesGenerator(buffer, policy=policy).flatten(visible, linesep="\r\n")
        payload = buffer.getvalue()
    options = ("SMTPUTF8", "BODY=8BITMIME") if international else ()
    if smtp.has_extn("size"):
        options = (*options, f"SIZE={len(payload)}")
    return _Envelope(sender, recipients, payload, options if smtp.does_esmtp else ())


def _end_of_data(payload: bytes) -> bytes:
    """The message as sent after DATA: lines starting with a dot doubled, ending CRLF.CRLF
    (RFC 5321 4.5.2)."""
    stuffed = re.sub(rb"(?m)^\.", b"..", payload)
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"


def _announce(smtp: smtplib.SMTP, envelope: _Envelope) -> None:
    """MAIL FROM, RCPT TO and DATA up to the server's "354 go ahead". Any recipient refused
    stops here, before the message is handed over: a message delivered to some recipients
    only could not be retried without duplicates."""
    code, reply = smtp.mail(envelope.sender, list(envelope.options))
    if code not in _ACCEPTED:
        raise smtplib.SMTPSenderRefused(code, reply, envelope.sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for recipient in envelope.recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in _ACCEPTED:
            refused[recipient] = (code, reply)
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.docmd("DATA")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)


def _hang_up(smtp: smtplib.SMTP) -> None:
    """QUIT politely; a server slow or gone by then changes nothing about the message."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


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
        smtp = self._connect()
        try:
            self._hand_over(smtp, message)
        finally:
            _hang_up(smtp)

    def _failed(self, exc: BaseException) -> TransportError:
        return TransportError(f"SMTP {self.host}:{self.port}: {type(exc).__name__}: {exc}")

    def _connect(self) -> smtplib.SMTP:
        """Connected, greeted, with STARTTLS and login as configured (or TransportError)."""
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (smtplib.SMTPException, OSError) as exc:
            raise self._failed(exc) from exc
        try:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.ehlo_or_helo_if_needed()
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            raise self._failed(exc) from exc
        return smtp

    def _hand_over(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        try:
            envelope = _envelope(message, smtp)
            _announce(smtp, envelope)
        except (smtplib.SMTPException, OSError) as exc:
            raise self._failed(exc) from exc  # nothing handed over yet: retryable
        try:
            smtp.send(_end_of_data(envelope.payload))
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            raise OutcomeUnknown(
                f"SMTP {self.host}:{self.port}: no answer after the message was sent "
                f"({type(exc).__name__}: {exc}); it may have been delivered") from exc
        if code != 250:  # the server answered: it did not take the message
            raise TransportError(f"SMTP {self.host}:{self.port} did not accept the message: "
                                 f"{code} {reply.decode(errors='replace')}")


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
