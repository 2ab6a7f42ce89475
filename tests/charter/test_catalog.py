"""The reviewed catalog: TOML round trip, validation on load, versions, import, diff."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.charter.conftest import CHARTERS
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
from tracker.domain.charter.model import Deadline, ParsedCharter
from tracker.errors import InputError

JULY = date(2024, 7, 1)


def _import(parsed: ParsedCharter, directory: Path, effective: date = JULY,
            office: str | None = None, sha: str = "abc", **kwargs: bool) -> ImportResult:
    return import_charter(parsed, office_code=office, effective=effective, source="x.txt",
                          source_sha256=sha, directory=directory, **kwargs)


def test_bundled_catalog_loads_and_matches_the_charters(
    charters: dict[str, ParsedCharter],
) -> None:
    catalogs = load_all(CHARTERS)
    assert sorted(catalogs) == ["dinajpur.dinajpur-sadar", "jashore.keshabpur",
                                "lalmonirhat.patgram", "magura.magura-sadar",
                                "manikganj.manikganj-sadar"]
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
