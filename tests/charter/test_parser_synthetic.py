"""Charters of other offices, written for the test: other units, GRS limits, odd tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tracker.domain.charter.catalog import import_charter, load_catalog
from tracker.domain.charter.parser import parse_charter

HEAD = "গণপ্রজাতন্ত্রী বাংলাদেশ সরকার\nউপজেলা ভূমি অফিস\nশালিখা, মাগুরা\n\n"
HEADER = ("ক্রমিক নং\tসেবার নাম\tসেবার মূল্য\tসেবা প্রদানের সময়সীমা\t"
          "দায়িত্বপ্রাপ্ত কর্মকর্তা\n")


def test_other_units_and_printed_grs_limits(tmp_path: Path) -> None:
    text = (HEAD + "২.১) নাগরিক সেবা\n" + HEADER
            + "১\tনামজারি\t১১৭০ টাকা\t২৮ দিন\tসহকারী কমিশনার (ভূমি) ০১৭১১০০০০০০\n"
            + "২\tতথ্য প্রদান\tবিনামূল্যে\t২৪ ঘণ্টা\t\n"
            + "৩\tখতিয়ান\tবিনামূল্যে\t১ মাস\t\n\n"
            + "অভিযোগ প্রতিকার ব্যবস্থা (GRS)\n"
            + "ক্রম\tকখন যোগাযোগ করবেন\tকার সঙ্গে যোগাযোগ করবেন\tযোগাযোগের ঠিকানা\t"
              "নিষ্পত্তির সময়সীমা\n"
            + "১\tব্যর্থ হলে\tঅভিযোগ নিষ্পত্তি কর্মকর্তা (অনিক)\tউপজেলা নির্বাহী অফিসার\t"
              "২৫ কার্যদিবস\n"
            + "২\tব্যর্থ হলে\tআপিল কর্মকর্তা\tজেলা প্রশাসক\t১৫ কার্যদিবস\n"
            + "৩\tব্যর্থ হলে\tমন্ত্রিপরিষদ বিভাগের অভিযোগ ব্যবস্থাপনা সেল\tঢাকা\t২ মাস\n")
    parsed = parse_charter(text)
    assert parsed.problems == ()
    assert parsed.office.code == "magura.shalikha"
    assert [(s.deadline.unit, s.deadline.amount) for s in parsed.services] == [
        ("calendar_days", 28), ("hours", 24), ("months", 1)]
    assert parsed.services[0].fee_raw == "১১৭০ টাকা"
    assert parsed.services[2].responsible_officer == parsed.services[0].responsible_officer
    assert [(g.role, g.deadline.unit, g.deadline.amount, g.default) for g in parsed.grs] == [
        ("complaint_officer", "working_days", 25, False),
        ("appeal_officer", "working_days", 15, False),
        ("cabinet_cell", "months", 2, False)]
    result = import_charter(parsed, office_code="magura.shalikha", effective=date(2025, 1, 1),
                            source="t.txt", source_sha256="t", directory=tmp_path)
    loaded = load_catalog(result.path).latest
    assert loaded.services == parsed.services
    assert [(g.deadline.unit, g.deadline.amount) for g in loaded.grs] == [
        ("working_days", 25), ("working_days", 15), ("months", 2)]


def test_table_problems_are_reported_with_lines() -> None:
    text = (HEAD + HEADER.replace("সেবার মূল্য", "রঙ")
            + "১\tক\tখ\tতাৎক্ষণিক\tপ্রোগ্রামার\n"
            + "১\tগ\tঘ\t৩ কার্যদিবস\t\n"
            + "৫\tঙ\tচ\tশীঘ্রই\t\tবাড়তি ঘর\n"
            + "abc\tছ\tজ\t৩ কার্যদিবস\t\n"
            + "৭\tঝ\n")
    parsed = parse_charter(text)
    problems = {(p.line, p.message.split(":")[0]) for p in parsed.problems}
    messages = " | ".join(f"{p.line}: {p.message}" for p in parsed.problems)
    assert any(line == 5 and "unknown column" in m for line, m in problems), messages
    assert "citizen service 1 appears twice" in messages
    assert "citizen services numbered 1 then 5" in messages
    assert "8: service 5: deadline 'শীঘ্রই'" in messages
    assert "extra cells ignored" in messages
    assert "service number 'abc' not understood" in messages
    assert "row has 2 of 5 cells" in messages and "cut off" in messages
    # the last row is cut before its time limit: a problem, not a service
    assert "service 7 (line 10) is cut off by the end of the document" in messages
    # one list of services without sections: citizen services, said in a note
    assert any("without a section heading" in n.message for n in parsed.notes)
    assert all(s.category == "citizen" for s in parsed.services)
    assert len(parsed.services) == 4


def test_unknown_location_is_a_problem_not_a_guess() -> None:
    parsed = parse_charter("উপজেলা অফিস\nকোথাও, মাগুরা\n\n" + HEADER
                           + "১\tক\tখ\tতাৎক্ষণিক\tপ্রোগ্রামার\n")
    assert parsed.office.code is None
    assert any("no upazila 'কোথাও' in Magura" in p.message for p in parsed.problems)


def test_invalid_phone_numbers_are_problems_with_their_lines() -> None:
    officer = "সহকারী কমিশনার (ভূমি) মোবাইলঃ ০১৭১১-০০০০০০ ফোনঃ ০১২৩৪৫৬৭"
    text = (HEAD + "২.১) নাগরিক সেবা\n" + HEADER
            + f"১\tনামজারি\tবিনামূল্যে\t২৮ দিন\t{officer}\n"
            + f"২\tতথ্য প্রদান\tবিনামূল্যে\t৩ দিন\t{officer}\n"
            + "৩\tখতিয়ান\tবিনামূল্যে\t১ মাস\tসহকারী কমিশনার (ভূমি) মোবাইলঃ ০১৭১১০০০০০০\n\n"
            + "অভিযোগ প্রতিকার ব্যবস্থা (GRS)\n"
            + "ক্রম\tকখন যোগাযোগ করবেন\tকার সঙ্গে যোগাযোগ করবেন\tযোগাযোগের ঠিকানা\t"
              "নিষ্পত্তির সময়সীমা\n"
            + "১\tব্যর্থ হলে\tঅভিযোগ নিষ্পত্তি কর্মকর্তা (অনিক)\tইউএনও, ফোনঃ ০৪৮৮-৯৯\t"
              "২৫ কার্যদিবস\n")
    parsed = parse_charter(text)
    data = parsed.to_json()  # the JSON contract of `tracker charter parse --json`
    assert [p["line"] for p in data["problems"]] == [7, 13, 13]
    first, grs, _tiers = (p["message"] for p in data["problems"])
    # one problem for the cell repeated on two rows, naming the other line
    assert first.startswith("service 1: responsible officer: phone number '01234567' is "
                            "not a valid Bangladeshi number")
    assert first.endswith("(the same at lines 8)")
    assert grs.startswith("GRS tier 1: contact: phone number '0488-99'")
    assert _tiers == "GRS table has 1 tiers, expected 3"
    officers = [s.responsible_officer for s in parsed.services]
    for responsible in officers:  # valid numbers kept, in E.164; nothing else
        assert responsible is not None and responsible.phones == ("+8801711000000",)
    assert officers[0] is not None and "০১২৩৪৫৬৭" in officers[0].raw  # nothing is lost
    assert parsed.grs[0].contact is not None and parsed.grs[0].contact.phones == ()
