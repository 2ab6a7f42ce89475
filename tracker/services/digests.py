"""Daily digests and weekly summaries: data -> text and HTML. No sending, no clock.

Every digest of a day comes from **one aggregate pass**: one query for the requests that
matter on ``as_of`` (open then, or closed in the last five weeks), one for their open holds,
one for offices and districts; the requests are judged as of the date with the same rules as
the compliance report (``tracker.services.reports``), then grouped per office and per district.

- Upazila (office) digest (each officer of an office: every office of an upazila, ICT,
  land, ..., and a district's offices other than its ICT office, e.g. ``dhaka@btcl``;
  ``has_office_digest``): due today; due on the next working day; overdue,
  oldest first, with working days late; on hold and for how long; deliveries since the
  previous working day; compliance over the last 30 days per service; requests with a
  date outside the calendar (not judged: tracker.domain.status), to correct — a section
  only when there are some. Nothing due, nothing late and no date to correct ->
  ``all_clear`` (the caller sends one line or nothing: a setting).
- District digest (each district programmer): per office of the district (every kind; an
  upazila's offices side by side, each named with its kind and code, so the ICT and the
  land office of one upazila are told apart) the overdue count, newly overdue since the
  previous digest and 30-day compliance; the worst services; escalation candidates (open
  and late by more than their whole time limit).
- Weekly summary (first working day of the week, Saturday-Friday weeks): the previous
  week's received / delivered / on time / late per service or per office.

Bengali by default (digits ০-৯), English per user; dates dd-mm-yyyy in both.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from numbers import Integral

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.domain.bn import LANGS, fmt_date, fmt_num, fmt_pct, grs_title, localise_digits
from tracker.domain.calendar import BangladeshCalendar, load_calendar
from tracker.domain.deadlines import previous_working_day
from tracker.domain.offices import Level, as_level, has_own_officers, kind_label
from tracker.domain.periods import is_first_working_day_of_week, week_start
from tracker.domain.status import Status
from tracker.services.auth import SYSTEM
from tracker.services.queries import judged_requests
from tracker.services.reports import compliance_ratio
from tracker.store.models import District, Office

#: Compliance window of the digests (calendar days, the as-of date included).
COMPLIANCE_DAYS = 30
#: How far back closed requests are read: the compliance window plus last week's summary.
LOOKBACK_DAYS = COMPLIANCE_DAYS + 14
WORST_SERVICES = 5
LANGUAGES: tuple[str, ...] = tuple(lang.value for lang in LANGS)

_T: dict[str, tuple[str, str]] = {
    "daily": ("দৈনিক সারসংক্ষেপ", "Daily digest"),
    "weekly": ("সাপ্তাহিক সারসংক্ষেপ", "Weekly summary"),
    "district_daily": ("জেলার দৈনিক সারসংক্ষেপ", "District daily digest"),
    "district_weekly": ("জেলার সাপ্তাহিক সারসংক্ষেপ", "District weekly summary"),
    "due_today": ("আজ নিষ্পত্তির শেষ দিন", "Due today"),
    "due_next": ("পরবর্তী কার্যদিবসে ({d}) নিষ্পত্তির শেষ দিন", "Due on the next working day ({d})"),
    "overdue": ("মেয়াদোত্তীর্ণ (পুরোনোটি আগে)", "Overdue (oldest first)"),
    "on_hold": ("স্থগিত (আবেদনকারীর অপেক্ষায়)", "On hold (waiting for the applicant)"),
    "delivered": ("আগের কার্যদিবস থেকে নিষ্পন্ন", "Delivered since the previous working day"),
    "compliance": ("গত {n} দিনে সেবাভিত্তিক সময়মতো নিষ্পত্তি",
                   "Delivered on time in the last {n} days, per service"),
    "per_office": ("অফিসভিত্তিক অবস্থা", "Per office"),
    "worst": ("সবচেয়ে পিছিয়ে থাকা সেবা (গত {n} দিন)", "Worst services (last {n} days)"),
    "escalate": ("ঊর্ধ্বতন পর্যায়ে জানানোর মতো (সময়সীমার চেয়েও বেশি দেরি)",
                 "Escalation candidates (late by more than their whole time limit)"),
    "week": ("গত সপ্তাহ ({a} থেকে {b})", "Last week ({a} to {b})"),
    "all_clear": ("সব ঠিক আছে: আজ নিষ্পত্তির শেষ দিন এমন বা মেয়াদোত্তীর্ণ কোনো আবেদন নেই।",
                  "All clear: nothing is due and nothing is late."),
    "none": ("নেই", "none"),
    "ref": ("নম্বর", "Ref"),
    "service": ("সেবা", "Service"),
    "office": ("অফিস", "Office"),
    "kind": ("অফিসের ধরন", "Office kind"),
    "code": ("কোড", "Code"),
    "received": ("গ্রহণ", "Received"),
    "due": ("শেষ তারিখ", "Due"),
    "late": ("দেরি (কার্যদিবস)", "Working days late"),
    "held_since": ("স্থগিত হয়েছে", "On hold since"),
    "held_days": ("কার্যদিবস ধরে", "Working days"),
    "delivered_on": ("নিষ্পত্তি", "Delivered"),
    "result": ("ফলাফল", "Result"),
    "on_time": ("সময়মতো", "on time"),
    "late_word": ("দেরিতে", "late"),
    "n_on_time": ("সময়মতো", "On time"),
    "n_late": ("দেরিতে", "Late"),
    "pct": ("হার", "Rate"),
    "n_overdue": ("মেয়াদোত্তীর্ণ", "Overdue"),
    "n_new_overdue": ("নতুন মেয়াদোত্তীর্ণ", "Newly overdue"),
    "n_received": ("গৃহীত", "Received"),
    "n_delivered": ("নিষ্পন্ন", "Delivered"),
    "limit": ("সময়সীমা (কার্যদিবস)", "Time limit (working days)"),
    "subj_counts": ("আজ {a}টি, মেয়াদোত্তীর্ণ {b}টি", "{a} due today, {b} overdue"),
    "subj_district": ("মেয়াদোত্তীর্ণ {a}টি, নতুন {b}টি", "{a} overdue, {b} new"),
    "subj_weekly": ("গৃহীত {a}টি, নিষ্পন্ন {b}টি", "{a} received, {b} delivered"),
    "grs": ("সময়সীমা পেরোনো অভিযোগ (জিআরএস)", "GRS complaints past a tier's time limit"),
    "complaint": ("অভিযোগ", "Complaint"),
    "tier": ("বর্তমান স্তর", "Current tier"),
    "tier_due": ("স্তরের শেষ তারিখ", "Tier due"),
    "n_escalations": ("স্তর পেরিয়েছে", "Tiers passed"),
    "outside_calendar": ("ক্যালেন্ডারের বাইরের তারিখ (মূল্যায়ন করা যায়নি): তারিখ সংশোধন করুন",
                         "Date outside the calendar (not judged): correct the date"),
    "footer": ("সিটিজেন চার্টার এসএলএ ট্র্যাকার — স্বয়ংক্রিয় বার্তা।",
               "Citizen-charter SLA tracker — automatic message."),
}


def tr(key: str, lang: str, **values: object) -> str:
    text = _T[key][0 if lang == "bn" else 1]
    return text.format(**{k: fmt_num(int(v), lang) if isinstance(v, Integral)
                          else localise_digits(str(v), lang) for k, v in values.items()})


# -- the digests as data ------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One request line of a digest."""

    request_id: int
    ref: str
    office_code: str
    service: str
    received: date
    due: date | None
    days: int = 0  # working days late, or on hold
    since: date | None = None  # hold start, or delivery date
    on_time: bool | None = None
    limit: int = 0


@dataclass(frozen=True)
class GrsItem:
    """An open GRS complaint that has passed a tier's time limit."""

    complaint_id: int
    office_code: str
    received: date
    tier: int
    role: str
    due: date
    escalations: int
    working_days_late: int


@dataclass(frozen=True)
class ServiceRate:
    office_code: str
    service_key: str
    service: str
    on_time: int
    late: int

    @property
    def pct(self) -> float | None:
        return compliance_ratio(self.on_time, self.late)


@dataclass(frozen=True)
class UpazilaRow:
    """One office of a district digest (any kind; several can share an upazila)."""

    office_code: str
    name_bn: str
    name_en: str
    overdue: int
    newly_overdue: int
    on_time: int
    late: int
    office_kind: str = "ict"
    level: Level = "upazila"

    @property
    def pct(self) -> float | None:
        return compliance_ratio(self.on_time, self.late)

    def kind_name(self, lang: str) -> str:
        """The office's kind in the digest's language (tracker.domain.offices)."""
        return kind_label(self.office_kind, self.level)[0 if lang == "bn" else 1]


@dataclass(frozen=True)
class WeekRow:
    label_bn: str
    label_en: str
    received: int
    delivered: int
    on_time: int
    late: int
    overdue_now: int

    @property
    def pct(self) -> float | None:
        return compliance_ratio(self.on_time, self.late)


@dataclass(frozen=True)
class Section:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class UpazilaDigest:
    kind = "upazila_daily"
    office_code: str
    name_bn: str
    name_en: str
    as_of: date
    next_working_day: date
    due_today: list[Item]
    due_next: list[Item]
    overdue: list[Item]
    on_hold: list[Item]
    delivered: list[Item]
    compliance: list[ServiceRate]
    #: Not judged: a date outside the calendar (listed apart, to be corrected).
    outside_calendar: list[Item] = field(default_factory=list)

    @property
    def all_clear(self) -> bool:
        return not (self.due_today or self.due_next or self.overdue or self.outside_calendar)

    def render(self, lang: str) -> Rendered:
        name = self.name_bn if lang == "bn" else self.name_en
        counts = tr("subj_counts", lang, a=len(self.due_today), b=len(self.overdue))
        subject = f"{tr('daily', lang)} — {name} — {fmt_date(self.as_of, lang)}: {counts}"
        if self.all_clear:
            return _render(subject, [tr("all_clear", lang)], [], lang)
        h = [tr(k, lang) for k in ("ref", "service", "received", "due")]
        sections = [
            Section(tr("due_today", lang), h, [_item_cells(i, lang) for i in self.due_today]),
            Section(tr("due_next", lang, d=fmt_date(self.next_working_day, lang)), h,
                    [_item_cells(i, lang) for i in self.due_next]),
            Section(tr("overdue", lang), [*h, tr("late", lang)],
                    [[*_item_cells(i, lang), fmt_num(i.days, lang)] for i in self.overdue]),
            Section(tr("on_hold", lang),
                    [*h, tr("held_since", lang), tr("held_days", lang)],
                    [[*_item_cells(i, lang), fmt_date(i.since, lang), fmt_num(i.days, lang)]
                     for i in self.on_hold]),
            Section(tr("delivered", lang), [*h, tr("delivered_on", lang), tr("result", lang)],
                    [[*_item_cells(i, lang), fmt_date(i.since, lang),
                      tr("on_time" if i.on_time else "late_word", lang)]
                     for i in self.delivered]),
            Section(tr("compliance", lang, n=COMPLIANCE_DAYS),
                    [tr(k, lang) for k in ("service", "n_on_time", "n_late", "pct")],
                    [[r.service, fmt_num(r.on_time, lang), fmt_num(r.late, lang),
                      fmt_pct(r.pct, lang)] for r in self.compliance]),
        ]
        if self.outside_calendar:  # rare: no empty section in every digest
            sections.insert(0, Section(tr("outside_calendar", lang), h,
                                       [_item_cells(i, lang) for i in self.outside_calendar]))
        return _render(subject, [counts], sections, lang)


@dataclass(frozen=True)
class DistrictDigest:
    kind = "district_daily"
    district_id: int
    name_bn: str
    name_en: str
    as_of: date
    since: date
    upazilas: list[UpazilaRow]  # one per office of the district (every kind), by code
    worst_services: list[ServiceRate]
    escalations: list[Item]
    grs_overdue: list[GrsItem] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(r.overdue for r in self.upazilas)

    @property
    def newly_overdue(self) -> int:
        return sum(r.newly_overdue for r in self.upazilas)

    @property
    def all_clear(self) -> bool:
        return self.overdue == 0

    def render(self, lang: str) -> Rendered:
        name = self.name_bn if lang == "bn" else self.name_en
        counts = tr("subj_district", lang, a=self.overdue, b=self.newly_overdue)
        subject = (f"{tr('district_daily', lang)} — {name} — {fmt_date(self.as_of, lang)}: "
                   f"{counts}")
        sections = [
            Section(tr("per_office", lang),
                    [tr(k, lang) for k in ("office", "kind", "code", "n_overdue",
                                           "n_new_overdue", "n_on_time", "n_late", "pct")],
                    [[r.name_bn if lang == "bn" else r.name_en, r.kind_name(lang),
                      r.office_code, fmt_num(r.overdue, lang),
                      fmt_num(r.newly_overdue, lang), fmt_num(r.on_time, lang),
                      fmt_num(r.late, lang), fmt_pct(r.pct, lang)] for r in self.upazilas]),
            Section(tr("worst", lang, n=COMPLIANCE_DAYS),
                    [tr(k, lang) for k in ("office", "service", "n_on_time", "n_late", "pct")],
                    [[r.office_code, r.service, fmt_num(r.on_time, lang),
                      fmt_num(r.late, lang), fmt_pct(r.pct, lang)]
                     for r in self.worst_services]),
            Section(tr("escalate", lang),
                    [tr(k, lang) for k in ("office", "ref", "service", "received", "due",
                                           "limit", "late")],
                    [[i.office_code, *_item_cells(i, lang), fmt_num(i.limit, lang),
                      fmt_num(i.days, lang)] for i in self.escalations]),
            Section(tr("grs", lang),
                    [tr(k, lang) for k in ("office", "complaint", "received", "tier",
                                           "tier_due", "n_escalations")],
                    [[g.office_code, localise_digits(f"#{g.complaint_id}", lang),
                      fmt_date(g.received, lang), grs_title(g.role, lang, short=True),
                      fmt_date(g.due, lang),
                      fmt_num(g.escalations, lang)] for g in self.grs_overdue]),
        ]
        return _render(subject, [counts], sections, lang)


@dataclass(frozen=True)
class WeeklySummary:
    kind: str  # upazila_weekly | district_weekly
    name_bn: str
    name_en: str
    as_of: date
    week_start: date
    week_end: date
    rows: list[WeekRow]

    @property
    def received(self) -> int:
        return sum(r.received for r in self.rows)

    @property
    def delivered(self) -> int:
        return sum(r.delivered for r in self.rows)

    @property
    def all_clear(self) -> bool:
        return False

    def render(self, lang: str) -> Rendered:
        name = self.name_bn if lang == "bn" else self.name_en
        title = tr("weekly" if self.kind == "upazila_weekly" else "district_weekly", lang)
        counts = tr("subj_weekly", lang, a=self.received, b=self.delivered)
        subject = f"{title} — {name} — {fmt_date(self.as_of, lang)}: {counts}"
        label = "service" if self.kind == "upazila_weekly" else "office"
        section = Section(
            tr("week", lang, a=fmt_date(self.week_start, lang), b=fmt_date(self.week_end, lang)),
            [tr(k, lang) for k in (label, "n_received", "n_delivered", "n_on_time", "n_late",
                                   "pct", "n_overdue")],
            [[r.label_bn if lang == "bn" else r.label_en, fmt_num(r.received, lang),
              fmt_num(r.delivered, lang), fmt_num(r.on_time, lang), fmt_num(r.late, lang),
              fmt_pct(r.pct, lang), fmt_num(r.overdue_now, lang)] for r in self.rows])
        return _render(subject, [counts], [section], lang)


Digest = UpazilaDigest | DistrictDigest | WeeklySummary


@dataclass
class DigestSet:
    """Every digest of one day, keyed by office id (upazila) or district id."""

    as_of: date
    upazila: dict[int, UpazilaDigest] = field(default_factory=dict)
    district: dict[int, DistrictDigest] = field(default_factory=dict)
    upazila_weekly: dict[int, WeeklySummary] = field(default_factory=dict)
    district_weekly: dict[int, WeeklySummary] = field(default_factory=dict)

    def for_kind(self, kind: str) -> Mapping[int, Digest]:
        if kind == "upazila_daily":
            return self.upazila
        if kind == "district_daily":
            return self.district
        if kind == "upazila_weekly":
            return self.upazila_weekly
        if kind == "district_weekly":
            return self.district_weekly
        raise ValueError(f"unknown digest kind {kind!r}")


# -- rendering ----------------------------------------------------------------------------


def _item_cells(item: Item, lang: str) -> list[str]:
    return [localise_digits(item.ref, lang), item.service, fmt_date(item.received, lang),
            fmt_date(item.due, lang)]


def _render(subject: str, lead: list[str], sections: list[Section], lang: str) -> Rendered:
    text: list[str] = [subject, "", *lead]
    parts: list[str] = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>"
        '<body style="font-family: \'Noto Sans Bengali\', \'SolaimanLipi\', sans-serif">',
        f"<h2>{html.escape(subject)}</h2>",
        *(f"<p>{html.escape(line)}</p>" for line in lead),
    ]
    for section in sections:
        count = fmt_num(len(section.rows), lang)
        text += ["", f"{section.title} ({count})"]
        parts.append(f"<h3>{html.escape(section.title)} ({count})</h3>")
        if not section.rows:
            text.append(f"  {tr('none', lang)}")
            parts.append(f"<p>{html.escape(tr('none', lang))}</p>")
            continue
        text.append("  " + " | ".join(section.headers))
        text += ["  " + " | ".join(row) for row in section.rows]
        parts.append('<table border="1" cellspacing="0" cellpadding="4"><tr>'
                     + "".join(f"<th>{html.escape(h)}</th>" for h in section.headers)
                     + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                  for row in section.rows]
        parts.append("</table>")
    text += ["", "-- ", tr("footer", lang), ""]
    parts.append(f"<hr><p><small>{html.escape(tr('footer', lang))}</small></p></body></html>")
    return Rendered(subject, "\n".join(text), "\n".join(parts) + "\n")


def encoded_header(text: str, limit: int = 66) -> str:
    """RFC 2047 encoded words, folded, with every space *inside* an encoded word.

    The standard library's folder splits long non-ASCII headers at spaces and leaves the
    space between two encoded words, where RFC 2047 says decoders must drop it: subjects
    arrived as "আইসিটিঅফিস". Encoded words here hold whole characters and at most ``limit``
    characters each, so every folded line stays under 78 and is never re-folded.
    """
    if text.isascii():
        return text
    words: list[str] = []
    current = ""
    for ch in text:
        candidate = current + ch
        if current and 12 + 4 * -(-len(candidate.encode()) // 3) > limit:
            words.append(current)
            candidate = ch
        current = candidate
    words.append(current)
    return "\n ".join(
        "=?utf-8?b?" + base64.b64encode(w.encode()).decode("ascii") + "?=" for w in words)


def compose(rendered: Rendered, *, sender: str, to: str, message_id: str, date_: datetime,
            headers: dict[str, str] | None = None) -> EmailMessage:
    """A multipart/alternative UTF-8 message (plain text + HTML). Composing, not sending."""
    message = EmailMessage()
    message.set_raw("Subject", encoded_header(rendered.subject))
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(date_)
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    # base64 keeps the whole message 7-bit: safe through any relay, with or without 8BITMIME.
    message.set_content(rendered.text, charset="utf-8", cte="base64")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="base64")
    return message


# -- the one aggregate pass ---------------------------------------------------------------


def digest_frame(session: Session, *, as_of: date,
                 office_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """The requests that matter on ``as_of``, judged as of it: received by then and either
    still open or closed in the lookback window (the 30-day compliance and last week's
    summary). The one judged frame (tracker.services.queries), every office the digest
    job covers (the recipients' scopes are applied when the digests are built)."""
    return judged_requests(session, scope=SYSTEM, as_of=as_of, office_ids=office_ids,
                           closed_since=as_of - timedelta(days=LOOKBACK_DAYS))


@dataclass(frozen=True)
class _OfficeInfo:
    id: int
    code: str
    kind: str  # the level: upazila | district
    office_kind: str  # ict, land, ...
    name_bn: str
    name_en: str
    district_id: int

    @property
    def level(self) -> Level:
        return as_level(self.kind)

    def week_label(self) -> tuple[str, str]:
        """(bn, en) of the office in a weekly district table: its name and code (two
        offices of one upazila may carry alike names)."""
        return f"{self.name_bn} ({self.code})", f"{self.name_en} ({self.code})"


def has_office_digest(level: str, office_kind: str) -> bool:
    """Whether an office's own officers get its daily digest (those it has:
    tracker.domain.offices.has_own_officers)."""
    return has_own_officers(level, office_kind)


def build_digests(session: Session, *, as_of: date, office_ids: Iterable[int] | None = None,
                  district_ids: Iterable[int] | None = None,
                  weekly: bool | None = None,
                  since: Mapping[int, date] | None = None) -> DigestSet:
    """Every digest for ``as_of`` (or those of some offices / districts), in one pass.

    ``office_ids``: offices whose own digests to build (``has_office_digest``: an upazila's
    ICT, land, ... offices; a district's non-ICT offices); ``district_ids``: districts whose
    district digests (and their offices' digests) to build; neither: everything.
    ``weekly``: also build last week's summaries (default: when ``as_of`` is the first
    working day of its week by the national calendar). ``since``: per district id, the
    date of the previous district digest ("newly overdue" = overdue now, not then);
    default the previous working day.

    The requests are judged once, every flag is computed once over the whole frame, and
    the counts come from one group-by: the per-office work is only assembling lists.
    """
    # By code: an upazila's offices sit together (jashore.keshabpur, jashore.keshabpur@land).
    offices = [_OfficeInfo(*row) for row in session.execute(sa.select(
        col(Office.id), col(Office.code), col(Office.kind), col(Office.office_kind),
        col(Office.name_bn), col(Office.name_en), col(Office.district_id))
        .order_by(col(Office.code)))]
    districts = {int(i): (str(bn), str(en)) for i, bn, en in session.execute(
        sa.select(col(District.id), col(District.name_bn), col(District.name_en)))}
    everything = office_ids is None and district_ids is None
    wanted_offices = set(office_ids or ())
    wanted_districts = set(district_ids or ())
    upazilas = [o for o in offices if has_office_digest(o.kind, o.office_kind) and (
        everything or o.id in wanted_offices or o.district_id in wanted_districts)]
    # One district digest per district with a district office (a district can have
    # several: jashore, jashore@btcl; the digest is the district's, keyed by its id).
    district_offices = list({o.district_id: o for o in offices if o.kind == "district" and (
        everything or o.district_id in wanted_districts)}.values())
    frame = digest_frame(session, as_of=as_of,
                         office_ids=None if everything else [o.id for o in upazilas])
    if weekly is None:
        weekly = is_first_working_day_of_week(as_of, load_calendar())
    calendars = {en: load_calendar(en) for d, (_bn, en) in districts.items()
                 if any(o.district_id == d for o in [*upazilas, *district_offices])}
    last = {districts[d][1]: day for d, day in (since or {}).items() if d in districts}
    flags = _Flags(frame, as_of, calendars, last)
    result = DigestSet(as_of)
    ws = week_start(as_of) - timedelta(days=7)
    we = ws + timedelta(days=6)
    for office in upazilas:
        calendar = calendars[districts[office.district_id][1]]
        result.upazila[office.id] = UpazilaDigest(
            office.code, office.name_bn, office.name_en, as_of,
            calendar.add_working_days(as_of, 1),
            due_today=flags.items["due_today"].get(office.id, []),
            due_next=flags.items["due_next"].get(office.id, []),
            overdue=flags.items["overdue"].get(office.id, []),
            on_hold=flags.items["on_hold"].get(office.id, []),
            delivered=flags.items["delivered"].get(office.id, []),
            compliance=[r for r in flags.service_rates.get(office.id, []) if r.on_time + r.late],
            outside_calendar=flags.items["outside_calendar"].get(office.id, []),
        )
        if weekly:
            result.upazila_weekly[office.id] = WeeklySummary(
                "upazila_weekly", office.name_bn, office.name_en, as_of, ws, we,
                flags.service_weeks.get(office.id, []))
    grs = _grs_overdue(session, as_of, None if everything else [
        o.code for o in upazilas if o.district_id in wanted_districts]) \
        if district_offices else {}
    for d_office in district_offices:
        members = [o for o in upazilas if o.district_id == d_office.district_id]
        name_bn, name_en = districts[d_office.district_id]
        since_day = last.get(name_en) or previous_working_day(as_of, calendars[name_en])
        rates = [r for o in members for r in flags.service_rates.get(o.id, []) if r.late > 0]
        rates.sort(key=lambda r: (r.pct if r.pct is not None else 100.0, -r.late,
                                  r.office_code, r.service_key))
        escalations = sorted((i for o in members for i in flags.items["escalate"].get(o.id, [])),
                             key=lambda i: (i.due or date.max, i.request_id))
        result.district[d_office.district_id] = DistrictDigest(
            d_office.district_id, name_bn, name_en, as_of, since_day,
            [UpazilaRow(o.code, o.name_bn, o.name_en, *flags.office_counts.get(o.id, (0,) * 4),
                        o.office_kind, o.level) for o in members],
            rates[:WORST_SERVICES], escalations,
            sorted((g for o in members for g in grs.get(o.code, [])),
                   key=lambda g: (g.received, g.complaint_id)))
        if weekly:
            result.district_weekly[d_office.district_id] = WeeklySummary(
                "district_weekly", name_bn, name_en, as_of, ws, we,
                [WeekRow(*o.week_label(), *flags.office_weeks.get(o.id, (0,) * 5))
                 for o in members])
    return result


def _days(series: pd.Series) -> np.ndarray:
    return np.array([np.datetime64(v, "D") if v is not None and not pd.isna(v)
                     else np.datetime64("NaT") for v in series], dtype="datetime64[D]")


class _Flags:
    """Every per-request fact the digests need, computed once over the whole frame."""

    def __init__(self, frame: pd.DataFrame, as_of: date,
                 calendars: Mapping[str, BangladeshCalendar],
                 last_digest: Mapping[str, date]) -> None:
        f = frame.reset_index(drop=True)
        n = len(f)
        day = np.datetime64(as_of, "D")
        due = _days(f["effective_due"]) if n else np.array([], dtype="datetime64[D]")
        closed = _days(f["closed_date"]) if n else due.copy()
        received = _days(f["received_date"]) if n else due.copy()
        hold = _days(f["hold_start"]) if n else due.copy()
        nxt = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        prev = nxt.copy()
        since = nxt.copy()
        # The judged frame's own figures (tracker.services.queries), not re-derived here.
        held_days = f["wd_on_hold"].to_numpy(dtype=np.int64) if n else np.zeros(0, np.int64)
        limit = f["wd_allowed"].to_numpy(dtype=np.int64) if n else np.zeros(0, np.int64)
        for district, idx in (f.groupby("district").indices.items() if n else ()):
            calendar = calendars[str(district)]
            nxt[idx] = np.datetime64(calendar.add_working_days(as_of, 1), "D")
            prev[idx] = np.datetime64(previous_working_day(as_of, calendar), "D")
            since[idx] = np.datetime64(last_digest.get(str(district)) or prev[idx[0]], "D")
        status = f["status"].to_numpy(dtype=object) if n else np.array([], dtype=object)
        is_open = f["is_open"].to_numpy(dtype=bool) if n else np.zeros(0, dtype=bool)
        delivered = f["is_delivered"].to_numpy(dtype=bool) if n else is_open.copy()
        measured = f["measured"].to_numpy(dtype=bool) if n else is_open.copy()
        late_by = f["working_days_late"].to_numpy(dtype=np.int64) if n else limit.copy()
        state = f["state"].to_numpy(dtype=object) if n else status.copy()
        # Not judged (a date outside the calendar): listed apart, in no other list.
        outside = status == Status.OUTSIDE_CALENDAR.value
        judged = ~outside
        overdue = is_open & (status == Status.OVERDUE.value)
        on_time = status == Status.ON_TIME.value
        late = status == Status.LATE.value
        window = np.datetime64(as_of - timedelta(days=COMPLIANCE_DAYS - 1), "D")
        in_window = measured & delivered & (closed >= window) & (closed <= day)
        ws = np.datetime64(week_start(as_of) - timedelta(days=7), "D")
        we = ws + 6
        done_week = measured & delivered & (closed >= ws) & (closed <= we)

        ids = f["id"].tolist() if n else []
        offices = f["office_id"].tolist() if n else []
        codes = f["office_code"].tolist() if n else []
        refs = f["external_ref"].tolist() if n else []
        services = f["service_name_bn"].tolist() if n else []
        received_o = received.astype(object)
        due_o = due.astype(object)
        closed_o = closed.astype(object)
        hold_o = hold.astype(object)

        def items(mask: np.ndarray, order: tuple[np.ndarray, ...],
                  days: np.ndarray | None = None, since: np.ndarray | None = None,
                  ok: np.ndarray | None = None) -> dict[int, list[Item]]:
            picked = np.flatnonzero(mask)
            picked = picked[np.lexsort(tuple(k[picked] for k in reversed(order)))]
            out: dict[int, list[Item]] = {}
            for i in picked:
                ref = refs[i]
                out.setdefault(int(offices[i]), []).append(Item(
                    int(ids[i]), ref if isinstance(ref, str) and ref else f"#{int(ids[i])}",
                    str(codes[i]), str(services[i]), received_o[i], due_o[i],
                    int(days[i]) if days is not None else 0,
                    since[i] if since is not None else None,
                    bool(ok[i]) if ok is not None else None, int(limit[i])))
            return out

        id_arr = np.asarray(ids, dtype=np.int64)
        self.items = {
            "due_today": items(is_open & (status == Status.DUE_TODAY.value), (due, id_arr)),
            "due_next": items(is_open & (status == Status.ON_TRACK.value) & (due == nxt),
                              (due, id_arr)),
            "overdue": items(overdue, (due, id_arr), days=late_by),
            "on_hold": items(is_open & judged & (state == "on_hold"), (hold, id_arr),
                             days=held_days, since=hold_o),
            "delivered": items(delivered & judged & (closed >= prev) & (closed < day),
                               (closed, id_arr), since=closed_o, ok=on_time),
            "escalate": items(overdue & (late_by > limit), (due, id_arr), days=late_by),
            "outside_calendar": items(outside, (received, id_arr)),
        }
        counts = pd.DataFrame({
            "office_id": offices, "office_code": codes,
            "service_key": f["service_key"].tolist() if n else [],
            "service": services,
            "on_time_w": (in_window & on_time).astype(int),
            "late_w": (in_window & late).astype(int),
            "overdue": overdue.astype(int),
            "newly": (overdue & (due >= since)).astype(int),
            "received_wk": ((received >= ws) & (received <= we)).astype(int),
            "done_wk": done_week.astype(int),
            "on_time_wk": (done_week & on_time).astype(int),
            "late_wk": (done_week & late).astype(int),
        })
        numeric = ["on_time_w", "late_w", "overdue", "newly", "received_wk", "done_wk",
                   "on_time_wk", "late_wk"]
        per_service = counts.groupby(["office_id", "service_key"], sort=True).agg(
            {**{c: "sum" for c in numeric}, "service": "first", "office_code": "first"})
        self.service_rates: dict[int, list[ServiceRate]] = {}
        self.service_weeks: dict[int, list[WeekRow]] = {}
        for (office_id, key), r in zip(per_service.index, per_service.itertuples(index=False),
                                       strict=True):
            self.service_rates.setdefault(int(office_id), []).append(ServiceRate(
                str(r.office_code), str(key), str(r.service), int(r.on_time_w),
                int(r.late_w)))
            if r.received_wk or r.done_wk or r.overdue:
                self.service_weeks.setdefault(int(office_id), []).append(WeekRow(
                    str(r.service), f"{key} {r.service}", int(r.received_wk), int(r.done_wk),
                    int(r.on_time_wk), int(r.late_wk), int(r.overdue)))
        per_office = counts.groupby("office_id")[numeric].sum()
        self.office_counts: dict[int, tuple[int, int, int, int]] = {}
        self.office_weeks: dict[int, tuple[int, int, int, int, int]] = {}
        for office_id, r in zip(per_office.index, per_office.itertuples(index=False),
                                strict=True):
            self.office_counts[int(office_id)] = (int(r.overdue), int(r.newly),
                                                  int(r.on_time_w), int(r.late_w))
            self.office_weeks[int(office_id)] = (int(r.received_wk), int(r.done_wk),
                                                 int(r.on_time_wk), int(r.late_wk),
                                                 int(r.overdue))


def _grs_overdue(session: Session, as_of: date,
                 office_codes: list[str] | None) -> dict[str, list[GrsItem]]:
    """Open complaints that passed a tier's limit, per office code (two statements)."""
    from tracker.domain.periods import ALL_TIME_START, Period
    from tracker.services.complaints import complaint_frame

    frame = complaint_frame(session, scope=SYSTEM, period=Period(ALL_TIME_START, as_of, "all"),
                            as_of=as_of, office_codes=office_codes)
    out: dict[str, list[GrsItem]] = {}
    if frame.empty:
        return out
    late = frame[(frame["status"] != "resolved")
                 & ((frame["escalations"] > 0) | (frame["status"] == "overdue"))]
    for r in late.itertuples(index=False):
        out.setdefault(str(r.office_code), []).append(GrsItem(
            int(r.id), str(r.office_code), r.received_date, int(r.tier), str(r.role), r.due,
            int(r.escalations), int(r.working_days_late)))
    return out
