"""The worked examples of examples/*.yaml: each one's decision, as the notice and the rulings give it.

The expectations below come from 忻工信函〔2023〕79号 and shared/policy/rulings.md, not from the engine's output.
Where the engine disagrees, the case keeps the notice's answer and is marked xfail (strict) with the reason.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.policy.support import EXAMPLES
from zhicheng.policy.engine import evaluate
from zhicheng.policy.facts import read_facts_file
from zhicheng.policy.findings import LEVELS, Decision
from zhicheng.policy.pack import load_pack

# file stem → {level: outcome} for every level, plus where it matters:
#   eligible_paths / refer_paths: {level: [path ids]} — the exact set of paths with that outcome;
#   earliest_year: {level: year} (R2);
#   exceptions: {path id: {condition: exception label}} — the finding that opened the path;
#   exclusions: {level: {condition: status}} — an exclusion binding that level (7.2 binds only last year's level).
EXPECTED: dict[str, dict[str, Any]] = {
    # 3.3.1c: bachelor, assistant engineer granted 2019 (SOE: from the grant) → 4 years by 2023.
    "01-bachelor-assistant-engineer": {
        "technician": "eligible",
        "assistant_engineer": "ineligible",
        "engineer": "eligible",
        "eligible_paths": {"engineer": ["engineer_bachelor"]},
    },
    # 3.3.1b: master graduated 2021 → 2 years by 2023; a postgraduate applying for AE is not covered (R13).
    "02-master-private-enterprise": {
        "technician": "eligible",
        "assistant_engineer": "refer",
        "engineer": "eligible",
        "eligible_paths": {"engineer": ["engineer_master"]},
        "refer_paths": {"assistant_engineer": ["ae_postgraduate"]},
    },
    # 3.3.1d + R4: public institution, AE granted 2018 but appointed 2019 → 4 years by 2023, 5 from 2024.
    "03-college-public-institution-appointment": {
        "technician": "eligible",
        "assistant_engineer": "ineligible",
        "engineer": "ineligible",
        "earliest_year": {"engineer": 2024},
    },
    # 3.3.1e + 6.2.3: 高级工班 = 大专 (R10), skilled technician 2020 → 3 years; (16) since the grade.
    # 3.3.2d + 6.2.3: senior worker 2012, 3.5.2(2) since the grade, a paper written alone.
    "04-high-skilled-technician-private": {
        "technician": "eligible",
        "assistant_engineer": "eligible",
        "engineer": "eligible",
        "eligible_paths": {
            "assistant_engineer": ["ae_high_skilled", "ae_green_channel_3"],
            "engineer": ["engineer_high_skilled", "engineer_green_channel_3"],
        },
    },
    # 3.2.1a + R12: 中专, 16 front-line years, a 3.5.1 achievement; no seniority rule → the committee.
    "05-secondary-front-line-relaxation": {
        "technician": "eligible",
        "assistant_engineer": "ineligible",
        "engineer": "refer",
        "refer_paths": {"engineer": ["engineer_front_line"]},
    },
    # 3.3.1a: a doctorate is assessed by the committee; AE for a postgraduate is not covered (R13).
    "06-doctorate": {
        "technician": "eligible",
        "assistant_engineer": "refer",
        "engineer": "refer",
        "refer_paths": {"assistant_engineer": ["ae_postgraduate"], "engineer": ["engineer_doctorate"]},
    },
    # 3.3.2b: college 2020, probation done 2021, technician appointed 2021-07 → 2 years by 2023.
    "07-college-technician-assistant-engineer": {
        "technician": "eligible",
        "assistant_engineer": "eligible",
        "engineer": "ineligible",
        "eligible_paths": {"assistant_engineer": ["ae_college"]},
    },
    # 3.2.1c; 3.3.2a + R2: work from 2023 → 1 year counts from 2024.
    "08-bachelor-new-graduate": {
        "technician": "eligible",
        "assistant_engineer": "ineligible",
        "engineer": "ineligible",
        "earliest_year": {"assistant_engineer": 2024},
    },
    # 2.1.2 + R6: statutory retirement 2023-09-30, before the reference date 2023-10-16.
    "09-retired-male": {
        "technician": "ineligible",
        "assistant_engineer": "ineligible",
        "engineer": "ineligible",
    },
    # 6.2.2: non-public enterprise, full-time bachelor 2017, no AE, 5 years of work by 2023.
    "10-green-channel-2-private": {
        "technician": "eligible",
        "assistant_engineer": "ineligible",
        "engineer": "eligible",
        "eligible_paths": {"engineer": ["engineer_green_channel_2"]},
    },
    # 4: intermediate economics title, engineering post since 2022-03, 2022 assessed qualified. Green channel 2
    # is not met: 6.2.2 counts 相应专业工作年限, and engineering work began only in 2022.
    "11-series-transfer-economics": {
        "technician": "eligible",
        "assistant_engineer": "ineligible",
        "engineer": "eligible",
        "eligible_paths": {"engineer": ["engineer_transfer"]},
    },
    # 3.2.4a + R11: 环境设计 (设计学类) opens 风景园林 for engineer only; technician and AE need a related major.
    "12-design-major-landscape": {
        "technician": "ineligible",
        "assistant_engineer": "ineligible",
        "engineer": "eligible",
        "eligible_paths": {"engineer": ["engineer_bachelor"]},
        "exceptions": {"engineer_bachelor": {"education_bachelor_engineer": "design_majors"}},
    },
    # 7.2b + R19: failed the committee last year, new achievements declared → at best refer.
    "13-failed-committee-last-year": {
        # 7.2 binds only the level applied for last year (R19): engineer. The technician title is determined
        # (确定), not evaluated; assistant engineer is not bound (and is unmet anyway: no 3.5.2 achievement).
        "technician": "eligible",
        "assistant_engineer": "ineligible",
        "engineer": "refer",
        "refer_paths": {"engineer": ["engineer_bachelor"]},
        "exclusions": {
            "engineer": {"last_year_rule_engineer": "refer"},
            "assistant_engineer": {"last_year_rule_ae": "pass"},
        },
    },
    # 2.1.3 + R7: public institution, demerit from 2023-03-01 (12 months) running on 2023-10-16.
    "14-public-institution-demerit": {
        "technician": "ineligible",
        "assistant_engineer": "ineligible",
        "engineer": "ineligible",
    },
}

# Cases where the engine disagrees with the notice: the expectation above stays, the case is a strict xfail.
DISAGREEMENTS: dict[str, str] = {}


def _params() -> list[Any]:
    return [
        pytest.param(stem, marks=pytest.mark.xfail(reason=DISAGREEMENTS[stem], strict=True), id=stem)
        if stem in DISAGREEMENTS
        else pytest.param(stem, id=stem)
        for stem in EXPECTED
    ]


@cache
def _decision(stem: str) -> Decision:
    pack = load_pack()
    return evaluate(read_facts_file(EXAMPLES / f"{stem}.yaml", pack), pack)


def _example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("stem", _params())
def test_example_decision(stem: str) -> None:
    expect = EXPECTED[stem]
    decision = _decision(stem)
    for level in LEVELS:
        assert decision.levels[level].outcome == expect[level], (level, decision.levels[level].outcome)
    for key, outcome in (("eligible_paths", "eligible"), ("refer_paths", "refer")):
        for level, paths in expect.get(key, {}).items():
            got = sorted(p.path for p in decision.levels[level].paths if p.outcome == outcome)
            assert got == sorted(paths), (level, outcome, got)
    for level, year in expect.get("earliest_year", {}).items():
        assert decision.levels[level].earliest_year == year, (level, decision.levels[level].earliest_year)
    for level, wanted_status in expect.get("exclusions", {}).items():
        got_status = {f.condition: f.status for f in decision.levels[level].exclusions}
        for cond, status in wanted_status.items():
            assert got_status[cond] == status, (level, cond, got_status.get(cond))
    paths = {p.path: p for lvl in decision.levels.values() for p in lvl.paths}
    for path_id, wanted in expect.get("exceptions", {}).items():
        findings = {f.condition: f for f in paths[path_id].findings}
        for cond, label in wanted.items():
            assert findings[cond].status == "pass", (path_id, cond, findings[cond].status)
            assert findings[cond].exception == label, (path_id, cond, findings[cond].exception)


def test_every_example_is_in_the_table() -> None:
    stems = [f.stem for f in _example_files()]
    assert sorted(stems) == sorted(EXPECTED), sorted(set(stems) ^ set(EXPECTED))


@pytest.mark.parametrize("path", _example_files(), ids=lambda p: p.stem)
def test_example_is_complete(path: Path) -> None:
    """Every fact is given: no level, path or exclusion waits for a fact (R0)."""
    decision = _decision(path.stem)
    for level, result in decision.levels.items():
        if result.outcome in ("eligible", "ineligible"):
            assert result.missing_facts == [], (level, result.missing_facts)
        # Stronger: missing_facts is only filled from incomplete paths, so also ask for none of those.
        assert result.outcome != "incomplete", (level, result.missing_facts)
        assert result.missing_facts == [], (level, result.missing_facts)
        incomplete = [p.path for p in result.paths if p.outcome == "incomplete"]
        assert not incomplete, (level, incomplete)
    unknown = [f.condition for f in decision.exclusions if f.status == "unknown"]
    assert not unknown, unknown


@pytest.mark.parametrize("path", _example_files(), ids=lambda p: p.stem)
def test_example_starts_with_a_comment(path: Path) -> None:
    """Each file opens with one Chinese line: who the applicant is and the expected decision with its clause."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# "), first
    assert any("\u4e00" <= ch <= "\u9fff" for ch in first), first
