"""``tracker charter ...`` through tracker.cli.app.main: JSON contract, errors, import, help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.charter.conftest import CHARTERS
from tracker.cli.app import main
from tracker.config import PROJECT_ROOT


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_parse_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["charter", "parse", str(CHARTERS / "patgram.txt"), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"office", "services", "grs", "problems"}
    assert {"name", "upazila", "district", "website"} <= set(data["office"])
    service = data["services"][0]
    assert service["category"] == "citizen" and service["number"] == 1
    assert isinstance(service["name_bn"], str) and isinstance(service["fee_raw"], str)
    deadline = service["deadline"]
    assert deadline["raw"] == "তাৎক্ষণিক/ ২ কার্যদিবস (প্রযোজ্য ক্ষেত্রে)"
    assert (deadline["immediate"], deadline["working_days"], deadline["conditional"],
            deadline["per_directive"]) == (True, 2, True, False)
    assert service["responsible_officer"]["phones"] == ["+8801303388680"]
    assert service["escalation_officer"]["emails"] == ["doict.lalmonirhat@gmail.com"]
    assert [g["working_days"] for g in data["grs"]] == [30, 20, 60]
    assert all(g["default"] for g in data["grs"])
    # The escalation officer's ০২৫৮৯৯৮৬৮৮৩ (an 11-digit BTCL landline phonenumbers does not
    # know yet) is reported once, on its first row, for a reviewer to confirm. The copy ends
    # with its last services table (no GRS section, no signature): line 71 asks the reviewer
    # to confirm the document is complete (issue 11 item 15).
    assert [p["line"] for p in data["problems"]] == [26, 71]
    assert "the document ends inside the services table" in data["problems"][1]["message"]
    assert len(data["services"]) == 23


def test_parse_json_problems_have_lines(capsys: pytest.CaptureFixture[str]) -> None:
    path = CHARTERS / "magura-unnamed-upazila.txt"
    code, out, _ = run(["charter", "parse", str(path), "--json"], capsys)
    assert code == 0
    problems = json.loads(out)["problems"]
    assert {p["line"] for p in problems} == {1, 39, 169, 241}  # 39: +৮৮০৪৮৫২-৭৫০৭২
    assert all(isinstance(p["message"], str) for p in problems)
    code, out, _ = run(["charter", "parse", str(path), "--strict"], capsys)
    assert code == 1 and "problems: 5" in out
    assert run(["charter", "parse", str(CHARTERS / "manikganj-sadar.txt"), "--strict"],
               capsys)[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"\xff\xfe\x00\x00garbage", "not UTF-8"),
     (b"\x00\x01binary", "binary file")],
)
def test_bad_files_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       content: bytes | None, message: str) -> None:
    path = tmp_path / "charter.txt"
    if content is not None:
        path.write_bytes(content)
    code, _, err = run(["charter", "parse", str(path)], capsys)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_malformed_text_parses_to_problems(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "charter.txt"
    path.write_text("এটা কোনো চার্টার নয়\n| a | b |\n", encoding="utf-8")
    code, out, _ = run(["charter", "parse", str(path), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["services"] == [] and data["problems"]


def test_import_and_reimport(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = str(CHARTERS / "keshabpur.txt")
    code, out, _ = run(["charter", "import", source, "--effective", "2024-07-01"], capsys)
    assert code == 0 and "created jashore.keshabpur.toml" in out
    assert (data_dir / "charters" / "jashore.keshabpur.toml").exists()
    code, out, _ = run(["charter", "import", source, "--office", "jashore.keshabpur",
                        "--effective", "2024-07-01"], capsys)
    assert code == 0 and out.startswith("unchanged")
    code, out, _ = run(["charter", "check"], capsys)
    assert code == 0 and "jashore.keshabpur 2024-07-01: ok, 13 services" in out
    code, out, _ = run(["charter", "show", "jashore.keshabpur", "--on", "2025-01-01"], capsys)
    assert code == 0 and "90 working days (as needed)" in out
    code, _, err = run(["charter", "diff", "jashore.keshabpur"], capsys)
    assert code == 2 and "only one version" in err


def test_import_errors(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    magura = str(CHARTERS / "magura-unnamed-upazila.txt")
    code, _, err = run(["charter", "import", magura, "--effective", "2024-07-01"], capsys)
    assert code == 2 and "names no office: give --office" in err
    code, _, err = run(["charter", "import", magura, "--office", "magura.atlantis",
                        "--effective", "2024-07-01"], capsys)
    assert code == 2 and "unknown office code 'magura.atlantis'" in err
    code, _, err = run(["charter", "import", magura, "--office", "magura.shalikha"], capsys)
    assert code == 2 and "--effective" in err
    code, _, err = run(["charter", "import", magura, "--office", "magura.shalikha",
                        "--effective", "1st July"], capsys)
    assert code == 2 and "not a date" in err
    code, out, err = run(["charter", "import", magura, "--office", "magura.shalikha",
                          "--effective", "2024-07-01", "--strict"], capsys)
    assert code == 1 and "created magura.shalikha.toml" in out
    assert "problem: line 241" in err
    code, _, err = run(["charter", "show", "jashore.keshabpur"], capsys)
    assert code == 2 and "no catalog for jashore.keshabpur" in err
    code, _, err = run(["charter", "import", str(CHARTERS / "patgram.txt"), "--office",
                        "magura.shalikha", "--effective", "2024-07-01"], capsys)
    assert code == 2 and "names office lalmonirhat.patgram" in err


def test_broken_catalog_file_is_a_one_line_error(data_dir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (data_dir / "charters" / "jashore.keshabpur.toml").write_text("schema = 1\n[[versions",
                                                                  encoding="utf-8")
    code, _, err = run(["charter", "check"], capsys)
    assert code == 2 and "jashore.keshabpur.toml: not valid TOML" in err


def test_every_charter_command_has_help_and_is_in_the_readme(
    capsys: pytest.CaptureFixture[str],
) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("parse", "import", "show", "check", "diff"):
        code, out, _ = run(["charter", command, "--help"], capsys)
        assert code == 0 and "Usage" in out
        assert f"\n### tracker charter {command}\n" in readme, command
