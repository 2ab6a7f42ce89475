"""Receipt moments: ISO, day-first register dates, Bengali digits, UTC vs Dhaka."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.localtime import ascii_digits, moment_to_utc, parse_date, parse_moment, to_utc
from tracker.errors import InputError

TO_BENGALI = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


@pytest.mark.parametrize(
    ("text", "day", "at"),
    [
        ("2025-03-27", date(2025, 3, 27), None),
        ("2025-03-27T10:15", date(2025, 3, 27), time(10, 15)),
        ("2025-03-26T18:30Z", date(2025, 3, 27), time(0, 30)),
        ("2025-03-26T18:30:00+00:00", date(2025, 3, 27), time(0, 30)),
        ("27-03-2025", date(2025, 3, 27), None),
        ("27/03/2025 09:05", date(2025, 3, 27), time(9, 5)),
        ("২৭-০৩-২০২৫", date(2025, 3, 27), None),
        ("২০২৫-০৩-২৭T১০:১৫", date(2025, 3, 27), time(10, 15)),
    ],
)
def test_accepted_forms(text: str, day: date, at: time | None) -> None:
    moment = parse_moment(text)
    assert (moment.date, moment.time) == (day, at)


@pytest.mark.parametrize("text", ["", "2025-02-30", "32-01-2025", "yesterday", "2025/13/01",
                                  "27-03-25"])
def test_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_moment(text)


def test_parse_date_refuses_a_time() -> None:
    with pytest.raises(InputError):
        parse_date("2025-03-27T10:00")


def test_naive_means_dhaka_when_stored() -> None:
    assert to_utc(datetime(2025, 3, 27, 10, 15)) == datetime(2025, 3, 27, 4, 15, tzinfo=UTC)
    assert moment_to_utc(parse_moment("27-03-2025 06:00")) == datetime(2025, 3, 27, 0, 0,
                                                                       tzinfo=UTC)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
       st.booleans(), st.booleans())
def test_any_date_round_trips_in_any_digits_and_order(day: date, bengali: bool,
                                                      day_first: bool) -> None:
    text = f"{day:%d-%m-%Y}" if day_first else day.isoformat()
    if bengali:
        text = text.translate(TO_BENGALI)
    assert parse_date(text) == day
    assert ascii_digits(text.translate(TO_BENGALI)) == ascii_digits(text)
