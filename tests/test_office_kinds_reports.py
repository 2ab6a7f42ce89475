"""Several offices of different kinds in one upazila (issue 12): each with its own reports,
and the read layer filtered by office kind, on SQLite and PostgreSQL.

Keshabpur (Jashore) has its ICT office ``jashore.keshabpur`` and a land office
``jashore.keshabpur@land``, both logging the same 3-working-day service:

- ICT: one request delivered on the day it came (on time), one still open (overdue);
- land: two delivered on 15 May, long after their due date (late), one still open.

Compliance per office keeps them apart; ``office_kind="land"`` keeps only the land office
(the filter is in the judged frame's SQL); the district roll-up, the APA export and the
digests say which office each row is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from tests.conftest import add_charter
from tracker.domain.localtime import DHAKA
from tracker.domain.periods import fiscal_year
from tracker.errors import TrackerError
from tracker.services import aggregates
from tracker.services.apa import build_apa
from tracker.services.apa_scope import resolve_offices
from tracker.services.auth import SYSTEM, Scope, scope_for
from tracker.services.complaints import NewComplaint, log_complaint
from tracker.services.digests import build_digests
from tracker.services.exports import render_apa, write_csv
from tracker.services.jobs import recipients
from tracker.services.offices import create_user, ensure_office, load_geography_rows
from tracker.services.queries import judged_requests
from tracker.services.reports import compliance, request_frame
from tracker.services.requests import NewRequest, log_request, transition
from tracker.store.models import Office

ICT = "jashore.keshabpur"
LAND = "jashore.keshabpur@land"
FY = fiscal_year("2024-25")
AS_OF = date(2025, 6, 30)
DIGEST_DAY = date(2025, 5, 20)  # a Tuesday: the open requests are overdue by then
NOW = datetime(2025, 6, 30, 12, tzinfo=DHAKA)
RECEIVED = date(2025, 5, 4)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=DHAKA)


def _log(session: Session, office: str, ref: str, *, delivered: date | None = None) -> int:
    request = log_request(session, new=NewRequest(
        office_code=office, service="citizen-1", channel="in_person",
        received_at=_at(RECEIVED), external_ref=ref), now=NOW, user=None)
    assert request.id is not None
    if delivered is not None:
        transition(session, request_id=request.id, action="deliver", at=_at(delivered),
                   now=NOW, user=None)
    return request.id


def build_two_offices(session: Session) -> None:
    """The two Keshabpur offices, their requests, a complaint at the ICT office and the
    three people who read them (both offices' officers and the district programmer)."""
    load_geography_rows(session)
    add_charter(session, ICT)
    ensure_office(session, LAND, kind="land")
    add_charter(session, LAND)
    _log(session, ICT, "ICT-ON-TIME", delivered=RECEIVED)
    _log(session, ICT, "ICT-OPEN")
    _log(session, LAND, "LAND-LATE-1", delivered=date(2025, 5, 15))
    _log(session, LAND, "LAND-LATE-2", delivered=date(2025, 5, 15))
    _log(session, LAND, "LAND-OPEN")
    log_complaint(session, new=NewComplaint(
        office_code=ICT, complainant_name="করিম", complainant_contact="01711000000",
        received_at=_at(date(2025, 5, 5))), now=NOW, user=None)
    for username, role, office in (("ict_officer", "upazila_officer", ICT),
                                   ("land_officer", "upazila_officer", LAND),
                                   ("programmer", "district_programmer", "jashore")):
        create_user(session, username=username, full_name=username, role=role,
                    password="password-123", office_code=office,
                    email=f"{username}@tracker.local", language="en")
    session.commit()


@pytest.fixture
def two_offices(session: Session) -> Session:
    build_two_offices(session)
    return session


def _office(session: Session, code: str) -> Office:
    return session.exec(select(Office).where(Office.code == code)).one()


def _programmer(session: Session) -> Scope:
    from tracker.store.models import User

    user = session.exec(select(User).where(User.username == "programmer")).one()
    return scope_for(session, user)


COUNTS = ["received", "delivered", "on_time", "late", "open", "overdue"]
ICT_COUNTS = [2, 1, 1, 0, 1, 1]
LAND_COUNTS = [3, 2, 0, 2, 1, 1]


def _counts(table: pd.DataFrame, key: str = "office_code") -> dict[str, list[int]]:
    return {str(r[key]): [int(r[c]) for c in COUNTS] for _, r in table.iterrows()}


# -- compliance ------------------------------------------------------------------------------


def test_compliance_per_office_keeps_two_offices_of_one_upazila_apart(
        two_offices: Session) -> None:
    table = compliance(request_frame(two_offices, scope=SYSTEM, period=FY, as_of=AS_OF),
                       "office")
    assert _counts(table) == {ICT: ICT_COUNTS, LAND: LAND_COUNTS}
    # Each row says which kind of office it is (last, after the counts).
    assert list(table.columns)[-1] == "office_kind"
    assert dict(zip(table["office_code"], table["office_kind"], strict=True)) == {
        ICT: "ict", LAND: "land"}
    assert list(table["compliance_pct"]) == [100.0, 0.0]


def test_office_kind_keeps_only_that_kind_of_office(two_offices: Session) -> None:
    frame = request_frame(two_offices, scope=SYSTEM, period=FY, as_of=AS_OF,
                          office_kind="land")
    assert set(frame["office_code"]) == {LAND} and len(frame) == 3
    assert set(frame["office_kind"]) == {"land"}
    assert _counts(compliance(frame, "office")) == {LAND: LAND_COUNTS}
    # The kind as typed (case, spaces) is the stored kind; ict is the other office.
    typed = judged_requests(two_offices, scope=SYSTEM, as_of=AS_OF, office_kind=" Land ")
    assert list(typed["id"]) == list(frame["id"])
    ict = request_frame(two_offices, scope=SYSTEM, period=FY, as_of=AS_OF, office_kind="ict")
    assert set(ict["office_code"]) == {ICT}
    # A kind nobody has is an empty report; malformed text is an error, not an empty one.
    assert request_frame(two_offices, scope=SYSTEM, period=FY, as_of=AS_OF,
                         office_kind="passport").empty
    with pytest.raises(TrackerError, match="office kind"):
        request_frame(two_offices, scope=SYSTEM, period=FY, as_of=AS_OF, office_kind="la nd")


def test_office_kind_is_filtered_in_the_sql(two_offices: Session) -> None:
    """The filter is a WHERE on office.office_kind, not a pandas filter after reading
    every request."""
    statements: list[str] = []
    engine = two_offices.get_bind()

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        request_frame(two_offices, scope=SYSTEM, period=FY, as_of=AS_OF, office_kind="land")
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    [judged] = [s for s in statements if "FROM request" in s]
    assert "office.office_kind =" in judged.split("WHERE", 1)[1]


def test_compliance_by_kind_sums_the_offices_of_each_kind(two_offices: Session) -> None:
    frame = request_frame(two_offices, scope=SYSTEM, period=FY, as_of=AS_OF)
    table = compliance(frame, "kind")
    assert table.columns[0] == "office_kind" and "office_code" not in table.columns
    assert _counts(table, "office_kind") == {"ict": ICT_COUNTS, "land": LAND_COUNTS}
    with pytest.raises(TrackerError, match="office, service or kind"):
        compliance(frame, "upazila")


def test_compliance_per_service_keeps_the_offices_apart(two_offices: Session) -> None:
    frame = request_frame(two_offices, scope=SYSTEM, period=FY, as_of=AS_OF)
    table = compliance(frame, "service")
    assert [(r.office_code, r.service_key, r.office_kind) for r in table.itertuples()] == [
        (ICT, "citizen-1", "ict"), (LAND, "citizen-1", "land")]


# -- the district roll-up ------------------------------------------------------------------


@pytest.mark.parametrize("with_rollup", [False, True])
def test_district_roll_up_filtered_by_kind(two_offices: Session, with_rollup: bool) -> None:
    engine = two_offices.get_bind()
    assert isinstance(engine, sa.Engine)
    rollup = aggregates.Rollup(engine).refresh() if with_rollup else None
    scope = _programmer(two_offices)

    def by_office(kind: str | None) -> pd.DataFrame:
        return aggregates.overview(two_offices, scope=scope, start=FY.start, end=FY.end,
                                   as_of=AS_OF, rollup=rollup, office_kind=kind).by_office

    everything = by_office(None)
    assert _counts(everything) == {ICT: ICT_COUNTS, LAND: LAND_COUNTS}
    assert list(everything["office_kind"]) == ["ict", "land"]
    assert list(everything["office_name_en"]) == ["Keshabpur Upazila ICT Office",
                                                  "Upazila Land Office, Keshabpur"]
    land = by_office("land")
    assert _counts(land) == {LAND: LAND_COUNTS}
    result = aggregates.overview(two_offices, scope=scope, start=FY.start, end=FY.end,
                                 as_of=AS_OF, rollup=rollup, office_kind="land")
    assert [result.totals[c] for c in COUNTS] == LAND_COUNTS
    assert by_office("passport").empty
    # The open requests (breach list) too.
    opened = aggregates.open_frame(two_offices, scope=scope, as_of=AS_OF, office_kind="ict")
    assert list(opened["office_code"]) == [ICT]


# -- the APA export ---------------------------------------------------------------------------


def _apa(session: Session, kind: str | None, district: str | None = "Jashore") -> Any:
    offices, codes, label = resolve_offices(session, scope=SYSTEM, office=None,
                                            district=district, day=AS_OF, office_kind=kind)
    return build_apa(session, scope=SYSTEM, fy="2024-25", quarter=None, as_of=AS_OF,
                     offices=offices, office_codes=codes, scope_label=label,
                     office_kind=kind)


def _rows(report: Any, key: str) -> list[list[Any]]:
    [sheet] = [s for s in report.sheets if s.key == key]
    return list(sheet.rows)


@pytest.mark.parametrize("district", ["Jashore", None])
def test_apa_export_filtered_by_kind_has_only_that_kind_and_says_so(
        two_offices: Session, tmp_path: Path, district: str | None) -> None:
    everything = render_apa(_apa(two_offices, None, district), lang="en")
    assert [r[0] for r in _rows(everything, "summary")] == [ICT, LAND]
    assert [r[-1] for r in _rows(everything, "summary")] == ["ict", "land"]
    assert [r[0] for r in _rows(everything, "grs_summary")] == [ICT]
    assert "office kind" not in everything.title

    data = _apa(two_offices, "land", district)
    en, bn = render_apa(data, lang="en"), render_apa(data, lang="bn")
    for report in (en, bn):
        summary = _rows(report, "summary")
        assert [r[0] for r in summary] == [LAND] and summary[0][-1] == "land"
        assert summary[0][2] == 3  # received
        assert {r[0] for r in _rows(report, "evidence")} == {LAND}
        assert {r[1] for r in _rows(report, "services")} == {LAND}  # quarter, office
        assert _rows(report, "grs_summary") == []  # the complaint is the ICT office's
    assert "office kind: Upazila Land Office" in en.title
    assert "অফিসের ধরন: উপজেলা ভূমি অফিস" in bn.title
    assert ["Office kind", "land: Upazila Land Office"] in _rows(en, "rules")
    # The CSV folder's title says it too.
    write_csv(en, tmp_path / "csv")
    assert "Upazila Land Office" in (tmp_path / "csv" / "README.txt").read_text("utf-8")
    with (tmp_path / "csv" / "summary.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["office_code"], r["office_kind"]) for r in rows] == [(LAND, "land"),
                                                                    ("Total", "")]


def test_apa_scope_refuses_an_office_of_another_kind(two_offices: Session) -> None:
    with pytest.raises(TrackerError, match="is a ict office, not land"):
        resolve_offices(two_offices, scope=SYSTEM, office=ICT, district=None, day=AS_OF,
                        office_kind="land")
    with pytest.raises(TrackerError, match="no passport office in Jashore"):
        resolve_offices(two_offices, scope=SYSTEM, office=None, district="Jashore",
                        day=AS_OF, office_kind="passport")


# -- digests ------------------------------------------------------------------------------


def test_each_office_gets_its_own_digest_and_the_district_digest_names_both(
        two_offices: Session) -> None:
    ict, land = _office(two_offices, ICT), _office(two_offices, LAND)
    assert ict.id is not None and land.id is not None
    digests = build_digests(two_offices, as_of=DIGEST_DAY, weekly=True)
    assert [i.ref for i in digests.upazila[ict.id].overdue] == ["ICT-OPEN"]
    assert [i.ref for i in digests.upazila[land.id].overdue] == ["LAND-OPEN"]
    assert [(r.on_time, r.late) for r in digests.upazila[land.id].compliance] == [(0, 2)]
    assert [(r.on_time, r.late) for r in digests.upazila[ict.id].compliance] == [(1, 0)]
    assert "Upazila Land Office, Keshabpur" in digests.upazila[land.id].render("en").subject

    [district] = digests.district.values()
    assert [(r.office_code, r.office_kind, r.overdue, r.on_time, r.late)
            for r in district.upazilas] == [(ICT, "ict", 1, 1, 0), (LAND, "land", 1, 0, 2)]
    text = district.render("en").text
    assert "Per office (2)" in text
    assert f"Keshabpur Upazila ICT Office | Upazila ICT Office | {ICT} | 1" in text
    assert f"Upazila Land Office, Keshabpur | Upazila Land Office | {LAND} | 1" in text
    bn = district.render("bn").text
    assert "উপজেলা ভূমি অফিস" in bn and "উপজেলা আইসিটি অফিস" in bn
    weekly = [r.label_en for r in digests.district_weekly[district.district_id].rows]
    assert weekly == [f"Keshabpur Upazila ICT Office ({ICT})",
                      f"Upazila Land Office, Keshabpur ({LAND})"]


def test_both_offices_officers_and_the_programmer_get_their_digests(
        two_offices: Session) -> None:
    digests = build_digests(two_offices, as_of=DIGEST_DAY)
    got = {}
    for r in recipients(two_offices):
        daily, _weekly = r.kinds
        digest = digests.for_kind(daily)[r.digest_key]
        got[r.email] = (daily, getattr(digest, "office_code", None),
                        getattr(digest, "name_en", None))
    assert got == {
        "ict_officer@tracker.local": ("upazila_daily", ICT, "Keshabpur Upazila ICT Office"),
        "land_officer@tracker.local": ("upazila_daily", LAND,
                                       "Upazila Land Office, Keshabpur"),
        "programmer@tracker.local": ("district_daily", None, "Jashore"),
    }


def test_a_district_office_of_another_kind_gets_a_digest_and_a_row(
        two_offices: Session) -> None:
    """``jashore@btcl`` (a district-level office, not the ICT one) has officers of its
    own: its digest is built, and the district digest lists it beside the upazilas'."""
    btcl = ensure_office(two_offices, "jashore@btcl", kind="btcl")
    add_charter(two_offices, "jashore@btcl")
    _log(two_offices, "jashore@btcl", "BTCL-OPEN")
    two_offices.commit()
    assert btcl.id is not None
    only = build_digests(two_offices, as_of=DIGEST_DAY, office_ids={btcl.id})
    assert [i.ref for i in only.upazila[btcl.id].overdue] == ["BTCL-OPEN"]
    digests = build_digests(two_offices, as_of=DIGEST_DAY)
    [district] = digests.district.values()  # one district digest, not one per district office
    assert [r.office_code for r in district.upazilas] == [ICT, LAND, "jashore@btcl"]
    assert district.upazilas[-1].kind_name("en") == "BTCL Office"
    assert _office(two_offices, "jashore").id not in digests.upazila  # the programmer's


# -- the CLI -----------------------------------------------------------------------------


@pytest.fixture
def cli_two_offices(cli_db: str, capsys: pytest.CaptureFixture[str]) -> Iterator[str]:
    from tests.test_cli import run
    from tracker.store import db

    code, _, err = run(capsys, "init")
    assert code == 0, err
    with Session(db.get_engine()) as session:
        build_two_offices(session)
    yield cli_db


def test_cli_office_kind_options(cli_two_offices: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    from tests.test_cli import run

    code, out, err = run(capsys, "report", "compliance", "--fy", "2024-25", "--as-of",
                         "2025-06-30", "--format", "csv", "--office-kind", "land")
    assert code == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert [(r["office_code"], r["office_kind"], r["late"]) for r in rows] == [
        (LAND, "land", "2")]
    code, out, err = run(capsys, "report", "compliance", "--fy", "2024-25", "--as-of",
                         "2025-06-30", "--by", "kind")
    assert code == 0, err
    assert "ict" in out and "land" in out and ICT not in out
    code, out, err = run(capsys, "request", "list", "--as-of", "2025-06-30",
                         "--office-kind", "ict")
    assert code == 0, err
    assert ICT in out and LAND not in out and len(out.splitlines()) == 2
    book = tmp_path / "land.xlsx"
    code, out, err = run(capsys, "export", "apa", "--fy", "2024-25", "--as-of", "2025-06-30",
                         "--district", "Jashore", "--office-kind", "land", "--lang", "en",
                         "--out", str(book))
    assert code == 0, err
    ws = load_workbook(book).worksheets[0]
    assert "office kind: Upazila Land Office" in ws.cell(1, 1).value
    code, out, err = run(capsys, "report", "compliance", "--fy", "2024-25",
                         "--office-kind", "la nd")
    assert code == 2 and "office kind" in err
