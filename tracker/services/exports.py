"""APA (বার্ষিক কর্মসম্পাদন চুক্তি) reporting exports: an Excel workbook or a folder of CSVs.

Renders the report object that ``tracker.services.apa`` gathers (``ApaData``, from
tracker.services.apa_report) and runs no queries of its own: it imports nothing of the
store ("one computation, two renderings": the figures are those of
``tracker report compliance``).

Sheets: summary per office (with a total row) · per service per quarter · late and overdue
requests as evidence (প্রমাণক) · GRS complaints per office and per tier · the rules used
(calendar versions, provisional years, go-live dates, charters, definitions).

Rendering: Bengali headers and Bengali digits by default (``lang="en"`` for English).
Numbers stay numbers and dates stay dates; Bengali digits come from the number format
(numeral system 05 of the ``[$-xxyyzzzz]`` locale prefix), so formulas and sorting work.
Every sheet has a title row naming the office(s) and the period, a frozen header row and
readable widths. Text starting with = + - @ (or tab / carriage return), at the start of a
cell or after any line break inside it, is prefixed with an apostrophe so no spreadsheet runs
it as a formula (OWASP "CSV injection"); text cells are also rid of the control characters
openpyxl refuses (rows written before the input checks), shown as U+FFFD.
CSV files have the same rows; their numbers are plain ASCII numbers (machine readable),
and with ``lang="en"`` their headers are the column keys of ``tracker report compliance``.
Every CSV the tracker writes (these files, ``report compliance --format csv``, ``calendar
due --file``, the dashboard's downloads) goes through ``write_csv_rows`` or ``frame_csv``:
records end in CRLF (RFC 4180), so a field holding a CR or LF is always quoted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from tracker.domain.bn import LANGS, Lang, fmt_date, fmt_time, grs_title, localise_digits
from tracker.domain.offices import kind_label
from tracker.domain.text import xlsx_safe
from tracker.errors import InputError
from tracker.services.apa_report import ApaData, ProvisionalWarning, RulesFacts
from tracker.services.apa_report import periods_of as periods_of  # for the CLI and dashboard

#: Locale prefix for Bengali (Bangladesh, LCID 0x0845) with native digits (numeral system 05).
BN_NUMBERS = "[$-5000845]"
UNSAFE_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: The CSV record separator. Python's csv module quotes (QUOTE_MINIMAL) a field holding a
#: character of the terminator: with "\n" alone a bare CR went out unquoted, and a reader
#: that takes CR as a line end saw a new record starting with whatever followed it.
CSV_LINE_END = "\r\n"


def neutralise(text: str) -> str:
    """Every line of ``text`` that a spreadsheet would run as a formula gets a leading
    apostrophe: the first, and each one after a line break (CR, LF and the others of
    ``str.splitlines``), since a reader that splits the cell or the file on line breaks
    would otherwise see a record or a cell starting with ``=cmd|...``."""
    return "".join("'" + line if line.startswith(UNSAFE_PREFIXES) else line
                   for line in text.splitlines(keepends=True))


def _csv_cell(value: Any) -> Any:
    """Text neutralised; anything else as the csv module writes it."""
    return neutralise(value) if isinstance(value, str) else value


def write_csv_rows(handle: TextIO, rows: Iterable[Sequence[Any]]) -> None:
    """Write ``rows`` as CSV records: text neutralised, CRLF record ends (so a field with a
    CR or LF is quoted). The one CSV writer of the tracker."""
    writer = csv.writer(handle, lineterminator=CSV_LINE_END)
    writer.writerows([_csv_cell(value) for value in row] for row in rows)


def frame_csv(frame: pd.DataFrame) -> str:
    """A table (``tracker report compliance``, the dashboard's downloads) as CSV text: the
    header and every text cell neutralised, CRLF record ends, numbers as pandas writes them."""
    safe = frame.map(_csv_cell).rename(columns=_csv_cell)
    return str(safe.to_csv(index=False, lineterminator=CSV_LINE_END))


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

    def title(self, lang: str) -> str:
        return self.title_bn if lang == Lang.BN else self.title_en

    def body(self) -> list[list[Any]]:
        return [*self.rows, *([self.total] if self.total is not None else [])]


@dataclass
class ApaReport:
    """The rendered export: a title, warnings and sheets, in one language."""

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
    C("outside_calendar", "Date outside the calendar (not judged)",
      "তারিখ ক্যালেন্ডারের বাইরে (বিবেচনার বাইরে)"),
]
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
#: Last on the per-office sheets (the columns before it keep their places): which kind of
#: office a row is, since one upazila can have several (ICT, land, ...).
KIND_COL = C("office_kind", "Office kind", "অফিসের ধরন", "text")

QUARTER_BN = {"Q1": "প্রথম", "Q2": "দ্বিতীয়", "Q3": "তৃতীয়", "Q4": "চতুর্থ"}
STATUS_BN = {"late": "বিলম্বে প্রদত্ত", "overdue": "মেয়াদোত্তীর্ণ"}
TOTAL = {"en": "Total", "bn": "মোট"}
NO_ROWS = {"en": "no rows in this period", "bn": "কোনো তথ্য নেই"}

#: The rules sheet's fixed definitions: (English label, Bengali label, text).
DEFINITIONS = [
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
    ("Date outside the calendar", "তারিখ ক্যালেন্ডারের বাইরে",
     "a receipt, due, closing or hold date beyond the years the holiday calendar covers: "
     "counted as received, not judged (neither on time, late nor overdue) until the date is "
     "corrected"),
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


# -- rendering the report object --------------------------------------------------------------


def render_apa(data: ApaData, *, lang: str = "bn") -> ApaReport:
    """Lay the gathered figures out as the export's sheets, in Bengali or English."""
    if lang not in LANGS:
        raise InputError("--lang must be bn or en")
    warnings = [_warning_text(w, lang) for w in data.warnings]
    sheets = [_summary_sheet(data, lang), _services_sheet(data, lang),
              _evidence_sheet(data, lang), _grs_summary_sheet(data, lang),
              _grs_tiers_sheet(data, lang),
              Sheet("rules", "Rules used", "ব্যবহৃত নিয়মাবলি", RULE_COLS,
                    _rules_rows(data, lang, warnings))]
    return ApaReport(lang, _title(data, lang), warnings, sheets)


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


def _cells(row: Mapping[str, Any], columns: list[Column]) -> list[Any]:
    """A frame row's values for these columns: text as text, numbers and dates as such."""
    return [_text(row[c.key]) if c.kind == "text" else _num(row[c.key]) for c in columns]


def _office_names(data: ApaData, lang: str) -> dict[str, tuple[str, str]]:
    """Office code -> (name in the sheet's language, kind as stored: the word
    ``--office-kind`` takes and ``tracker report compliance`` shows)."""
    return {o.code: (o.name_bn if lang == Lang.BN else o.name_en, o.office_kind)
            for o in data.offices}


def _per_office_rows(frame: pd.DataFrame, total: pd.DataFrame, columns: list[Column],
                     names: dict[str, tuple[str, str]], lang: str
                     ) -> tuple[list[list[Any]], list[Any]]:
    """(one row per office, the total row) of a per-office figures frame: code, name,
    the figures, then the office's kind."""
    rows = []
    for _, row in frame.iterrows():
        name, kind = names.get(row["office_code"], ("", ""))
        rows.append([row["office_code"], name, *_cells(row, columns), kind])
    return rows, [TOTAL[lang], "", *_cells(total.iloc[0], columns), ""]


def _summary_sheet(data: ApaData, lang: str) -> Sheet:
    sheet = Sheet("summary", "Summary per office", "অফিসভিত্তিক সারসংক্ষেপ",
                  [*OFFICE_COLS, *COUNT_COLS, EXTENDED_SHARE, KIND_COL])
    sheet.rows, sheet.total = _per_office_rows(data.by_office, data.total,
                                               [*COUNT_COLS, EXTENDED_SHARE],
                                               _office_names(data, lang), lang)
    return sheet


def _quarter_label(quarter: str, lang: str) -> str:
    return f"{QUARTER_BN[quarter]} প্রান্তিক" if lang == Lang.BN else quarter


def _services_sheet(data: ApaData, lang: str) -> Sheet:
    sheet = Sheet("services", "Per service per quarter", "সেবা ও প্রান্তিকভিত্তিক",
                  [*SERVICE_COLS, *COUNT_COLS])
    for figures in data.quarters:
        for _, row in figures.per_service.iterrows():
            sheet.rows.append([_quarter_label(figures.quarter, lang), row["office_code"],
                               row["service_key"], row["service_name_bn"],
                               *_cells(row, COUNT_COLS)])
    return sheet


def _evidence_sheet(data: ApaData, lang: str) -> Sheet:
    sheet = Sheet("evidence", "Late and overdue requests (evidence)",
                  "বিলম্বিত ও মেয়াদোত্তীর্ণ আবেদন (প্রমাণক)", EVIDENCE_COLS)
    for row in data.evidence.to_dict("records"):
        if lang == Lang.BN:
            row["status"] = STATUS_BN.get(row["status"], row["status"])
        sheet.rows.append(_cells(row, EVIDENCE_COLS))
    return sheet


def _grs_summary_sheet(data: ApaData, lang: str) -> Sheet:
    sheet = Sheet("grs_summary", "GRS complaints per office", "অফিসভিত্তিক অভিযোগ (জিআরএস)",
                  [*OFFICE_COLS, *GRS_SUMMARY_COLS, KIND_COL])
    sheet.rows, sheet.total = _per_office_rows(data.grs_by_office, data.grs_total,
                                               GRS_SUMMARY_COLS, _office_names(data, lang),
                                               lang)
    return sheet


def _grs_tiers_sheet(data: ApaData, lang: str) -> Sheet:
    sheet = Sheet("grs_tiers", "GRS complaints per tier", "স্তরভিত্তিক অভিযোগ (জিআরএস)",
                  GRS_TIER_COLS)
    for row in data.grs_tiers.to_dict("records"):
        sheet.rows.append(_cells({**row, "officer": grs_title(row["role"], lang)},
                                 GRS_TIER_COLS))
    return sheet


def _kind_names(data: ApaData, lang: str) -> str:
    """The office kind an export is filtered by, in the kind's own words
    (tracker.domain.offices.kind_label) at the levels of its offices, e.g. "Upazila Land
    Office"; empty when the export has every kind."""
    if data.office_kind is None:
        return ""
    levels = sorted({o.level for o in data.offices if o.office_kind == data.office_kind})
    i = 0 if lang == Lang.BN else 1
    return " / ".join(dict.fromkeys(kind_label(data.office_kind, level)[i]
                                    for level in levels or ["upazila"]))


def _scope_words(data: ApaData, lang: str) -> str:
    scope = data.scope_label[0 if lang == Lang.BN else 1]
    kind = _kind_names(data, lang)
    if not kind:
        return scope
    return f"{scope}, {'অফিসের ধরন' if lang == Lang.BN else 'office kind'}: {kind}"


def _title(data: ApaData, lang: str) -> str:
    start, end, as_of = (fmt_date(day, lang) for day in (data.period.start, data.period.end,
                                                         data.as_of))
    if lang == Lang.BN:
        fy = localise_digits(data.fy, lang) + (
            f", {_quarter_label(data.quarter, lang)}" if data.quarter else "")
        return (f"বার্ষিক কর্মসম্পাদন চুক্তি (এপিএ) প্রতিবেদন — {_scope_words(data, lang)} — "
                f"অর্থবছর {fy} ({start} থেকে {end}), {as_of} তারিখ পর্যন্ত")
    return (f"APA report — {_scope_words(data, lang)} — FY {data.period.label} ({start} to "
            f"{end}), as of {as_of}")


def _warning_text(warning: ProvisionalWarning, lang: str) -> str:
    listed = ", ".join(str(y) for y in warning.years) or "-"
    if lang == Lang.BN:
        return localise_digits(f"সতর্কতা: অস্থায়ী (provisional) ছুটির তালিকা — {listed} সালের "
                               "সরকারি ছুটির তালিকা এখনো সংকলিত হয়নি; পূর্বাভাস থেকে গণনা "
                               "করা নির্ধারিত তারিখ পরিবর্তিত হতে পারে।", lang)
    return (f"Warning: provisional holiday list — {listed} has no curated government "
            "holiday list; due dates computed from a forecast may change.")


# -- the rules sheet: (English label, Bengali label, value) facts, then the definitions ---------

Rule = tuple[str, str, str]


def _rules_rows(data: ApaData, lang: str, warnings: list[str]) -> list[list[Any]]:
    def localised(rules: list[Rule]) -> list[list[Any]]:
        return [[bn if lang == Lang.BN else en, localise_digits(value, lang)]
                for en, bn, value in rules]

    definitions = [[bn if lang == Lang.BN else en, text] for en, bn, text in DEFINITIONS]
    complaints: list[Rule] = ([("Complaints in the period", "এ সময়ের অভিযোগ",
                                str(data.rules.complaints))] if data.rules.complaints else [])
    return [*localised(_period_rules(data, lang) + _calendar_rules(data.rules)),
            *(["⚠", warning] for warning in warnings),
            *localised(_office_rules(data, lang)), *definitions, *localised(complaints)]


def _period_rules(data: ApaData, lang: str) -> list[Rule]:
    period = data.period
    rules = [("Period", "সময়কাল", f"{period.label}: {fmt_date(period.start, lang)} – "
                                   f"{fmt_date(period.end, lang)}"),
             ("Judged as of", "যে তারিখ পর্যন্ত বিবেচিত", fmt_date(data.as_of, lang))]
    if data.office_kind is not None:
        rules.append(("Office kind", "অফিসের ধরন",
                      f"{data.office_kind}: {_kind_names(data, lang)}"))
    if data.generated_at is not None:
        rules.append(("Generated at (UTC)", "প্রস্তুতের সময় (UTC)",
                      f"{fmt_date(data.generated_at, lang)} "
                      f"{fmt_time(f'{data.generated_at:%H:%M}', lang)}"))
    rules.append(("Computation", "গণনা",
                  "tracker.services.reports.request_frame + compliance: the same figures as "
                  "`tracker report compliance` (one computation, two renderings)"))
    return rules


def _calendar_rules(facts: RulesFacts) -> list[Rule]:
    rules = [(f"Calendar versions ({c.district or 'national'})",
              f"ক্যালেন্ডার সংস্করণ ({c.district or 'জাতীয়'})",
              ", ".join(v + (" (provisional)" if provisional else "")
                        for v, provisional in c.versions)) for c in facts.calendars]
    return [*rules,
            ("Curated holiday years", "সংকলিত ছুটির বছর",
             ", ".join(str(y) for y in facts.curated_years)),
            ("Provisional (forecast) years", "অস্থায়ী (পূর্বাভাস) বছর",
             ", ".join(str(y) for y in facts.provisional_years))]


def _office_rules(data: ApaData, lang: str) -> list[Rule]:
    rules: list[Rule] = []
    for office in data.offices:
        rules.append((f"Go-live date: {office.code}", f"চালুর তারিখ: {office.code}",
                      fmt_date(office.go_live, lang) if office.go_live
                      else "not set (all requests measured)"))
        if office.charters:
            rules.append((f"Charter versions: {office.code}",
                          f"সিটিজেন চার্টার সংস্করণ: {office.code}",
                          ", ".join(f"from {fmt_date(d, lang)}" for d in office.charters)))
        if office.grs_limits:
            rules.append((f"GRS tier limits: {office.code}",
                          f"জিআরএস স্তরের সময়সীমা: {office.code}", office.grs_limits))
    return rules


# -- writing --------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """A workbook text cell: what openpyxl would refuse replaced (it raises
    IllegalCharacterError on C0 controls and the whole export fails), then neutralised."""
    return neutralise(xlsx_safe(str(value)))


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


@dataclass(frozen=True)
class _Look:
    """Fonts, fills and number formats of one workbook (openpyxl is imported lazily: the
    CLI loads this module for every command)."""

    title: Any
    bold: Any
    warning: Any
    header_fill: Any
    header_alignment: Any
    formats: dict[str, str]
    column_letter: Callable[[int], str]


def _look(lang: str) -> _Look:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    prefix = BN_NUMBERS if lang == Lang.BN else ""
    return _Look(Font(bold=True, size=13), Font(bold=True), Font(bold=True, color="9C0006"),
                 PatternFill("solid", fgColor="DDEBF7"),
                 Alignment(wrap_text=True, vertical="top"),
                 {"int": prefix + "0", "float": prefix + "0.0", "pct": prefix + "0.0",
                  "date": prefix + "dd-mm-yyyy"}, get_column_letter)


def _workbook(report: ApaReport) -> Any:
    from openpyxl import Workbook

    look = _look(report.lang)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in report.sheets:
        _write_sheet(workbook.create_sheet(sheet.title(report.lang)[:31]), sheet, report, look)
    return workbook


def _write_sheet(ws: Any, sheet: Sheet, report: ApaReport, look: _Look) -> None:
    """Title, warnings, header, body; widths from the contents; the header row frozen."""
    ws.cell(row=1, column=1, value=_cell_text(f"{report.title} — {sheet.title(report.lang)}")
            ).font = look.title
    header_row = 2
    for warning in report.warnings:
        ws.cell(row=header_row, column=1, value=_cell_text(warning)).font = look.warning
        header_row += 1
    headers = [c.bn if report.lang == Lang.BN else c.en for c in sheet.columns]
    for j, header in enumerate(headers, 1):
        cell = ws.cell(row=header_row, column=j, value=_cell_text(header))
        cell.font, cell.fill, cell.alignment = look.bold, look.header_fill, look.header_alignment
    widths = [len(h) + 2 for h in headers]
    body = sheet.body()
    for i, values in enumerate(body, header_row + 1):
        bold = sheet.total is not None and i == header_row + len(body)
        _write_row(ws, i, sheet.columns, values, widths, look, bold=bold)
    if not body:
        ws.cell(row=header_row + 1, column=1, value=NO_ROWS[report.lang])
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[look.column_letter(j)].width = min(max(width, 8), 60)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def _write_row(ws: Any, i: int, columns: list[Column], values: list[Any], widths: list[int],
               look: _Look, *, bold: bool) -> None:
    """One body row: text neutralised and stored as text, numbers and dates formatted;
    widens ``widths`` to fit."""
    for j, (column, value) in enumerate(zip(columns, values, strict=True), 1):
        if value is None:
            continue
        if column.kind == "text" or isinstance(value, str):
            cell = ws.cell(row=i, column=j, value=_cell_text(value))
            cell.data_type = "s"
            widths[j - 1] = max(widths[j - 1], min(len(str(value)) + 2, 60))
        else:
            cell = ws.cell(row=i, column=j, value=value)
            cell.number_format = look.formats.get(column.kind, "General")
            widths[j - 1] = max(widths[j - 1], 12 if column.kind == "date" else 8)
        if bold:
            cell.font = look.bold


def write_csv(report: ApaReport, folder: Path) -> list[Path]:
    """One UTF-8 (with BOM, for Excel) CSV per sheet; the title is in README.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet in report.sheets:
        path = folder / f"{sheet.key}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            write_csv_rows(handle, [
                [c.bn if report.lang == Lang.BN else c.key for c in sheet.columns],
                *([_csv_value(v) for v in values] for values in sheet.body())])
        written.append(path)
    notes = folder / "README.txt"
    notes.write_text("\n".join([report.title, *report.warnings, ""]), encoding="utf-8")
    written.append(notes)
    return written


def _csv_value(value: Any) -> Any:
    """None empty, dates ISO; numbers stay numbers (a negative one is not text to
    neutralise) and text is neutralised by write_csv_rows."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value
