"""evaluate(facts, pack) → Decision: for each level, the outcome of R0 with every path's findings."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import zhicheng.policy.conditions  # noqa: F401 — registers the conditions
from zhicheng.policy.conditions.assessment import warnings
from zhicheng.policy.facts import Facts
from zhicheng.policy.findings import LEVELS, Decision, Finding, LevelResult, Outcome, PathResult, Status
from zhicheng.policy.pack import Pack, PackError
from zhicheng.policy.paths import ALL_EXCLUSIONS, LEVEL_EXCLUSIONS, PATHS, PathDef, all_paths
from zhicheng.policy.registry import CONDITIONS, Ctx


def _path_outcome(statuses: set[Status]) -> Outcome:
    """A path fails on any fail; is blocked while a fact is unknown; is for the committee on a refer (R0)."""
    if "fail" in statuses:
        return "ineligible"
    if "unknown" in statuses:
        return "incomplete"
    if "refer" in statuses:
        return "refer"
    return "eligible"


def _earliest(findings: list[Finding], floor: int | None) -> int | None:
    """The year a path is met if it fails only on time (R2): every other condition passes. ``floor`` is what
    the exclusions allow: None when one of them blocks otherwise than by time."""
    if floor is None:
        return None
    year = floor
    for f in findings:
        if f.status == "pass":
            continue
        if f.status != "fail" or f.met_in_year is None:
            return None
        year = max(year, f.met_in_year)
    return year


def _evaluate_path(results: dict[str, Finding], path: PathDef, excluded: set[Status], floor: int | None) -> PathResult:
    findings = [results[name] for name in path.conditions]
    outcome = _path_outcome(excluded.union([f.status for f in findings]))
    return PathResult(
        path.id,
        path.name,
        path.clause,
        outcome,
        findings,
        path.exception,
        _earliest(findings, floor) if outcome == "ineligible" else None,
    )


def _missing_facts(paths: list[PathResult], exclusions: list[Finding]) -> list[str]:
    """Facts still to give, the one that settles most paths first (R0)."""
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    for p in paths:
        if p.outcome != "incomplete":
            continue
        seen: dict[str, None] = {}
        for f in exclusions + p.findings:
            if f.status == "unknown":
                seen.update(dict.fromkeys(f.missing or f.facts))
        for fact in seen:
            counts[fact] += 1
            order.setdefault(fact, len(order))
    return sorted(counts, key=lambda fact: (-counts[fact], order[fact]))


def _level(ctx: Ctx, results: dict[str, Finding], level: str, exclusions: list[Finding]) -> LevelResult:
    excluded = {f.status for f in exclusions}
    floor = _earliest(exclusions, 0)
    paths = [_evaluate_path(results, p, excluded, floor) for p in PATHS[level]]
    outcomes = {p.outcome for p in paths}
    ranking: tuple[Outcome, ...] = ("eligible", "refer", "incomplete", "ineligible")
    outcome = next(o for o in ranking if o in outcomes)
    earliest: int | None
    if outcome == "eligible":
        earliest = ctx.year
    else:
        years = [p.earliest_year for p in paths if p.earliest_year]
        earliest = min(years) if years else None
    return LevelResult(
        level=level,
        outcome=outcome,
        paths=paths,
        missing_facts=[] if outcome == "eligible" else _missing_facts(paths, exclusions),
        earliest_year=earliest,
        eligible_paths=[p.path for p in paths if p.outcome == "eligible"],
        exclusions=exclusions,
    )


_ORDER: tuple[str, ...] = tuple(dict.fromkeys([*ALL_EXCLUSIONS, *(c for p in all_paths() for c in p.conditions)]))


def evaluate(facts: Facts, pack: Pack) -> Decision:
    """The decision for every level, with the findings behind it. Pure: the same facts give the same answer."""
    ctx = Ctx(facts, pack)
    # Each condition runs once; the paths share its finding.
    results = {name: CONDITIONS[name].run(ctx) for name in _ORDER}
    exclusions = [results[name] for name in ALL_EXCLUSIONS]
    levels = {
        level: _level(ctx, results, level, [results[name] for name in LEVEL_EXCLUSIONS[level]]) for level in LEVELS
    }
    return Decision(
        year=pack.year,
        pack=pack.id,
        pack_version=pack.version,
        reference_date=pack.reference_date,
        levels=levels,
        exclusions=exclusions,
        warnings=warnings(ctx),
    )


SOURCE_DIR = Path(__file__).parent
_SOURCE_CLAUSE = re.compile(r'clause="([0-9][0-9.]*[a-z]?)"')
_SOURCE_CONDITION = re.compile(r'@condition\("[a-z0-9_]+", "([0-9][0-9.]*[a-z]?)"')


def source_clause_ids(root: Path = SOURCE_DIR) -> dict[str, list[str]]:
    """Every clause id written in the engine's source — ``clause="…"`` and ``@condition(name, "…")`` — and the
    files (relative to ``root``) that write it."""
    out: dict[str, list[str]] = {}
    for file in sorted(root.rglob("*.py")):
        text = file.read_text(encoding="utf-8")
        for clause in sorted(set(_SOURCE_CLAUSE.findall(text)) | set(_SOURCE_CONDITION.findall(text))):
            out.setdefault(clause, []).append(file.relative_to(root).as_posix())
    return out


def check_pack(pack: Pack) -> list[str]:
    """Problems between the rules and a pack: a condition or a branch of the engine's source citing a clause
    with no text, a path naming a condition that does not exist, a parameter a rule asks for that the pack
    lacks."""
    problems: list[str] = []
    for clause, files in source_clause_ids().items():
        if clause not in pack.clauses:
            problems.append(f"{pack.source['clauses.yaml']}: clauses.{clause} is missing (cited in {', '.join(files)})")
    for cond in CONDITIONS.values():
        if cond.clause not in pack.clauses:
            problems.append(f"{pack.source['clauses.yaml']}: clauses.{cond.clause} is missing (cited by {cond.name})")
    for path in all_paths():
        if path.clause not in pack.clauses:
            problems.append(f"{pack.source['clauses.yaml']}: clauses.{path.clause} is missing (cited by {path.id})")
        problems += [f"path {path.id}: no condition {name!r}" for name in path.conditions if name not in CONDITIONS]
    # Run every condition on empty facts: any parameter it asks for must resolve.
    ctx = Ctx(Facts(), pack)
    for cond in CONDITIONS.values():
        try:
            cond.run(ctx)
        except PackError as exc:
            problems.append(str(exc))
    return problems
