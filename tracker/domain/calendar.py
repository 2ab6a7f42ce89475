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
from datetime import date, time, timedelta
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from workalendar.core import FRI, SAT, Calendar

from tracker.config import get_settings
from tracker.domain.workdays import WorkingDayIndex
from tracker.errors import CalendarFileError, CalendarRangeError, UnknownDistrictError

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
FILE_PATTERN = re.compile(r"^bd-(\d{4})\.toml$")


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


def _entry_lines(text: str, header: str) -> list[int]:
    """Line numbers (1-based) of each ``[[header]]`` table, in order."""
    return [i for i, line in enumerate(text.splitlines(), 1) if line.strip() == f"[[{header}]]"]


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarFileError(f"{where}: bad date {value!r} (expected YYYY-MM-DD)")


def _as_time(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise CalendarFileError(f"{where}: bad time {value!r} (expected HH:MM)") from None


#: The fields a [[day]] table may have, and those it must have (non-empty).
DAY_FIELDS = frozenset(
    {"date", "kind", "name_en", "name_bn", "districts", "confidence", "source"}
)
REQUIRED_DAY_FIELDS = ("date", "kind", "name_en", "name_bn", "source")


def _year_of_name(path: Path) -> int:
    """The year a calendar file is for, read from its name (bd-YYYY.toml)."""
    match = FILE_PATTERN.match(path.name)
    if not match:
        raise CalendarFileError(f"{path}: calendar files are named bd-YYYY.toml")
    return int(match.group(1))


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    """The file's TOML, with a parse error turned into a CalendarFileError naming the file."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarFileError(f"{path}: {exc}") from None


def _check_header(path: Path, data: dict[str, Any], year: int) -> None:
    """The file's own year must match its name, and the weekend is fixed (Fri+Sat)."""
    if data.get("year") != year:
        raise CalendarFileError(f"{path}: 'year = {data.get('year')}' does not match the name")
    if data.get("weekend", ["Friday", "Saturday"]) != ["Friday", "Saturday"]:
        raise CalendarFileError(f"{path}: weekend must be [\"Friday\", \"Saturday\"]")


def _day_tables(path: Path, data: dict[str, Any], text: str) -> list[tuple[Any, int]]:
    """Each [[day]] table with its line number; errors need the line, so counts must match."""
    entries = data.get("day", [])
    lines = _entry_lines(text, "day")
    if not isinstance(entries, list) or len(lines) != len(entries):
        raise CalendarFileError(f"{path}: write each date as its own [[day]] table")
    return list(zip(entries, lines, strict=True))


def _check_day_fields(entry: Any, where: str) -> None:
    """No unknown fields (a typo would be silently ignored) and every required one present."""
    unknown = set(entry) - DAY_FIELDS
    if unknown:
        raise CalendarFileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for required in REQUIRED_DAY_FIELDS:
        if not entry.get(required):
            raise CalendarFileError(f"{where}: missing '{required}'")


def _check_kind_and_date(kind: Any, day: date, year: int, where: str) -> None:
    """A known kind, a date inside the file's year, and working weekends on a weekend."""
    if kind not in KNOWN_KINDS:
        raise CalendarFileError(
            f"{where}: unknown kind {kind!r} (one of {', '.join(sorted(KNOWN_KINDS))})"
        )
    if day.year != year:
        raise CalendarFileError(f"{where}: {day} is not in {year}")
    if kind == "working_weekend" and day.weekday() not in (FRI, SAT):
        raise CalendarFileError(
            f"{where}: {day} is a {WEEKDAY_NAMES[day.weekday()]}, not a weekend day"
        )


def _districts(entry: Any, where: str, geo_dir: Path | None) -> tuple[str, ...]:
    """The entry's districts by their canonical names; an unknown one names the line."""
    try:
        return tuple(canonical_district(str(d), geo_dir) for d in entry.get("districts", []))
    except UnknownDistrictError as exc:
        raise CalendarFileError(f"{where}: {exc}") from None


def _parse_day(entry: Any, line: int, *, path: Path, year: int,
               geo_dir: Path | None) -> CalendarDay:
    """One [[day]] table, validated on its own (checks across entries come after)."""
    where = f"{path}:{line}"
    _check_day_fields(entry, where)
    day = _as_date(entry["date"], where)
    kind = entry["kind"]
    _check_kind_and_date(kind, day, year, where)
    confidence = entry.get("confidence", "high")
    if confidence not in ("high", "medium", "low"):
        raise CalendarFileError(f"{where}: confidence must be high, medium or low")
    districts = _districts(entry, where, geo_dir)
    return CalendarDay(day, kind, entry["name_en"], entry["name_bn"], districts,
                       confidence, entry["source"], f"calendars/{path.name}:{line}")


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


def _ramadan(path: Path, data: dict[str, Any]) -> RamadanHours | None:
    """The file's [ramadan] table (shorter office hours), if it has one."""
    if "ramadan" not in data:
        return None
    r = data["ramadan"]
    where = f"{path}: [ramadan]"
    first, last = _as_date(r.get("first_day"), where), _as_date(r.get("last_day"), where)
    if not (first <= last and last - first <= timedelta(days=30)):
        raise CalendarFileError(f"{where}: first_day/last_day do not span a Ramadan")
    return RamadanHours(first, last, _as_time(r.get("closing_time", "15:30"), where),
                        r.get("source", ""))


def load_year_file(path: Path, geo_dir: Path | None = None) -> YearCalendar:
    """Parse and validate one calendar file. Errors name the file and the line."""
    year = _year_of_name(path)
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    data = _parse_toml(path, text)
    _check_header(path, data, year)

    days: list[CalendarDay] = []
    consistency = _DayConsistency()
    for entry, line in _day_tables(path, data, text):
        day = _parse_day(entry, line, path=path, year=year, geo_dir=geo_dir)
        consistency.add(day, line, f"{path}:{line}")
        days.append(day)

    ramadan = _ramadan(path, data)
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

    def check_in_range(self, day: date) -> None:
        if not self.first_day <= day <= self.last_day:
            raise CalendarRangeError(
                f"{day} is outside every known and forecast calendar year "
                f"({self.first_year}-{self.last_year}); add calendars/bd-{day.year}.toml"
            )

    def is_provisional(self, day: date) -> bool:
        self.check_in_range(day)
        return self.years[day.year].provisional

    def any_provisional(self, start: date, end: date) -> bool:
        """True if any year touched by [start, end] has no curated list."""
        return any(self.is_provisional(date(y, 1, 1)) for y in range(start.year, end.year + 1))

    # -- workalendar API ---------------------------------------------------------------
    def get_calendar_holidays(self, year: int) -> list[tuple[date, str]]:
        self.check_in_range(date(year, 1, 1))
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
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(calendars_dir.glob("bd-*.toml"))
    )


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
