"""The national calendar: real 2024-2026 facts, regional closures, amendments, validation."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from tracker.domain.calendar import BangladeshCalendar, load_calendar, load_year_file
from tracker.domain.deadlines import DeadlineSpec, due_date
from tracker.errors import CalendarFileError, CalendarRangeError, UnknownDistrictError


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2025-05-17", True),   # Saturday declared a working day
        ("2025-05-24", True),   # Saturday declared a working day
        ("2025-05-16", False),  # an ordinary Friday
        ("2024-08-15", True),   # listed holiday cancelled on 13 Aug 2024
        ("2024-07-21", False),  # curfew closure
        ("2024-07-23", False),  # curfew closure, extended
        ("2024-08-06", False),  # 5-7 Aug 2024 general holiday
        ("2024-10-10", False),  # Durga Puja extra day (executive order)
        ("2025-04-03", False),  # Eid-ul-Fitr extra day (executive order)
        ("2025-06-11", False),  # Eid-ul-Azha extension
        ("2025-09-06", False),  # Miladunnabi, moved from 5 Sep (a Friday anyway)
        ("2025-09-04", True),   # an ordinary Thursday
        ("2025-12-31", False),  # funeral closure
        ("2026-01-01", True),   # optional holiday: offices open
        ("2026-03-24", True),   # optional 3rd day after Eid: offices open
        ("2026-03-23", False),  # Eid-ul-Fitr 2nd day after
        ("2025-04-13", True),   # Chaitra Sankranti: hill districts only
        ("2026-04-13", True),
    ],
)
def test_national_working_days_follow_the_official_lists(
    calendar: BangladeshCalendar, day: str, working: bool
) -> None:
    assert calendar.is_working_day(date.fromisoformat(day)) is working


@pytest.mark.parametrize("district", ["Rangamati", "Khagrachhari", "bandarban", "রাঙ্গামাটি"])
def test_hill_district_closures_apply_only_in_those_districts(district: str) -> None:
    hill = load_calendar(district)
    assert not hill.is_working_day(date(2025, 4, 13))
    assert not hill.is_working_day(date(2026, 4, 13))
    assert load_calendar("Dhaka").is_working_day(date(2025, 4, 13))


def test_unknown_district_is_refused() -> None:
    with pytest.raises(UnknownDistrictError, match="Atlantis"):
        load_calendar("Atlantis")


def test_every_day_agrees_between_index_and_workalendar_path(
    calendar: BangladeshCalendar,
) -> None:
    day = date(2024, 1, 1)
    while day <= date(2026, 12, 31):
        fast = bool(calendar.index.is_working_day([day])[0])
        assert fast is calendar.is_working_day(day), day
        day += timedelta(days=1)


def test_working_day_counts_per_year_are_plausible(calendar: BangladeshCalendar) -> None:
    for year in (2024, 2025, 2026):
        start, end = date(year - 1, 12, 31), date(year, 12, 31)
        count = calendar.get_working_days_delta(start, end)
        # 52 weeks x 5 days minus 14-28 closures on weekdays, plus working weekends.
        assert 225 <= count <= 250, (year, count)


def test_ramadan_closing_time_is_1530(calendar: BangladeshCalendar) -> None:
    assert calendar.office_closing_time(date(2025, 3, 2)) == time(15, 30)
    assert calendar.office_closing_time(date(2025, 3, 30)) == time(15, 30)
    assert calendar.office_closing_time(date(2025, 3, 31)) == time(17, 0)
    assert calendar.office_closing_time(date(2024, 3, 11)) == time(17, 0)


def test_years_without_a_file_are_provisional_forecasts(calendar: BangladeshCalendar) -> None:
    assert calendar.curated_years == [2024, 2025, 2026]
    assert calendar.is_provisional(date(2027, 6, 1))
    assert not calendar.is_provisional(date(2026, 6, 1))
    # The forecast still closes offices on fixed national days.
    assert not calendar.is_working_day(date(2027, 12, 16))
    crossing = due_date(date(2026, 12, 30), DeadlineSpec.working_days(5), calendar)
    assert crossing.provisional
    inside = due_date(date(2026, 12, 1), DeadlineSpec.working_days(5), calendar)
    assert not inside.provisional
    assert "provisional" in calendar.day_info(date(2027, 1, 5)).reason_en


def test_dates_outside_every_year_are_refused(calendar: BangladeshCalendar) -> None:
    with pytest.raises(CalendarRangeError, match="outside every known"):
        calendar.is_working_day(date(2045, 1, 1))
    with pytest.raises(CalendarRangeError):
        due_date(date(2031, 12, 30), DeadlineSpec.working_days(10), calendar)


def test_day_info_explains_closures_and_working_weekends(
    calendar: BangladeshCalendar,
) -> None:
    assert "declared a working day" in calendar.day_info(date(2025, 5, 17)).reason_en
    eid = calendar.day_info(date(2025, 3, 31))
    assert not eid.working and "Eid-ul-Fitr" in eid.reason_en and "ঈদুল ফিতর" in eid.reason_bn
    assert "cancelled" in calendar.day_info(date(2024, 8, 15)).reason_en
    assert "weekly holiday" in calendar.day_info(date(2025, 1, 3)).reason_en


# -- amendments -------------------------------------------------------------------------


def _append(path: Path, entry: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + entry, encoding="utf-8")


def test_an_amendment_moves_due_dates_and_changes_the_version(calendars_copy: Path) -> None:
    before = load_calendar(calendars_dir=calendars_copy)
    received = date(2025, 9, 1)  # Monday
    old = due_date(received, DeadlineSpec.working_days(3), before)
    assert old.due == date(2025, 9, 4)
    _append(calendars_copy / "bd-2025.toml", '''[[day]]
date = 2025-09-03
kind = "executive"
name_en = "Hypothetical executive-order closure"
name_bn = "নির্বাহী আদেশে ছুটি"
confidence = "high"
source = "test"
''')
    after = load_calendar(calendars_dir=calendars_copy)
    assert after.version != before.version
    new = due_date(received, DeadlineSpec.working_days(3), after)
    assert new.due == date(2025, 9, 7)  # 2, 4, then Sunday 7 (5/6 are the weekend)
    assert new.calendar_version == after.version


def test_a_moon_shift_is_an_ordinary_edit(calendars_copy: Path) -> None:
    path = calendars_copy / "bd-2026.toml"
    text = path.read_text(encoding="utf-8")
    assert "date = 2026-08-26" in text
    path.write_text(text.replace("date = 2026-08-26", "date = 2026-08-27"), encoding="utf-8")
    moved = load_calendar(calendars_dir=calendars_copy)
    assert moved.is_working_day(date(2026, 8, 26))
    assert not moved.is_working_day(date(2026, 8, 27))


BAD_ENTRIES = [
    ('kind = "executive"', 'kind = "holiday"', r"unknown kind 'holiday'"),
    ("date = 2025-12-16", "date = 2025-12-32", r"bd-2025\.toml"),
    ("date = 2025-12-16", "date = 2024-12-16", r"is not in 2025"),
    ("date = 2025-05-17", "date = 2025-05-18", r"not a weekend day"),
    ('districts = ["Rangamati"', 'districts = ["Gotham"', r"unknown district"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD_ENTRIES)
def test_malformed_entries_are_reported_with_file_and_line(
    calendars_copy: Path, old: str, new: str, message: str
) -> None:
    path = calendars_copy / "bd-2025.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CalendarFileError, match=message) as info:
        load_year_file(path)
    assert re.search(r"bd-2025\.toml(:\d+| \(| )", str(info.value)) or "line" in str(info.value)


def test_a_duplicate_entry_names_both_lines(calendars_copy: Path) -> None:
    path = calendars_copy / "bd-2025.toml"
    _append(path, '''[[day]]
date = 2025-12-16
kind = "general"
name_en = "Victory Day"
name_bn = "বিজয় দিবস"
source = "copy"
''')
    with pytest.raises(CalendarFileError, match=r"bd-2025\.toml:\d+: duplicate date 2025-12-16 "
                                                r"\(same entry as line \d+\)"):
        load_year_file(path)


def test_a_day_both_closed_and_worked_is_refused(calendars_copy: Path) -> None:
    path = calendars_copy / "bd-2025.toml"
    _append(path, '''[[day]]
date = 2025-05-17
kind = "executive"
name_en = "Contradiction"
name_bn = "ছুটি"
source = "test"
''')
    with pytest.raises(CalendarFileError, match="both a closure and a working day"):
        load_year_file(path)


def test_a_toml_syntax_error_names_the_line(calendars_copy: Path) -> None:
    path = calendars_copy / "bd-2024.toml"
    _append(path, "[[day]]\ndate = = 2024-01-01\n")
    with pytest.raises(CalendarFileError, match=r"bd-2024\.toml.*line \d+"):
        load_year_file(path)
