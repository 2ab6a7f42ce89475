"""The national calendar: real 2024-2026 facts, regional closures, amendments, validation."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.config import PROJECT_ROOT
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


# -- hostile edits: every mistake is one CalendarFileError naming the file and line ---------

#: The first [[day]] of bd-2025.toml (line 17) and its fields, as the edits below find them.
FIRST_DATE = "date = 2025-02-15"
FIRST_KIND = 'kind = "executive"'
FIRST_NAME = 'name_en = "Shab-e-Barat (moon)"'
FIRST_NAME_BN = 'name_bn = "শব-ই-বরাত"'

#: (edit, replacement, words the message must contain). Issue 11 item 12 found the first
#: four crashing with a TypeError/AttributeError/UnicodeDecodeError; the rest are their kin.
HOSTILE_DAY_EDITS = [
    pytest.param(FIRST_DATE, "date = 2025-02-15T00:00:00", "is a date-time; write the date "
                 "alone, e.g. date = 2025-02-15", id="datetime-as-date"),
    pytest.param(FIRST_KIND, 'kind = ["executive"]', "unknown kind ['executive']",
                 id="list-as-kind"),
    pytest.param(FIRST_NAME, "name_en = 42", "name_en must be text in quotes",
                 id="number-as-name"),
    pytest.param(FIRST_DATE, "date = 2025-02-15T00:00:00+06:00", "is a date-time",
                 id="offset-datetime-as-date"),
    pytest.param(FIRST_DATE, "date = 10:00:00", "bad date 10:00:00", id="time-as-date"),
    pytest.param(FIRST_DATE, "date = 20250215", "bad date 20250215", id="number-as-date"),
    pytest.param(FIRST_DATE, "date = 2026-02-15", "2026-02-15 is not in 2025",
                 id="date-outside-the-files-year"),
    pytest.param(FIRST_KIND, "kind = {name = 1}", "unknown kind", id="table-as-kind"),
    pytest.param(FIRST_KIND, "kind = true", "unknown kind True", id="boolean-as-kind"),
    pytest.param(FIRST_NAME, "name_en = 1.5", "name_en must be text", id="float-as-name"),
    pytest.param(FIRST_NAME_BN, "name_bn = [1]", "name_bn must be text", id="list-as-name-bn"),
    pytest.param(FIRST_NAME, "name_en = { en = 'x' }", "name_en must be text",
                 id="table-as-name"),
    pytest.param(FIRST_NAME, 'name_en = "Shab\\u0000"', "control character U+0000",
                 id="nul-in-name"),
    pytest.param(FIRST_NAME, 'name_en = "a\\nBEGIN:VEVENT"', "control character U+000A",
                 id="newline-in-name-would-inject-ics"),
    pytest.param(FIRST_NAME, 'name_en = "' + "x" * 5000 + '"', "at most 200",
                 id="overlong-name"),
    pytest.param(FIRST_NAME_BN + '\nconfidence = "high"', FIRST_NAME_BN + '\nconfidence = '
                 '["high"]', "unknown confidence ['high']", id="list-as-confidence"),
    pytest.param(FIRST_KIND, FIRST_KIND + '\ndistricts = "Rangamati"',
                 'districts must be a list, e.g. districts = ["Rangamati"]',
                 id="text-as-districts"),
    pytest.param(FIRST_KIND, FIRST_KIND + "\ndistricts = [1]", "districts must be a list of "
                 "names in quotes", id="number-in-districts"),
    pytest.param(FIRST_KIND + "\n", "", "missing 'kind'", id="missing-kind"),
    pytest.param(FIRST_NAME, 'name_en = ""', "missing 'name_en'", id="empty-name"),
]


def _first_day_line(text: str) -> int:
    return text.splitlines().index(FIRST_DATE) if FIRST_DATE in text else 17


@pytest.mark.parametrize(("old", "new", "words"), HOSTILE_DAY_EDITS)
def test_a_hostile_day_edit_is_one_error_naming_file_and_line(
    calendars_copy: Path, old: str, new: str, words: str
) -> None:
    path = calendars_copy / "bd-2025.toml"
    text = path.read_text(encoding="utf-8")
    line = _first_day_line(text)  # the [[day]] header is the line before the date (1-based)
    assert text.splitlines()[line - 1] == "[[day]]" and old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CalendarFileError) as info:
        load_year_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message and "\n" not in message and len(message) < 300


#: Edits outside the [[day]] tables: (edit, replacement, words, line or None for the file).
HOSTILE_FILE_EDITS = [
    pytest.param("year = 2025", 'year = "2025"', "year = '2025' does not match the file name "
                 "(write year = 2025)", 7, id="text-as-year"),
    pytest.param("year = 2025\n", "", "missing 'year = 2025'", None, id="missing-year"),
    pytest.param('weekend = ["Friday", "Saturday"]', 'weekend = "Friday"',
                 "weekend must be", 8, id="text-as-weekend"),
    pytest.param("[[day]]\n" + FIRST_DATE, "[[days]]\n" + FIRST_DATE, "unknown key(s) days",
                 None, id="misspelt-day-table-would-drop-dates"),
    pytest.param("[ramadan]", "[[ramadan]]", "write Ramadan as one [ramadan] table", 10,
                 id="list-as-ramadan"),
    pytest.param("first_day = 2025-03-02", "first_day = 2025-03-02T00:00:00",
                 "first_day = 2025-03-02T00:00:00 is a date-time", 10,
                 id="datetime-as-ramadan-day"),
    pytest.param("first_day = 2025-03-02\nlast_day = 2025-03-30",
                 "first_day = 2024-03-02\nlast_day = 2024-03-30",
                 "first_day/last_day must both be in 2025", 10, id="ramadan-in-another-year"),
    pytest.param('closing_time = "15:30"', "closing_time = 1530", "bad closing_time 1530", 10,
                 id="number-as-closing-time"),
    pytest.param('closing_time = "15:30"', 'closing_time = "15:30"\nclosing = "16:00"',
                 "unknown field(s) closing", 10, id="unknown-ramadan-field"),
    pytest.param("first_day = 2025-03-02\n", "", "bad first_day None", 10,
                 id="missing-ramadan-day"),
]


@pytest.mark.parametrize(("old", "new", "words", "line"), HOSTILE_FILE_EDITS)
def test_a_hostile_file_edit_is_one_error_naming_the_file(
    calendars_copy: Path, old: str, new: str, words: str, line: int | None
) -> None:
    path = calendars_copy / "bd-2025.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CalendarFileError) as info:
        load_year_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: " if line else f"{path}: "), message
    assert words in message and "\n" not in message


def test_a_non_utf8_byte_names_its_line_column_and_offset(calendars_copy: Path) -> None:
    path = calendars_copy / "bd-2025.toml"
    raw = path.read_bytes()
    offset = raw.index(b"Shab-e-Barat") + 5
    path.write_bytes(raw[:offset] + b"\xff" + raw[offset + 1:])
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - raw.rfind(b"\n", 0, offset)
    with pytest.raises(CalendarFileError) as info:
        load_year_file(path)
    assert str(info.value) == (f"{path}:{line}: byte 0xff at column {column} (byte offset "
                               f"{offset}) is not UTF-8; save the file as UTF-8")


def test_a_utf8_byte_order_mark_is_accepted(calendars_copy: Path) -> None:
    path = calendars_copy / "bd-2025.toml"
    plain = load_year_file(path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_year_file(path).days == plain.days


@pytest.mark.parametrize("name", ["bd-0000.toml", "bd-0001.toml", "bd-9999.toml",
                                  "bd-২০২৫.toml"])
def test_a_file_for_an_impossible_year_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("year = 1\n", encoding="utf-8")
    with pytest.raises(CalendarFileError, match=r"named bd-YYYY\.toml, YYYY a year from 1971"):
        load_year_file(path)


def test_an_unreadable_calendar_file_is_one_error(calendars_copy: Path) -> None:
    (calendars_copy / "bd-2027.toml").symlink_to(calendars_copy / "nowhere.toml")
    with pytest.raises(CalendarFileError, match=r"bd-2027\.toml: cannot read the file"):
        load_calendar(calendars_dir=calendars_copy)


def test_years_far_outside_the_calendar_are_refused_without_a_silly_hint(
    calendar: BangladeshCalendar,
) -> None:
    for year in (-1, 0, 1, 99999):
        with pytest.raises(CalendarRangeError, match=rf"year {year} is outside") as info:
            calendar.check_year(year)
        assert "add calendars" not in str(info.value)
    with pytest.raises(CalendarRangeError, match=r"add calendars/bd-2032\.toml"):
        calendar.check_year(calendar.last_year + 1)
    calendar.check_year(calendar.first_year)  # inside: no error


_TOML_VALUES = st.one_of(
    st.integers(), st.floats(allow_nan=False), st.booleans(), st.text(max_size=30),
    st.dates(), st.datetimes(), st.times(), st.lists(st.integers(), max_size=3),
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["date", "kind", "name_en", "name_bn", "source", "confidence",
                              "districts", "year", "weekend", "first_day", "closing_time"]),
       value=_TOML_VALUES)
def test_any_value_in_any_field_loads_or_is_a_calendar_file_error(
    calendars_copy: Path, field: str, value: object
) -> None:
    """Property: whatever TOML value a field gets, the loader never fails any other way."""
    path = calendars_copy / "bd-2025.toml"
    text = (PROJECT_ROOT / "calendars" / "bd-2025.toml").read_text(encoding="utf-8")
    line = re.compile(rf"^{field} = .*$", re.MULTILINE)
    path.write_text(line.sub(lambda _: f"{field} = {_toml(value)}", text, count=1),
                    encoding="utf-8")
    try:
        load_year_file(path)
    except CalendarFileError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(min_value=0), byte=st.integers(min_value=0, max_value=255))
def test_any_byte_changed_loads_or_is_a_calendar_file_error(
    calendars_copy: Path, offset: int, byte: int
) -> None:
    """Property: a file with any one byte changed loads, or fails as one CalendarFileError."""
    path = calendars_copy / "bd-2025.toml"
    raw = (PROJECT_ROOT / "calendars" / "bd-2025.toml").read_bytes()
    at = offset % len(raw)
    path.write_bytes(raw[:at] + bytes([byte]) + raw[at + 1:])
    try:
        load_year_file(path)
    except CalendarFileError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))


def _toml(value: object) -> str:
    """A Python value written as a TOML value (the subset the property test draws)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return repr(value)
