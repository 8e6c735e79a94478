"""Loading and validating policy packs: errors name the file and the key; 2024 moves every cutoff by a year."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.policy.support import example, merge
from zhicheng.policy.engine import check_pack, evaluate
from zhicheng.policy.facts import load_facts
from zhicheng.policy.findings import Decision, Finding, PathResult
from zhicheng.policy.pack import PACKS_DIR, PackError, load_pack, pack_for_year
from zhicheng.policy.registry import CONDITIONS

BASE = PACKS_DIR / "xinzhou-engineering-2023"


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(BASE, target)
    return target


def _edit(path: Path, change: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_the_2023_pack_is_complete() -> None:
    pack = load_pack()
    assert pack.year == 2023
    assert str(pack.reference_date) == "2023-10-16"
    assert check_pack(pack) == []


def test_catalogue_has_23_categories_with_the_subgroups() -> None:
    pack = load_pack()
    assert len(pack.categories) == 23
    assert len(pack.categories[15].groups) == 4
    assert len(pack.categories[17].groups) == 6
    assert "新能源汽车" in pack.category_names[4]
    assert {"矿山地质与测量", "矿物洗选和加工工程"} <= set(pack.category_names[18])
    assert pack.categories[8].open and not pack.categories[1].open


def test_unknown_key_names_file_and_key(pack_copy: Path) -> None:
    _edit(
        pack_copy / "pack.yaml", lambda d: d["parameters"]["seniority"].update(typo_years={"value": 1, "clause": "4"})
    )
    with pytest.raises(PackError) as info:
        load_pack(pack_copy)
    assert "pack.yaml: parameters.seniority.typo_years" in str(info.value)


def test_missing_value_names_file_and_key(pack_copy: Path) -> None:
    _edit(pack_copy / "pack.yaml", lambda d: d["parameters"]["seniority"]["transfer_years"].pop("value"))
    with pytest.raises(PackError) as info:
        load_pack(pack_copy)
    assert "parameters.seniority.transfer_years.value" in str(info.value)


def test_a_clause_cited_without_text_is_an_error(pack_copy: Path) -> None:
    _edit(pack_copy / "clauses.yaml", lambda d: d["clauses"].pop("6.2.2"))
    with pytest.raises(PackError) as info:
        load_pack(pack_copy)
    assert "clauses.yaml" in str(info.value) and "6.2.2" in str(info.value)


def test_a_bad_exception_reference_is_an_error(pack_copy: Path) -> None:
    _edit(pack_copy / "education.yaml", lambda d: d["major_exceptions"][0]["opens"][0].update(specialties=["航天工程"]))
    with pytest.raises(PackError) as info:
        load_pack(pack_copy)
    assert "education.yaml: major_exceptions.0.opens.0.specialties" in str(info.value)


def test_a_rule_asking_for_a_missing_parameter_is_an_error() -> None:
    pack = load_pack()
    with pytest.raises(PackError) as info:
        pack.param("seniority.no_such_years")
    assert "pack.yaml: parameters.seniority.no_such_years is missing" in str(info.value)


def test_every_condition_cites_a_clause_with_text_and_every_pack_clause_exists() -> None:
    pack = load_pack()
    for cond in CONDITIONS.values():
        assert cond.clause in pack.clauses, cond.name
    assert pack.cited_clauses() <= set(pack.clauses)


def test_clause_ids_in_the_code_exist() -> None:
    """Every clause id written in the engine's source (clause="…") has the notice's words in the pack."""
    import re

    pack = load_pack()
    src = Path(__file__).resolve().parents[2] / "src" / "zhicheng" / "policy"
    ids: set[str] = set()
    for file in src.rglob("*.py"):
        text = file.read_text(encoding="utf-8")
        ids |= set(re.findall(r'clause="([0-9][0-9.]*[a-z]?)"', text))
        ids |= set(re.findall(r'@condition\("[a-z0-9_]+", "([0-9][0-9.]*[a-z]?)"', text))
    assert ids, "no clause ids found"
    assert not sorted(ids - set(pack.clauses))


def test_2024_pack_moves_every_cutoff_by_a_year() -> None:
    p23, p24 = load_pack("xinzhou-engineering-2023"), pack_for_year(2024)
    assert p24.year == 2024 and str(p24.reference_date) == "2024-10-16"
    assert check_pack(p24) == []
    # Same rules: every seniority parameter identical; only the dates differ.
    assert p24.meta.parameters.seniority == p23.meta.parameters.seniority
    base = example("01-bachelor-assistant-engineer")
    # Assistant engineer granted 2020-01-01: 4 years by the end of 2020 is met in 2024, not 2023.
    facts = merge(base, {"titles.1.granted_on": "2020-01-01", "annual_assessments.2023": "qualified"})
    d23 = evaluate(load_facts(facts, p23), p23)
    d24 = evaluate(load_facts(facts, p24), p24)
    assert d23.levels["engineer"].outcome == "ineligible"
    assert d23.levels["engineer"].earliest_year == 2024
    assert d24.levels["engineer"].outcome == "eligible"
    # And the day before, 2019-12-31, was already enough in 2023.
    d23b = evaluate(load_facts(merge(base, {"titles.1.granted_on": "2019-12-31"}), p23), p23)
    assert d23b.levels["engineer"].outcome == "eligible"


_GC1 = {
    "employment.sector": "public_institution",
    "employment.employer_level": "city",
    "employment.professional_post_appointed": True,
    "employment.post_salary_paid": True,
    "employment.assessments_filed": True,
    "employment.moved_from_government_organ": True,
    "employment.government_move": {"moved_on": "2023-03-01", "deputy_section_years": 3, "section_years": 2},
    "employment.first_application": True,
    "titles": [],
    "professional_work_started_on": "2021-03-01",
    "specialty.work_since": "2021-03-01",
    "annual_assessments": {2021: "qualified", 2022: "qualified"},
}
_FORESTRY = {
    "specialty": {"category": 17, "name": "森林和草原培育", "work_since": "2014-01-01"},
    "education.0": {
        "level": "bachelor",
        "field": "other",
        "major": "汉语言文学",
        "related_to_work": False,
        "recognised": True,
        "graduated_on": "2011-06-30",
    },
    "annual_assessments": {y: "qualified" for y in range(2014, 2023)},
    "defence_grade": "excellent",
}

# Every derived cutoff (R2): a profile whose event lies exactly one year short in 2023 — its path fails there, met
# from 2024 — and (the 2023 assessment supplied) meets the same condition in 2024.
# (what, example, changes, the condition, the path; None where the path is for the committee anyway)
ONE_YEAR_SHORT = [
    (
        "master 2",
        "02-master-private-enterprise",
        {
            "education.0.graduated_on": "2022-06-30",
            "specialty.work_since": "2022-07-01",
            "professional_work_started_on": "2022-07-01",
        },
        "seniority_master",
        "engineer_master",
    ),
    (
        "bachelor + AE 4",
        "01-bachelor-assistant-engineer",
        {"titles.1.granted_on": "2020-01-01"},
        "seniority_bachelor_ae",
        "engineer_bachelor",
    ),
    ("college + AE 5", "03-college-public-institution-appointment", {}, "seniority_college_ae", "engineer_college"),
    (
        "skilled technician 3",
        "04-high-skilled-technician-private",
        {"skill_grades.1.granted_on": "2021-05-20"},
        "seniority_skilled_technician",
        "engineer_high_skilled",
    ),
    ("AE bachelor 1", "08-bachelor-new-graduate", {}, "seniority_ae_bachelor", "ae_bachelor"),
    (
        "AE college technician 2",
        "07-college-technician-assistant-engineer",
        {"titles.0.granted_on": "2022-07-01", "titles.0.appointed_on": "2022-07-01"},
        "seniority_ae_college_technician",
        "ae_college",
    ),
    (
        "AE secondary technician 4",
        "07-college-technician-assistant-engineer",
        {
            "education.0.level": "secondary",
            "titles.0.granted_on": "2020-07-01",
            "titles.0.appointed_on": "2020-07-01",
        },
        "seniority_ae_secondary_technician",
        "ae_secondary",
    ),
    (
        "senior worker 2",
        "04-high-skilled-technician-private",
        {
            "skill_grades": [{"grade": "senior_worker", "granted_on": "2022-01-10"}],
            "achievements": [{"clause": "3.5.2.2", "role": "工种带头人", "achieved_on": "2022-09-25"}],
        },
        "seniority_senior_worker",
        "ae_high_skilled",
    ),
    (
        "green channel 2 bachelor 5",
        "10-green-channel-2-private",
        {"specialty.work_since": "2019-07-01"},
        "gc2_years",
        "engineer_green_channel_2",
    ),
    (
        "green channel 2 college 8",
        "10-green-channel-2-private",
        {
            "education.0.level": "college",
            "education.0.graduated_on": "2016-06-30",
            "professional_work_started_on": "2016-07-01",
            "specialty.work_since": "2016-07-01",
            "annual_assessments.2016": "qualified",
        },
        "gc2_years",
        "engineer_green_channel_2",
    ),
    (
        "transfer 1",
        "11-series-transfer-economics",
        {"employment.current_post_since": "2023-03-01", "specialty.work_since": "2023-03-01"},
        "transfer_new_post",
        "engineer_transfer",
    ),
    (
        "front line 15",
        "05-secondary-front-line-relaxation",
        {"employment.front_line_since": "2009-01-01"},
        "front_line_fifteen_years",
        None,
    ),
    (
        "forestry exception 10",
        "01-bachelor-assistant-engineer",
        _FORESTRY,
        "education_bachelor_engineer",
        "engineer_bachelor",
    ),
    (
        "green channel 1 move 1",
        "01-bachelor-assistant-engineer",
        _GC1,
        "gc1_moved_from_organ",
        "engineer_green_channel_1",
    ),
]


def _finding(decision: Decision, name: str) -> Finding:
    for f in decision.exclusions:
        if f.condition == name:
            return f
    for level in decision.levels.values():
        for path in level.paths:
            for f in path.findings:
                if f.condition == name:
                    return f
    raise AssertionError(f"no finding {name}")


def _path(decision: Decision, path_id: str) -> PathResult:
    return next(p for lvl in decision.levels.values() for p in lvl.paths if p.path == path_id)


@pytest.mark.parametrize(
    ("what", "base", "changes", "condition", "path_id"), ONE_YEAR_SHORT, ids=[c[0] for c in ONE_YEAR_SHORT]
)
def test_2024_pack_moves_each_cutoff(
    what: str, base: str, changes: dict[str, Any], condition: str, path_id: str | None
) -> None:
    p23, p24 = load_pack("xinzhou-engineering-2023"), pack_for_year(2024)
    facts23 = merge(example(base), changes)
    facts24 = merge(facts23, {"annual_assessments.2023": "qualified"})
    d23 = evaluate(load_facts(facts23, p23), p23)
    d24 = evaluate(load_facts(facts24, p24), p24)
    f23, f24 = _finding(d23, condition), _finding(d24, condition)
    assert (f23.status, f23.met_in_year) == ("fail", 2024), (what, f23.status, f23.met_in_year, f23.message)
    assert f24.status == "pass", (what, f24.status, f24.message)
    if path_id is not None:
        path23, path24 = _path(d23, path_id), _path(d24, path_id)
        assert (path23.outcome, path23.earliest_year) == ("ineligible", 2024), (what, path23.outcome)
        assert path24.outcome == "eligible", (what, [(f.condition, f.status) for f in path24.findings])


def test_check_pack_finds_a_clause_in_the_source_without_text(pack_copy: Path) -> None:
    """A clause the engine's source cites in a branch (clause="7.2b") must have text in the pack; the pack's own
    data does not cite 7.2b, so loading succeeds and only validation against the source finds it."""
    _edit(pack_copy / "clauses.yaml", lambda d: d["clauses"].pop("7.2b"))
    pack = load_pack(pack_copy)
    problems = check_pack(pack)
    assert any("clauses.7.2b is missing" in p and "conditions/integrity.py" in p for p in problems), problems


def test_pack_validate_command_reports_the_missing_clause(pack_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from zhicheng.cli import main

    _edit(pack_copy / "clauses.yaml", lambda d: d["clauses"].pop("7.2b"))
    assert main(["pack", "validate", str(pack_copy)]) == 2
    assert "clauses.7.2b is missing" in capsys.readouterr().err


def test_achievement_counts_are_pack_data() -> None:
    pack = load_pack()
    assert pack.engineer_items["3.5.1.2"].min_count == 2
    assert pack.engineer_items["3.5.1.6"].min_count_enterprise == 2
    assert pack.engineer_items["3.5.1.11"].enterprise_award_kind == "excellent_project"
    assert pack.engineer_items["3.5.1.1"].min_count == 1


@pytest.mark.parametrize(
    ("item", "change", "message"),
    [
        (1, {"min_count": 0}, "min_count"),
        (10, {"enterprise_award_kind": "excellent_project", "min_count_enterprise": None}, "enterprise_award_kind"),
        (5, {"min_count": 3, "min_count_enterprise": 2}, "min_count_enterprise"),
        (10, {"enterprise_award_kind": "medal"}, "enterprise_award_kind"),
        (0, {"id": "3.6.1"}, "engineer.items.0.id"),
    ],
)
def test_bad_achievement_counts_name_file_and_key(
    pack_copy: Path, item: int, change: dict[str, Any], message: str
) -> None:
    def edit(d: Any) -> None:
        entry = d["engineer"]["items"][item]
        for k, v in change.items():
            if v is None:
                entry.pop(k, None)
            else:
                entry[k] = v

    _edit(pack_copy / "achievements.yaml", edit)
    with pytest.raises(PackError) as info:
        load_pack(pack_copy)
    assert "achievements.yaml" in str(info.value) and message in str(info.value), str(info.value)


def test_no_pack_for_a_year() -> None:
    with pytest.raises(PackError, match="no policy pack for 2031"):
        pack_for_year(2031)


def test_docs_clause_map_is_current() -> None:
    """docs/policy.md's clause map is generated from the code and the cases; regenerate it when they change:
    `.venv/bin/python -m zhicheng.policy.clausemap`."""
    from tests.policy.support import CASES, ROOT
    from zhicheng.policy.clausemap import update

    doc = ROOT / "docs" / "policy.md"
    assert doc.read_text(encoding="utf-8") == update(doc, load_pack(), CASES)
