"""Loading and validating policy packs: errors name the file and the key; 2024 moves every cutoff by a year."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.policy.support import example, merge
from zhicheng.policy.engine import check_pack, evaluate
from zhicheng.policy.facts import load_facts
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
