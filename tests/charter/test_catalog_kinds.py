"""Catalogs of offices of every kind: ``kind``, ``@`` codes, the deadline keys of issue 12
(range_min, no_deadline, variants, notes, needs_review), review before use, and the ICT
catalogs of data/charters/ reading and writing exactly as before."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.charter.conftest import CHARTERS
from tests.charter.test_cli_charter import run
from tracker.domain.charter.catalog import (
    CatalogFileError,
    dumps,
    import_charter,
    load_catalog,
)
from tracker.domain.charter.model import Deadline, Officer, ParsedCharter, Service
from tracker.domain.charter.parser import parse_charter
from tracker.errors import InputError, TrackerError

LAND = "habiganj.madhabpur@land"

LAND_TOML = '''schema = 1
office = "habiganj.madhabpur@land"
kind = "land"
name_bn = "উপজেলা ভূমি অফিস, মাধবপুর"

[[versions]]
effective = 2025-01-01
source = "acl_madhabpur_habiganj.txt"
source_sha256 = "abc"

[[versions.services]]
category = "citizen"
number = 1
name_bn = "ভূমি উন্নয়ন কর দাবী নির্ধারন এবং আদায়"
line = 5
[versions.services.deadline]
raw = "বাৎসরিক চলমান প্রক্রিয়া"
no_deadline = true

[[versions.services]]
category = "citizen"
number = 2
name_bn = "নামজারী ও জমা খারিজ"
line = 9
[versions.services.deadline]
raw = "২৮-৪৫ দিন"
unit = "calendar_days"
amount = 45
range_min = 28
notes = ["আলাদা ভাবে চার্ট টাঙ্গানো আছে"]

[[versions.services]]
category = "citizen"
number = 3
name_bn = "খাসজমি বন্দোবস্ত"
line = 12
[versions.services.deadline]
raw = "নবায়ন ১ দিন / নতুন ২-৩ দিন"
variants = true
needs_review = true
'''


def _write(directory: Path, text: str, name: str = LAND) -> Path:
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_land_office_catalog_reads_the_new_deadline_keys(tmp_path: Path) -> None:
    catalog = load_catalog(_write(tmp_path, LAND_TOML))
    assert (catalog.code, catalog.kind) == (LAND, "land")
    version = catalog.latest
    schedule, mutation, lease = version.services
    assert schedule.deadline.no_deadline and schedule.deadline.understood
    assert not schedule.deadline.needs_review
    assert (mutation.deadline.unit, mutation.deadline.amount, mutation.deadline.range_min) == (
        "calendar_days", 45, 28)
    assert mutation.deadline.notes == ("আলাদা ভাবে চার্ট টাঙ্গানো আছে",)
    assert lease.deadline.variants and lease.deadline.needs_review
    # review before use: the flagged service, and only it
    assert version.unresolved == (lease,)


def test_new_keys_round_trip_and_are_written_only_when_set(tmp_path: Path) -> None:
    catalog = load_catalog(_write(tmp_path, LAND_TOML))
    text = dumps(catalog)
    (tmp_path / "again").mkdir()
    again = load_catalog(_write(tmp_path / "again", text))
    assert again.kind == "land" and again.latest.services == catalog.latest.services
    assert dumps(again) == text
    assert 'kind = "land"' in text and text.count("\nneeds_review = true\n") == 1
    assert "range_min = 28" in text and "no_deadline = true" in text
    assert "variants = false" not in text and "no_deadline = false" not in text
    # needs_review is the deadline's last line: the reviewer deletes one line
    lease_block = text[text.index("নবায়ন ১ দিন"):]
    assert lease_block.rstrip().splitlines()[-1] == "needs_review = true"


def test_a_reviewed_service_leaves_the_review_list(tmp_path: Path) -> None:
    reviewed = LAND_TOML.replace(
        'variants = true\nneeds_review = true\n',
        '# reviewed: the longest track (new lease) counts\n'
        'variants = true\nunit = "calendar_days"\namount = 3\nrange_min = 2\n')
    version = load_catalog(_write(tmp_path, reviewed)).latest
    assert version.unresolved == ()
    assert version.service("citizen", 3).deadline.amount == 3


@pytest.mark.parametrize(("edit", "message"), [
    (('kind = "land"', 'kind = "ict"'), "the ICT office of habiganj.madhabpur is"),
    (('kind = "land"', 'kind = "Land Office"'), "office kind"),
    (('kind = "land"', 'kind = 3'), "kind must be text"),
    (('kind = "land"\n', ''), "give this office its own kind"),
    (("range_min = 28", "range_min = 50"), "range_min must be a whole number"),
    (("range_min = 28", "range_min = true"), "range_min must be a whole number"),
    (('notes = ["আলাদা ভাবে চার্ট টাঙ্গানো আছে"]', 'notes = "text"'), "notes must be a list"),
    (("needs_review = true", 'needs_review = "yes"'), "needs_review must be true or false"),
    (("no_deadline = true", "no_deadline = 1"), "no_deadline must be true or false"),
    (('unit = "calendar_days"', 'unit = "weeks"'), "deadline.unit must be one of"),
])
def test_malformed_kind_or_deadline_keys_name_the_file(tmp_path: Path, edit: tuple[str, str],
                                                       message: str) -> None:
    text = LAND_TOML.replace(*edit)
    assert text != LAND_TOML
    with pytest.raises(CatalogFileError, match=message) as info:
        load_catalog(_write(tmp_path, text))
    assert str(info.value).startswith(f"{LAND}.toml")


def test_a_plain_code_with_another_kind_is_refused(tmp_path: Path) -> None:
    text = LAND_TOML.replace(f'office = "{LAND}"', 'office = "habiganj.madhabpur"')
    with pytest.raises(CatalogFileError, match=re.escape("needs its own code habiganj.madhabpur@")):
        load_catalog(_write(tmp_path, text, "habiganj.madhabpur"))


# -- the ICT catalogs of data/charters/ -------------------------------------------------------

ICT_FILES = sorted(p for p in CHARTERS.glob("*.toml") if "@" not in p.name)


#: The content hashes of the bundled ICT versions as computed before office kinds (at
#: commit 435b6cb~1, where databases hold them): a sync after the upgrade must find them.
PRE_ISSUE_12_HASHES = {
    "dinajpur.dinajpur-sadar": "e20cc8f408e6eda48a1e233a6acc64bff91cd28d74fadda59a31c877c93a1db1",
    "jashore.keshabpur": "8504f75c1df1e84bcc473944c896b2e71c97b9c039eab7ade6043f185eb28471",
    "lalmonirhat.patgram": "90dc73fdff75963c4b654470c0599a8b9106cdb1cb4dec6149ad38935a04f8a9",
    "magura.magura-sadar": "76c48aea65e1258f8719d1798079ce6348e8c77fad649aba3053f7a521b8a577",
    "manikganj.manikganj-sadar":
        "201b30065efc116e09f78a6ad00ad463dd6314fe51e2c01318f5ff262af2e240",
}


def _service_blocks(text: str) -> list[str]:
    """Each ``[[versions.services]]`` block of a catalog's text (reviewers' comment lines
    left out: they are kept by every import, but no writer makes them)."""
    blocks = text.split("\n[[versions.services]]\n")[1:]
    cut = [block.split("\n\n[[")[0] for block in blocks]
    return ["\n".join(line for line in block.splitlines() if not line.startswith("#"))
            for block in cut]


@pytest.mark.parametrize("path", ICT_FILES, ids=lambda p: p.name)
def test_the_ict_catalogs_load_and_write_as_before(path: Path) -> None:
    assert len(ICT_FILES) == 5
    text = path.read_text(encoding="utf-8")
    catalog = load_catalog(path)
    assert catalog.kind == "ict" and "\nkind = " not in text
    written = dumps(catalog)
    assert "\nkind = " not in written  # absent means ict: written as before
    # every service block (deadline, officers) is written byte for byte as in the file
    assert _service_blocks(written) == _service_blocks(text)
    assert len(_service_blocks(text)) == sum(len(v.services) for v in catalog.versions)
    # and its version keeps the hash it is stored under in every database
    [version] = catalog.versions
    assert version.content_hash == PRE_ISSUE_12_HASHES[catalog.code]


# -- importing with a kind -------------------------------------------------------------------


def _parsed(deadline: Deadline) -> ParsedCharter:
    """A one-service charter that names no office (as most non-ICT charters do)."""
    base = parse_charter("")
    service = Service(category="citizen", number=1, name_bn="নামজারী", deadline=deadline,
                      fee_raw="", responsible_officer=Officer(raw="সহকারী কমিশনার (ভূমি)"),
                      escalation_officer=None, line=3)
    return replace(base, services=(service,), problems=())


def test_import_with_a_kind(tmp_path: Path) -> None:
    parsed = _parsed(Deadline(raw="৪৫ দিন", unit="calendar_days", amount=45))
    kw: dict[str, Any] = dict(effective=date(2025, 1, 1), source="x.txt", source_sha256="s",
                              directory=tmp_path)
    with pytest.raises(TrackerError, match="is a new office: give its kind with --kind"):
        import_charter(parsed, office_code=LAND, **kw)
    with pytest.raises(TrackerError, match="needs its own code"):
        import_charter(parsed, office_code="habiganj.madhabpur", kind="land", **kw)
    result = import_charter(parsed, office_code="Habiganj.Madhabpur@Land", kind="land", **kw)
    assert result.status == "created" and result.path.name == f"{LAND}.toml"
    catalog = load_catalog(result.path)
    assert catalog.kind == "land" and catalog.name_bn == "উপজেলা ভূমি অফিস, মাধবপুর"
    # the file says the kind: not needed again, refused when it contradicts
    newer = {**kw, "effective": date(2025, 7, 1), "source_sha256": "t"}
    changed = _parsed(Deadline(raw="৩০ দিন", unit="calendar_days", amount=30))
    assert import_charter(changed, office_code=LAND, **newer).status == "added"
    with pytest.raises(TrackerError, match="catalog of a land office, not uno"):
        import_charter(changed, office_code=LAND, kind="uno", **{**newer, "source_sha256": "u"})


# -- the CLI ---------------------------------------------------------------------------------


def test_cli_import_with_kind_and_check_lists_what_needs_review(
        data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "land.txt"
    source.write_text("no table here\n", encoding="utf-8")
    code, _, err = run(["charter", "import", str(source), "--office", LAND,
                        "--effective", "2025-01-01"], capsys)
    assert code == 2 and "give its kind with --kind" in err
    code, out, _ = run(["charter", "import", str(source), "--office", LAND, "--kind", "land",
                        "--effective", "2025-01-01"], capsys)
    assert code == 0 and f"created {LAND}.toml" in out
    assert load_catalog(data_dir / "charters" / f"{LAND}.toml").kind == "land"
    code, _, err = run(["charter", "import", str(source), "--office", LAND, "--kind", "uno",
                        "--effective", "2025-02-01"], capsys)
    assert code == 2 and "not uno" in err
    # a reviewed catalog with one service still flagged
    _write(data_dir / "charters", LAND_TOML)
    code, out, _ = run(["charter", "check"], capsys)
    assert code == 1
    assert f"{LAND} [land] 2025-01-01: ok, 3 services" in out and "1 to review" in out
    assert (f"needs review: {LAND} 2025-01-01 citizen 3 (source line 12): খাসজমি বন্দোবস্ত"
            f" — 'নবায়ন ১ দিন / নতুন ২-৩ দিন'") in out
    assert f"fix: edit {data_dir / 'charters' / LAND}.toml" in out
    assert "delete its `needs_review = true` line" in out
    code, out, _ = run(["charter", "show", LAND], capsys)
    assert code == 0 and out.startswith(f"{LAND} [land]: উপজেলা ভূমি অফিস, মাধবপুর")
    assert "28-45 calendar days" in out and "needs review" in out
    # reviewed: nothing left, exit 0
    _write(data_dir / "charters", LAND_TOML.replace(
        "needs_review = true\n", 'unit = "calendar_days"\namount = 3\n'))
    code, out, _ = run(["charter", "check"], capsys)
    assert code == 0 and "needs review" not in out and "0 to review" in out


def test_cli_offices_of_another_kind(data_dir: Path, cli_db: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _write(data_dir / "charters", LAND_TOML)
    assert run(["init"], capsys)[0] == 0
    code, out, _ = run(["office", "list", "--kind", "land"], capsys)
    assert code == 0 and out.split()[:3] == [LAND, "upazila", "land"]
    assert len(out.strip().splitlines()) == 1
    code, out, _ = run(["office", "list"], capsys)
    assert code == 0 and {line.split()[0] for line in out.splitlines()} == {LAND, "habiganj"}
    code, out, _ = run(["office", "go-live", "Habiganj.Madhabpur@Land", "2025-01-01"], capsys)
    assert code == 0 and out.strip() == f"{LAND}: measured from 2025-01-01"
    code, out, _ = run(["user", "add", "acland", "--role", "upazila_officer", "--full-name",
                        "AC Land", "--office", LAND, "--password", "pw-123456"], capsys)
    assert code == 0 and "added acland (upazila_officer)" in out
    code, _, err = run(["office", "go-live", "habiganj.madhabpur@uno", "2025-01-01"], capsys)
    assert code == 2 and "is a new office: give its kind" in err
    code, _, err = run(["office", "list", "--kind", "Land Office"], capsys)
    assert code == 2 and "office kind" in err


# -- the two bundled catalogs of other kinds (the demo's) ------------------------------------

BUNDLED = {"habiganj.madhabpur@land": ("acl_madhabpur_habiganj.txt", "land"),
           "jamalpur.sarishabari@doail-up": ("up_doail_jamalpur.txt", "union_parishad")}


@pytest.mark.parametrize("code", sorted(BUNDLED))
def test_the_bundled_catalogs_of_other_kinds_match_their_charters(
        code: str, tmp_path: Path) -> None:
    from tracker.domain.charter.catalog import sha256_text

    source, kind = BUNDLED[code]
    text = (CHARTERS / source).read_text(encoding="utf-8")
    path = tmp_path / f"{code}.toml"
    path.write_bytes((CHARTERS / f"{code}.toml").read_bytes())
    catalog = load_catalog(path)
    assert catalog.kind == kind and catalog.latest.source == source
    parsed = parse_charter(text)
    version = catalog.latest
    assert [(s.key, s.name_bn, s.line) for s in version.services] == [
        (s.key, s.name_bn, s.line) for s in parsed.services]
    # what the parser flagged is still flagged unless a reviewer decided (none here did)
    assert [s.key for s in version.unresolved] == [
        s.key for s in parsed.services if s.deadline.needs_review or not s.deadline.understood]
    # re-importing the very text changes no byte of the reviewed file
    before = path.read_bytes()
    result = import_charter(parsed, office_code=code, kind=kind, effective=version.effective,
                            source=source, source_sha256=sha256_text(text),
                            directory=tmp_path)
    assert result.status == "unchanged" and path.read_bytes() == before


# -- a charter of another office imported without --office ------------------------------------


@pytest.mark.parametrize("name", ["উপজেলা ভূমি অফিস, কেশবপুর, যশোর", None])
def test_a_charter_not_of_an_ict_office_needs_office_and_kind(name: str | None) -> None:
    """The place a document names is its ICT office's code: a land office's charter
    imported without --office would have become the ICT office's charter in force."""
    from tracker.domain.charter.catalog import resolve_office
    from tracker.domain.charter.model import OfficeInfo, ParsedCharter

    parsed = ParsedCharter(office=OfficeInfo(name=name, code="jashore.keshabpur", line=5),
                           services=(), grs=(), problems=())
    with pytest.raises(InputError, match=re.escape("--office jashore.keshabpur@<slug> --kind")):
        resolve_office(parsed, None)
    assert resolve_office(parsed, "jashore.keshabpur@land") == "jashore.keshabpur@land"


@pytest.mark.parametrize("name", ["উপজেলা তথ্য ও যোগাযোগ প্রযুক্তি কার্যালয়, কেশবপুর, যশোর",
                                  "উপজেলা আইসিটি কার্যালয়, কেশবপুর", "Upazila ICT Office"])
def test_an_ict_office_charter_is_filed_under_its_place(name: str) -> None:
    from tracker.domain.charter.catalog import resolve_office
    from tracker.domain.charter.model import OfficeInfo, ParsedCharter

    parsed = ParsedCharter(office=OfficeInfo(name=name, code="jashore.keshabpur", line=5),
                           services=(), grs=(), problems=())
    assert resolve_office(parsed, None) == "jashore.keshabpur"
