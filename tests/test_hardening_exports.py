"""Issue 11, items 8 and 9: hostile text in what the tracker writes out.

8. A register number ``R/1\\r=cmd|' /C calc'!A0`` went out unquoted in the APA CSVs (records
   ended in a bare LF, so csv quoted nothing holding only a CR), and a reader saw a record
   starting ``=cmd|...``. Every CSV writer now ends records in CRLF (fields with CR or LF are
   quoted) and neutralises a formula start after every line break, not only at the start.
9. A control character in an office name or a reference (rows written before the input
   checks) made openpyxl raise IllegalCharacterError and the APA workbook failed for every
   scope that includes the office; text cells are now made safe (U+FFFD) before writing.

Each check reads the output back twice: as a CSV reader does, and as a naive reader that
splits the file on line breaks does (no line may start with = + - @ tab or CR).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlmodel import Session, select

from tests.test_exports import AS_OF, OFFICE, build_log, table
from tracker.domain.localtime import parse_moment
from tracker.services.apa import build_apa
from tracker.services.apa_scope import resolve_offices
from tracker.services.auth import SYSTEM
from tracker.services.batch import _Receipt, _render_csv
from tracker.services.exports import (
    ApaReport,
    Column,
    Sheet,
    frame_csv,
    neutralise,
    render_apa,
    write_csv,
    write_csv_rows,
    write_xlsx,
)
from tracker.store.models import Office, Request

HOSTILE_REF = "R/1\r=cmd|' /C calc'!A0"
#: What a spreadsheet takes as the start of a formula (OWASP), spelt out here on purpose
#: rather than imported: the test must not share the code's idea of "unsafe".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The ways a naive reader cuts a file (or a cell) into lines.
NAIVE_SPLITS: dict[str, Callable[[str], list[str]]] = {
    "LF": lambda text: text.split("\n"),
    "CR": lambda text: text.split("\r"),
    "splitlines": str.splitlines,
}


def formula_lines(text: str) -> list[tuple[str, str]]:
    """(how it was split, the line) for every line that starts like a formula."""
    return [(how, line) for how, split in NAIVE_SPLITS.items() for line in split(text)
            if line.startswith(FORMULA_STARTS)]


def raw_text(path: Path) -> str:
    """The file as written: no newline translation (it would hide a bare CR)."""
    return path.read_bytes().decode("utf-8-sig")


def csv_records(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _sheet(rows: list[list[Any]]) -> Sheet:
    return Sheet("evidence", "Evidence", "Evidence",
                 [Column("reference", "Reference", "Reference", "text"),
                  Column("late", "Late", "Late")], rows)


# -- 8: CSV ----------------------------------------------------------------------------------


def test_a_carriage_return_in_a_reference_starts_no_formula_record(tmp_path: Path) -> None:
    files = write_csv(ApaReport("en", "t", [], [_sheet([[HOSTILE_REF, 3], ["ok", -1]])]),
                      tmp_path / "csv")
    text = raw_text(files[0])
    # One record per row: the CR stays inside its (quoted) field.
    assert csv_records(text) == [["reference", "late"],
                                 ["R/1\r'=cmd|' /C calc'!A0", "3"], ["ok", "-1"]]
    assert formula_lines(text) == []
    assert len(pd.read_csv(files[0], encoding="utf-8-sig")) == 2
    # A number stays a number: a negative one is not text and is not prefixed.
    assert text.endswith("ok,-1\r\n")


def test_every_line_break_inside_a_cell_is_neutralised() -> None:
    text = "a\n=1\r+2\r\n-3\x0b@4\u2028\t5\x85\r6"
    assert neutralise(text) == "a\n'=1\r'+2\r\n'-3\x0b'@4\u2028'\t5\x85'\r6"
    assert formula_lines(neutralise(text)) == []
    assert neutralise("") == "" and neutralise("R/1") == "R/1"


def test_the_compliance_table_csv_is_quoted_and_neutralised() -> None:
    """The writer of `report compliance --format csv` and the dashboard's CSV downloads."""
    frame = pd.DataFrame({"office_code": ["x.y", "=z"],
                          "office_name": ["Office\r=cmd|' /C calc'!A0", "@two\n-lines"],
                          "received": [3, -1], "compliance_pct": [50.0, np.nan]})
    text = frame_csv(frame)
    assert csv_records(text) == [
        ["office_code", "office_name", "received", "compliance_pct"],
        ["x.y", "Office\r'=cmd|' /C calc'!A0", "3", "50.0"],
        ["'=z", "'@two\n'-lines", "-1", ""]]
    assert formula_lines(text) == []
    assert frame_csv(frame.rename(columns={"received": "=SUM(A1)"})).startswith(
        "office_code,office_name,'=SUM(A1),")


def test_benign_tables_are_written_as_pandas_writes_them() -> None:
    """Numbers, missing values and dtypes keep the format `report compliance` always had."""
    frame = pd.DataFrame({"office_code": pd.array(["a.b", None], dtype="string"),
                          "received": pd.array([3, None], dtype="Int64"),
                          "median": [1.5, np.nan], "pct": [85.71428571428571, -2.0],
                          "late": [0, -4]})
    assert frame_csv(frame) == frame.to_csv(index=False, lineterminator="\r\n")
    assert frame_csv(frame.iloc[0:0]) == "office_code,received,median,pct,late\r\n"


def test_calendar_due_file_output_goes_through_the_same_writer() -> None:
    """`tracker calendar due --file` echoes the input text back: whatever reaches it is
    quoted and neutralised like every other CSV."""
    moment = parse_moment("2025-03-27T10:15")
    text = _render_csv([_Receipt("2025-03-27T10:15\r=cmd", "3", moment, 3)], ["2025-04-08"])
    assert csv_records(text) == [["received_at", "working_days", "due_date"],
                                 ["2025-03-27T10:15\r'=cmd", "3", "2025-04-08"]]
    assert formula_lines(text) == []


LINE_BREAKS_AND_STARTS = "=+-@\t\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'\",; aR/1"


@given(st.lists(st.text(alphabet=LINE_BREAKS_AND_STARTS, max_size=12), min_size=1,
                max_size=4))
def test_any_text_is_one_record_and_starts_no_formula_line(cells: list[str]) -> None:
    out = io.StringIO()
    write_csv_rows(out, [cells, [1, *cells]])
    text = out.getvalue()
    assert csv_records(text) == [[neutralise(c) for c in cells],
                                 ["1", *(neutralise(c) for c in cells)]]
    assert formula_lines(text) == []
    for cell in cells:
        safe = neutralise(cell)
        assert neutralise(safe) == safe
        # Only apostrophes were added, one at most before each line.
        for line, written in zip(cell.splitlines(True), safe.splitlines(True), strict=True):
            assert written in (line, "'" + line)


# -- 8 and 9 end to end: legacy rows in the store, the APA workbook and CSVs of a district ----


def _legacy_rows(session: Session) -> None:
    """Rows written before the input checks: a CR+formula reference, a control character in
    a reference and in the office's names (written straight to the store, as old data is)."""
    office = session.exec(select(Office).where(Office.code == OFFICE)).one()
    office.name_en = "Jhikargacha\x01 ICT office"
    office.name_bn = "ঝিকরগাছা\x01 আইসিটি অফিস"
    for old, new in (("F", HOSTILE_REF), ("+1-1", "R/2\x01\x1bx")):
        row = session.exec(select(Request).where(Request.external_ref == old)).one()
        row.external_ref = new
        session.add(row)
    session.add(office)
    session.commit()


def _district_report(session: Session, lang: str) -> ApaReport:
    offices, codes, label = resolve_offices(session, scope=SYSTEM, office=None,
                                            district="Jashore", day=AS_OF)
    return render_apa(build_apa(session, scope=SYSTEM, fy="2024-25", quarter=None, as_of=AS_OF,
                                offices=offices, office_codes=codes, scope_label=label,
                                generated_at=datetime(2025, 7, 1, tzinfo=UTC)), lang=lang)


def test_old_rows_with_control_characters_still_export(session: Session,
                                                      tmp_path: Path) -> None:
    build_log(session)
    _legacy_rows(session)
    for lang in ("en", "bn"):
        report = _district_report(session, lang)
        workbook = load_workbook(write_xlsx(report, tmp_path / f"apa-{lang}.xlsx"))
        summary = workbook.worksheets[0]
        _, _, rows = table(summary)
        assert rows[0][0] == OFFICE
        assert rows[0][1] == ("Jhikargacha\ufffd ICT office" if lang == "en"
                              else "ঝিকরগাছা\ufffd আইসিটি অফিস")
        _, headers, evidence = table(workbook.worksheets[2])
        refs = {r[headers.index("Reference" if lang == "en" else "রেফারেন্স/রেজিস্টার নং")]
                for r in evidence}
        # XML reads a bare CR back as LF (end-of-line handling): the line is still prefixed.
        assert {"R/1\n'=cmd|' /C calc'!A0", "R/2\ufffd\ufffdx"} <= refs
        for ws in workbook.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate)
                    if isinstance(cell.value, str):
                        assert formula_lines(cell.value) == [], (ws.title, cell.coordinate)
    folder = tmp_path / "csv"
    write_csv(_district_report(session, "en"), folder)
    text = raw_text(folder / "evidence.csv")
    assert formula_lines(text) == []
    records = csv_records(text)
    refs = {r[records[0].index("reference")] for r in records[1:]}
    assert "R/1\r'=cmd|' /C calc'!A0" in refs
    assert len(records) - 1 == len(pd.read_csv(folder / "evidence.csv",
                                               encoding="utf-8-sig"))
    assert date(2025, 6, 1).isoformat() in text  # the hostile row is there, dated
