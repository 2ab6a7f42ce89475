"""Ditto cells ("same as the row above"): the parser copies the row above's deadline."""

from __future__ import annotations

import pytest

from tracker.domain.charter.deadline import is_ditto


@pytest.mark.parametrize(
    "raw",
    ["ঐ", "-ঐ-", " ঐ ", "’’", "''", '"', "〃", '"ঐ"', "“ঐ”।", "‘‘ঐ’’", "(ঐ)", "-do-", "Do.",
     "ditto", " ” ", "″"],
)
def test_ditto_marks(raw: str) -> None:
    assert is_ditto(raw)


@pytest.mark.parametrize(
    "raw", ["", " ", "-", "—", "৭ দিন", "ঐ ৭ দিন", "তাৎক্ষণিক", "done", "ঐক্য", "'৭ দিন'"],
)
def test_not_ditto(raw: str) -> None:
    assert not is_ditto(raw)
