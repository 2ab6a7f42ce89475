"""Plain-text views of a calendar for the CLI: the holiday list, the check summary and the
demo walkthrough. Dates and times through tracker.domain.bn (dd-mm-yyyy; Bengali digits in
the Bengali holiday list)."""

from __future__ import annotations

from datetime import date, datetime

from tracker.domain.bn import Lang, fmt_date, fmt_time
from tracker.domain.calendar import KIND_LABELS, WEEKDAY_NAMES, BangladeshCalendar
from tracker.domain.deadlines import DeadlineSpec, DeadlineUnit, due_date
from tracker.domain.localtime import DHAKA


def holidays_table(calendar: BangladeshCalendar, year: int, *, bengali: bool = False) -> str:
    """Every dated entry of ``year``: date, weekday, kind, confidence, name and source."""
    calendar.check_in_range(date(year, 1, 1))
    year_cal = calendar.years[year]
    lang = Lang.BN if bengali else Lang.EN
    lines = []
    if year_cal.provisional:
        lines.append(f"PROVISIONAL: no curated list for {year}; forecast from the PyPI "
                     "holidays package (misses Hindu/Buddhist and executive-order days).")
    lines.append(f"# {year} — version {year_cal.version}"
                 + (f" — district {calendar.district}" if calendar.district else ""))
    lines.append("date        day        kind              conf    name | source")
    for e in year_cal.days:
        scope = "" if not e.districts else f" [only {', '.join(e.districts)}]"
        if e.districts and not e.applies_to(calendar.district):
            scope += " (not here)"
        name = e.name_bn if bengali else e.name_en
        kind = e.kind if not bengali else KIND_LABELS[e.kind][1]
        weekday = WEEKDAY_NAMES[e.date.weekday()][:9]
        lines.append(f"{fmt_date(e.date, lang)}  {weekday:<9}  {kind:<16}  "
                     f"{e.confidence:<6}  {name}{scope} | {e.source}")
    if year_cal.ramadan:
        r = year_cal.ramadan
        closing = fmt_time(f"{r.closing_time:%H:%M}", lang)
        lines.append(f"Ramadan office hours (closing {closing}): "
                     f"{fmt_date(r.first_day, lang)} to {fmt_date(r.last_day, lang)}")
    return "\n".join(lines)


def check_text(calendar: BangladeshCalendar) -> str:
    """One line per curated year (closure entries, version), then the forecast years.

    Loading the calendar already validated every file; this says what was loaded.
    """
    lines = []
    for year in calendar.curated_years:
        entry = calendar.years[year]
        closures = sum(1 for d in entry.days if d.is_closure)
        lines.append(f"{year}: ok, {closures} closure entries, version {entry.version}")
    lines.append(f"provisional (forecast) years: {calendar.provisional_years}")
    return "\n".join(lines)


DEMO_CASES: tuple[tuple[str, datetime, DeadlineSpec], ...] = (
    ("3 working days across the 2025 Eid-ul-Fitr block",
     datetime(2025, 3, 27, 10, 15, tzinfo=DHAKA), DeadlineSpec.working_days(3)),
    ("5 working days over the working Saturday 17 May 2025",
     datetime(2025, 5, 15, 11, 0, tzinfo=DHAKA), DeadlineSpec.working_days(5)),
    ("immediate, received 16:00 in Ramadan (closes 15:30)",
     datetime(2025, 3, 10, 16, 0, tzinfo=DHAKA), DeadlineSpec.immediate()),
    ("7 calendar days landing on a Friday",
     datetime(2025, 1, 2, 9, 30, tzinfo=DHAKA), DeadlineSpec(DeadlineUnit.CALENDAR_DAYS, 7)),
)


def demo_text(calendar: BangladeshCalendar, as_of: date) -> str:
    """A short tour of the working-day engine on real 2024-2026 cases."""
    out = [
        "Citizen-charter SLA tracker — working-day engine demo",
        f"calendar: {calendar.version}",
        f"curated years: {calendar.curated_years}; provisional: {calendar.provisional_years}",
        "",
    ]
    if calendar.covers(as_of):
        info = calendar.day_info(as_of)
        verdict = "a working day" if info.working else "not a working day"
        out.append(f"{fmt_date(as_of, Lang.EN)} is {verdict}: {info.reason_en}")
        out.append("")
    for title, received, spec in DEMO_CASES:
        result = due_date(received, spec, calendar, explain=True)
        out.append(f"== {title}")
        out.append(result.explain())
        out.append("")
    out.append("Try: tracker calendar due --received 2025-03-27T10:15 --working-days 3 --explain")
    return "\n".join(out)
