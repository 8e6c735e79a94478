"""The command line: output shape, exit codes, precise messages on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.policy.support import EXAMPLES
from zhicheng.cli import main

EX1 = str(EXAMPLES / "01-bachelor-assistant-engineer.yaml")


def test_check_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", EX1, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["year"] == 2023 and out["pack"] == "xinzhou-engineering-2023"
    assert set(out["levels"]) == {"technician", "assistant_engineer", "engineer"}
    engineer = out["levels"]["engineer"]
    assert engineer["outcome"] == "eligible"
    assert {"outcome", "paths", "missing_facts", "earliest_year"} <= set(engineer)
    finding = engineer["paths"][0]["findings"][0]
    assert {"clause", "status", "message"} <= set(finding)
    assert isinstance(out["exclusions"], list) and isinstance(out["warnings"], list)


def test_check_text_cites_clauses_and_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", EX1]) == 0
    out = capsys.readouterr().out
    assert "【工程师】符合条件" in out
    assert "〔3.3.1c〕" in out
    assert "大学本科毕业，任助理工程师满4年，即2019年底前任助理工程师" in out  # the notice's own words


def test_check_with_year(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", EX1, "--year", "2024", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["year"] == 2024


def test_bad_id_number_exits_2_with_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(EX1).read_text(encoding="utf-8").replace("142201198805120314", "142201198805120315"), "utf-8")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "identity.id_number" in err and "校验位错误" in err


def test_impossible_date_and_negative_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    text = Path(EX1).read_text(encoding="utf-8")
    bad.write_text(text.replace("2019-12-31", "2019-02-30").replace("char_count: 3600", "char_count: -1"), "utf-8")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "titles[1].granted_on" in err
    assert "work_summary.char_count" in err


def test_unknown_specialty_is_an_answer_R9(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """R9: a specialty under no category is not accepted (2.2) — an answer, every level ineligible; only a blank
    specialty is bad input (exit 2)."""
    source = Path(EX1).read_text(encoding="utf-8")
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(source.replace("name: 土木工程, work", "name: 航天工程, work"), "utf-8")
    assert main(["check", str(unknown)]) == 0
    out = capsys.readouterr().out
    assert "不予受理" in out and "2.2" in out
    blank = tmp_path / "blank.yaml"
    blank.write_text(source.replace("name: 土木工程, work", "name: ' ', work"), "utf-8")
    assert main(["check", str(blank)]) == 2
    assert "specialty.name" in capsys.readouterr().err


def test_missing_file_and_not_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "none.yaml")]) == 2
    junk = tmp_path / "junk.yaml"
    junk.write_text("[1, 2", encoding="utf-8")
    assert main(["check", str(junk)]) == 2
    junk.write_text("- a list\n", encoding="utf-8")
    assert main(["check", str(junk)]) == 2
    assert "expected a mapping" in capsys.readouterr().err


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "identity" in schema["properties"] and "annual_assessments" in schema["properties"]


def test_pack_validate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", "validate"]) == 0
    out = capsys.readouterr().out
    assert "xinzhou-engineering-2023" in out and "xinzhou-engineering-2024" in out
    assert main(["pack", "validate", "no-such-pack"]) == 2


def test_workdays_and_retirement(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workdays", "2023-10-01", "2023-10-31"]) == 0
    assert capsys.readouterr().out.strip() == "19"
    assert main(["retirement", "1965-12-15", "male"]) == 0
    assert capsys.readouterr().out.strip() == "2026-03-15"
    assert main(["workdays", "2023-10-31", "2023-10-01"]) == 2
    assert main(["workdays", "2023-13-01", "2023-10-01"]) == 2
    assert main(["workdays", "2099-01-01", "2099-01-31"]) == 2
    assert "2099年的节假日安排尚未录入" in capsys.readouterr().err


def test_commands_refuse_years_outside_1900_to_2100(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retirement", "9999-01-01", "male"]) == 2
    assert "1900—2100" in capsys.readouterr().err
    assert main(["workdays", "1899-12-31", "1900-01-02"]) == 2
    assert "1900—2100" in capsys.readouterr().err


# --- text output: the paths that decide the level first, never a refer or incomplete path folded away ------------


def _level_block(out: str, level: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"【{level}】"))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("  ")), len(lines))
    return lines[start:end]


def _paths_listed(block: list[str]) -> list[str]:
    return [line for line in block if line.startswith("  · ") and not line.startswith("  · 其余路径不符合")]


def _folded(block: list[str]) -> str:
    return next((line for line in block if line.startswith("  · 其余路径不符合")), "")


def _text(stem: str, paths_shown: int = 3) -> str:
    from zhicheng.cli import format_text
    from zhicheng.policy.engine import evaluate
    from zhicheng.policy.facts import read_facts_file
    from zhicheng.policy.pack import load_pack

    pack = load_pack()
    return format_text(evaluate(read_facts_file(EXAMPLES / f"{stem}.yaml", pack), pack), pack, paths_shown=paths_shown)


def test_text_shows_the_path_met_next_year_first(capsys: pytest.CaptureFixture[str]) -> None:
    """Example 03: the college path (3.3.1d), met from 2024, leads the engineer's paths with its year."""
    assert main(["check", str(EXAMPLES / "03-college-public-institution-appointment.yaml")]) == 0
    block = _level_block(capsys.readouterr().out, "工程师")
    assert block[0] == "【工程师】不符合条件（如无其他变化，最早2024年度可申报）"
    first = _paths_listed(block)[0]
    assert first.startswith("  · 大学专科毕业，任助理工程师满5年〔3.3.1d〕— 不符合条件，2024年度可满足"), first
    assert "任助理工程师满5年" not in _folded(block)


def test_text_shows_the_doctorate_for_the_committee(capsys: pytest.CaptureFixture[str]) -> None:
    """Example 06: the doctorate path is refer — shown first as 提交评委会认定, never folded into 其余路径不符合."""
    assert main(["check", str(EXAMPLES / "06-doctorate.yaml")]) == 0
    out = capsys.readouterr().out
    engineer = _level_block(out, "工程师")
    assert engineer[0] == "【工程师】提交评委会认定"  # no "earliest year" for a level that may apply now
    assert _paths_listed(engineer)[0] == "  · 博士学位，经考察合格〔3.3.1a〕— 提交评委会认定"
    assert "博士" not in _folded(engineer)
    ae = _level_block(out, "助理工程师")
    assert _paths_listed(ae)[0] == "  · 研究生申报助理工程师（本通知未规定）〔3.3.2a〕— 提交评委会认定"


def test_text_of_example_02(capsys: pytest.CaptureFixture[str]) -> None:
    """Example 02: engineer eligible on the master path; assistant engineer refer, its path shown first."""
    assert main(["check", str(EXAMPLES / "02-master-private-enterprise.yaml")]) == 0
    out = capsys.readouterr().out
    assert "【工程师】符合条件：研究生毕业或硕士学位后从事本专业工作满2年〔3.3.1b〕" in out
    ae = _level_block(out, "助理工程师")
    assert ae[0] == "【助理工程师】提交评委会认定"
    assert _paths_listed(ae)[0].startswith("  · 研究生申报助理工程师（本通知未规定）〔3.3.2a〕— 提交评委会认定")
    assert "研究生" not in _folded(ae)


@pytest.mark.parametrize("shown", [0, 1, 3])
@pytest.mark.parametrize("stem", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_text_never_folds_a_refer_or_incomplete_path(stem: str, shown: int) -> None:
    from zhicheng.cli import OUTCOME_NAMES
    from zhicheng.policy.engine import evaluate
    from zhicheng.policy.facts import read_facts_file
    from zhicheng.policy.pack import load_pack

    pack = load_pack()
    decision = evaluate(read_facts_file(EXAMPLES / f"{stem}.yaml", pack), pack)
    out = _text(stem, shown)
    names = {"technician": "技术员", "assistant_engineer": "助理工程师", "engineer": "工程师"}
    for level, result in decision.levels.items():
        if result.outcome == "eligible":
            continue
        block = _level_block(out, names[level])
        listed = _paths_listed(block)
        for path in result.paths:
            line = f"  · {path.name}〔{path.clause}〕— {OUTCOME_NAMES[path.outcome]}"
            if path.outcome in ("refer", "incomplete"):
                assert any(x.startswith(line) for x in listed), (level, path.path)
                assert path.name not in _folded(block).removeprefix("  · 其余路径不符合："), (level, path.path)


def test_rank_paths_orders_by_what_decides_the_level() -> None:
    from zhicheng.cli import rank_paths
    from zhicheng.policy.findings import Finding, LevelResult, PathResult

    def path(pid: str, outcome: str, passes: int, year: int | None = None) -> PathResult:
        findings = [Finding(f"c{i}", "2.1", "pass", "", "") for i in range(passes)]
        findings.append(Finding("x", "2.1", "fail" if outcome == "ineligible" else "pass", "", ""))
        return PathResult(pid, pid, "2.1", outcome, findings, earliest_year=year)  # type: ignore[arg-type]

    paths = [
        path("many_passes", "ineligible", 9),
        path("late", "ineligible", 1, 2027),
        path("incomplete", "incomplete", 0),
        path("soon", "ineligible", 0, 2024),
        path("refer", "refer", 0),
        path("few_passes", "ineligible", 2),
        path("eligible", "eligible", 0),
    ]
    level = LevelResult("engineer", "eligible", paths)
    order = [p.path for p in rank_paths(level)]
    assert order == ["eligible", "refer", "incomplete", "soon", "late", "many_passes", "few_passes"]
