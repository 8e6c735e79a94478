"""Loading policy cases: facts written over a base profile, with dotted keys for brevity."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from zhicheng.policy.facts import FactsYamlLoader

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CASES = Path(__file__).parent / "cases"


def read_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=FactsYamlLoader)  # a SafeLoader


def example(name: str) -> dict[str, Any]:
    data = read_yaml(EXAMPLES / f"{name}.yaml")
    assert isinstance(data, dict)
    return data


def _set(target: Any, path: list[str], value: Any) -> None:
    head, rest = path[0], path[1:]
    key: Any = int(head) if isinstance(target, list) or head.isdigit() else head
    if not rest:
        target[key] = value
        return
    if isinstance(target, dict) and (key not in target or target[key] is None):
        target[key] = [] if rest[0].isdigit() and not isinstance(target, dict) else {}
    _set(target[key], rest, value)


def merge(base: dict[str, Any], changes: dict[Any, Any]) -> dict[str, Any]:
    """Changes over a base: ``a.b.c: v`` sets one nested value (``education.0.level`` indexes a list); a plain
    key replaces the whole value; ``null`` makes a fact unknown."""
    out = copy.deepcopy(base)
    for key, value in (changes or {}).items():
        if isinstance(key, str) and "." in key:
            _set(out, key.split("."), copy.deepcopy(value))
        else:
            out[key] = copy.deepcopy(value)
    return out


def case_facts(case: dict[str, Any]) -> dict[str, Any]:
    base = example(case["base"]) if case.get("base") else {}
    return merge(base, case.get("facts") or {})


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        data = read_yaml(path)
        for i, case in enumerate(data["cases"]):
            case = dict(case)
            case["_file"] = path.name
            out.append((f"{path.stem}:{i}:{case['name']}", case))
    return out
