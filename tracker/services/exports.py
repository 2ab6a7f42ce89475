"""APA (বার্ষিক কর্মসম্পাদন চুক্তি) reporting exports: an Excel workbook or a folder of CSVs.

No queries of its own: every figure comes from ``tracker.services.reports`` (``request_frame`` and
``compliance``: the same computation as ``tracker report compliance``) and
``tracker.services.complaints`` (``complaint_frame``); this module only lays them out
("one computation, two renderings").

Sheets: summary per office (with a total row) · per service per quarter · late and overdue
requests as evidence (প্রমাণক) · GRS complaints per office and per tier · the rules used
(calendar versions, provisional years, go-live dates, charters, definitions).

Rendering: Bengali headers and Bengali digits by default (``lang="en"`` for English).
Numbers stay numbers and dates stay dates; Bengali digits come from the number format
(numeral system 05 of the ``[$-xxyyzzzz]`` locale prefix), so formulas and sorting work.
Every sheet has a title row naming the office(s) and the period, a frozen header row and
readable widths. Text cells starting with = + - @ (or tab / carriage return) are prefixed
with an apostrophe so no spreadsheet runs them as formulas (OWASP "CSV injection").
CSV files have the same rows; their numbers are plain ASCII numbers (machine readable),
and with ``lang="en"`` their headers are the column keys of ``tracker report compliance``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlmodel import Session

from tracker.domain.calendar import load_calendar
from tracker.errors import InputError
from tracker.services.auth import Scope
from tracker.services.complaints import (
    GRS_TITLES_EN,
    complaint_frame,
    complaint_summary,
    tier_summary,
)
from tracker.services.reports import (
    QUARTER_MONTHS,
    REPORT_COLUMNS,
    Period,
    compliance,
    fiscal_quarter,
    fiscal_year,
    request_frame,
)

BN_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
#: Locale prefix for Bengali (Bangladesh, LCID 0x0845) with native digits (numeral system 05).
BN_NUMBERS = "[$-5000845]"
UNSAFE_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

TITLES_BN_GRS = {"complaint_officer": "অভিযোগ নিষ্পত্তি কর্মকর্তা (অনিক)",
                 "appeal_officer": "আপিল কর্মকর্তা",
                 "cabinet_cell": "মন্ত্রিপরিষদ বিভাগের অভিযোগ ব্যবস্থাপনা সেল"}


def neutralise(text: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(UNSAFE_PREFIXES) else text


def bn_digits(text: str) -> str:
    return text.translate(BN_DIGITS)


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    bn: str
    kind: str = "int"  # int | float | pct | date | text


@dataclass
class Sheet:
    key: str  # also the CSV file name
    title_en: str
    title_bn: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None  # a bold last row (summary sheets)


@dataclass(frozen=True)
class OfficeInfo:
    """An office in the export's scope, for the rules sheet."""

    code: str
    name_bn: str
    name_en: str
    district: str
    go_live: date | None
    charters: tuple[date, ...] = ()  # effective dates of its charter versions
    grs_limits: str = ""  # e.g. "30 working days / 20 working days / 60 working days"


@dataclass
class ApaReport:
    lang: str
    title: str
    warnings: list[str]
    sheets: list[Sheet]


# -- columns ------------------------------------------------------------------------------

C = Column
OFFICE_COLS = [C("office_code", "Office code", "অফিস কোড", "text"),
               C("office_name", "Office", "অফিস", "text")]
COUNT_COLS = [
    C("received", "Received", "গৃহীত আবেদন"),
    C("not_measured", "Not measured (before go-live)", "পরিমাপের বাইরে (চালুর আগে)"),
    C("delivered", "Delivered", "সেবা প্রদত্ত"),
    C("on_time", "Delivered on time", "যথাসময়ে প্রদত্ত"),
    C("late", "Delivered late", "বিলম্বে প্রদত্ত"),
    C("open", "Open", "অনিষ্পন্ন"),
    C("overdue", "Open and overdue", "অনিষ্পন্ন ও মেয়াদোত্তীর্ণ"),
    C("rejected_withdrawn", "Rejected or withdrawn", "নামঞ্জুর/প্রত্যাহৃত"),
    C("no_deadline", "No deadline (per directive, none entered)", "সময়সীমাহীন (নির্দেশনা অনুযায়ী)"),
    C("extended_track", "Extended track", "বর্ধিত সময়সীমায়"),
    C("compliance_pct", "Compliance %", "সময়সীমা মান্যতার হার (%)", "pct"),
    C("median_wd_to_deliver", "Median working days to deliver",
      "প্রদানে মধ্যমা কার্যদিবস", "float"),
]
assert [c.key for c in COUNT_COLS] == REPORT_COLUMNS
EXTENDED_SHARE = C("extended_share_pct", "Extended track share %", "বর্ধিত সময়সীমার হার (%)",
                   "pct")
SERVICE_COLS = [C("quarter", "Quarter", "প্রান্তিক", "text"),
                C("office_code", "Office code", "অফিস কোড", "text"),
                C("service_key", "Service", "সেবা", "text"),
                C("service_name", "Service name", "সেবার নাম", "text")]
EVIDENCE_COLS = [
    C("office_code", "Office code", "অফিস কোড", "text"),
    C("reference", "Reference", "রেফারেন্স/রেজিস্টার নং", "text"),
    C("request_id", "Request id", "আবেদন আইডি"),
    C("service_key", "Service", "সেবা", "text"),
    C("service_name", "Service name", "সেবার নাম", "text"),
    C("received", "Received", "গ্রহণের তারিখ", "date"),
    C("due", "Due", "নির্ধারিত তারিখ", "date"),
    C("delivered", "Delivered", "প্রদানের তারিখ", "date"),
    C("working_days_late", "Working days late", "বিলম্ব (কার্যদিবস)"),
    C("status", "Status", "অবস্থা", "text"),
    C("responsible_officer", "Responsible officer", "দায়িত্বপ্রাপ্ত কর্মকর্তা", "text"),
]
GRS_SUMMARY_COLS = [
    C("received", "Complaints received", "প্রাপ্ত অভিযোগ"),
    C("resolved", "Resolved", "নিষ্পন্ন"),
    C("resolved_within_time", "Resolved within time", "নির্ধারিত সময়ে নিষ্পন্ন"),
    C("open", "Open", "অনিষ্পন্ন"),
    C("open_overdue", "Open past the last tier's limit", "শেষ স্তরেও মেয়াদোত্তীর্ণ"),
    C("escalated", "Moved up automatically", "স্বয়ংক্রিয়ভাবে পরবর্তী স্তরে"),
    C("appealed", "Appealed", "আপিলকৃত"),
    C("pct_within_time", "% resolved within time", "নির্ধারিত সময়ে নিষ্পত্তির হার (%)", "pct"),
]
GRS_TIER_COLS = [
    C("office_code", "Office code", "অফিস কোড", "text"),
    C("tier", "Tier", "স্তর"),
    C("officer", "Officer", "কর্মকর্তা", "text"),
    C("reached", "Reached this tier", "এই স্তরে এসেছে"),
    C("resolved_within_limit", "Resolved within the tier's limit", "স্তরের সময়সীমায় নিষ্পন্ন"),
    C("resolved_late", "Resolved after the limit", "সময়সীমার পরে নিষ্পন্ন"),
    C("escalated", "Limit passed: moved up", "সময়সীমা পার: পরবর্তী স্তরে"),
    C("open", "Open at this tier", "এই স্তরে অনিষ্পন্ন"),
    C("overdue", "Open past the limit", "সময়সীমা পার, অনিষ্পন্ন"),
]
RULE_COLS = [C("item", "Item", "বিষয়", "text"), C("value", "Value", "বিবরণ", "text")]

QUARTER_BN = {"Q1": "প্রথম", "Q2": "দ্বিতীয়", "Q3": "তৃতীয়", "Q4": "চতুর্থ"}
STATUS_BN = {"late": "বিলম্বে প্রদত্ত", "overdue": "মেয়াদোত্তীর্ণ"}
TOTAL = {"en": "Total", "bn": "মোট"}


# -- building -------------------------------------------------------------------------------


def _num(value: Any) -> Any:
    """pandas/numpy scalars -> plain Python numbers; NaN -> None (an empty cell)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _text(value: Any) -> str:
    return "" if _num(value) is None else str(value)


def _extended_share(row: pd.Series) -> float | None:
    measured = int(row["received"]) - int(row["not_measured"])
    return round(100 * int(row["extended_track"]) / measured, 1) if measured else None


def periods_of(fy: str, quarter: str | None) -> tuple[Period, list[tuple[str, Period]]]:
    """The export's period and the quarters it spans (one, or Q1..Q4)."""
    if quarter:
        period = fiscal_quarter(fy, quarter)
        return period, [(quarter.strip().upper(), period)]
    return fiscal_year(fy), [(q, fiscal_quarter(fy, q)) for q in QUARTER_MONTHS]


def build_apa(session: Session, *, scope: Scope, fy: str, quarter: str | None, as_of: date,
              offices: Sequence[OfficeInfo], office_codes: list[str] | None,
              scope_label: tuple[str, str], lang: str = "bn",
              generated_at: datetime | None = None) -> ApaReport:
    """Collect every sheet of the APA export (figures from reports.py and grs.py)."""
    if lang not in ("bn", "en"):
        raise InputError("--lang must be bn or en")
    period, quarters = periods_of(fy, quarter)
    bn = lang == "bn"
    names = {o.code: (o.name_bn if bn else o.name_en) for o in offices}

    frame = request_frame(session, scope=scope, period=period, as_of=as_of,
                          office_codes=office_codes)
    by_office = compliance(frame, "office")
    total = compliance(frame.assign(office_code="__total__"), "office")

    summary = Sheet("summary", "Summary per office", "অফিসভিত্তিক সারসংক্ষেপ",
                    [*OFFICE_COLS, *COUNT_COLS, EXTENDED_SHARE])
    for _, row in by_office.iterrows():
        summary.rows.append([row["office_code"], names.get(row["office_code"], ""),
                             *(_num(row[c]) for c in REPORT_COLUMNS), _extended_share(row)])
    if total.empty:
        summary.total = [TOTAL[lang], "", *([0] * 10), None, None, None]
    else:
        t = total.iloc[0]
        summary.total = [TOTAL[lang], "", *(_num(t[c]) for c in REPORT_COLUMNS),
                         _extended_share(t)]

    services = Sheet("services", "Per service per quarter", "সেবা ও প্রান্তিকভিত্তিক",
                     [*SERVICE_COLS, *COUNT_COLS])
    for label, q_period in quarters:
        if q_period.start > as_of:
            continue  # a quarter that has not started as of the date
        q_frame = (frame if len(quarters) == 1 else request_frame(
            session, scope=scope, period=q_period, as_of=as_of, office_codes=office_codes))
        for _, row in compliance(q_frame, "service").iterrows():
            services.rows.append([f"{QUARTER_BN[label]} প্রান্তিক" if bn else label,
                                  row["office_code"], row["service_key"],
                                  row["service_name_bn"],
                                  *(_num(row[c]) for c in REPORT_COLUMNS)])

    evidence = Sheet("evidence", "Late and overdue requests (evidence)",
                     "বিলম্বিত ও মেয়াদোত্তীর্ণ আবেদন (প্রমাণক)", EVIDENCE_COLS)
    if not frame.empty:
        breached = frame[frame["measured"].astype(bool)
                         & frame["status"].isin(["late", "overdue"])]
        breached = breached.sort_values(["office_code", "working_days_late", "id"],
                                        ascending=[True, False, True])
        for _, r in breached.iterrows():
            delivered = r["closed_date"] if r["state"] == "delivered" else None
            evidence.rows.append([
                r["office_code"], _text(r["external_ref"]), int(r["id"]), r["service_key"],
                r["service_name_bn"], r["received_date"], _date(r["effective_due"]),
                _date(delivered), int(r["working_days_late"]),
                STATUS_BN.get(r["status"], r["status"]) if bn else r["status"],
                _text(r["responsible_officer"])])

    complaints = complaint_frame(session, scope=scope, period=period, as_of=as_of,
                                 office_codes=office_codes)
    grs_summary = Sheet("grs_summary", "GRS complaints per office",
                        "অফিসভিত্তিক অভিযোগ (জিআরএস)", [*OFFICE_COLS, *GRS_SUMMARY_COLS])
    for _, row in complaint_summary(complaints).iterrows():
        grs_summary.rows.append([row["office_code"], names.get(row["office_code"], ""),
                                 *(_num(row[c.key]) for c in GRS_SUMMARY_COLS)])
    totals = complaint_summary(complaints.assign(office_code="__total__"))
    grs_summary.total = ([TOTAL[lang], "", *(_num(totals.iloc[0][c.key])
                                              for c in GRS_SUMMARY_COLS)]
                         if not totals.empty else [TOTAL[lang], "", *([0] * 7), None])
    grs_tiers = Sheet("grs_tiers", "GRS complaints per tier", "স্তরভিত্তিক অভিযোগ (জিআরএস)",
                      GRS_TIER_COLS)
    for _, row in tier_summary(complaints).iterrows():
        officer = (TITLES_BN_GRS if bn else GRS_TITLES_EN).get(row["role"], row["role"])
        grs_tiers.rows.append([row["office_code"], _num(row["tier"]), officer,
                               *(_num(row[c.key]) for c in GRS_TIER_COLS[3:])])

    warnings = _warnings(frame, period, offices, bn)
    rules = Sheet("rules", "Rules used", "ব্যবহৃত নিয়মাবলি", RULE_COLS,
                  _rules(period, as_of, offices, frame, complaints, bn, generated_at,
                         warnings))
    label = scope_label[0] if bn else scope_label[1]
    if bn:
        fy_bn = bn_digits(fiscal_year(fy).label) + (
            f", {QUARTER_BN[quarters[0][0]]} প্রান্তিক" if quarter else "")
        title = (f"বার্ষিক কর্মসম্পাদন চুক্তি (এপিএ) প্রতিবেদন — {label} — অর্থবছর "
                 f"{fy_bn} ({bn_digits(_d(period.start))} থেকে "
                 f"{bn_digits(_d(period.end))}), {bn_digits(_d(as_of))} তারিখ পর্যন্ত")
    else:
        title = (f"APA report — {label} — FY {period.label} ({_d(period.start)} to "
                 f"{_d(period.end)}), as of {_d(as_of)}")
    return ApaReport(lang, title, warnings,
                     [summary, services, evidence, grs_summary, grs_tiers, rules])


def _date(value: Any) -> date | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _d(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _warnings(frame: pd.DataFrame, period: Period, offices: Sequence[OfficeInfo],
              bn: bool) -> list[str]:
    calendar = load_calendar()
    years = [y for y in range(period.start.year, period.end.year + 1)
             if calendar.is_provisional(date(y, 1, 1))]
    provisional_due = (not frame.empty and bool(frame["due_provisional"].astype(bool).any()))
    if not years and not provisional_due:
        return []
    listed = ", ".join(str(y) for y in years) or "-"
    if bn:
        return [bn_digits(f"সতর্কতা: অস্থায়ী (provisional) ছুটির তালিকা — {listed} সালের "
                          "সরকারি ছুটির তালিকা এখনো সংকলিত হয়নি; পূর্বাভাস থেকে গণনা করা "
                          "নির্ধারিত তারিখ পরিবর্তিত হতে পারে।")]
    return [f"Warning: provisional holiday list — {listed} has no curated government "
            "holiday list; due dates computed from a forecast may change."]


def _rules(period: Period, as_of: date, offices: Sequence[OfficeInfo], frame: pd.DataFrame,
           complaints: pd.DataFrame, bn: bool, generated_at: datetime | None,
           warnings: list[str]) -> list[list[Any]]:
    rows: list[list[Any]] = []

    def add(en: str, bn_text: str, value: str) -> None:
        rows.append([bn_text if bn else en, bn_digits(value) if bn else value])

    add("Period", "সময়কাল", f"{period.label}: {_d(period.start)} – {_d(period.end)}")
    add("Judged as of", "যে তারিখ পর্যন্ত বিবেচিত", _d(as_of))
    if generated_at is not None:
        add("Generated at (UTC)", "প্রস্তুতের সময় (UTC)", f"{generated_at:%d-%m-%Y %H:%M}")
    add("Computation", "গণনা",
        "tracker.services.reports.request_frame + compliance: the same figures as "
        "`tracker report compliance` (one computation, two renderings)")
    districts = sorted({o.district for o in offices} | set(
        frame["district"].unique() if not frame.empty else []))
    for district in districts or [None]:
        calendar = load_calendar(district)
        years = [y for y in range(period.start.year, period.end.year + 1)]
        versions = ", ".join(calendar.years[y].version + (" (provisional)"
                             if calendar.years[y].provisional else "") for y in years)
        add(f"Calendar versions ({district or 'national'})",
            f"ক্যালেন্ডার সংস্করণ ({district or 'জাতীয়'})", versions)
    calendar = load_calendar()
    add("Curated holiday years", "সংকলিত ছুটির বছর",
        ", ".join(str(y) for y in calendar.curated_years))
    add("Provisional (forecast) years", "অস্থায়ী (পূর্বাভাস) বছর",
        ", ".join(str(y) for y in calendar.provisional_years))
    for warning in warnings:
        rows.append(["⚠", warning])
    for office in offices:
        add(f"Go-live date: {office.code}", f"চালুর তারিখ: {office.code}",
            _d(office.go_live) if office.go_live else "not set (all requests measured)")
        if office.charters:
            add(f"Charter versions: {office.code}", f"সিটিজেন চার্টার সংস্করণ: {office.code}",
                ", ".join(f"from {_d(d)}" for d in office.charters))
        if office.grs_limits:
            add(f"GRS tier limits: {office.code}", f"জিআরএস স্তরের সময়সীমা: {office.code}",
                office.grs_limits)
    definitions = [
        ("Working days", "কার্যদিবস",
         "Sunday–Thursday minus general and executive-order holidays; receipt day not "
         "counted (GUIDE §3)"),
        ("On time / late", "যথাসময়ে / বিলম্বে",
         "delivered on or before / after the due date in force (holds and extensions "
         "included)"),
        ("Compliance %", "মান্যতার হার", "on time / (on time + late) × 100"),
        ("Not measured", "পরিমাপের বাইরে", "received before the office's go-live date"),
        ("No deadline", "সময়সীমাহীন",
         "as per directive, no due date entered: never counted as on time"),
        ("Extended track share %", "বর্ধিত সময়সীমার হার",
         "extended track / measured requests × 100"),
        ("% complaints resolved within time", "নির্ধারিত সময়ে অভিযোগ নিষ্পত্তির হার",
         "resolved within the limit of the tier that resolved it, no limit passed on the "
         "way / (resolved + complaints past a tier's limit) × 100"),
        ("GRS tiers", "জিআরএস স্তর",
         "complaint officer, appeal officer, Cabinet Division cell: the charter's limits or "
         "30 / 20 / 60 working days; each tier's clock counts after the day it started; "
         "a tier's limit passing unresolved moves the complaint up automatically"),
    ]
    for en, bn_text, value in definitions:
        rows.append([bn_text if bn else en, value])
    if not complaints.empty:
        add("Complaints in the period", "এ সময়ের অভিযোগ", str(len(complaints)))
    return rows


# -- writing --------------------------------------------------------------------------------


def _header(column: Column, lang: str) -> str:
    return column.bn if lang == "bn" else column.en


def _cell_text(value: Any) -> str:
    return neutralise(str(value))


def write_xlsx(report: ApaReport, path: Path) -> Path:
    """Save the workbook to ``path`` (parent folders are created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _workbook(report).save(path)
    return path


def xlsx_bytes(report: ApaReport) -> bytes:
    """The workbook as bytes (for the dashboard's download button)."""
    buffer = io.BytesIO()
    _workbook(report).save(buffer)
    return buffer.getvalue()


def _workbook(report: ApaReport) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bn = report.lang == "bn"
    prefix = BN_NUMBERS if bn else ""
    formats = {"int": prefix + "0", "float": prefix + "0.0", "pct": prefix + "0.0",
               "date": prefix + "dd-mm-yyyy"}
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    warn_font = Font(bold=True, color="9C0006")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet in report.sheets:
        ws = workbook.create_sheet((sheet.title_bn if bn else sheet.title_en)[:31])
        ws.cell(row=1, column=1, value=_cell_text(
            f"{report.title} — {sheet.title_bn if bn else sheet.title_en}")).font = Font(
            bold=True, size=13)
        header_row = 2
        for warning in report.warnings:
            ws.cell(row=header_row, column=1, value=_cell_text(warning)).font = warn_font
            header_row += 1
        widths = [len(_header(c, report.lang)) + 2 for c in sheet.columns]
        for j, column in enumerate(sheet.columns, 1):
            cell = ws.cell(row=header_row, column=j, value=_header(column, report.lang))
            cell.font, cell.fill = bold, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        body = [*sheet.rows, *([sheet.total] if sheet.total is not None else [])]
        for i, values in enumerate(body, header_row + 1):
            for j, (column, value) in enumerate(zip(sheet.columns, values, strict=True), 1):
                if value is None:
                    continue
                if column.kind == "text" or isinstance(value, str):
                    cell = ws.cell(row=i, column=j, value=_cell_text(value))
                    cell.data_type = "s"
                    widths[j - 1] = max(widths[j - 1], min(len(str(value)) + 2, 60))
                else:
                    cell = ws.cell(row=i, column=j, value=value)
                    cell.number_format = formats.get(column.kind, "General")
                    widths[j - 1] = max(widths[j - 1], 12 if column.kind == "date" else 8)
                if sheet.total is not None and i == header_row + len(body):
                    cell.font = bold
        if not body:
            ws.cell(row=header_row + 1, column=1,
                    value="কোনো তথ্য নেই" if bn else "no rows in this period")
        for j, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 60)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    return workbook


def write_csv(report: ApaReport, folder: Path) -> list[Path]:
    """One UTF-8 (with BOM, for Excel) CSV per sheet; the title is in README.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet in report.sheets:
        path = folder / f"{sheet.key}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([c.bn if report.lang == "bn" else c.key for c in sheet.columns])
            for values in [*sheet.rows, *([sheet.total] if sheet.total else [])]:
                writer.writerow([_csv_value(v) for v in values])
        written.append(path)
    notes = folder / "README.txt"
    notes.write_text("\n".join([report.title, *report.warnings, ""]), encoding="utf-8")
    written.append(notes)
    return written


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _cell_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
