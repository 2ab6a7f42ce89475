"""One-off: turn ../shared/calendar/*.csv into calendars/bd-YYYY.toml.

The TOML files are the source of truth afterwards; amend them by hand (see calendars/README.md).
Kept in the repository so the provenance of the first version is reproducible.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path


def toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def main(shared: Path, out_dir: Path) -> None:
    rows_by_year: dict[int, list[dict[str, str]]] = defaultdict(list)
    with (shared / "bd-holidays-2024-2026.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows_by_year[int(row["date"][:4])].append(row)
    ramadan: dict[int, dict[str, str]] = {}
    with (shared / "ramadan.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ramadan[int(row["year"])] = row
    for year, rows in sorted(rows_by_year.items()):
        lines = [
            f"# Bangladesh government office calendar, {year}.",
            "# Closures: kind general (সাধারণ) and executive (নির্বাহী আদেশে).",
            "# optional (ঐচ্ছিক) days are NOT closures; working_weekend = Friday/Saturday worked.",
            "# Amend by editing this file; run `tracker calendar holidays --year "
            f"{year}` to validate.",
            "",
            'country = "BD"',
            f"year = {year}",
            'weekend = ["Friday", "Saturday"]',
            "",
        ]
        if year in ramadan:
            r = ramadan[year]
            lines += [
                "[ramadan]",
                f"first_day = {r['first_day']}",
                f"last_day = {r['last_day']}",
                'closing_time = "15:30"',
                f"source = {toml_str(r['source'])}",
                f"confidence = {toml_str(r['confidence'])}",
                "",
            ]
        for row in rows:
            lines.append("[[day]]")
            lines.append(f"date = {row['date']}")
            lines.append(f"kind = {toml_str(row['kind'])}")
            lines.append(f"name_en = {toml_str(row['name_en'])}")
            lines.append(f"name_bn = {toml_str(row['name_bn'])}")
            scope = row["scope"]
            if scope.startswith("districts:"):
                districts = ", ".join(toml_str(d) for d in scope.split(":", 1)[1].split("|"))
                lines.append(f"districts = [{districts}]")
            lines.append(f"confidence = {toml_str(row['confidence'])}")
            lines.append(f"source = {toml_str(row['source'])}")
            lines.append("")
        (out_dir / f"bd-{year}.toml").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
