"""How the parser reads the charters of other offices, against their ``expected.json``.

    .venv/bin/python scripts/other_offices_report.py [FOLDER]

FOLDER defaults to data/charters/other-offices (the bundled copy of the development set).
For every file and every row of expected.json it prints whether the row was found as a
service and how its time limit was read:

- exact: read as expected (kind -> unit calendar_days / working_days / hours / months, or
  immediate / no_deadline / per_directive; amount, range_min, conditional, variants);
- flagged: the service is found and its limit is flagged ``needs_review`` (never a wrong
  reading: a reviewer sets it);
- wrong: read differently from expected, and not flagged (or an expected "review" row
  that is not flagged);
- missed: no service for the row;
- extra: services found that are no row of expected.json (a cut row must be a problem).

Rows are matched by name: the service whose name holds the expected name (or is held by
it), in the spaceless matching key of :func:`tracker.domain.charter.text.match_key`, taking
services in order (so the k-th "ঐ" row matches the k-th service after the one before it);
an expected name that is a ditto mark (ঐ) matches the next service in order.
tests/charter/test_other_offices.py runs the same comparison.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.config import PROJECT_ROOT
from tracker.domain.charter.deadline import is_ditto
from tracker.domain.charter.model import Deadline, ParsedCharter, Service
from tracker.domain.charter.parser import parse_file
from tracker.domain.charter.text import match_key

FOLDER = PROJECT_ROOT / "data" / "charters" / "other-offices"
OUTCOMES = ("exact", "flagged", "wrong", "missed")
_UNITS = {"days": "calendar_days", "working_days": "working_days", "hours": "hours",
          "months": "months"}


@dataclass
class FileReport:
    file: str
    found: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    extra: list[str] = field(default_factory=list)
    #: (order, outcome, why) for every row not read exactly
    details: list[tuple[int, str, str]] = field(default_factory=list)


def expected_files(folder: Path = FOLDER) -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    files: list[dict[str, Any]] = data["files"]
    return files


def reading_differs(deadline: Deadline, expect: dict[str, Any]) -> str | None:
    """How ``deadline`` differs from the expected reading, or None if it is that one."""
    kind = expect["kind"]
    got = {"amount": deadline.amount, "range_min": deadline.range_min,
           "conditional": deadline.conditional, "variants": deadline.variants}
    if kind in _UNITS:
        if deadline.unit != _UNITS[kind] or deadline.no_deadline or deadline.per_directive:
            return f"expected {kind}, read {deadline.describe()!r}"
    elif kind == "immediate":
        if not deadline.immediate or deadline.unit is not None:
            return f"expected immediate, read {deadline.describe()!r}"
    elif kind in ("no_deadline", "per_directive"):
        if not getattr(deadline, kind) or deadline.unit is not None:
            return f"expected {kind}, read {deadline.describe()!r}"
    else:
        return f"expected {kind} (to be flagged), read {deadline.describe()!r}"
    for key, value in got.items():
        if expect.get(key) is not None and expect[key] != value:
            return f"{key}: expected {expect[key]!r}, read {value!r}"
        if expect.get(key) is None and key in ("amount", "range_min") and value is not None:
            return f"{key}: expected none, read {value!r}"
    return None


def _same_name(expected: str, found: str) -> bool:
    want, got = match_key(expected), match_key(found)
    return bool(want) and bool(got) and (want in got or got in want)


def _match(row: dict[str, Any], services: list[Service], start: int) -> int | None:
    """The index of the service (from ``start`` on) that is the expected ``row``."""
    if is_ditto(row["name_bn"]):
        return start if start < len(services) else None
    for index in range(start, len(services)):
        if _same_name(row["name_bn"], services[index].name_bn):
            return index
    return None


def compare(expected: dict[str, Any], parsed: ParsedCharter) -> FileReport:
    report = FileReport(expected["file"], found=len(parsed.services))
    services = list(parsed.services)
    used: set[int] = set()
    start = 0
    for row in expected["services"]:
        index = _match(row, services, start)
        if index is None:
            report.counts["missed"] += 1
            report.details.append((row["order"], "missed", row["name_bn"][:40]))
            continue
        used.add(index)
        start = index + 1
        deadline = services[index].deadline
        differs = reading_differs(deadline, row["expect"])
        if deadline.needs_review:
            outcome = "flagged"
        elif differs is None:
            outcome = "exact"
        else:
            outcome = "wrong"
        report.counts[outcome] += 1
        if outcome != "exact":
            report.details.append((row["order"], outcome, differs or "needs_review"))
    report.extra = [f"{s.number} {s.name_bn[:40]} (line {s.line})"
                    for i, s in enumerate(services) if i not in used]
    return report


def reports(folder: Path = FOLDER) -> list[FileReport]:
    return [compare(expected, parse_file(folder / expected["file"]))
            for expected in expected_files(folder)]


def table(found: list[FileReport]) -> str:
    lines = ["| file | services found | exact | flagged | wrong | missed | extra |",
             "|---|---|---|---|---|---|---|"]
    totals = dict.fromkeys(("found", *OUTCOMES, "extra"), 0)
    for report in found:
        values = {"found": report.found, **report.counts, "extra": len(report.extra)}
        for key, value in values.items():
            totals[key] += value
        lines.append(f"| {report.file} | " + " | ".join(str(v) for v in values.values()) + " |")
    lines.append("| **total** | " + " | ".join(str(v) for v in totals.values()) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else FOLDER
    found = reports(folder)
    print(table(found))
    for report in found:
        for order, outcome, why in report.details:
            print(f"{report.file} row {order}: {outcome}: {why}")
        for extra in report.extra:
            print(f"{report.file}: extra service {extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
