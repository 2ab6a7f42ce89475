"""Transports against real servers on loopback: SMTP (login, STARTTLS, failures) and the
outbox folder."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from tests.test_digest_support import Inbox, free_port
from tracker.config import Settings
from tracker.services.jobs import parse_message
from tracker.services.mail import (
    OutboxTransport,
    SMTPTransport,
    TransportError,
    transport_from_settings,
)


def _message(to: str = "officer@tracker.local") -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "দৈনিক সারসংক্ষেপ"
    message["From"] = "tracker@tracker.local"
    message["To"] = to
    message["Message-ID"] = "<digest.upazila_daily.20250518.7@tracker.local>"
    message.set_content("আজ ১টি")
    return message


def _authenticator(server: SMTP, session: object, envelope: object, mechanism: str,
                   data: object) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        b"tracker", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def auth_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port,
                            authenticator=_authenticator, auth_required=True,
                            auth_require_tls=False, auth_exclude_mechanism=["LOGIN"])
    controller.start()
    yield inbox, port
    controller.stop()


def test_smtp_logs_in_with_the_configured_user(auth_server: tuple[Inbox, int]) -> None:
    inbox, port = auth_server
    SMTPTransport("127.0.0.1", port, user="tracker", password="s3cret").send(_message())
    assert inbox.recipients == ["officer@tracker.local"]


def test_smtp_wrong_password_or_no_login_is_a_transport_error(
        auth_server: tuple[Inbox, int]) -> None:
    inbox, port = auth_server
    # aiosmtpd stalls after a failed AUTH (brute-force damping): a short timeout ends it.
    with pytest.raises(TransportError, match=r"535|[Aa]uthentication|timed out"):
        SMTPTransport("127.0.0.1", port, user="tracker", password="wrong",
                      timeout=2).send(_message())
    with pytest.raises(TransportError, match=r"530|[Aa]uthentication required"):
        SMTPTransport("127.0.0.1", port).send(_message())
    assert inbox.messages == []


def test_nobody_listening_is_a_transport_error() -> None:
    with pytest.raises(TransportError, match="ConnectionRefused"):
        SMTPTransport("127.0.0.1", free_port(), timeout=5).send(_message())


def test_starttls_is_required_when_configured() -> None:
    """A server that does not offer STARTTLS is refused rather than sent to in clear."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(TransportError, match=r"STARTTLS|starttls"):
            SMTPTransport("127.0.0.1", port, starttls=True).send(_message())
    finally:
        controller.stop()
    assert inbox.messages == []


def test_starttls_verifies_the_server_certificate(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True)
    controller.start()
    try:
        # STARTTLS is negotiated, and a self-signed certificate is not trusted.
        with pytest.raises(TransportError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
            SMTPTransport("127.0.0.1", port, starttls=True).send(_message())
        # Without STARTTLS this server refuses to take mail in clear.
        with pytest.raises(TransportError):
            SMTPTransport("127.0.0.1", port).send(_message())
    finally:
        controller.stop()
    assert inbox.messages == []


def test_outbox_writes_the_message_atomically_under_its_message_id(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path / "outbox")
    outbox.send(_message())
    outbox.send(_message())  # the same digest again overwrites, never duplicates
    [path] = list((tmp_path / "outbox").iterdir())
    assert path.name == "digest.upazila_daily.20250518.7_tracker.local.eml"
    parsed = parse_message(path.read_text(encoding="utf-8"))
    assert str(parsed["Subject"]) == "দৈনিক সারসংক্ষেপ"


def test_outbox_that_cannot_be_written_is_a_transport_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(TransportError, match="outbox"):
        OutboxTransport(blocker / "outbox").send(_message())


def test_settings_choose_smtp_when_a_host_is_set(tmp_path: Path) -> None:
    smtp = transport_from_settings(Settings(smtp_host="mail.example.gov.bd", smtp_port=587,
                                            smtp_starttls=True, smtp_user="u"))
    assert isinstance(smtp, SMTPTransport)
    assert (smtp.host, smtp.port, smtp.starttls, smtp.user) == ("mail.example.gov.bd", 587,
                                                                True, "u")
    outbox = transport_from_settings(Settings(smtp_host=None, outbox_dir=tmp_path))
    assert isinstance(outbox, OutboxTransport) and outbox.folder == tmp_path
