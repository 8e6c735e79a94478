"""Properties of the engine over the example profiles and their variations (hypothesis)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.policy.support import EXAMPLES, example
from zhicheng.policy.engine import evaluate
from zhicheng.policy.facts import FactsError, load_facts
from zhicheng.policy.pack import load_pack

PACK = load_pack()
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
# Dates that mark the start of a period of service (R2): moving them earlier means more years.
SERVICE_DATES = {
    "titles": ("granted_on", "appointed_on"),
    "skill_grades": ("granted_on",),
    "education": ("graduated_on",),
}
SERVICE_SINGLE = (
    ("professional_work_started_on",),
    ("probation_completed_on",),
    ("specialty", "work_since"),
    ("employment", "front_line_since"),
    ("employment", "current_post_since"),
    ("employment", "government_move", "moved_on"),
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _earlier(value: Any, years: int) -> Any:
    if value is None:
        return None
    day = dt.date.fromisoformat(str(value))
    try:
        return (day.replace(year=day.year - years)).isoformat()
    except ValueError:
        return day.replace(year=day.year - years, day=28).isoformat()


def more_service(data: dict[str, Any], years: int) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for key, fields in SERVICE_DATES.items():
        for rec in out.get(key) or []:
            for f in fields:
                if f in rec:
                    rec[f] = _earlier(rec[f], years)
    for path in SERVICE_SINGLE:
        node = out
        for part in path[:-1]:
            node = node.get(part) or {}
        if isinstance(node, dict) and path[-1] in node:
            node[path[-1]] = _earlier(node[path[-1]], years)
    # The added years carry a qualified assessment, as the years around them do.
    if out.get("annual_assessments") is not None:
        first = min(int(y) for y in out["annual_assessments"]) if out["annual_assessments"] else PACK.year - 1
        for y in range(first - years - 1, first):
            out["annual_assessments"].setdefault(y, "qualified")
    return out


def leaves(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out += leaves(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += leaves(v, (*prefix, i))
    if prefix:
        out.append(prefix)
    return out


def unset(data: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    if isinstance(node, list):
        node.pop(path[-1])  # an element gone from a list: a record not yet entered
    elif isinstance(node, dict) and isinstance(path[-1], int):
        node.pop(path[-1])  # an assessment year not on record
    else:
        node[path[-1]] = None
    return out


def outcomes(data: dict[str, Any]) -> dict[str, str] | None:
    try:
        facts = load_facts(data, PACK)
    except FactsError:
        return None
    return {name: lvl.outcome for name, lvl in evaluate(facts, PACK).levels.items()}


@SETTINGS
@given(st.sampled_from(NAMES), st.integers(min_value=1, max_value=12))
def test_more_years_never_turn_eligible_into_ineligible(name: str, years: int) -> None:
    data = example(name)
    before = outcomes(data)
    after = outcomes(more_service(data, years))
    assert before is not None and after is not None
    for level, outcome in before.items():
        if outcome == "eligible":
            assert after[level] != "ineligible", (name, level, years)


@SETTINGS
@given(st.sampled_from(NAMES), st.data())
def test_a_known_fact_never_turns_eligible_into_incomplete(name: str, data: st.DataObject) -> None:
    known = example(name)
    path = data.draw(st.sampled_from(leaves(known)))
    with_unknown = unset(known, path)
    before = outcomes(with_unknown)
    after = outcomes(known)
    if before is None or after is None:
        return
    for level, outcome in before.items():
        if outcome == "eligible":
            assert after[level] != "incomplete", (name, path, level)


@SETTINGS
@given(st.sampled_from(NAMES))
def test_same_facts_same_decision(name: str) -> None:
    facts = load_facts(example(name), PACK)
    assert evaluate(facts, PACK).to_dict() == evaluate(load_facts(example(name), PACK), PACK).to_dict()


# A work summary text that names no one: neutral sentences only, checked against each example's personal strings.
NEUTRAL = (
    "本人长期从事工程技术工作，熟悉相关规范和验收标准。",
    "在项目中负责施工方案的编制和技术交底，保证了工程质量和安全。",
    "近年来撰写的论文围绕监测数据分析和质量控制展开，提出了改进方法。",
    "参与编制施工工法，已在多个项目中推广使用，取得了良好的社会效益。",
    "注重培养青年技术人员，定期组织技术讲座和现场观摩。",
)


@SETTINGS
@given(st.sampled_from(NAMES), st.lists(st.sampled_from(NEUTRAL), min_size=1, max_size=5))
def test_an_anonymous_text_without_the_employer_never_turns_eligible_into_incomplete(
    name: str, sentences: list[str]
) -> None:
    """R18: adding a work summary text that contains none of the personal strings, with the employer's name
    removed (so the text alone cannot prove anonymity), must not make an eligible level incomplete: the declared
    ``anonymous`` fact still settles it."""
    from zhicheng.policy.text import count_chars, personal_info_hits

    data = example(name)
    before = outcomes(data)
    text = ""
    while count_chars(text) < 2100:
        text += "".join(sentences)
    ident, emp = data["identity"], data["employment"]
    assert not personal_info_hits(
        text, name=ident.get("name"), employer=emp.get("employer_name"), county=emp.get("county")
    )
    changed = copy.deepcopy(data)
    changed["employment"]["employer_name"] = None
    changed["work_summary"] = {**changed["work_summary"], "text": text}  # every example declares anonymous: true
    after = outcomes(changed)
    assert before is not None and after is not None
    for level, outcome in before.items():
        if outcome == "eligible":
            assert after[level] != "incomplete", (name, level)
            assert after[level] == "eligible", (name, level, after[level])
