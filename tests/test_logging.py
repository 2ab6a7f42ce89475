"""configure_logging(): the scheduler's log lines reach stderr, in one format, once."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.errors import InputError
from tracker.logs import HANDLER_NAME, OWN_LOGGERS, configure_logging

LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} (?P<level>[A-Z]+) "
                  r"(?P<logger>[\w.]+): (?P<message>.*)")


def _stderr_lines(script: str, cwd: Path, **variables: str) -> list[str]:
    """Run ``script`` in a fresh interpreter (logging state is process-wide)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update({f"TRACKER_{k.upper()}": v for k, v in variables.items()})
    run = subprocess.run([sys.executable, "-c", script], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stderr.splitlines()


RECORDS = """
import logging
from tracker.logs import configure_logging
configure_logging()
configure_logging()  # idempotent: still one handler
logging.getLogger("tracker.services.scheduler").info("daily digests: %s", "ok")
logging.getLogger("tracker.services.jobs").debug("claimed %d", 3)
logging.getLogger("apscheduler.scheduler").info("Scheduler started")
logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
logging.getLogger("sqlalchemy.engine").warning("a library's warning")
"""


def test_a_scheduler_record_reaches_stderr_once_with_time_level_and_logger(
        tmp_path: Path) -> None:
    lines = _stderr_lines(RECORDS, tmp_path)
    parsed = [LINE.fullmatch(line) for line in lines]
    assert all(parsed), lines
    assert [(m["level"], m["logger"], m["message"]) for m in parsed if m] == [
        ("INFO", "tracker.services.scheduler", "daily digests: ok"),
        ("INFO", "apscheduler.scheduler", "Scheduler started"),
        ("WARNING", "sqlalchemy.engine", "a library's warning"),
    ]


def test_the_level_comes_from_tracker_log_level(tmp_path: Path) -> None:
    debug = _stderr_lines(RECORDS, tmp_path, log_level="debug")
    assert any(line.endswith("DEBUG tracker.services.jobs: claimed 3") for line in debug)
    assert not any("alembic" in line for line in debug)  # other libraries stay at WARNING
    quiet = _stderr_lines(RECORDS, tmp_path, log_level="WARNING")
    assert not any("tracker.services" in line for line in quiet)


def test_the_real_daily_job_logs_its_summary(tmp_path: Path) -> None:
    """The scheduler module's own line, from its own logger, on an empty database."""
    script = """
from datetime import UTC, datetime
from tracker.logs import configure_logging
from tracker.services.scheduler import daily_digests
from tracker.store import db
configure_logging()
db.upgrade()
daily_digests(now=datetime(2025, 6, 30, 3, 0, tzinfo=UTC))
"""
    lines = _stderr_lines(script, tmp_path,
                          database_url=f"sqlite:///{tmp_path / 'digests.db'}",
                          outbox_dir=str(tmp_path / "outbox"))
    assert len(lines) == 1, lines
    match = LINE.fullmatch(lines[0])
    assert match and match["logger"] == "tracker.services.scheduler"
    assert match["message"].startswith("daily digests: 2025-06-30: sent 0")


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """In-process tests put the logging tree back as they found it."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level,
             {name: logging.getLogger(name).level for name in OWN_LOGGERS})
    yield
    handlers, level, levels = saved
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, own in levels.items():
        logging.getLogger(name).setLevel(own)


@pytest.mark.usefixtures("restored_logging")
def test_configuring_twice_keeps_one_handler_and_the_new_level() -> None:
    first = configure_logging("info")
    second = configure_logging("error")
    assert first is second
    assert [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME] == [first]
    assert logging.getLogger("tracker").level == logging.ERROR


@pytest.mark.usefixtures("restored_logging")
def test_an_unknown_level_is_a_user_error() -> None:
    with pytest.raises(InputError, match="unknown log level 'loud'"):
        configure_logging("loud")
