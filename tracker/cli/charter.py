"""``tracker charter ...``: read charters, import them into the catalog, inspect it.

Thin wrappers over tracker.domain.charter; user mistakes are TrackerErrors (one line, exit 2).
``--strict`` makes ``parse`` and ``import`` exit 1 when the parser reported problems;
``check`` exits 1 while any service still needs review (and 2 for a malformed file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tracker.domain.charter.catalog import (
    OfficeCatalog,
    catalog_path,
    diff_versions,
    import_charter,
    load_all,
    load_catalog,
    sha256_text,
)
from tracker.domain.charter.model import CATEGORIES, ParsedCharter
from tracker.domain.charter.parser import parse_charter, parse_file, read_charter
from tracker.domain.geo import load_geography
from tracker.domain.localtime import parse_date
from tracker.errors import InputError

charter_app = typer.Typer(
    help="Citizen charters: parse documents, import them into the reviewed catalog.",
    no_args_is_help=True,
)

StrictOption = Annotated[bool, typer.Option(
    help="Exit with code 1 if the parser reported problems."
)]


def _summary(parsed: ParsedCharter) -> str:
    office = parsed.office
    lines = [
        f"office: {office.name or '(not named in the document)'}"
        + (f"  [{office.code}]" if office.code else ""),
        f"website: {office.website or '-'}   layout: {parsed.layout}",
    ]
    counts = ", ".join(f"{c} {parsed.count(c)}" for c in CATEGORIES)
    lines.append(f"services: {len(parsed.services)} ({counts})")
    for service in parsed.services:
        lines.append(f"  {service.category:13} {service.number:>2}  "
                     f"{service.deadline.describe():42}  {service.name_bn}")
    grs = "  ".join(f"{g.role} {g.deadline.working_days}" for g in parsed.grs)
    default = " (national default)" if all(g.default for g in parsed.grs) else ""
    lines.append(f"GRS: {grs}{default}")
    lines.append(f"problems: {len(parsed.problems)}")
    lines += [f"  line {p.line}: {p.message}" for p in parsed.problems]
    if parsed.notes:
        lines.append(f"notes: {len(parsed.notes)}")
        lines += [f"  line {n.line}: {n.message}" for n in parsed.notes]
    return "\n".join(lines)


def _read(file: Path) -> tuple[ParsedCharter, str]:
    """The parsed charter and the hash of the very text parsed (the file is read once)."""
    text = read_charter(file)
    return parse_charter(text), sha256_text(text)


@charter_app.command("parse")
def charter_parse(
    file: Annotated[Path, typer.Argument(help="Charter exported as UTF-8 text.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (GUIDE.md §5).")] = False,
    strict: StrictOption = False,
) -> None:
    """Read a charter: office, services, deadlines, officers, GRS and problems."""
    parsed = parse_file(file)
    if as_json:
        typer.echo(json.dumps(parsed.to_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(_summary(parsed))
    if strict and parsed.problems:
        raise typer.Exit(1)


@charter_app.command("import")
def charter_import(
    file: Annotated[Path, typer.Argument(help="Charter exported as UTF-8 text.")],
    office: Annotated[str | None, typer.Option(
        help="Office code: jashore.keshabpur for an ICT office, <place>@<slug> for any "
             "other, e.g. habiganj.madhabpur@land (required if the document names none, "
             "and for every office that is not an ICT office)."
    )] = None,
    kind: Annotated[str | None, typer.Option(
        help="What the office is: land, union_land, uno, union_parishad, pio, agriculture, "
             "health, ... or your own word (a-z, 0-9, _). Required for a new <place>@<slug> "
             "office; checked against the kind its catalog file records; plain codes are "
             "ict."
    )] = None,
    effective: Annotated[str | None, typer.Option(
        help="Date the charter takes effect, YYYY-MM-DD."
    )] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Overwrite a different version with the same effective date."
    )] = False,
    strict: StrictOption = False,
) -> None:
    """Write (or add a version to) data/charters/<office>.toml for review.

    Services whose time limit the parser could not read safely are written with
    needs_review = true: they cannot be logged against until a reviewer sets the limit in
    the file (see `tracker charter check`)."""
    if effective is None:
        raise InputError("give --effective YYYY-MM-DD (the date the charter takes effect)")
    day = parse_date(effective)
    parsed, digest = _read(file)
    result = import_charter(parsed, office_code=office, effective=day, source=file.name,
                            source_sha256=digest, replace_version=replace, kind=kind)
    typer.echo(result.message)
    if result.status != "unchanged":
        counts = ", ".join(f"{c} {parsed.count(c)}" for c in CATEGORIES)
        typer.echo(f"{len(parsed.services)} services ({counts}); "
                   f"{len(parsed.problems)} problems to review in {result.path.name}; "
                   f"{len(result.version.unresolved)} services need review before use")
    for problem in parsed.problems:
        typer.echo(f"problem: line {problem.line}: {problem.message}", err=True)
    if strict and parsed.problems:
        raise typer.Exit(1)


def _catalog(code: str) -> OfficeCatalog:
    office = load_geography().office(code)
    path = catalog_path(office.code)
    if not path.exists():
        raise InputError(f"no catalog for {office.code}: run `tracker charter import` first")
    return load_catalog(path)


@charter_app.command("show")
def charter_show(
    office: Annotated[str, typer.Argument(help="Office code, e.g. jashore.keshabpur.")],
    on: Annotated[str | None, typer.Option(
        help="Show the version in force on this date (default: the latest)."
    )] = None,
) -> None:
    """List the services of an office's catalog with their deadlines."""
    catalog = _catalog(office)
    version = catalog.latest if on is None else catalog.version_on(parse_date(on))
    if version is None:
        raise InputError(f"{catalog.code} has no charter version in force on {on}")
    typer.echo(f"{catalog.code} [{catalog.kind}]: {catalog.name_bn}")
    typer.echo(f"version effective {version.effective} (source {version.source}); "
               f"{len(catalog.versions)} version(s)")
    for service in version.services:
        officer = service.responsible_officer
        who = officer.designation or officer.raw[:30] if officer else "-"
        typer.echo(f"  {service.category:13} {service.number:>2}  "
                   f"{service.deadline.describe():42}  {who}  {service.name_bn}")
    grs = ", ".join(f"{g.role} {g.deadline.working_days}" for g in version.grs)
    typer.echo(f"GRS: {grs}")


def _cell(raw: str) -> str:
    return repr(raw) if raw.strip() else "(no time-limit cell in its row)"


def _pending_lines(catalog: OfficeCatalog) -> list[str]:
    """One line per service still to review, in every version, with where to fix it."""
    lines = []
    for version in catalog.versions:
        for service in version.unresolved:
            lines.append(f"  needs review: {catalog.code} {version.effective} "
                         f"{service.category} {service.number} (source line "
                         f"{service.line or '?'}): {service.name_bn} — "
                         f"{_cell(service.deadline.raw)}")
    return lines


@charter_app.command("check")
def charter_check() -> None:
    """Validate every data/charters/*.toml and list what still needs review.

    Every service flagged needs_review (or whose limit is not understood) is listed with
    its office, version, category and number, name, time-limit cell and source line: no
    request can be logged against it until a reviewer sets its limit in
    data/charters/<office>.toml (unit and amount, immediate, per_directive or
    no_deadline) and deletes its needs_review line. Exit code 0: every file valid and
    nothing to review; 1: valid, but services still need review; 2: a malformed file
    (the message names the file and line).
    """
    catalogs = load_all()
    if not catalogs:
        typer.echo("no catalog files in data/charters/")
        return
    pending: dict[str, list[str]] = {}
    for code, catalog in catalogs.items():
        kind = f" [{catalog.kind}]" if catalog.kind != "ict" else ""
        for version in catalog.versions:
            counts = ", ".join(f"{c} {version.count(c)}" for c in CATEGORIES)
            typer.echo(f"{code}{kind} {version.effective}: ok, {len(version.services)} "
                       f"services ({counts}), {len(version.review)} review notes, "
                       f"{len(version.unresolved)} to review before use")
        lines = _pending_lines(catalog)
        if lines:
            pending[code] = lines
    for code, lines in pending.items():
        typer.echo(f"{code}: {len(lines)} service(s) to review before requests can be "
                   f"logged against them:")
        for line in lines:
            typer.echo(line)
        path = catalogs[code].path or catalog_path(code)
        typer.echo(f"  fix: edit {path}: set each one's limit (unit + amount, immediate, "
                   "per_directive or no_deadline), delete its `needs_review = true` line, "
                   "then run `tracker charter check` (and `tracker init` to load it)")
    if pending:
        raise typer.Exit(1)


@charter_app.command("diff")
def charter_diff(
    office: Annotated[str, typer.Argument(help="Office code, e.g. jashore.keshabpur.")],
    old: Annotated[str | None, typer.Option(
        "--from", help="Effective date of the older version (default: the one before).")] = None,
    new: Annotated[str | None, typer.Option(
        "--to", help="Effective date of the newer version (default: the latest).")] = None,
) -> None:
    """Show what changed between two versions: services added/removed, deadlines."""
    catalog = _catalog(office)
    newer = catalog.latest if new is None else catalog.version_effective(parse_date(new))
    if newer is None:
        raise InputError(f"{catalog.code} has no version effective {new}")
    if old is None:
        earlier = [v for v in catalog.versions if v.effective < newer.effective]
        if not earlier:
            raise InputError(f"{catalog.code} has only one version before {newer.effective}")
        older = earlier[-1]
    else:
        found = catalog.version_effective(parse_date(old))
        if found is None:
            raise InputError(f"{catalog.code} has no version effective {old}")
        older = found
    typer.echo(f"{catalog.code}: {older.effective} -> {newer.effective}")
    changes = diff_versions(older, newer)
    for change in changes:
        typer.echo(str(change))
    if not changes:
        typer.echo("no changes to services or deadlines")
