"""Facts input: bad input is refused with the field's path and a Chinese reason, never read as something else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from tests.policy.support import EXAMPLES, example, merge
from zhicheng.cli import main
from zhicheng.policy.engine import evaluate
from zhicheng.policy.facts import DuplicateKeyError, FactsError, FactsYamlLoader, load_facts, read_facts_file
from zhicheng.policy.pack import load_pack

PACK = load_pack()
EX1 = "01-bachelor-assistant-engineer"


def problems(changes: dict[str, Any], base: str = EX1) -> dict[str, str]:
    with pytest.raises(FactsError) as info:
        load_facts(merge(example(base), changes), PACK)
    return dict(info.value.problems)


# --- ISBN (stdnum.isbn) --------------------------------------------------------------------------------------


def _book(isbn: str) -> dict[str, Any]:
    return {"books": [{"title": "深基坑工程监测技术", "isbn": isbn}]}


def test_a_valid_isbn_is_accepted() -> None:
    facts = load_facts(merge(example(EX1), _book("978-7-111-54742-6")), PACK)
    assert facts.books is not None and facts.books[0].isbn == "9787111547426"


@pytest.mark.parametrize(
    ("isbn", "reason"),
    [("978-7-111-54742-7", "校验位错误"), ("978-7-111-5474", "应为10位或13位"), ("978-7-111-5474X-6", "ISBN")],
)
def test_a_bad_isbn_is_refused(isbn: str, reason: str) -> None:
    found = problems(_book(isbn))
    assert "books[0].isbn" in found and "ISBN" in found["books[0].isbn"] and reason in found["books[0].isbn"]


# --- sought.path: a path of paths.py, of the level sought ---------------------------------------------------------


def test_an_unknown_path_is_refused() -> None:
    found = problems({"sought.path": "engineer_by_merit"})
    assert "没有申报路径" in found["sought.path"]


def test_a_path_of_another_level_is_refused() -> None:
    found = problems({"sought": {"level": "engineer", "path": "ae_bachelor"}})
    assert "不属于所报层级" in found["sought.path"]


def test_every_known_path_is_accepted() -> None:
    from zhicheng.policy.paths import PATHS

    for level, paths in PATHS.items():
        for p in paths:
            load_facts(merge(example(EX1), {"sought": {"level": level, "path": p.id}}), PACK)


# --- dates: written YYYY-MM-DD, years 1900–2100 --------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 20191231, 2019.5, "20191231", "2019", "2019/12/31", "2019-12-31T00:00:00"])
@pytest.mark.parametrize("field", ["titles.1.granted_on", "professional_work_started_on", "papers.0.published_on"])
def test_a_date_given_otherwise_than_yyyy_mm_dd_is_refused(field: str, value: Any) -> None:
    path = field.replace(".1.", "[1].").replace(".0.", "[0].")
    found = problems({field: value})
    assert "日期应写作 YYYY-MM-DD" in found[path], found


@pytest.mark.parametrize("value", ["9999-12-31", "1899-12-31", "2101-01-01"])
@pytest.mark.parametrize(
    ("field", "path"),
    [
        ("identity", "identity.birth_date"),
        ("discipline", "discipline[0].started_on"),
        ("integrity_records", "integrity_records[0].found_on"),
        ("titles.1.granted_on", "titles[1].granted_on"),
    ],
)
def test_a_year_outside_1900_to_2100_is_refused(field: str, path: str, value: str) -> None:
    """These once crashed the engine (date arithmetic past year 9999 in the discipline period, the integrity ban
    and the retirement date); they are now refused as input."""
    given: Any = {
        "identity": {"name": "某", "birth_date": value, "sex": "male"},
        "discipline": [{"kind": "demerit", "started_on": value}],
        "integrity_records": [{"found_on": value, "kind": "false_materials", "ban_years": 3}],
    }.get(field, value)
    found = problems({field: given})
    assert "1900—2100" in found[path], found


def test_an_id_number_with_a_birth_year_outside_1900_to_2100_is_refused() -> None:
    # Valid check digits and region (Beijing 东城区, whose code has no date range): only the year is wrong.
    for number in ("110101999905120319", "110101185005120310", "110101215005120315"):
        found = problems({"identity.id_number": number})
        assert "1900—2100" in found["identity.id_number"], found


def test_the_engine_runs_at_the_last_accepted_day() -> None:
    """The boundary 2100-12-31 is accepted, and nothing computed from it crashes."""
    data = merge(
        example(EX1),
        {
            "identity": {"name": "某", "birth_date": "2100-12-31", "sex": "female"},
            "retirement.category": "female50",
            "discipline": [{"kind": "major_demerit", "started_on": "2100-12-31"}],
            "integrity_records": [{"found_on": "2100-12-31", "kind": "plagiarism", "ban_years": 3}],
        },
    )
    decision = evaluate(load_facts(data, PACK), PACK)
    assert decision.levels["engineer"].outcome in ("eligible", "ineligible", "refer", "incomplete")


# --- numbers are not booleans ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "path"),
    [
        ("specialty.category", "specialty.category"),
        ("papers.0.author_position", "papers[0].author_position"),
        ("papers.0.author_count", "papers[0].author_count"),
        ("papers.0.char_count", "papers[0].char_count"),
        ("achievements.0.rank", "achievements[0].rank"),
        ("work_summary.char_count", "work_summary.char_count"),
        ("employment.remote_area_years", "employment.remote_area_years"),
        ("continuing_education.2022.public", "continuing_education.2022.public"),
    ],
)
@pytest.mark.parametrize("value", [True, False])
def test_a_number_given_as_true_or_false_is_refused(field: str, path: str, value: bool) -> None:
    found = problems({field: value})
    assert "不能是 true/false" in found[path], found


def test_ban_years_given_as_true_is_refused() -> None:
    found = problems({"integrity_records": [{"found_on": "2022-01-01", "kind": "false_materials", "ban_years": True}]})
    assert "不能是 true/false" in found["integrity_records[0].ban_years"]


# --- the retirement category follows the sex (R6) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("identity", "category"),
    [
        ({"id_number": "142201198805120314"}, "female55"),  # a man by his ID number
        ({"sex": "male", "birth_date": "1988-05-12"}, "female50"),
        ({"id_number": "142201199605160420"}, "male"),  # a woman by her ID number
        ({"sex": "female", "birth_date": "1996-05-16"}, "male"),
    ],
)
def test_a_retirement_category_contradicting_the_sex_is_refused(identity: dict[str, str], category: str) -> None:
    found = problems({"identity": {"name": "某", **identity}, "retirement.category": category})
    assert "retirement.category" in found and "不一致" in found["retirement.category"], found


def test_a_category_with_the_sex_unknown_is_accepted() -> None:
    load_facts(merge(example(EX1), {"identity": {"name": "某"}, "retirement.category": "female55"}), PACK)


# --- the YAML file ------------------------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    file = tmp_path / "facts.yaml"
    file.write_bytes(text.encode(encoding))
    return file


def test_a_duplicate_key_is_refused_with_its_path_and_line(tmp_path: Path) -> None:
    text = (EXAMPLES / f"{EX1}.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("sector:"))
    lines.insert(at + 1, "  sector: public_institution")
    with pytest.raises(FactsError) as info:
        read_facts_file(_write(tmp_path, "\n".join(lines)), PACK)
    (path, reason), *_ = info.value.problems
    assert path == "employment.sector"
    assert f"第{at + 2}行" in reason and "键重复" in reason


@pytest.mark.parametrize(
    ("text", "path", "line"),
    [
        ("education:\n  - {level: bachelor, level: master}\n", "education[0].level", 2),
        ("annual_assessments: {2021: qualified, 2021: unqualified}\n", "annual_assessments.2021", 1),
        ("specialty: {category: 1}\nsought: {}\nspecialty: {category: 2}\n", "specialty", 3),
    ],
)
def test_duplicate_keys_anywhere(tmp_path: Path, text: str, path: str, line: int) -> None:
    with pytest.raises(FactsError) as info:
        read_facts_file(_write(tmp_path, text))
    assert info.value.problems[0][0] == path
    assert f"第{line}行" in info.value.problems[0][1]


def test_the_loader_itself_refuses_duplicates_and_keeps_merge_keys() -> None:
    with pytest.raises(DuplicateKeyError):
        yaml.load("a: 1\na: 2\n", Loader=FactsYamlLoader)
    merged = yaml.load("base: &b {x: 1, y: 2}\nover: {<<: *b, y: 3}\n", Loader=FactsYamlLoader)
    assert merged["over"] == {"x": 1, "y": 3}
    assert yaml.load("d: 2019-12-31\n", Loader=FactsYamlLoader) == {"d": "2019-12-31"}  # dates stay text


def test_a_file_not_in_utf8_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = _write(tmp_path, "identity: {name: 张建国}\n", encoding="gbk")
    with pytest.raises(FactsError) as info:
        read_facts_file(file)
    assert info.value.problems == [("(file)", f"文件须为UTF-8编码 (the file must be UTF-8): {file}")]
    assert main(["check", str(file)]) == 2
    assert "文件须为UTF-8编码" in capsys.readouterr().err


def test_the_id_number_is_checked_as_stdnum_checks_it() -> None:
    """The facts check an ID number with ric.validate's checks, the region looked up once for each region and year
    (issue 12): every number is accepted or refused, for the same reason, as ric.validate itself would have it."""
    reasons = {
        "InvalidChecksum": "校验位错误",
        "InvalidLength": "应为18位",
        "InvalidFormat": "格式错误",
        "InvalidComponent": "出生日期或地区码无效",
    }
    numbers: list[str] = []
    # Regions in force for some years only (142221 until 1983 …), always, and never; days real and not.
    for region in ("142221", "142201", "140902", "110101", "142222", "999999", "000000"):
        for day in ("19500101", "19820630", "19830101", "19991231", "20000229", "20230101", "19990229", "19881301"):
            body = f"{region}{day}031"
            good = ric.calc_check_digit(body + "0")
            bad = "0" if good != "0" else "1"
            numbers += [body + good, body + bad, (body + good).lower(), f" {body + good} "]
    numbers += ["14220119880512031", "1422011988051203100", "14220A198805120310", "142201-19880512-0310", "", "X" * 18]
    for number in numbers:
        facts = {"identity": {"id_number": number}}
        try:
            valid = ric.validate(number)
        except StdnumError as exc:
            with pytest.raises(FactsError) as info:
                load_facts(facts)
            assert reasons[type(exc).__name__] in dict(info.value.problems)["identity.id_number"], number
            continue
        if 1900 <= ric.get_birth_date(valid).year <= 2100:
            assert load_facts(facts).identity.id_number == valid, number
        else:
            with pytest.raises(FactsError):
                load_facts(facts)


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"employment.remote_area_years": -1}, "employment.remote_area_years", "不能小于0 (at least 0)"),
        ({"employment.remote_area_years": True}, "employment.remote_area_years", "不能是 true/false"),
        ({"specialty.category": 0}, "specialty.category", "不能小于1 (at least 1)"),
        (
            {"annual_assessments": {"1949": "qualified"}},
            "annual_assessments.1949.[key]",
            "不能小于1950 (at least 1950)",
        ),
        ({"annual_assessments": {"2101": "qualified"}}, "annual_assessments.2101.[key]", "不能大于2100 (at most 2100)"),
        ({"integrity_records": [{"ban_years": 4}]}, "integrity_records[0].ban_years", "不能大于3 (at most 3)"),
        (
            {"continuing_education": {"2021": {"public": -1}}},
            "continuing_education.2021.public",
            "不能小于0 (at least 0)",
        ),
        ({"papers": [{"author_position": False}]}, "papers[0].author_position", "不能是 true/false"),
    ],
)
def test_a_number_out_of_its_bounds_is_refused_with_the_bound(changes: dict[str, Any], path: str, reason: str) -> None:
    """The bounds of the facts' numbers, checked by pydantic's own int schema (issue 12), are worded as before."""
    found = problems(changes)
    assert reason in found[path], found
