"""The policy cases of tests/policy/cases/*.yaml: each names the clause (and ruling) it exercises."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.policy.support import case_facts, load_cases
from zhicheng.policy.engine import evaluate
from zhicheng.policy.facts import FactsError, load_facts
from zhicheng.policy.pack import load_pack, pack_for_year
from zhicheng.policy.registry import CONDITIONS

CASES = load_cases()
CLAUSE = re.compile(r"^(general|\d+(\.\d+)*[a-z]?)$")


def _findings(decision: Any) -> dict[str, str]:
    out: dict[str, str] = {f.condition: f.status for f in decision.exclusions}
    for level in decision.levels.values():
        for path in level.paths:
            for f in path.findings:
                out[f.condition] = f.status
    return out


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_policy_case(case_id: str, case: dict[str, Any]) -> None:
    pack = pack_for_year(case.get("year", 2023))
    assert CLAUSE.match(str(case["clause"])), f"{case_id}: clause id {case['clause']!r}"
    assert str(case["clause"]) in pack.clauses, f"{case_id}: clause {case['clause']} has no text in the pack"
    expect = case["expect"]
    data = case_facts(case)
    if "error" in expect:
        with pytest.raises(FactsError) as info:
            load_facts(data, pack)
        paths = [p for p, _ in info.value.problems]
        assert expect["error"] in paths, f"expected an error at {expect['error']}, got {info.value.problems}"
        return
    decision = evaluate(load_facts(data, pack), pack)
    for level, outcome in (expect.get("levels") or {}).items():
        assert decision.levels[level].outcome == outcome, (level, decision.levels[level].outcome)
    paths = {p.path: p for lvl in decision.levels.values() for p in lvl.paths}
    for path_id, outcome in (expect.get("paths") or {}).items():
        assert paths[path_id].outcome == outcome, (path_id, paths[path_id].outcome)
    findings = _findings(decision)
    for cond, status in (expect.get("findings") or {}).items():
        assert cond in CONDITIONS, f"unknown condition {cond}"
        assert findings[cond] == status, (cond, findings[cond])
    for level, year in (expect.get("earliest_year") or {}).items():
        assert decision.levels[level].earliest_year == year, (level, decision.levels[level].earliest_year)
    for level, fact in (expect.get("missing_first") or {}).items():
        missing = decision.levels[level].missing_facts
        assert missing and missing[0] == fact, (level, missing[:5])
    for level, facts in (expect.get("missing_includes") or {}).items():
        for fact in facts:
            assert fact in decision.levels[level].missing_facts, (level, fact, decision.levels[level].missing_facts)
    if "warnings" in expect:
        assert sorted(w.clause for w in decision.warnings) == sorted(expect["warnings"])


def test_enough_cases_and_every_condition_cited() -> None:
    """At least 100 cases, and every condition function is the subject of at least one case."""
    assert len(CASES) >= 100, len(CASES)
    cited = {cond for _, case in CASES for cond in (case["expect"].get("findings") or {})}
    uncited = sorted(set(CONDITIONS) - cited)
    assert not uncited, f"conditions no case exercises: {uncited}"


# The sections whose every clause a case must name: 2, 3 and 4 whole, 6.2 and 7.2.
COVERED = re.compile(r"^([234])([.a-z]|$)|^(6\.2|7\.2)([.a-z]|$)")


def test_cases_cover_sections_and_rulings() -> None:
    """Every clause id of sections 2, 3, 4, 6.2 and 7.2 that the pack's clauses.yaml holds is named by some case
    (``clause`` or ``also``) — whether or not a condition cites it — and every ruling R1–R20 by some case."""
    pack = load_pack()
    named = {str(c["clause"]) for _, c in CASES}
    for _, c in CASES:
        named |= {str(x) for x in c.get("also", [])}
    wanted = {c for c in pack.clauses if COVERED.match(c)}
    assert {"2.2.15.1", "3.5.1.16", "3.12", "4", "6.2.3", "7.2b"} <= wanted  # the pattern reaches every depth
    assert not {c for c in wanted if c.startswith(("1", "5", "6.1", "7.1", "8"))}
    assert not sorted(wanted - named), sorted(wanted - named)
    rulings = {str(c.get("ruling")) for _, c in CASES} | {str(r) for _, c in CASES for r in c.get("rulings", [])}
    missing = [f"R{i}" for i in range(1, 21) if f"R{i}" not in rulings]
    assert not missing, missing
