"""iCalendar (RFC 5545) export of a year's office closures, for Outlook / Google Calendar."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from tracker.domain.calendar import KIND_LABELS, BangladeshCalendar


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def _fold(line: str) -> list[str]:
    """Fold to 75 octets per line without splitting a UTF-8 character (RFC 5545 3.1)."""
    out: list[str] = []
    current = ""
    for ch in line:
        limit = 75 if not out else 74  # continuation lines start with a space
        if len((current + ch).encode("utf-8")) > limit:
            out.append(current)
            current = ch
        else:
            current += ch
    out.append(current)
    return [out[0]] + [" " + part for part in out[1:]]


def to_ics(calendar: BangladeshCalendar, year: int, stamp: datetime | None = None) -> str:
    """All-day events for every closure (and working weekend) of ``year``."""
    calendar.check_in_range(datetime(year, 1, 1).date())
    stamp = stamp or datetime(year, 1, 1, tzinfo=UTC)  # deterministic output for a file
    year_cal = calendar.years[year]
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0",
        "PRODID:-//charter-sla-tracker//BD government office calendar//EN",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        f"X-WR-CALNAME:Bangladesh government offices {year}"
        + (" (provisional)" if year_cal.provisional else ""),
        "X-WR-TIMEZONE:Asia/Dhaka",
    ]
    for entry in year_cal.days:
        if not (entry.is_closure or entry.kind == "working_weekend"):
            continue
        if not entry.applies_to(calendar.district):
            continue
        label_en, label_bn = KIND_LABELS[entry.kind]
        summary = f"{entry.name_bn} / {entry.name_en}"
        if entry.kind == "working_weekend":
            summary = f"অফিস খোলা / Office open: {entry.name_en}"
        digest = hashlib.sha1(f"{entry.name_en}|{entry.kind}".encode()).hexdigest()[:10]
        uid = f"{entry.date:%Y%m%d}-{digest}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@charter-sla-tracker",
            f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
            f"DTSTART;VALUE=DATE:{entry.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{entry.date + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(f'{label_en} / {label_bn}. Source: {entry.source}')}",
            "TRANSP:TRANSPARENT" if entry.kind == "working_weekend" else "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
