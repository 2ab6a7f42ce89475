"""The APA workbook reopened with openpyxl, checked against hand counts on a small log."""

from __future__ import annotations

import csv
import io
import statistics
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from tests.conftest import add_charter
from tracker.domain.calendar import BangladeshCalendar, load_calendar
from tracker.domain.localtime import DHAKA
from tracker.errors import InputError
from tracker.services.apa import build_apa
from tracker.services.apa_report import EVIDENCE_COLUMNS, OfficeInfo
from tracker.services.auth import SYSTEM
from tracker.services.complaints import (
    SUMMARY_COLUMNS,
    NewComplaint,
    log_complaint,
    resolve_complaint,
)
from tracker.services.exports import (
    BN_NUMBERS,
    COUNT_COLS,
    EVIDENCE_COLS,
    GRS_SUMMARY_COLS,
    ApaReport,
    Column,
    Sheet,
    neutralise,
    render_apa,
    write_csv,
    write_xlsx,
    xlsx_bytes,
)
from tracker.services.offices import ensure_office, load_geography_rows
from tracker.services.reports import REPORT_COLUMNS
from tracker.services.requests import NewRequest, extend, log_request, transition

OFFICE = "jashore.jhikargacha"
AS_OF = date(2025, 6, 30)
NOW = datetime(2025, 7, 10, 12, tzinfo=DHAKA)


def dhaka(y: int, m: int, d: int, h: int = 11) -> datetime:
    return datetime(y, m, d, h, tzinfo=DHAKA)


def walk_working_days(cal: BangladeshCalendar, start: date, end: date) -> int:
    """Independent reference: working days strictly after ``start`` up to ``end``."""
    return sum(1 for k in range(1, (end - start).days + 1)
               if cal.is_working_day(start + timedelta(days=k)))


def build_log(s: Session, office: str = OFFICE, now: datetime = NOW) -> dict[str, Any]:
    """A hand-built log as of 30 June 2025; returns the expected status of every request."""
    load_geography_rows(s)
    add_charter(s, office)
    ensure_office(s, office, go_live_date=date(2024, 8, 1))

    def add(ref: str, received: datetime, service: str = "citizen-1", **kw: Any) -> int:
        r = log_request(s, new=NewRequest(office_code=office, service=service,
                                          received_at=received, channel="phone",
                                          external_ref=ref, **kw), now=now, user=None)
        assert r.id is not None
        return r.id

    def act(rid: int, action: str, at: datetime, reason: str | None = None) -> None:
        transition(s, request_id=rid, action=action, at=at, now=now, user=None,
                   reason=reason)

    add("OLD", dhaka(2024, 7, 15))  # before go-live: not measured
    # 27 Mar 2025 + 3 wd over the Eid-ul-Fitr block (29 Mar - 5 Apr) -> due 8 Apr.
    act(add("A", dhaka(2025, 3, 27)), "deliver", dhaka(2025, 4, 8))
    act(add("B", dhaka(2025, 3, 27)), "deliver", dhaka(2025, 4, 9))  # late by 1
    c = add("C", dhaka(2025, 1, 5))  # a hold: 7 and 8 Jan wholly on hold -> due 12 Jan
    act(c, "hold", dhaka(2025, 1, 6), "documents")
    act(c, "resume", dhaka(2025, 1, 9))
    act(c, "deliver", dhaka(2025, 1, 12))
    d = add("D", dhaka(2025, 3, 27), service="citizen-3")  # "7 / as needed", extended
    extend(s, request_id=d, new_due=date(2025, 4, 30), reason="inspection", now=now,
           user=None)
    act(d, "deliver", dhaka(2025, 4, 29))
    add("E", dhaka(2025, 5, 5), service="citizen-4")  # per directive, no date: no deadline
    e2 = add("E2", dhaka(2025, 5, 5), service="citizen-4", directive_due=date(2025, 5, 20))
    act(e2, "deliver", dhaka(2025, 5, 19))
    add("F", dhaka(2025, 6, 1))  # due 4 June: overdue
    add("G", dhaka(2025, 6, 29), service="citizen-2", track="extended", track_reason="visit")
    act(add("H", dhaka(2025, 2, 2)), "reject", dhaka(2025, 2, 3), "not eligible")
    # Formula-looking references end up in the evidence sheet.
    act(add("=2+3", dhaka(2025, 2, 2)), "deliver", dhaka(2025, 2, 9))  # due 5 Feb: late
    add("+1-1", dhaka(2025, 3, 2))  # due 5 Mar: overdue
    # Two complaints: one resolved within tier 1, one open within tier 1.
    k = log_complaint(s, new=NewComplaint(office, "=cmd|' /C calc'!A0", "@x",
                                          dhaka(2025, 6, 2)), now=now, user=None)
    assert k.id is not None
    resolve_complaint(s, complaint_id=k.id, at=dhaka(2025, 6, 10), resolution="done",
                      now=now, user=None)
    log_complaint(s, new=NewComplaint(office, "রহিম", "01711", dhaka(2025, 6, 29)), now=now,
                  user=None)
    s.commit()
    cal = load_calendar("Jashore")
    return {
        "status": {"OLD": "not_measured", "A": "on_time", "B": "late", "C": "on_time",
                   "D": "on_time", "E": "no_deadline", "E2": "on_time", "F": "overdue",
                   "G": "on_track", "H": "rejected", "=2+3": "late", "+1-1": "overdue"},
        "wd_to_deliver": {
            "A": walk_working_days(cal, date(2025, 3, 27), date(2025, 4, 8)),
            "B": walk_working_days(cal, date(2025, 3, 27), date(2025, 4, 9)),
            "C": walk_working_days(cal, date(2025, 1, 5), date(2025, 1, 12)),
            "D": walk_working_days(cal, date(2025, 3, 27), date(2025, 4, 29)),
            "E2": walk_working_days(cal, date(2025, 5, 5), date(2025, 5, 19)),
            "=2+3": walk_working_days(cal, date(2025, 2, 2), date(2025, 2, 9))},
        "extended_track": {"G"},
        "late_days": {"B": 1, "=2+3": 2, "F": walk_working_days(cal, date(2025, 6, 4), AS_OF),
                      "+1-1": walk_working_days(cal, date(2025, 3, 5), AS_OF)},
    }


def expected_summary(expected: dict[str, Any]) -> dict[str, Any]:
    """The summary figures counted in plain Python from the per-request expectations."""
    st = expected["status"]
    measured = {r: s for r, s in st.items() if s != "not_measured"}
    on_time = sum(s == "on_time" for s in measured.values())
    late = sum(s == "late" for s in measured.values())
    open_ = sum(s in ("on_track", "due_today", "overdue", "no_deadline")
                for s in measured.values())
    return {
        "received": len(st), "not_measured": len(st) - len(measured),
        "delivered": on_time + late, "on_time": on_time, "late": late, "open": open_,
        "overdue": sum(s == "overdue" for s in measured.values()),
        "rejected_withdrawn": sum(s in ("rejected", "withdrawn") for s in measured.values()),
        "no_deadline": sum(s == "no_deadline" for s in measured.values()),
        "extended_track": len(expected["extended_track"]),
        "compliance_pct": round(100 * on_time / (on_time + late), 1),
        "median_wd_to_deliver": statistics.median(expected["wd_to_deliver"].values()),
        "extended_share_pct": round(100 * len(expected["extended_track"]) / len(measured), 1),
    }


def _office_infos() -> list[OfficeInfo]:
    return [OfficeInfo(OFFICE, "উপজেলা আইসিটি অফিস, ঝিকরগাছা", "Jhikargacha Upazila ICT Office",
                       "Jashore", date(2024, 8, 1), (date(2024, 1, 1),),
                       "30 working days / 20 working days / 60 working days")]


def _export(session: Session, tmp_path: Path, *, fy: str = "2024-25",
            quarter: str | None = None, lang: str = "bn", as_of: date = AS_OF) -> Path:
    data = build_apa(session, scope=SYSTEM, fy=fy, quarter=quarter, as_of=as_of,
                     offices=_office_infos(), office_codes=None,
                     scope_label=("যশোর জেলা", "Jashore district"),
                     generated_at=datetime(2025, 7, 1, tzinfo=UTC))
    report = render_apa(data, lang=lang)
    return write_xlsx(report, tmp_path / f"apa-{lang}-{quarter or 'fy'}.xlsx")


def table(ws: Worksheet) -> tuple[int, list[str], list[list[Any]]]:
    """(header row number, headers, body rows) of a sheet written by write_xlsx."""
    header_row = ws.freeze_panes and int(ws.freeze_panes[1:]) - 1
    assert header_row
    headers = [c.value for c in ws[header_row]]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=header_row + 1)]
    return header_row, headers, rows


@pytest.fixture
def log(session: Session) -> tuple[Session, dict[str, Any]]:
    return session, build_log(session)


def test_every_summary_figure_matches_a_hand_count(log: tuple[Session, dict[str, Any]],
                                                   tmp_path: Path) -> None:
    session, expected = log
    wb = load_workbook(_export(session, tmp_path, lang="en"))
    ws = wb.worksheets[0]
    header_row, headers, rows = table(ws)
    assert ws.cell(1, 1).value.startswith("APA report — Jashore district — FY 2024-25")
    office_row = dict(zip(headers, rows[0], strict=True))
    total_row = dict(zip(headers, rows[-1], strict=True))
    assert office_row["Office code"] == OFFICE and total_row["Office code"] == "Total"
    want = expected_summary(expected)
    labels = {"received": "Received", "not_measured": "Not measured (before go-live)",
              "delivered": "Delivered", "on_time": "Delivered on time",
              "late": "Delivered late", "open": "Open", "overdue": "Open and overdue",
              "rejected_withdrawn": "Rejected or withdrawn",
              "no_deadline": "No deadline (per directive, none entered)",
              "extended_track": "Extended track", "compliance_pct": "Compliance %",
              "median_wd_to_deliver": "Median working days to deliver",
              "extended_share_pct": "Extended track share %"}
    for key, label in labels.items():
        assert office_row[label] == want[key], key
        assert total_row[label] == want[key], key
    # Stored as numbers, not text.
    assert isinstance(office_row["Received"], int)
    assert isinstance(office_row["Compliance %"], float)
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.column_dimensions["B"].width >= 20


def test_evidence_lists_late_and_overdue_with_dates(log: tuple[Session, dict[str, Any]],
                                                    tmp_path: Path) -> None:
    session, expected = log
    wb = load_workbook(_export(session, tmp_path, lang="en"))
    _, headers, rows = table(wb.worksheets[2])
    found = {r[headers.index("Reference")]: dict(zip(headers, r, strict=True)) for r in rows}
    want = {("'" + ref if ref[0] in "=+" else ref): days
            for ref, days in expected["late_days"].items()}
    assert {ref: row["Working days late"] for ref, row in found.items()} == want
    b = found["B"]
    assert (b["Received"].date(), b["Due"].date(), b["Delivered"].date()) == (
        date(2025, 3, 27), date(2025, 4, 8), date(2025, 4, 9))
    assert found["F"]["Delivered"] is None and found["F"]["Status"] == "overdue"
    assert "OLD" not in found  # not measured: no evidence needed


def test_formula_injection_is_neutralised(log: tuple[Session, dict[str, Any]],
                                          tmp_path: Path) -> None:
    session, _ = log
    wb = load_workbook(_export(session, tmp_path))
    ws = wb.worksheets[2]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    refs = {c.value for c in cells}
    assert "'=2+3" in refs and "'+1-1" in refs
    assert all(c.data_type == "s" for c in cells)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                if isinstance(c.value, str):
                    assert not c.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert [neutralise(x) for x in ("=A1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok")] == [
        "'=A1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "ok"]


def test_written_sheet_neutralises_every_text_cell(tmp_path: Path) -> None:
    sheet = Sheet("t", "T", "T", [Column("a", "A", "A", "text"), Column("n", "N", "N")],
                  [["=HYPERLINK(\"http://x\")", 1], ["@cmd", 2], ["-2", 3]])
    path = write_xlsx(ApaReport("en", "=title", [], [sheet]), tmp_path / "t.xlsx")
    ws = load_workbook(path).worksheets[0]
    assert ws["A1"].value.startswith("'=title")
    assert [ws.cell(r, 1).value for r in (3, 4, 5)] == ["'=HYPERLINK(\"http://x\")", "'@cmd",
                                                        "'-2"]
    assert [ws.cell(r, 2).value for r in (3, 4, 5)] == [1, 2, 3]
    assert load_workbook(io.BytesIO(xlsx_bytes(ApaReport("en", "t", [], [sheet])))
                         ).worksheets[0]["A3"].value == "'=HYPERLINK(\"http://x\")"
    files = write_csv(ApaReport("en", "t", [], [sheet]), tmp_path / "csv")
    with files[0].open(encoding="utf-8-sig") as handle:
        assert [r[0] for r in csv.reader(handle)] == ["a", "'=HYPERLINK(\"http://x\")",
                                                      "'@cmd", "'-2"]


def test_bengali_headers_and_digits_by_default(log: tuple[Session, dict[str, Any]],
                                               tmp_path: Path) -> None:
    session, _ = log
    wb = load_workbook(_export(session, tmp_path))
    ws = wb.worksheets[0]
    assert "অর্থবছর ২০২৪-২৫" in ws.cell(1, 1).value and "যশোর জেলা" in ws.cell(1, 1).value
    header_row, headers, rows = table(ws)
    assert headers[2] == "গৃহীত আবেদন" and rows[-1][0] == "মোট"
    received = ws.cell(header_row + 1, 3)
    assert received.value == 12 and received.number_format.startswith(BN_NUMBERS)
    evidence = wb.worksheets[2]
    dates = [c for row in evidence.iter_rows() for c in row if isinstance(c.value, datetime)]
    assert dates and all(c.number_format.startswith(BN_NUMBERS) for c in dates)


def test_services_per_quarter_add_up_to_the_year(log: tuple[Session, dict[str, Any]],
                                                 tmp_path: Path) -> None:
    session, expected = log
    wb = load_workbook(_export(session, tmp_path, lang="en"))
    _, headers, rows = table(wb.worksheets[1])
    by_quarter: dict[str, int] = {}
    for r in rows:
        by_quarter[r[0]] = by_quarter.get(r[0], 0) + r[headers.index("Received")]
    assert by_quarter == {"Q1": 1, "Q3": 7, "Q4": 4}  # nothing in Q2 (Oct-Dec)
    assert sum(by_quarter.values()) == len(expected["status"])
    b_service = next(r for r in rows if r[0] == "Q3" and r[2] == "citizen-1")
    assert b_service[headers.index("Delivered late")] == 2  # B and "=2+3"


def test_grs_sheets(log: tuple[Session, dict[str, Any]], tmp_path: Path) -> None:
    session, _ = log
    wb = load_workbook(_export(session, tmp_path, lang="en"))
    _, headers, rows = table(wb.worksheets[3])
    row = dict(zip(headers, rows[0], strict=True))
    assert (row["Complaints received"], row["Resolved"], row["Resolved within time"],
            row["Open"], row["% resolved within time"]) == (2, 1, 1, 1, 100.0)
    _, headers, rows = table(wb.worksheets[4])
    assert [(r[1], r[headers.index("Reached this tier")]) for r in rows] == [(1, 2)]


def test_an_empty_quarter(log: tuple[Session, dict[str, Any]], tmp_path: Path) -> None:
    session, _ = log
    wb = load_workbook(_export(session, tmp_path, quarter="Q2", lang="en"))
    ws = wb.worksheets[0]
    assert "FY 2024-25 Q2 (01-10-2024 to 31-12-2024)" in ws.cell(1, 1).value
    _, headers, rows = table(ws)
    assert len(rows) == 1 and rows[0][0] == "Total"
    total = dict(zip(headers, rows[0], strict=True))
    assert total["Received"] == 0 and total["Compliance %"] is None
    _, _, evidence = table(wb.worksheets[2])
    assert evidence == [["no rows in this period", *([None] * 10)]]
    assert wb.worksheets[1].max_row == 3  # title, header, "no rows"


def test_a_provisional_year_carries_its_warning(session: Session, tmp_path: Path) -> None:
    later = datetime(2027, 9, 1, 12, tzinfo=DHAKA)
    load_geography_rows(session)
    add_charter(session, OFFICE)
    log_request(session, new=NewRequest(office_code=OFFICE, service="citizen-1",
                                        received_at=dhaka(2027, 8, 1), channel="phone"),
                now=later, user=None)
    session.commit()
    for lang, word in (("en", "provisional"), ("bn", "অস্থায়ী")):
        wb = load_workbook(_export(session, tmp_path, fy="2027-28", lang=lang,
                                   as_of=date(2027, 9, 1)))
        for ws in wb.worksheets:
            assert word in ws.cell(2, 1).value, ws.title
            assert ws.freeze_panes == "A4"
        rules = [str(c.value) for row in wb.worksheets[-1].iter_rows() for c in row]
        assert any("2027" in v or "২০২৭" in v for v in rules)
    wb = load_workbook(_export(session, tmp_path, lang="en"))  # 2024-25 is curated
    assert wb.worksheets[0].freeze_panes == "A3"


def test_rules_sheet_states_calendars_and_go_live(log: tuple[Session, dict[str, Any]],
                                                  tmp_path: Path) -> None:
    session, _ = log
    wb = load_workbook(_export(session, tmp_path, lang="en"))
    _, _, rows = table(wb.worksheets[-1])
    rules = {r[0]: r[1] for r in rows}
    assert rules["Judged as of"] == "30-06-2025"
    assert "bd-2024@" in rules["Calendar versions (Jashore)"]
    assert "bd-2025@" in rules["Calendar versions (Jashore)"]
    assert rules[f"Go-live date: {OFFICE}"] == "01-08-2024"
    assert "2027" in rules["Provisional (forecast) years"]
    assert "2025" in rules["Curated holiday years"]


def test_sheet_columns_are_the_report_object_columns() -> None:
    """The renderer picks figures by key: its columns are those the gatherer provides."""
    assert [c.key for c in COUNT_COLS] == REPORT_COLUMNS
    assert [c.key for c in GRS_SUMMARY_COLS] == SUMMARY_COLUMNS
    assert [c.key for c in EVIDENCE_COLS] == EVIDENCE_COLUMNS


def test_the_renderer_loads_no_store_even_indirectly() -> None:
    code = ("import sys, tracker.services.exports\n"
            "forbidden = ('sqlalchemy', 'sqlmodel', 'tracker.store', 'tracker.services.apa')\n"
            "print([m for m in sys.modules if m in forbidden or m.startswith(\n"
            "    tuple(f + '.' for f in forbidden))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_an_unknown_language_is_refused(log: tuple[Session, dict[str, Any]],
                                        tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--lang"):
        _export(log[0], tmp_path, lang="fr")
