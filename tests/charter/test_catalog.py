"""The reviewed catalog: TOML round trip, validation on load, versions, import, diff, and
reviewers' edits (comments, corrections) kept when a version is added."""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import tomlkit
from hypothesis import given
from hypothesis import strategies as st

from tests.charter.conftest import CHARTERS, charter_text
from tracker.domain.charter import toml_write
from tracker.domain.charter.catalog import (
    CatalogFileError,
    ImportResult,
    OfficeCatalog,
    diff_versions,
    dumps,
    import_charter,
    load_all,
    load_catalog,
    sha256_text,
)
from tracker.domain.charter.model import Deadline, Officer, ParsedCharter, Service
from tracker.errors import InputError

JULY = date(2024, 7, 1)


def _import(parsed: ParsedCharter, directory: Path, effective: date = JULY,
            office: str | None = None, sha: str = "abc",
            replace_version: bool = False) -> ImportResult:
    return import_charter(parsed, office_code=office, effective=effective, source="x.txt",
                          source_sha256=sha, directory=directory,
                          replace_version=replace_version)


def test_bundled_catalog_loads_and_matches_the_charters(
    charters: dict[str, ParsedCharter],
) -> None:
    catalogs = load_all(CHARTERS)
    assert sorted(catalogs) == ["dinajpur.dinajpur-sadar", "habiganj.madhabpur@land",
                                "jamalpur.sarishabari@doail-up", "jashore.keshabpur",
                                "lalmonirhat.patgram", "magura.magura-sadar",
                                "manikganj.manikganj-sadar"]
    assert {code: c.kind for code, c in catalogs.items() if "@" in code} == {
        "habiganj.madhabpur@land": "land", "jamalpur.sarishabari@doail-up": "union_parishad"}
    keshabpur = catalogs["jashore.keshabpur"]
    version = keshabpur.version_on(date(2025, 1, 1))
    assert version is not None and version.effective == JULY
    assert [s.deadline for s in version.services] == [
        s.deadline for s in charters["keshabpur"].services]
    assert version.service("institutional", 10).deadline.working_days == 90
    assert keshabpur.version_on(date(2024, 6, 30)) is None
    magura = catalogs["magura.magura-sadar"].latest
    # reviewed by hand: the cut-off cell filled in from the other rows
    officer = magura.service("institutional", 6).responsible_officer
    assert officer is not None and officer.designation == "সহকারী প্রোগ্রামার"
    assert len(magura.review) == 4


def test_round_trip_through_toml(charters: dict[str, ParsedCharter], tmp_path: Path) -> None:
    for name, parsed in charters.items():
        office = "magura.shalikha" if parsed.office.code is None else None
        result = _import(parsed, tmp_path, office=office, sha=name)
        loaded = load_catalog(result.path)
        assert loaded.latest.services == parsed.services, name
        assert loaded.latest.grs == parsed.grs, name
        assert loaded.latest.review == parsed.problems
        assert dumps(loaded) == result.path.read_text(encoding="utf-8")


def test_import_versions(charters: dict[str, ParsedCharter], tmp_path: Path) -> None:
    parsed = charters["keshabpur"]
    first = _import(parsed, tmp_path)
    assert first.status == "created" and first.path.name == "jashore.keshabpur.toml"
    assert _import(parsed, tmp_path).status == "unchanged"
    assert _import(parsed, tmp_path, effective=date(2025, 8, 20)).status == "unchanged"
    assert _import(parsed, tmp_path, effective=date(2025, 8, 20), sha="other").status == (
        "unchanged")  # same services: nothing new
    changed = replace(parsed, services=parsed.services[:-1])
    added = _import(changed, tmp_path, effective=date(2025, 8, 20), sha="new")
    assert added.status == "added"
    catalog = load_catalog(first.path)
    assert [v.effective for v in catalog.versions] == [JULY, date(2025, 8, 20)]
    before, after = catalog.version_on(date(2025, 8, 19)), catalog.version_on(date(2025, 8, 20))
    assert before is not None and before.count("institutional") == 12
    assert after is not None and after.count("institutional") == 11
    with pytest.raises(InputError, match="different version effective 2024-07-01"):
        _import(changed, tmp_path, sha="new2")
    assert _import(changed, tmp_path, sha="new2", replace_version=True).status == "replaced"
    changes = diff_versions(catalog.versions[0], catalog.versions[1])
    assert [str(c).split(":")[0] for c in changes] == ["- institutional 12"]


def test_hand_edits_survive_reimport(charters: dict[str, ParsedCharter],
                                     tmp_path: Path) -> None:
    parsed = charters["keshabpur"]
    path = _import(parsed, tmp_path).path
    text = path.read_text(encoding="utf-8").replace(
        'name_bn = "আইসিটি অধিদপ্তর সংক্রান্ত তথ্য প্রদান"', 'name_bn = "সংশোধিত নাম"')
    path.write_text(text, encoding="utf-8")
    assert _import(parsed, tmp_path).status == "unchanged"
    assert load_catalog(path).latest.service("citizen", 1).name_bn == "সংশোধিত নাম"


def test_diff_reports_deadline_changes(charters: dict[str, ParsedCharter]) -> None:
    from tracker.domain.charter.catalog import CharterVersion

    services = charters["patgram"].services
    old = CharterVersion(JULY, "a", "a", services, ())
    new_first = replace(services[0], deadline=Deadline(raw="৫ কার্যদিবস", unit="working_days",
                                                        amount=5))
    new = CharterVersion(date(2025, 1, 1), "b", "b", (new_first, *services[1:]), ())
    assert [str(c) for c in diff_versions(old, new)] == [
        "~ citizen 1: immediate / 2 working days (where applicable) -> 5 working days"]


def test_office_resolution(charters: dict[str, ParsedCharter], tmp_path: Path) -> None:
    magura = charters["magura-unnamed-upazila"]
    with pytest.raises(InputError, match="names no office"):
        _import(magura, tmp_path)
    with pytest.raises(InputError, match=r"names office jashore\.keshabpur"):
        _import(charters["keshabpur"], tmp_path, office="magura.shalikha")
    from tracker.domain.geo import UnknownOfficeError

    with pytest.raises(UnknownOfficeError):
        _import(magura, tmp_path, office="magura.nowhere")
    assert _import(magura, tmp_path, office="Magura.Shalikha").path.name == (
        "magura.shalikha.toml")


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    target = tmp_path / "jashore.keshabpur.toml"
    shutil.copy(CHARTERS / "jashore.keshabpur.toml", target)
    return target


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('category = "institutional"\nnumber = 3', 'category = "other"\nnumber = 3',
         r"jashore.keshabpur.toml:\d+: .*category must be one of"),
        ('unit = "working_days"\namount = 5', 'unit = "weeks"\namount = 5',
         "deadline.unit must be one of"),
        ('unit = "working_days"\namount = 5', 'unit = "working_days"\namount = 0',
         "amount must be a whole number"),
        ('phones = ["+8802477767090"]', 'phones = ["02477767090"]', "phones must look like"),
        ('office = "jashore.keshabpur"', 'office = "jashore.nowhere"', "unknown office code"),
        ('office = "jashore.keshabpur"', 'office = "lalmonirhat.patgram"', "must be named"),
        ("effective = 2024-07-01", 'effective = "soon"', "effective must be a date"),
        ("schema = 1", "schema = 2", "schema"),
        ("[[versions]]", "[[versions]\n", "not valid TOML"),
        ('category = "institutional"\nnumber = 3', 'category = "institutional"\nnumber = 2',
         "listed twice"),
    ],
)
def test_validation_names_file_and_problem(good_file: Path, old: str, new: str,
                                           message: str) -> None:
    text = good_file.read_text(encoding="utf-8")
    assert old in text
    good_file.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogFileError, match=message):
        load_catalog(good_file)


def test_sha_and_version_lookup() -> None:
    assert sha256_text("a") != sha256_text("b")
    catalog = OfficeCatalog("x", "x", None, ())
    assert catalog.version_on(JULY) is None


# --------------------------------------------------------------------------------------
# A reviewer's edits survive when a version is added (tomlkit round trip)

REVIEWER_COMMENT = "# reviewer 2025-09-02: the office confirmed 60 days by letter"
HAND_EDITED = "amount = 60  # was 90 as printed; see the comment above"


@pytest.fixture
def reviewed_file(tmp_path: Path) -> Path:
    """A copy of the real Keshabpur catalog, as a reviewer left it: a full-line comment,
    an inline comment and a corrected value (institutional 10: 90 -> 60 working days)."""
    target = tmp_path / "jashore.keshabpur.toml"
    text = (CHARTERS / "jashore.keshabpur.toml").read_text(encoding="utf-8")
    printed = ('number = 10\nname_bn = "Software Development সংক্রান্ত বিষয়াবলী"\n'
               'fee_raw = "পারস্পরিক সমরোতার ভিত্তিতে/ প্রয়োজন অনুযায়ী"\nline = 42\n'
               '[versions.services.deadline]\nraw = "৯০ কার্যদিবস / প্রয়োজন অনুযায়ী"\n'
               'immediate = false\nunit = "working_days"\namount = 90\n')
    assert text.count(printed) == 1
    edited = printed.replace("[versions.services.deadline]",
                             REVIEWER_COMMENT + "\n[versions.services.deadline]")
    edited = edited.replace("amount = 90\n", HAND_EDITED + "\n")
    target.write_text(text.replace(printed, edited), encoding="utf-8")
    return target


def _changed_charter(parsed: ParsedCharter) -> ParsedCharter:
    """The Keshabpur charter as re-published: its last service dropped."""
    return replace(parsed, services=parsed.services[:-1])


def test_reviewer_edits_survive_a_new_version(charters: dict[str, ParsedCharter],
                                              reviewed_file: Path) -> None:
    before = reviewed_file.read_bytes()
    reviewed = load_catalog(reviewed_file).latest
    assert reviewed.service("institutional", 10).deadline.amount == 60
    result = _import(_changed_charter(charters["keshabpur"]), reviewed_file.parent,
                     effective=date(2025, 8, 20), sha="republished")
    assert result.status == "added"
    after = reviewed_file.read_bytes()
    # every byte the reviewer wrote is still there, in place; the new version follows
    assert after.startswith(before) and len(after) > len(before)
    lines = after.decode("utf-8").splitlines()
    assert lines.count(REVIEWER_COMMENT) == 1 and lines.count(HAND_EDITED) == 1
    assert lines[lines.index(REVIEWER_COMMENT) + 1] == "[versions.services.deadline]"
    catalog = load_catalog(reviewed_file)
    assert [v.effective for v in catalog.versions] == [JULY, date(2025, 8, 20)]
    assert catalog.versions[0] == reviewed  # the reviewed version, corrections and all
    new = catalog.latest
    assert (new.source_sha256, new.count("institutional")) == ("republished", 11)
    assert new.service("institutional", 10).deadline.amount == 90  # as printed: review it
    assert new.review == charters["keshabpur"].problems


def test_reimporting_the_same_charter_changes_no_byte(charters: dict[str, ParsedCharter],
                                                     reviewed_file: Path) -> None:
    changed = _changed_charter(charters["keshabpur"])
    _import(changed, reviewed_file.parent, effective=date(2025, 8, 20), sha="republished")
    written = reviewed_file.read_bytes()
    for parsed, effective, sha in [
        (changed, date(2025, 8, 20), "republished"),  # same text, same date
        (changed, date(2025, 9, 1), "republished"),  # same text, later date
        (changed, date(2025, 9, 1), "other bytes"),  # same services as the one in force
        # the published charter the reviewed version came from, read again
        (charters["keshabpur"], JULY, sha256_text(charter_text("keshabpur"))),
    ]:
        assert _import(parsed, reviewed_file.parent, effective=effective,
                       sha=sha).status == "unchanged"
        assert reviewed_file.read_bytes() == written


def test_an_earlier_version_goes_before_and_keeps_the_edits(
    charters: dict[str, ParsedCharter], reviewed_file: Path,
) -> None:
    before = reviewed_file.read_text(encoding="utf-8")
    first_version = before.index("[[versions]]")
    result = _import(_changed_charter(charters["keshabpur"]), reviewed_file.parent,
                     effective=date(2023, 7, 1), sha="older")
    assert result.status == "added"
    after = reviewed_file.read_text(encoding="utf-8")
    # the head of the file, then the new version, then the reviewed one unchanged
    assert after.startswith(before[:first_version] + "[[versions]]\neffective = 2023-07-01")
    assert after.endswith("\n\n" + before[first_version:])
    assert [v.effective for v in load_catalog(reviewed_file).versions] == [
        date(2023, 7, 1), JULY]


def test_replace_rewrites_only_that_version(charters: dict[str, ParsedCharter],
                                            reviewed_file: Path) -> None:
    changed = _changed_charter(charters["keshabpur"])
    _import(changed, reviewed_file.parent, effective=date(2025, 8, 20), sha="republished")
    text = reviewed_file.read_text(encoding="utf-8")
    reviewed_part = text[:text.index("[[versions]]\neffective = 2025-08-20")]
    again = replace(changed, services=changed.services[:-1])
    assert _import(again, reviewed_file.parent, effective=date(2025, 8, 20), sha="fixed",
                   replace_version=True).status == "replaced"
    text = reviewed_file.read_text(encoding="utf-8")
    assert text.startswith(reviewed_part)
    latest = load_catalog(reviewed_file).latest
    assert (latest.source_sha256, latest.count("institutional")) == ("fixed", 10)


@given(st.text(), st.text())
def test_any_text_survives_the_toml_writer(name: str, raw: str) -> None:
    service = Service(category="citizen", number=1, name_bn=name,
                      deadline=Deadline(raw=raw, immediate=True),
                      responsible_officer=Officer(raw=raw, phones=("+8801711000000",)))
    doc = tomlkit.document()
    doc.add("service", toml_write.service_table(service))
    data = tomllib.loads(tomlkit.dumps(doc))["service"]
    assert (data["name_bn"], data["deadline"]["raw"]) == (name, raw)
    assert data["responsible_officer"] == {"phones": ["+8801711000000"], "emails": [],
                                           "websites": [], "raw": raw}


def test_versions_written_inline_are_read_but_not_rewritten(
    charters: dict[str, ParsedCharter], tmp_path: Path,
) -> None:
    path = tmp_path / "jashore.keshabpur.toml"
    path.write_text('schema = 1\noffice = "jashore.keshabpur"\n'
                    'versions = [{effective = 2024-07-01, source = "x", services = []}]\n',
                    encoding="utf-8")
    assert load_catalog(path).latest.services == ()
    with pytest.raises(CatalogFileError, match=r"as \[\[versions\]\] tables"):
        _import(charters["keshabpur"], tmp_path, effective=date(2025, 1, 1))
    assert "2025" not in path.read_text(encoding="utf-8")


def test_reimporting_the_real_charters_into_the_bundled_catalog_changes_no_byte(
    charters: dict[str, ParsedCharter], tmp_path: Path,
) -> None:
    for path in sorted(CHARTERS.glob("*.toml")):
        shutil.copy(path, tmp_path / path.name)
    bundled = load_all(tmp_path)
    for name, parsed in charters.items():
        office = "magura.magura-sadar" if parsed.office.code is None else None
        code = office or parsed.office.code
        assert code is not None
        latest = bundled[code].latest
        assert latest.source == f"{name}.txt"
        before = (tmp_path / f"{code}.toml").read_bytes()
        result = _import(parsed, tmp_path, effective=latest.effective, office=office,
                         sha=sha256_text(charter_text(name)))
        assert result.status == "unchanged", name
        assert (tmp_path / f"{code}.toml").read_bytes() == before, name
