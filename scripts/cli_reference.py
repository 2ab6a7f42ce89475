"""The README's CLI reference, generated from every command's ``--help`` (as sqlite-utils does).

    .venv/bin/python scripts/cli_reference.py          # print the Markdown
    .venv/bin/python scripts/cli_reference.py --write  # replace the block in README.md

The block sits between ``<!-- cli-reference:start -->`` and ``<!-- cli-reference:end -->``;
tests/test_cli_reference.py fails when it differs from what this prints. The help is rendered
at a fixed width with colours off, so the output does not depend on the terminal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer
from typer import rich_utils
from typer.core import TyperGroup
from typer.testing import CliRunner

from tracker.cli.app import app

WIDTH = 100
START = "<!-- cli-reference:start -->"
END = "<!-- cli-reference:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"
#: Plain (click) help reads COLUMNS; rich help reads the rich_utils settings patched below.
ENV = {"COLUMNS": str(WIDTH), "LINES": "50", "TERM": "dumb", "NO_COLOR": "1",
       "FORCE_COLOR": None, "PY_COLORS": None, "GITHUB_ACTIONS": None}


@contextmanager
def fixed_terminal() -> Iterator[None]:
    """Typer's rich help at WIDTH columns, no colours; restored afterwards (tests share it)."""
    saved = (rich_utils.MAX_WIDTH, rich_utils.FORCE_TERMINAL, rich_utils.COLOR_SYSTEM)
    rich_utils.MAX_WIDTH, rich_utils.FORCE_TERMINAL, rich_utils.COLOR_SYSTEM = WIDTH, False, None
    try:
        yield
    finally:
        rich_utils.MAX_WIDTH, rich_utils.FORCE_TERMINAL, rich_utils.COLOR_SYSTEM = saved


def command_paths(command: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group under ``command``, depth first, in ``--help`` order.

    (Typer vendors its own click: its groups are ``TyperGroup``, not ``click.Group``.)
    """
    found = [path]
    if isinstance(command, TyperGroup):
        context = typer.Context(command, info_name="tracker")
        for name in command.list_commands(context):
            sub = command.get_command(context, name)  # None for hidden commands
            if sub is not None:
                found += command_paths(sub, (*path, name))
    return found


def help_text(path: tuple[str, ...]) -> str:
    """``tracker PATH --help`` as printed, without trailing spaces or edge blank lines."""
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="tracker", env=ENV,
                                color=False)
    if result.exit_code != 0:
        raise RuntimeError(f"tracker {' '.join(path)} --help failed: {result.output}")
    lines = [line.rstrip() for line in result.output.splitlines()]
    return "\n".join(lines).strip("\n")


def reference() -> str:
    """The Markdown: a ``### tracker ...`` heading and a fenced ``--help`` per command."""
    sections = []
    with fixed_terminal():
        for path in command_paths(typer.main.get_command(app)):
            title = " ".join(("tracker", *path))
            sections.append(f"### {title}\n\n```text\n{help_text(path)}\n```\n")
    return "\n".join(sections)


def with_reference(readme: str, block: str) -> str:
    """``readme`` with the text between the markers replaced by ``block``."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"README.md needs the markers {START} and {END}, in that order")
    return f"{readme[:start + len(START)]}\n\n{block}\n{readme[end:]}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true",
                        help="Rewrite the CLI reference block of README.md (default: print it).")
    args = parser.parse_args(argv)
    block = reference()
    if not args.write:
        sys.stdout.write(block)
        return
    readme = README.read_text(encoding="utf-8")
    updated = with_reference(readme, block)
    if updated != readme:
        README.write_text(updated, encoding="utf-8")
    print(f"{README.name}: CLI reference {'updated' if updated != readme else 'unchanged'}")


if __name__ == "__main__":
    main()
