"""README.md's CLI reference is exactly what scripts/cli_reference.py generates from --help."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from tracker.config import PROJECT_ROOT

FIX = "run `.venv/bin/python scripts/cli_reference.py --write` and commit README.md"


def _script() -> ModuleType:
    path = PROJECT_ROOT / "scripts" / "cli_reference.py"
    spec = importlib.util.spec_from_file_location("cli_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("cli_reference", module)
    spec.loader.exec_module(module)
    return module


def _readme_block(readme: str, start: str, end: str) -> str:
    assert start in readme and end in readme, f"README.md lost its CLI reference markers; {FIX}"
    return readme[readme.index(start) + len(start):readme.index(end)]


def test_readme_cli_reference_matches_the_help() -> None:
    script = _script()
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = _readme_block(readme, script.START, script.END)
    assert block.strip() == script.reference().strip(), f"README.md's CLI reference is stale: {FIX}"


def test_reference_covers_every_command_with_its_help() -> None:
    reference = _script().reference()
    assert reference.startswith("### tracker\n\n```text\n")
    assert ("### tracker calendar due\n\n```text\n Usage: tracker calendar due [OPTIONS]"
            in reference)
    assert "### tracker request log\n" in reference and "### tracker scheduler\n" in reference
    assert all(line == line.rstrip() for line in reference.splitlines())
    assert "\x1b[" not in reference  # no colours, whatever the terminal


def test_reference_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    script = _script()
    wide = script.reference()
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert script.reference() == wide
    assert max(len(line) for line in wide.splitlines()) <= script.WIDTH


def test_write_replaces_only_the_block() -> None:
    script = _script()
    readme = f"# Title\n\nprose\n\n{script.START}\nold list\n{script.END}\n\n## Next\n"
    updated = script.with_reference(readme, "### tracker\n")
    assert updated == (f"# Title\n\nprose\n\n{script.START}\n\n### tracker\n\n{script.END}\n\n"
                       "## Next\n")
    assert script.with_reference(updated, "### tracker\n") == updated
