"""Shared fixtures: the real national calendar and scratch copies of calendars/ to amend."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.calendars import BangladeshCalendar, load_calendar
from tracker.config import PROJECT_ROOT, get_settings


@pytest.fixture(scope="session")
def calendar() -> BangladeshCalendar:
    return load_calendar()


@pytest.fixture
def calendars_copy(tmp_path: Path) -> Path:
    """A writable copy of calendars/ for amendment and validation tests."""
    target = tmp_path / "calendars"
    shutil.copytree(PROJECT_ROOT / "calendars", target)
    return target


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set TRACKER_* variables for one test; settings are re-read before and after."""
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()
