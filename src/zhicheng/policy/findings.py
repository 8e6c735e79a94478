"""What the engine answers: findings per condition, outcomes per path and level (R0)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "unknown", "refer"]
Outcome = Literal["eligible", "ineligible", "refer", "incomplete"]
LEVELS: tuple[str, ...] = ("technician", "assistant_engineer", "engineer")


@dataclass(slots=True, frozen=True)
class ParamUse:
    """A parameter a condition read, with its source and the date from which the pack puts it in force."""

    key: str
    value: Any
    clause: str
    ruling: str | None
    effective: dt.date

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif hasattr(value, "model_dump"):  # a pack record (a schedule, a catalogue entry)
            value = value.model_dump(mode="json")
        return {
            "key": self.key,
            "value": value,
            "clause": self.clause,
            "ruling": self.ruling,
            "effective": self.effective.isoformat(),
        }


@dataclass(slots=True)
class Finding:
    condition: str
    clause: str
    status: Status
    message: str
    message_en: str
    ruling: str | None = None
    facts: tuple[str, ...] = ()
    params: tuple[ParamUse, ...] = ()
    missing: tuple[str, ...] = ()
    met_in_year: int | None = None
    exception: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "condition": self.condition,
            "clause": self.clause,
            "status": self.status,
            "message": self.message,
            "message_en": self.message_en,
            "facts": list(self.facts),
            "params": [p.to_dict() for p in self.params],
        }
        if self.ruling:
            out["ruling"] = self.ruling
        if self.missing:
            out["missing"] = list(self.missing)
        if self.met_in_year is not None:
            out["met_in_year"] = self.met_in_year
        if self.exception:
            out["exception"] = self.exception
        return out


@dataclass(slots=True)
class PathResult:
    path: str
    name: str
    clause: str
    outcome: Outcome
    findings: list[Finding]
    exception: str | None = None
    earliest_year: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "name": self.name,
            "clause": self.clause,
            "outcome": self.outcome,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.exception:
            out["exception"] = self.exception
        if self.earliest_year is not None:
            out["earliest_year"] = self.earliest_year
        return out


@dataclass(slots=True)
class LevelResult:
    level: str
    outcome: Outcome
    paths: list[PathResult]
    missing_facts: list[str] = field(default_factory=list)
    earliest_year: int | None = None
    eligible_paths: list[str] = field(default_factory=list)
    # The exclusions that bind this level (those of every level, and the level's own, e.g. 7.2 for its level);
    # with a path's findings they make the whole of that path's answer.
    exclusions: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "eligible_paths": self.eligible_paths,
            "missing_facts": self.missing_facts,
            "earliest_year": self.earliest_year,
            "exclusions": [f.condition for f in self.exclusions],  # the findings are in the decision's list
            "paths": [p.to_dict() for p in self.paths],
        }


@dataclass(slots=True)
class Warning:
    clause: str
    message: str
    message_en: str
    ruling: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "ruling": self.ruling,
            "message": self.message,
            "message_en": self.message_en,
        }


@dataclass(slots=True)
class Decision:
    year: int
    pack: str
    pack_version: str
    reference_date: dt.date
    levels: dict[str, LevelResult]
    exclusions: list[Finding]  # every exclusion, once; each level names those that bind it
    warnings: list[Warning]

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "pack": self.pack,
            "pack_version": self.pack_version,
            "reference_date": self.reference_date.isoformat(),
            "levels": {name: lvl.to_dict() for name, lvl in self.levels.items()},
            "exclusions": [f.to_dict() for f in self.exclusions],
            "warnings": [w.to_dict() for w in self.warnings],
        }
