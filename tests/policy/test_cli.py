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


def test_unknown_specialty_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        Path(EX1).read_text(encoding="utf-8").replace("name: 土木工程, work", "name: 航天工程, work"), "utf-8"
    )
    assert main(["check", str(bad)]) == 2
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
