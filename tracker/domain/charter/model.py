"""The typed result of reading a charter, shared by the parser, the catalog and the CLI.

Everything is a frozen dataclass with a ``to_json()`` that produces the contract of
``tracker charter parse FILE --json`` (GUIDE.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tracker.domain.bn import GRS_TITLES_BN
from tracker.domain.deadlines import GRS_DEFAULT_DAYS, GRS_ROLES, GrsRole

Category = Literal["citizen", "institutional", "internal"]
CATEGORIES: tuple[Category, ...] = ("citizen", "institutional", "internal")

DeadlineUnit = Literal["working_days", "calendar_days", "hours", "months"]
UNITS: tuple[str, ...] = ("working_days", "calendar_days", "hours", "months")


@dataclass(frozen=True)
class Problem:
    """Something the parser did not understand, at a 1-based line of the source file."""

    line: int
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class Deadline:
    """A promised time limit as printed (``raw``) and as understood.

    - ``immediate``: তাৎক্ষণিক (the default track when ``conditional``).
    - ``unit``/``amount``: the longer (or only) limit; ``working_days`` repeats ``amount``
      when the unit is working days, for the JSON contract.
    - ``conditional``: the longer limit applies only where needed (প্রযোজ্য ক্ষেত্রে or
      প্রয়োজন অনুযায়ী); ``as_needed`` says it was প্রয়োজন অনুযায়ী (GUIDE §3 rule 6: the limit
      may be extended with a reason).
    - ``per_directive``: নির্দেশনা অনুযায়ী, the officer enters the due date (rule 7).
    - ``range_min``: the lower bound of a range "A-B" (``amount`` is B, the promise).
    - ``no_deadline``: no per-request limit (a schedule, season, office hours, an ongoing
      process): requests are reported as "no deadline", never on time (GUIDE §6).
    - ``variants``: several limits for sub-cases or stages in one cell.
    - ``needs_review``: not safely understood; the service cannot be logged against until a
      reviewer sets its limit in the catalog TOML (and removes the flag).
    - ``notes``: what the cell says besides its limit (a condition, a stage), kept for the
      reviewer.
    """

    raw: str
    immediate: bool = False
    unit: DeadlineUnit | None = None
    amount: int | None = None
    conditional: bool = False
    as_needed: bool = False
    per_directive: bool = False
    range_min: int | None = None
    no_deadline: bool = False
    variants: bool = False
    needs_review: bool = False
    notes: tuple[str, ...] = ()

    @property
    def working_days(self) -> int | None:
        return self.amount if self.unit == "working_days" else None

    @property
    def understood(self) -> bool:
        """A limit (or immediate, per directive, no deadline) read safely: nothing to review."""
        return not self.needs_review and (
            self.immediate or self.amount is not None or self.per_directive or self.no_deadline
        )

    def describe(self) -> str:
        parts = []
        if self.immediate:
            parts.append("immediate")
        if self.amount is not None and self.unit is not None:
            span = f"{self.range_min}-" if self.range_min is not None else ""
            parts.append(f"{span}{self.amount} {self.unit.replace('_', ' ')}")
        text = " / ".join(parts)
        if self.conditional and parts:
            text += " (as needed)" if self.as_needed else " (where applicable)"
        extras = [label for flag, label in ((self.per_directive, "as per directive"),
                                            (self.no_deadline, "no deadline"),
                                            (self.variants, "several limits"),
                                            (self.needs_review, "needs review")) if flag]
        text = "; ".join([text, *extras] if text else extras)
        return text or "not understood"

    def to_json(self) -> dict[str, Any]:
        return {
            "raw": self.raw,
            "immediate": self.immediate,
            "working_days": self.working_days,
            "conditional": self.conditional,
            "per_directive": self.per_directive,
            "as_needed": self.as_needed,
            "unit": self.unit,
            "amount": self.amount,
            "range_min": self.range_min,
            "no_deadline": self.no_deadline,
            "variants": self.variants,
            "needs_review": self.needs_review,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Officer:
    """A responsible or escalation officer as printed in one cell."""

    raw: str
    designation: str | None = None
    name: str | None = None
    office: str | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "designation": self.designation,
            "name": self.name,
            "office": self.office,
            "phones": list(self.phones),
            "emails": list(self.emails),
            "websites": list(self.websites),
            "raw": self.raw,
        }


@dataclass(frozen=True)
class Service:
    """One promised service of a charter (or of a catalog version)."""

    category: Category
    number: int
    name_bn: str
    deadline: Deadline
    fee_raw: str = ""
    responsible_officer: Officer | None = None
    escalation_officer: Officer | None = None
    line: int = 0  # line of the row in the source document (0: unknown / added by hand)

    @property
    def key(self) -> tuple[str, int]:
        return (self.category, self.number)

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "number": self.number,
            "name_bn": self.name_bn,
            "deadline": self.deadline.to_json(),
            "fee_raw": self.fee_raw,
            "responsible_officer": (
                self.responsible_officer.to_json() if self.responsible_officer else None
            ),
            "escalation_officer": (
                self.escalation_officer.to_json() if self.escalation_officer else None
            ),
            "line": self.line,
        }


# The GRS roles, default limits and titles live with the deadline rules and labels.


@dataclass(frozen=True)
class GrsTier:
    """One step of the grievance redress system (অভিযোগ প্রতিকার ব্যবস্থা)."""

    tier: int
    role: GrsRole
    deadline: Deadline
    title_bn: str = ""
    contact: Officer | None = None
    default: bool = False  # True: not printed, the national default 30/20/60
    line: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "role": self.role,
            "title_bn": self.title_bn,
            "working_days": self.deadline.working_days,
            "deadline": self.deadline.to_json(),
            "contact": self.contact.to_json() if self.contact else None,
            "default": self.default,
            "line": self.line,
        }


def default_grs() -> tuple[GrsTier, ...]:
    """The national default tiers (30/20/60 working days), marked ``default``."""
    return tuple(
        GrsTier(
            tier=i,
            role=role,
            deadline=Deadline(raw="", unit="working_days", amount=GRS_DEFAULT_DAYS[role]),
            title_bn=GRS_TITLES_BN[role],
            default=True,
        )
        for i, role in enumerate(GRS_ROLES, 1)
    )


@dataclass(frozen=True)
class OfficeInfo:
    """The office a charter belongs to, as printed (``None`` where not printed)."""

    name: str | None = None
    upazila: str | None = None  # English name from data/geo
    district: str | None = None
    upazila_bn: str | None = None  # as printed
    district_bn: str | None = None
    code: str | None = None  # office code, e.g. "jashore.keshabpur"
    website: str | None = None  # as printed
    line: int = 0
    date_printed: str | None = None  # ISO date printed outside the tables (signature)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "upazila": self.upazila,
            "district": self.district,
            "upazila_bn": self.upazila_bn,
            "district_bn": self.district_bn,
            "code": self.code,
            "website": self.website,
            "line": self.line,
            "date_printed": self.date_printed,
        }


@dataclass(frozen=True)
class ParsedCharter:
    """Everything read from one charter document."""

    office: OfficeInfo
    services: tuple[Service, ...]
    grs: tuple[GrsTier, ...]
    problems: tuple[Problem, ...]
    notes: tuple[Problem, ...] = field(default=())  # understood quirks, for the reviewer
    layout: str = ""

    def count(self, category: str) -> int:
        return sum(1 for s in self.services if s.category == category)

    def to_json(self) -> dict[str, Any]:
        return {
            "office": self.office.to_json(),
            "services": [s.to_json() for s in self.services],
            "grs": [g.to_json() for g in self.grs],
            "problems": [p.to_json() for p in self.problems],
            "notes": [n.to_json() for n in self.notes],
            "layout": self.layout,
        }
