"""Bangladesh government-office calendars: load calendars/bd-YYYY.toml, validate, adapt.

A calendar is data plus a tiny class. Each curated year is one TOML file listing every
special date with its names (bn/en), kind, scope, source and confidence. Years without a
file fall back to a forecast from the PyPI ``holidays`` package and are *provisional*:
every result that touches them says so. The class speaks workalendar's language
(``is_working_day``, ``add_working_days``, ``get_working_days_delta``); that per-row path is
the reference implementation, and ``index`` gives the fast vectorised path.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from workalendar.core import FRI, SAT, Calendar

from tracker.config import get_settings
from tracker.domain.text import MAX_TEXT_CHARS, clean_text
from tracker.domain.workdays import WorkingDayIndex
from tracker.errors import (
    CalendarFileError,
    CalendarRangeError,
    InputError,
    UnknownDistrictError,
)

#: Kinds that close offices. ``optional`` (ঐচ্ছিক) days do not: staff may take them, the
#: office stays open. ``cancelled`` records a listed holiday withdrawn by a later order.
CLOSURE_KINDS: frozenset[str] = frozenset({"general", "executive"})
KNOWN_KINDS: frozenset[str] = frozenset(
    {"general", "executive", "optional", "working_weekend", "cancelled"}
)
KIND_LABELS: dict[str, tuple[str, str]] = {
    "general": ("general holiday", "সাধারণ ছুটি"),
    "executive": ("executive-order holiday", "নির্বাহী আদেশে ছুটি"),
    "optional": ("optional holiday (offices open)", "ঐচ্ছিক ছুটি (অফিস খোলা)"),
    "working_weekend": ("weekend declared a working day", "সাপ্তাহিক ছুটির দিনে অফিস খোলা"),
    "cancelled": ("holiday cancelled (offices open)", "ছুটি বাতিল (অফিস খোলা)"),
    "forecast": ("forecast holiday (provisional)", "সম্ভাব্য ছুটি (অস্থায়ী)"),
}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_CLOSING = time(17, 0)
FILE_PATTERN = re.compile(r"^bd-([0-9]{4})\.toml$")
#: The years a calendar file may be for (Bangladesh's first year to a far but real one).
FIRST_FILE_YEAR, LAST_FILE_YEAR = 1971, 2999
#: How far past the calendar's ends a date's error suggests adding that year's file.
NEAR_YEARS = 25


@dataclass(frozen=True)
class CalendarDay:
    """One dated entry of a calendar file (or of the forecast)."""

    date: date
    kind: str
    name_en: str
    name_bn: str
    districts: tuple[str, ...] = ()  # empty: national
    confidence: str = "high"
    source: str = ""
    origin: str = ""  # "calendars/bd-2025.toml:41" or "forecast: holidays 0.109"

    @property
    def is_closure(self) -> bool:
        return self.kind in CLOSURE_KINDS or self.kind == "forecast"

    def applies_to(self, district: str | None) -> bool:
        return not self.districts or (district is not None and district in self.districts)


@dataclass(frozen=True)
class RamadanHours:
    first_day: date
    last_day: date
    closing_time: time
    source: str = ""


@dataclass(frozen=True)
class YearCalendar:
    """The facts of one year, curated (from a file) or forecast (provisional)."""

    year: int
    days: tuple[CalendarDay, ...]
    ramadan: RamadanHours | None
    provisional: bool
    version: str  # "bd-2025@3f2a9c01d4" (content hash) or "forecast-2027@holidays-0.109"


@dataclass(frozen=True)
class DayInfo:
    """Whether a day is a working day, and why (for `is-working-day` and `--explain`)."""

    date: date
    working: bool
    reason_en: str
    reason_bn: str
    provisional: bool
    entries: tuple[CalendarDay, ...] = field(default=())


# --------------------------------------------------------------------------------------
# Geography (for regional closures)


def canonical_district(name: str, geo_dir: Path | None = None) -> str:
    """The English district name as in data/geo/districts.csv; UnknownDistrictError if none.

    Matching is tracker.domain.geo's (English or Bengali, any case, old spellings like Jessore).
    """
    from tracker.domain.geo import load_geography

    found = load_geography(geo_dir).find_district(name)
    if found is None:
        raise UnknownDistrictError(
            f"unknown district {name!r} (see data/geo/districts.csv for the 64 names)"
        )
    return found.name_en


# --------------------------------------------------------------------------------------
# Loading and validating one year file
#
# A calendar file is edited by hand, so every mistake must come back as one
# CalendarFileError naming the file and the line (and saying what to write instead), never
# as a TypeError from deep inside: TOML gives each value a type (a date, a date-time, a
# list, a number...) and each field accepts exactly one.

#: The keys a calendar file may have at its top level, and in its [ramadan] table: an
#: unknown one is a typo (``[[days]]``) that would otherwise silently drop its dates.
FILE_KEYS = frozenset({"country", "year", "weekend", "ramadan", "day"})
RAMADAN_FIELDS = frozenset({"first_day", "last_day", "closing_time", "source", "confidence"})
#: The fields a [[day]] table may have, and those it must have (non-empty).
DAY_FIELDS = frozenset(
    {"date", "kind", "name_en", "name_bn", "districts", "confidence", "source"}
)
REQUIRED_DAY_FIELDS = ("date", "kind", "name_en", "name_bn", "source")
CONFIDENCES = ("high", "medium", "low")
#: Longest holiday name; sources (URLs, gazette numbers) may be as long as any free text.
MAX_NAME_CHARS = 200
MAX_SHOWN_CHARS = 40  # of a bad value quoted back in an error message

_TOML_ERROR_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_DAY_HEADER = re.compile(r"^\s*\[\[\s*day\s*\]\]\s*(#.*)?$")
_RAMADAN_HEADER = re.compile(r"^\s*\[\[?\s*ramadan\s*\]\]?\s*(#.*)?$")


def _toml_type(value: Any) -> str:
    """What a TOML value is, in the words of the file's author."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, datetime):
        return "a date-time"
    kinds: tuple[tuple[type, str], ...] = (
        (date, "a date"), (time, "a time"), (int, "a number"), (float, "a number"),
        (str, "text"), (list, "a list"), (dict, "a table"),
    )
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


def _shown(value: Any) -> str:
    """A bad value quoted back, cut short (a 300 KB name must not become the message)."""
    text = value.isoformat() if isinstance(value, date | time) else repr(value)
    return text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + "..."


def _lines_matching(text: str, pattern: re.Pattern[str]) -> list[int]:
    """Line numbers (1-based) of the lines matching ``pattern``, in order."""
    return [i for i, line in enumerate(text.splitlines(), 1) if pattern.match(line)]


def _as_date(value: Any, where: str, key: str = "date") -> date:
    if isinstance(value, datetime):  # a datetime is a date too: refuse it before that test
        raise CalendarFileError(
            f"{where}: {key} = {value.isoformat()} is a date-time; write the date alone, "
            f"e.g. {key} = {value.date().isoformat()}"
        )
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarFileError(
        f"{where}: bad {key} {_shown(value)} (expected a date, e.g. {key} = 2025-02-21)"
    )


def _as_time(value: Any, where: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarFileError(
        f"{where}: bad closing_time {_shown(value)} (expected e.g. closing_time = \"15:30\")"
    )


def _as_text(value: Any, key: str, where: str, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """A text field: quoted TOML text, no control characters, not over-long."""
    if not isinstance(value, str):
        raise CalendarFileError(
            f"{where}: {key} must be text in quotes, e.g. {key} = \"...\" "
            f"(found {_toml_type(value)} {_shown(value)})"
        )
    try:
        return clean_text(value, what=key, max_chars=max_chars) or ""
    except InputError as exc:
        raise CalendarFileError(f"{where}: {exc}") from None


def _as_choice(value: Any, key: str, choices: Iterable[str], where: str) -> str:
    """A field naming one of a fixed set of words (``kind``, ``confidence``)."""
    names = sorted(choices)
    if not isinstance(value, str) or value not in names:
        raise CalendarFileError(
            f"{where}: unknown {key} {_shown(value)} (one of {', '.join(names)}, in quotes)"
        )
    return value


def _year_of_name(path: Path) -> int:
    """The year a calendar file is for, read from its name (bd-YYYY.toml)."""
    match = FILE_PATTERN.match(path.name)
    year = int(match.group(1)) if match else 0
    if not FIRST_FILE_YEAR <= year <= LAST_FILE_YEAR:
        raise CalendarFileError(f"{path}: calendar files are named bd-YYYY.toml, YYYY a year "
                                f"from {FIRST_FILE_YEAR} to {LAST_FILE_YEAR}")
    return year


def _read_text(path: Path) -> tuple[bytes, str]:
    """The file's bytes (hashed into the version) and its text, which must be UTF-8.

    A byte that is not UTF-8 is reported by line, column and byte offset, so it can be found
    in any editor; a leading byte-order mark (Windows Notepad writes one) is dropped.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CalendarFileError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        return raw, raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise CalendarFileError(
            f"{path}:{line}: byte 0x{raw[exc.start]:02x} at column {column} (byte offset "
            f"{exc.start}) is not UTF-8; save the file as UTF-8"
        ) from None


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    """The file's TOML, with a parse error turned into a CalendarFileError naming the file."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_ERROR_LINE.search(str(exc))
        where = f"{path}:{at.group(1)}" if at else str(path)
        raise CalendarFileError(f"{where}: {exc}") from None


def _key_line(path: Path, text: str, key: str) -> str:
    """``path:line`` of a top-level ``key = ...`` line (just ``path`` if it has none)."""
    lines = _lines_matching(text, re.compile(rf"^\s*{re.escape(key)}\s*="))
    return f"{path}:{lines[0]}" if lines else str(path)


def _check_header(path: Path, data: dict[str, Any], text: str, year: int) -> None:
    """Only known keys; the file's own year must match its name; the weekend is Fri+Sat."""
    unknown = set(data) - FILE_KEYS
    if unknown:
        raise CalendarFileError(
            f"{path}: unknown key(s) {', '.join(sorted(unknown))} (a calendar file has "
            f"{', '.join(sorted(FILE_KEYS))}; each date is a [[day]] table)"
        )
    found = data.get("year")
    if found is None:
        raise CalendarFileError(f"{path}: missing 'year = {year}'")
    if isinstance(found, bool) or found != year:
        raise CalendarFileError(
            f"{_key_line(path, text, 'year')}: year = {_shown(found)} does not match the "
            f"file name (write year = {year})"
        )
    if data.get("weekend", ["Friday", "Saturday"]) != ["Friday", "Saturday"]:
        raise CalendarFileError(
            f"{_key_line(path, text, 'weekend')}: weekend must be [\"Friday\", \"Saturday\"]"
        )


def _day_tables(path: Path, data: dict[str, Any], text: str) -> list[tuple[Any, int]]:
    """Each [[day]] table with its line number; errors need the line, so counts must match."""
    entries = data.get("day", [])
    lines = _lines_matching(text, _DAY_HEADER)
    if not isinstance(entries, list) or len(lines) != len(entries) or not all(
            isinstance(entry, dict) for entry in entries):
        raise CalendarFileError(f"{path}: write each date as its own [[day]] table")
    return list(zip(entries, lines, strict=True))


def _check_day_fields(entry: dict[str, Any], where: str) -> None:
    """No unknown fields (a typo would be silently ignored) and every required one present."""
    unknown = set(entry) - DAY_FIELDS
    if unknown:
        raise CalendarFileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for required in REQUIRED_DAY_FIELDS:
        if entry.get(required) in (None, ""):
            raise CalendarFileError(f"{where}: missing '{required}'")


def _check_kind_and_date(kind: str, day: date, year: int, where: str) -> None:
    """A date inside the file's year, and working weekends on a weekend."""
    if day.year != year:
        raise CalendarFileError(f"{where}: {day} is not in {year} (this file is bd-{year})")
    if kind == "working_weekend" and day.weekday() not in (FRI, SAT):
        raise CalendarFileError(
            f"{where}: {day} is a {WEEKDAY_NAMES[day.weekday()]}, not a weekend day"
        )


def _districts(entry: dict[str, Any], where: str, geo_dir: Path | None) -> tuple[str, ...]:
    """The entry's districts by their canonical names; an unknown one names the line."""
    names = entry.get("districts", [])
    if not isinstance(names, list):
        raise CalendarFileError(
            f"{where}: districts must be a list, e.g. districts = [\"Rangamati\"] "
            f"(found {_toml_type(names)})"
        )
    if not all(isinstance(name, str) for name in names):
        raise CalendarFileError(
            f"{where}: districts must be a list of names in quotes, e.g. districts = "
            f"[\"Rangamati\"] (found {_shown(names)})"
        )
    texts = [_as_text(name, "districts", where, max_chars=MAX_NAME_CHARS) for name in names]
    try:
        return tuple(canonical_district(name, geo_dir) for name in texts)
    except UnknownDistrictError as exc:
        raise CalendarFileError(f"{where}: {exc}") from None


def _parse_day(entry: dict[str, Any], line: int, *, path: Path, year: int,
               geo_dir: Path | None) -> CalendarDay:
    """One [[day]] table, validated on its own (checks across entries come after)."""
    where = f"{path}:{line}"
    _check_day_fields(entry, where)
    day = _as_date(entry["date"], where)
    kind = _as_choice(entry["kind"], "kind", KNOWN_KINDS, where)
    _check_kind_and_date(kind, day, year, where)
    confidence = _as_choice(entry.get("confidence", "high"), "confidence", CONFIDENCES, where)
    name_en = _as_text(entry["name_en"], "name_en", where, max_chars=MAX_NAME_CHARS)
    name_bn = _as_text(entry["name_bn"], "name_bn", where, max_chars=MAX_NAME_CHARS)
    source = _as_text(entry["source"], "source", where)
    districts = _districts(entry, where, geo_dir)
    return CalendarDay(day, kind, name_en, name_bn, districts, confidence, source,
                       f"calendars/{path.name}:{line}")


class _DayConsistency:
    """Checks across entries: no entry listed twice, no day both closed and opened.

    Keys include the districts, so a regional closure may coexist with a national entry.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[date, tuple[str, ...], str], int] = {}
        self._effect: dict[tuple[date, tuple[str, ...]], tuple[bool, int]] = {}

    def add(self, day: CalendarDay, line: int, where: str) -> None:
        self._check_duplicate(day, line, where)
        self._check_effect(day, line, where)

    def _check_duplicate(self, day: CalendarDay, line: int, where: str) -> None:
        key = (day.date, day.districts, day.name_en.strip().casefold())
        if key in self._seen:
            raise CalendarFileError(
                f"{where}: duplicate date {day.date} (same entry as line {self._seen[key]})"
            )
        self._seen[key] = line

    def _check_effect(self, day: CalendarDay, line: int, where: str) -> None:
        # Only closures and working weekends change whether offices open; others are labels.
        if day.kind not in CLOSURE_KINDS and day.kind != "working_weekend":
            return
        opens = day.kind == "working_weekend"
        previous = self._effect.get((day.date, day.districts))
        if previous is not None and previous[0] != opens:
            raise CalendarFileError(
                f"{where}: {day.date} is both a closure and a working day "
                f"(see line {previous[1]})"
            )
        self._effect[(day.date, day.districts)] = (opens, line)


def _ramadan(path: Path, data: dict[str, Any], text: str, year: int) -> RamadanHours | None:
    """The file's [ramadan] table (shorter office hours), if it has one.

    Its days must lie in the file's year: the closing time of a day is looked up in that
    day's own year file, so a day elsewhere would be silently ignored.
    """
    if "ramadan" not in data:
        return None
    r = data["ramadan"]
    lines = _lines_matching(text, _RAMADAN_HEADER)
    where = f"{path}:{lines[0]}: [ramadan]" if lines else f"{path}: [ramadan]"
    if not isinstance(r, dict):
        raise CalendarFileError(f"{where}: write Ramadan as one [ramadan] table")
    unknown = set(r) - RAMADAN_FIELDS
    if unknown:
        raise CalendarFileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    first = _as_date(r.get("first_day"), where, "first_day")
    last = _as_date(r.get("last_day"), where, "last_day")
    if first.year != year or last.year != year:
        raise CalendarFileError(f"{where}: first_day/last_day must both be in {year}")
    if not (first <= last and last - first <= timedelta(days=30)):
        raise CalendarFileError(f"{where}: first_day/last_day do not span a Ramadan")
    _as_choice(r.get("confidence", "high"), "confidence", CONFIDENCES, where)
    return RamadanHours(first, last, _as_time(r.get("closing_time", "15:30"), where),
                        _as_text(r.get("source", ""), "source", where))


def load_year_file(path: Path, geo_dir: Path | None = None) -> YearCalendar:
    """Parse and validate one calendar file. Errors name the file and the line."""
    year = _year_of_name(path)
    raw, text = _read_text(path)
    data = _parse_toml(path, text)
    _check_header(path, data, text, year)

    days: list[CalendarDay] = []
    consistency = _DayConsistency()
    for entry, line in _day_tables(path, data, text):
        day = _parse_day(entry, line, path=path, year=year, geo_dir=geo_dir)
        consistency.add(day, line, f"{path}:{line}")
        days.append(day)

    ramadan = _ramadan(path, data, text, year)
    digest = hashlib.sha256(raw).hexdigest()[:10]
    return YearCalendar(year, tuple(sorted(days, key=lambda d: d.date)), ramadan,
                        provisional=False, version=f"bd-{year}@{digest}")


def forecast_year(year: int) -> YearCalendar:
    """A provisional year from the PyPI ``holidays`` package (BD).

    It misses Hindu/Buddhist holidays, executive days around each Eid, ad-hoc closures and
    working Saturdays, and its moon dates are estimates: usable only as a labelled forecast.
    """
    import holidays  # imported lazily: only forecast years need it

    forecast = holidays.country_holidays("BD", years=year)
    release = metadata.version("holidays")
    days = tuple(
        CalendarDay(d, "forecast", str(label), str(label), (), "low",
                    f"PyPI holidays {release} (forecast)",
                    f"forecast: holidays {release}")
        for d, label in sorted(forecast.items())
    )
    # Ramadan ends the day before the (estimated) Eid al-Fitr and lasts about 30 days.
    eid = min((d.date for d in days if "Fitr" in d.name_en), default=None)
    ramadan = (
        RamadanHours(eid - timedelta(days=30), eid - timedelta(days=1), time(15, 30),
                     "estimated from the forecast Eid al-Fitr")
        if eid else None
    )
    return YearCalendar(year, days, ramadan, provisional=True,
                        version=f"forecast-{year}@holidays-{release}")


# --------------------------------------------------------------------------------------
# The calendar class


class BangladeshCalendar(Calendar):  # type: ignore[misc]  # workalendar is untyped
    """Government-office working days for Bangladesh (optionally one district's offices).

    Weekend: Friday and Saturday. Closures: the year's general and executive holidays
    (national, plus regional ones for ``district``). Working weekends are working days.
    """

    WEEKEND_DAYS = (FRI, SAT)

    def __init__(self, years: Sequence[YearCalendar], district: str | None = None,
                 closing_time: time = DEFAULT_CLOSING) -> None:
        super().__init__()
        if not years:
            raise CalendarRangeError("no calendar years available")
        self.years: dict[int, YearCalendar] = {y.year: y for y in years}
        self.district = district
        self.closing_time = closing_time
        self.first_year, self.last_year = min(self.years), max(self.years)
        missing = set(range(self.first_year, self.last_year + 1)) - set(self.years)
        if missing:
            raise CalendarRangeError(f"calendar years missing: {sorted(missing)}")
        self._by_date: dict[date, list[CalendarDay]] = {}
        for year in self.years.values():
            for entry in year.days:
                if entry.applies_to(district):
                    self._by_date.setdefault(entry.date, []).append(entry)

    # -- identity ----------------------------------------------------------------------
    @property
    def curated_years(self) -> list[int]:
        return sorted(y for y, c in self.years.items() if not c.provisional)

    @property
    def provisional_years(self) -> list[int]:
        return sorted(y for y, c in self.years.items() if c.provisional)

    @property
    def version(self) -> str:
        """Frozen with every due date: which files (by content hash) produced it."""
        parts = [self.years[y].version for y in sorted(self.years)]
        scope = f"district={self.district}" if self.district else "national"
        return f"{scope};" + ",".join(parts)

    @property
    def first_day(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.last_year, 12, 31)

    def covers(self, day: date) -> bool:
        """Whether working days can be counted on ``day`` (a curated or forecast year)."""
        return self.first_day <= day <= self.last_day

    def check_in_range(self, day: date) -> None:
        if not self.covers(day):
            raise CalendarRangeError(
                f"{day} is outside every known and forecast calendar year "
                f"({self.first_year}-{self.last_year}){self._how_to_add(day.year)}"
            )

    def check_year(self, year: int) -> None:
        """Refuse a year outside the calendar (any int: -1 and 99999 are not dates at all)."""
        if not self.first_year <= year <= self.last_year:
            raise CalendarRangeError(
                f"year {year} is outside every known and forecast calendar year "
                f"({self.first_year}-{self.last_year}){self._how_to_add(year)}"
            )

    def _how_to_add(self, year: int) -> str:
        """The fix for a year just past either end (a file), and none for year 1 or 9999."""
        near = self.first_year - NEAR_YEARS <= year <= self.last_year + NEAR_YEARS
        return f"; add calendars/bd-{year}.toml" if near else ""

    def is_provisional(self, day: date) -> bool:
        self.check_in_range(day)
        return self.years[day.year].provisional

    def any_provisional(self, start: date, end: date) -> bool:
        """True if any year touched by [start, end] has no curated list."""
        return any(self.is_provisional(date(y, 1, 1)) for y in range(start.year, end.year + 1))

    # -- workalendar API ---------------------------------------------------------------
    def get_calendar_holidays(self, year: int) -> list[tuple[date, str]]:
        self.check_year(year)
        return [(e.date, e.name_en) for e in self.years[year].days
                if e.is_closure and e.applies_to(self.district)]

    def working_weekends(self, year: int) -> list[date]:
        return [e.date for e in self.years[year].days
                if e.kind == "working_weekend" and e.applies_to(self.district)]

    def is_working_day(self, day: Any, extra_working_days: Iterable[date] | None = None,
                       extra_holidays: Iterable[date] | None = None) -> bool:
        day_ = day.date() if hasattr(day, "date") and callable(day.date) else day
        self.check_in_range(day_)
        extra = list(extra_working_days or []) + self.working_weekends(day_.year)
        return bool(super().is_working_day(day_, extra_working_days=extra,
                                           extra_holidays=extra_holidays))

    # -- explanations ------------------------------------------------------------------
    def entries_on(self, day: date) -> list[CalendarDay]:
        return list(self._by_date.get(day, []))

    def day_info(self, day: date) -> DayInfo:
        """Working or not, with the reason in English and Bengali."""
        self.check_in_range(day)
        entries = tuple(self.entries_on(day))
        provisional = self.years[day.year].provisional
        weekday = WEEKDAY_NAMES[day.weekday()]
        working = self.is_working_day(day)
        opened = [e for e in entries if e.kind == "working_weekend"]
        closures = [e for e in entries if e.is_closure]
        if opened:
            en, bn = f"{weekday} declared a working day: {opened[0].name_en}", opened[0].name_bn
        elif closures:
            en = "; ".join(f"{e.name_en} ({KIND_LABELS[e.kind][0]})" for e in closures)
            bn = "; ".join(f"{e.name_bn} ({KIND_LABELS[e.kind][1]})" for e in closures)
        elif day.weekday() in self.WEEKEND_DAYS:
            en, bn = f"{weekday} (weekly holiday)", "সাপ্তাহিক ছুটি"
        else:
            en, bn = f"{weekday}, a regular working day", "কর্মদিবস"
            notes = [e for e in entries if e.kind in ("optional", "cancelled")]
            if notes:
                en += "; " + "; ".join(f"{e.name_en} ({KIND_LABELS[e.kind][0]})" for e in notes)
                bn += "; " + "; ".join(f"{e.name_bn} ({KIND_LABELS[e.kind][1]})" for e in notes)
        if provisional:
            en += f" [provisional: {day.year} has no curated holiday list]"
            bn += " [অস্থায়ী]"
        return DayInfo(day, working, en, bn, provisional, entries)

    def office_closing_time(self, day: date) -> time:
        """17:00, or the Ramadan closing time (15:30) on days of Ramadan."""
        self.check_in_range(day)
        ramadan = self.years[day.year].ramadan
        if ramadan and ramadan.first_day <= day <= ramadan.last_day:
            return ramadan.closing_time
        return self.closing_time

    # -- fast path ---------------------------------------------------------------------
    @cached_property
    def index(self) -> WorkingDayIndex:
        """Precomputed working-day index over every known and forecast year."""
        n_days = (self.last_day - self.first_day).days + 1
        all_days = np.datetime64(self.first_day, "D") + np.arange(n_days)
        weekday = (all_days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (3)
        mask = ~np.isin(weekday, self.WEEKEND_DAYS)
        offsets: dict[date, int] = {}
        for day, entries in self._by_date.items():
            offsets[day] = (day - self.first_day).days
            if any(e.is_closure for e in entries):
                mask[offsets[day]] = False
        for day, entries in self._by_date.items():  # working weekends win over closures
            if any(e.kind == "working_weekend" for e in entries):
                mask[offsets[day]] = True
        return WorkingDayIndex.from_mask(self.first_day, mask)


# --------------------------------------------------------------------------------------
# Public loader


def _file_signature(calendars_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, mtime and size of each file: the cache key that notices an edit."""
    signature = []
    for path in sorted(calendars_dir.glob("bd-*.toml")):
        try:
            stat = path.stat()
        except OSError as exc:  # e.g. a dangling symlink
            raise CalendarFileError(f"{path}: cannot read the file ({exc.strerror})") from None
        signature.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


def load_calendar(district: str | None = None, calendars_dir: Path | None = None) -> (
        BangladeshCalendar):
    """The national calendar (or one district's, with its regional closures).

    Curated years come from ``calendars/bd-YYYY.toml``; the years around them (settings
    ``forecast_years_before/after``) are provisional forecasts. Reloads when a file changes.
    """
    settings = get_settings()
    folder = Path(calendars_dir or settings.calendars_dir)
    canonical = canonical_district(district) if district else None
    return _load_cached(canonical, folder, _file_signature(folder),
                        settings.forecast_years_before, settings.forecast_years_after,
                        settings.closes_at)


@lru_cache(maxsize=32)
def _load_cached(district: str | None, folder: Path, signature: tuple[Any, ...],
                 before: int, after: int, closing: time) -> BangladeshCalendar:
    curated = {c.year: c for c in (load_year_file(folder / name) for name, *_ in signature)}
    if not curated:
        raise CalendarFileError(f"{folder}: no calendar files (bd-YYYY.toml)")
    first, last = min(curated) - before, max(curated) + after
    years = [curated.get(y) or forecast_year(y) for y in range(first, last + 1)]
    return BangladeshCalendar(years, district=district, closing_time=closing)
