"""Catalog entries as tomlkit tables: one version of a charter, laid out for a reviewer.

tomlkit (not a hand-rolled writer) because reviewers edit data/charters/*.toml by hand:
parsing an existing file with tomlkit and appending a table keeps their comments, key
order, blank lines and corrections byte for byte. These functions only build the tables
of *new* content; :mod:`tracker.domain.charter.catalog` decides where they go.

Layout: keys in a fixed order, ``None`` left out (TOML has no null), and the sub-tables of
a service (``[versions.services.deadline]``, officers) right under it, without a blank
line, so that each service reads as one block.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import tomlkit
from tomlkit.items import AoT, Table

from tracker.domain.charter.model import GrsTier, Officer, Problem, Service

Value = str | int | bool | date | list[str] | None


def table(pairs: Iterable[tuple[str, Value]]) -> Table:
    """A table of ``key = value`` lines in the given order; None values are left out."""
    out = tomlkit.table()
    for key, value in pairs:
        if value is not None:
            out.add(key, value)
    return out


def _attach(parent: Table, key: str, child: Table) -> None:
    """Put ``child`` under ``parent`` as ``[parent.key]`` with no blank line before it."""
    parent.add(key, child)
    child.trivia.indent = ""


def officer_table(officer: Officer) -> Table:
    return table([
        ("designation", officer.designation), ("name", officer.name),
        ("office", officer.office), ("phones", list(officer.phones)),
        ("emails", list(officer.emails)), ("websites", list(officer.websites)),
        ("raw", officer.raw),
    ])


def service_table(service: Service) -> Table:
    d = service.deadline
    out = table([
        ("category", service.category), ("number", service.number),
        ("name_bn", service.name_bn), ("fee_raw", service.fee_raw),
        ("line", service.line or None),
    ])
    _attach(out, "deadline", table([
        ("raw", d.raw), ("immediate", d.immediate), ("unit", d.unit),
        ("amount", d.amount), ("conditional", d.conditional),
        ("as_needed", d.as_needed), ("per_directive", d.per_directive),
        # the keys of office kinds (issue 12) only when set: the ICT catalogs written
        # before them stay byte for byte what a new import writes
        ("range_min", d.range_min), ("no_deadline", d.no_deadline or None),
        ("variants", d.variants or None), ("notes", list(d.notes) or None),
        ("needs_review", d.needs_review or None),
    ]))
    for key, officer in (("responsible_officer", service.responsible_officer),
                         ("escalation_officer", service.escalation_officer)):
        if officer is not None:
            _attach(out, key, officer_table(officer))
    return out


def grs_table(tier: GrsTier) -> Table:
    out = table([
        ("tier", tier.tier), ("role", tier.role), ("title_bn", tier.title_bn),
        ("unit", tier.deadline.unit), ("amount", tier.deadline.amount),
        ("working_days", tier.deadline.working_days), ("raw", tier.deadline.raw),
        ("default", tier.default), ("line", tier.line or None),
    ])
    if tier.contact is not None:
        _attach(out, "contact", officer_table(tier.contact))
    return out


def review_table(problem: Problem) -> Table:
    return table([("line", problem.line), ("message", problem.message)])


def array_of_tables(tables: Iterable[Table]) -> AoT:
    out = tomlkit.aot()
    for item in tables:
        out.append(item)
    return out
