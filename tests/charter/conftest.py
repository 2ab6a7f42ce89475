"""Fixtures for the charter tests: the five real charters, parsed once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.config import PROJECT_ROOT
from tracker.domain.charter.model import ParsedCharter
from tracker.domain.charter.parser import parse_file

CHARTERS = PROJECT_ROOT / "data" / "charters"
NAMES = ("dinajpur-sadar", "keshabpur", "magura-unnamed-upazila", "manikganj-sadar", "patgram")


@pytest.fixture(scope="session")
def charters() -> dict[str, ParsedCharter]:
    return {name: parse_file(CHARTERS / f"{name}.txt") for name in NAMES}


def charter_text(name: str) -> str:
    return (CHARTERS / f"{name}.txt").read_text(encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path, settings_env: pytest.MonkeyPatch) -> Path:
    """A scratch TRACKER_DATA_DIR with the real geography and an empty catalog."""
    import shutil

    target = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data" / "geo", target / "geo")
    (target / "charters").mkdir()
    settings_env.setenv("TRACKER_DATA_DIR", str(target))
    return target
