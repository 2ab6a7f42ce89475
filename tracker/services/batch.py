"""Due dates for a CSV file of receipts (``tracker calendar due --file``).

All rows or none: every bad row is reported with its line number and nothing is written.
Working-day rows go through the vectorised path; immediate rows (empty N) per row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tracker.domain.calendar import BangladeshCalendar
from tracker.domain.deadlines import DeadlineSpec, due_date, due_dates
from tracker.domain.localtime import LocalMoment, parse_moment
from tracker.errors import InputError, TrackerError

REQUIRED_COLUMNS = ("received_at", "working_days")
MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True)
class BatchResult:
    csv_text: str
    warnings: list[str]


def due_dates_csv(path: Path, calendar: BangladeshCalendar) -> BatchResult:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} "
                         f"(expected header: received_at,working_days)")

    rows: list[tuple[str, str, LocalMoment, int | None]] = []
    errors: list[str] = []
    for row in reader:
        line = reader.line_num
        raw_received = (row.get("received_at") or "").strip()
        raw_n = (row.get("working_days") or "").strip()
        try:
            moment = parse_moment(raw_received)
            n: int | None = None
            if raw_n:
                if not raw_n.isdigit() or int(raw_n) < 1:
                    raise InputError(f"working_days must be a whole number >= 1, got {raw_n!r}")
                n = int(raw_n)
            calendar.check_in_range(moment.date)
        except TrackerError as exc:
            errors.append(f"line {line}: {exc}")
            continue
        rows.append((raw_received, raw_n, moment, n))
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f" (and {len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
        raise InputError(f"{path}: {len(errors)} bad row(s), nothing written: "
                         + "; ".join(shown) + more)

    dues: list[str] = [""] * len(rows)
    wd_rows = [i for i, r in enumerate(rows) if r[3] is not None]
    if wd_rows:
        received = np.array([rows[i][2].date for i in wd_rows], dtype="datetime64[D]")
        counts = np.array([rows[i][3] for i in wd_rows], dtype=np.int64)
        try:
            result = due_dates(received, counts, calendar)
        except TrackerError as exc:
            raise InputError(f"{path}: {exc}") from None
        for i, due in zip(wd_rows, result, strict=True):
            dues[i] = str(due)
    provisional_lines: list[int] = []
    for i, (_, _, moment, n) in enumerate(rows):
        if n is None:
            dues[i] = due_date(moment, DeadlineSpec.immediate(), calendar).due.isoformat()
        if calendar.any_provisional(moment.date, np.datetime64(dues[i], "D").item()):
            provisional_lines.append(i + 2)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["received_at", "working_days", "due_date"])
    for (raw_received, raw_n, _, _), due in zip(rows, dues, strict=True):
        writer.writerow([raw_received, raw_n, due])
    warnings = []
    if provisional_lines:
        warnings.append(
            f"provisional due dates (no curated holiday list for "
            f"{', '.join(map(str, calendar.provisional_years))} years) on line(s) "
            + ", ".join(map(str, provisional_lines[:50]))
            + (" ..." if len(provisional_lines) > 50 else "")
        )
    return BatchResult(out.getvalue(), warnings)
