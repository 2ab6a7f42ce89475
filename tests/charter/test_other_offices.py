"""Issue 12: the twelve real charters of other offices (data/charters/other-offices/) read as
their expected.json says, row by row.

Every row of expected.json is found as a service (matched by name, in order: see
scripts/other_offices_report.py) and its time limit is read as expected or flagged
needs_review — never read silently wrong, never missed; rows expected as "review" are
flagged; no service is found beyond expected.json (a row cut off by the end of a file is a
problem). The per-file table (services found / exact / flagged / wrong / missed) is printed
by ``scripts/other_offices_report.py`` and by the last test here (``pytest -s``).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest

from tracker.config import PROJECT_ROOT
from tracker.domain.charter.parser import parse_file


def _script() -> ModuleType:
    path = PROJECT_ROOT / "scripts" / "other_offices_report.py"
    spec = importlib.util.spec_from_file_location("other_offices_report", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("other_offices_report", module)
    spec.loader.exec_module(module)
    return module


REPORT = _script()
FOLDER = REPORT.FOLDER
FILES: list[dict[str, Any]] = REPORT.expected_files()
IDS = [f["file"].split(".")[0] for f in FILES]


def test_the_bundle_holds_the_twelve_charters_and_their_expectations() -> None:
    assert len(FILES) == 12
    for expected in FILES:
        assert (FOLDER / expected["file"]).is_file()
        assert expected["services"]


@pytest.mark.parametrize("expected", FILES, ids=IDS)
def test_every_expected_row_is_found_and_no_other_service(expected: dict[str, Any]) -> None:
    report = REPORT.compare(expected, parse_file(FOLDER / expected["file"]))
    assert report.counts["missed"] == 0, report.details
    assert report.extra == [], report.extra


@pytest.mark.parametrize("expected", FILES, ids=IDS)
def test_every_row_is_read_as_expected_or_flagged(expected: dict[str, Any]) -> None:
    report = REPORT.compare(expected, parse_file(FOLDER / expected["file"]))
    assert report.counts["wrong"] == 0, report.details


@pytest.mark.parametrize("expected", FILES, ids=IDS)
def test_a_flagged_limit_is_a_problem_at_its_row(expected: dict[str, Any]) -> None:
    parsed = parse_file(FOLDER / expected["file"])
    lines = {p.line for p in parsed.problems}
    for service in parsed.services:
        if service.deadline.needs_review:
            assert lines & set(range(service.line, service.line + 30)), service


CUT = [f for f in FILES if "[TRUNCATED" in (FOLDER / f["file"]).read_text(encoding="utf-8")]


@pytest.mark.parametrize("expected", CUT, ids=[f["file"].split(".")[0] for f in CUT])
def test_a_file_cut_off_says_so_after_its_last_service(expected: dict[str, Any]) -> None:
    parsed = parse_file(FOLDER / expected["file"])
    last = max(s.line for s in parsed.services)
    assert any(p.line >= last and "cut off" in p.message for p in parsed.problems)


def test_a_row_cut_before_its_time_limit_is_a_problem_not_a_service() -> None:
    # the PIO charter ends inside the name of service ০৮ (line 52)
    parsed = parse_file(FOLDER / "pio_companiganj_noakhali_MIXED_DITTO_PARTIAL.txt")
    assert [s.number for s in parsed.services] == [1, 2, 3, 4, 5, 6, 7]
    assert any(p.line == 52 and "service 8" in p.message and "not read as a service" in
               p.message for p in parsed.problems)


def test_a_row_cut_after_its_time_limit_is_a_service() -> None:
    # Kachuai's row ০৬ is cut in its method cell: its time limit is whole
    parsed = parse_file(FOLDER / "up_kachuai_chittagong_PARTIAL.txt")
    assert parsed.services[-1].number == 6
    assert parsed.services[-1].deadline.raw.startswith("মাসের ২০ তারিখ")


def test_a_service_without_a_time_limit_cell_is_flagged_with_a_problem() -> None:
    parsed = parse_file(FOLDER / "acl_madhabpur_habiganj.txt")
    ninth = parsed.services[8]
    assert ninth.number == 9 and ninth.deadline.needs_review and ninth.deadline.raw == ""
    assert any(p.line == ninth.line and "no time-limit cell" in p.message
               for p in parsed.problems)
    # the portal's footer closes the page: it is no time limit, and no "cut off" problem
    assert not any("cut off" in p.message or "ends inside" in p.message
                   for p in parsed.problems)


def test_ditto_marks_take_the_limit_of_the_row_above() -> None:
    parsed = parse_file(FOLDER / "pio_companiganj_noakhali_MIXED_DITTO_PARTIAL.txt")
    first, *dittos = parsed.services[:4]
    assert first.deadline.per_directive
    for service in dittos:
        assert service.deadline.per_directive and service.deadline.raw == "’’"
        assert any("ditto" in n for n in service.deadline.notes)
    assert [s.name_bn for s in dittos] == [
        "কাবিখা, কাবিটা, টি, আর কর্মসূচী", "ভিজিএফ, বিভিন্ন ত্রাণ সামগ্রী বিতরণ",
        "গ্রামীন রাস্তায় ব্রিজ, কালভার্ট নির্মাণ"]


def test_the_escalation_officers_time_is_not_the_limit() -> None:
    parsed = parse_file(FOLDER / "uno_bandar_narayanganj_PARTIAL.txt")
    assert [(s.deadline.amount, s.deadline.raw) for s in parsed.services] == [
        (5, "০৫ (পাঁচ) দিন।"), (5, "০৫ (পাঁচ) দিন।"), (10, "১০ (দশ) দিন।")]


def test_a_fee_cell_with_days_is_not_the_limit() -> None:
    parsed = parse_file(FOLDER / "up_doail_jamalpur.txt")
    third = parsed.services[2]
    assert third.deadline.raw == "০৩ দিন" and third.fee_raw.startswith("০-৪৫ দিন বিনামূল্যে")


def test_grs_tables_are_read_as_expected() -> None:
    for expected in FILES:
        if not expected.get("grs"):
            continue
        parsed = parse_file(FOLDER / expected["file"])
        read = [(g.tier, g.deadline.raw, g.line, g.deadline.unit, g.deadline.amount)
                for g in parsed.grs]
        units = {"working_days": "working_days", "days": "calendar_days"}
        assert read == [(g["tier"], g["raw"], g["line"], units[g["kind"]], g["amount"])
                        for g in expected["grs"]]


def test_services_of_one_list_are_citizen_services_with_a_note() -> None:
    parsed = parse_file(FOLDER / "up_doail_jamalpur.txt")
    assert {s.category for s in parsed.services} == {"citizen"}
    assert any("without a section heading" in n.message for n in parsed.notes)
    assert not any("section heading" in p.message for p in parsed.problems)


def test_report_table(capsys: pytest.CaptureFixture[str]) -> None:
    table = REPORT.table(REPORT.reports())
    with capsys.disabled():
        print("\n" + table)
    assert table.count("\n") == len(FILES) + 2


def test_officers_of_other_offices_are_recognised() -> None:
    from tracker.domain.charter.contacts import parse_officer

    parsed = parse_file(FOLDER / "up_doail_jamalpur.txt")
    officer = parsed.services[0].responsible_officer
    assert officer is not None and officer.designation == "চেয়ারম্যান"
    assert not any("designation not recognised" in p.message for p in parsed.problems)
    # a designation is a whole word: সচিবালয় (the secretariat) is no সচিব (secretary)
    secretariat, _ = parse_officer("অভিযোগ গ্রহণ কেন্দ্র, বাংলাদেশ সচিবালয়, ঢাকা")
    assert secretariat is not None and secretariat.designation is None
    secretary, _ = parse_officer("সচিব, ইউনিয়ন পরিষদ")
    assert secretary is not None and secretary.designation == "সচিব"


def test_an_office_named_without_its_location_keeps_its_name() -> None:
    for expected in FILES:
        if expected["file"].startswith(("subregistrar", "union_land")):
            parsed = parse_file(FOLDER / expected["file"])
            assert parsed.office.name == expected["office_bn"]
            assert parsed.office.code is None
            assert any("named without its location" in p.message for p in parsed.problems)
