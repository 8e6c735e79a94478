"""The house's rules (docs/architecture.md), held by tests: imports point down the floors listed once in
pyproject.toml, no circle of imports, no module reaches for another's underscore names, models import only models
and values, and views change nothing themselves."""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter import configuration
from importlinter.application.use_cases import lint_imports, read_user_options
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "zhicheng"
CONFIG = ROOT / "pyproject.toml"


configuration.configure()


def _contract_options(contract_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The contract as pyproject.toml states it (the floors are listed there once)."""
    options = read_user_options(str(CONFIG))
    contract = next(c for c in options.contracts_options if c["id"] == contract_id)
    return options.session_options, contract


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("zhicheng", include_external_packages=True)


def _python_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.py") if "migrations" not in p.parts)


def test_every_contract_of_the_house_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    """The floors, no circles, the engine alone: the same check as `lint-imports` in `make lint`."""
    kept = lint_imports(str(CONFIG), cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out


def test_an_import_up_a_floor_would_be_refused(graph: grimp.ImportGraph) -> None:
    """The floors rule bites: a model of the kernel importing the results' services breaks it."""
    session, options = _contract_options("floors")
    contract = LayersContract("floors", session, options)
    assert contract.check(copy.deepcopy(graph), verbose=False).kept
    upward = copy.deepcopy(graph)
    upward.add_import(importer="zhicheng.cases.models", imported="zhicheng.results.services")
    assert not contract.check(upward, verbose=False).kept
    # A room of the house left off the list is an error too (the contract is exhaustive).
    unlisted = copy.deepcopy(graph)
    unlisted.add_module("zhicheng.elsewhere")
    check = contract.check(unlisted, verbose=False)
    assert not check.kept and "zhicheng.elsewhere" in check.metadata["undeclared_modules"]


def test_a_circle_between_two_modules_of_a_room_would_be_refused(graph: grimp.ImportGraph) -> None:
    session, options = _contract_options("no-circles")
    contract = AcyclicSiblingsContract("no-circles", session, options)
    circle = copy.deepcopy(graph)
    circle.add_import(importer="zhicheng.evaluation.scoring", imported="zhicheng.evaluation.groups")
    assert not contract.check(circle, verbose=False).kept


def _underscore_uses(path: Path) -> list[str]:
    """`from zhicheng.x import _name` and `module._name` on a module imported from zhicheng."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("zhicheng"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno} imports {node.module}.{alias.name}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("zhicheng") and alias.asname:
                    modules.add(alias.asname)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and node.attr != "_meta"  # Django's public API for a model's options
        ):
            found.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_module_reaches_for_another_modules_underscore_names() -> None:
    """A name that starts with `_` stays in its module: across modules only public names are used."""
    found = [hit for path in _python_files(PACKAGE, ROOT / "tests", ROOT / "bench") for hit in _underscore_uses(path)]
    assert found == []


def test_the_underscore_check_sees_both_ways_of_reaching(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from zhicheng.cases import events as ev\nfrom zhicheng.cases.locks import _hidden\nev._x()\n")
    assert len(_underscore_uses(sample)) == 2


# What a models module may import besides other models modules: values and the engine, never a service.
MODEL_IMPORTS = ("zhicheng.accounts.roles", "zhicheng.round.rates", "zhicheng.policy")


def test_models_import_only_models_and_values(graph: grimp.ImportGraph) -> None:
    wrong = []
    for module in sorted(m for m in graph.modules if m.startswith("zhicheng.") and m.endswith(".models")):
        for imported in graph.find_modules_directly_imported_by(module):
            inside = imported.startswith("zhicheng.")
            if inside and not imported.endswith(".models") and not imported.startswith(MODEL_IMPORTS):
                wrong.append(f"{module} → {imported}")
    assert wrong == []


# ORM calls that write: a view or the API calls a service for these, never the ORM itself.
WRITES = {"save", "create", "update", "delete", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}


def _writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES
    ]


def test_views_and_the_api_change_nothing_themselves() -> None:
    """Request → service → template: every state change is a service's (one transaction, checked, recorded)."""
    faces = [*PACKAGE.glob("*/views.py"), PACKAGE / "api.py"]
    assert len(faces) >= 6
    assert [hit for path in faces for hit in _writes(path)] == []
