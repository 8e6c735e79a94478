"""One named condition per sentence of the notice, registered with its clause id.

A condition is a small function ``(ctx) -> Result``. The registry wraps it into a Finding with its clause,
the parameters it read (with their sources) and the facts it read. The engine runs each condition once per
decision; the paths share the finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from zhicheng.policy.facts import Facts
from zhicheng.policy.findings import Finding, ParamUse, Status
from zhicheng.policy.pack import Pack


@dataclass(slots=True)
class Result:
    status: Status
    message: str
    message_en: str
    facts: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    met_in_year: int | None = None
    clause: str | None = None  # when a branch rests on another clause than the condition's own
    exception: str | None = None


def ok(zh: str, en: str, *facts: str, clause: str | None = None, exception: str | None = None) -> Result:
    return Result("pass", zh, en, facts, clause=clause, exception=exception)


def no(zh: str, en: str, *facts: str, met_in_year: int | None = None, clause: str | None = None) -> Result:
    return Result("fail", zh, en, facts, met_in_year=met_in_year, clause=clause)


def unknown(missing: Iterable[str], zh: str, en: str, *facts: str) -> Result:
    missing = tuple(missing)
    return Result("unknown", zh, en, facts or missing, missing=missing)


def refer(zh: str, en: str, *facts: str, clause: str | None = None, exception: str | None = None) -> Result:
    return Result("refer", zh, en, facts, clause=clause, exception=exception)


class Ctx:
    """What a condition sees: the facts, the pack, the year and its reference date."""

    __slots__ = ("_params", "facts", "memo", "pack", "reference_date", "year")

    def __init__(self, facts: Facts, pack: Pack) -> None:
        self.facts = facts
        self.pack = pack
        self.year = pack.year
        self.reference_date = pack.reference_date
        self.memo: dict[Any, Any] = {}  # what several conditions share (helper results, indexes); never mutated
        self._params: list[ParamUse] = []

    def p(self, key: str) -> Any:
        """A parameter's value; the read is recorded on the finding."""
        use = self.pack._uses.get(key) or self.pack.param_use(key)
        self._params.append(use)
        return use.value

    def record(self, key: str, value: Any, clause: str, ruling: str | None = None) -> None:
        """Record a value read from the pack's data files (catalogues, schedules)."""
        self._params.append(self.pack.data_use(key, value, clause, ruling))


@dataclass(frozen=True, slots=True)
class Condition:
    name: str
    clause: str
    ruling: str | None
    fn: Callable[[Ctx], Result]
    doc: str

    def run(self, ctx: Ctx) -> Finding:
        outer = ctx._params
        ctx._params = []
        res = self.fn(ctx)
        params = tuple(ctx._params)
        ctx._params = outer
        finding = Finding(
            self.name,
            res.clause or self.clause,
            res.status,
            res.message,
            res.message_en,
            self.ruling,
            res.facts,
            params,
            res.missing,
            res.met_in_year,
            res.exception,
        )
        return finding


CONDITIONS: dict[str, Condition] = {}


def condition(
    name: str, clause: str, ruling: str | None = None
) -> Callable[[Callable[[Ctx], Result]], Callable[[Ctx], Result]]:
    """Register a condition under ``name``, citing ``clause`` (and ``ruling``)."""

    def register(fn: Callable[[Ctx], Result]) -> Callable[[Ctx], Result]:
        if name in CONDITIONS:
            raise ValueError(f"condition {name!r} registered twice")
        CONDITIONS[name] = Condition(name, clause, ruling, fn, (fn.__doc__ or "").strip())
        return fn

    return register


def combine(results: list[Result], *, all_needed: bool = False) -> Status:
    """Three-valued any/all over results: pass beats refer beats unknown beats fail (any); all inverts."""
    statuses = {r.status for r in results}
    order: tuple[Status, ...] = (
        ("fail", "unknown", "refer", "pass") if all_needed else ("pass", "refer", "unknown", "fail")
    )
    return next((s for s in order if s in statuses), order[-1])


def year_of(day: dt.date | None) -> int | None:
    return None if day is None else day.year


def best_of(results: list[Result]) -> Result:
    """The best of several ways to meet one condition; of failures, one that is only a matter of time is preferred
    so that its year is known (R2); an unknown answer lists every fact that could settle it."""
    status = combine(results)
    chosen = next(r for r in results if r.status == status)
    if status == "fail":
        timed = [r for r in results if r.met_in_year is not None]
        if timed:
            chosen = min(timed, key=lambda r: r.met_in_year or 0)
    if status == "unknown":
        missing = tuple(dict.fromkeys(m for r in results if r.status == "unknown" for m in r.missing))
        chosen = Result("unknown", chosen.message, chosen.message_en, chosen.facts, missing, clause=chosen.clause)
    return chosen
