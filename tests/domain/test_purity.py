"""The rules engine imports only the standard library and does no I/O."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "adapter" / "domain"
MODULES = sorted(DOMAIN.glob("*.py"))

# Standard-library modules that would bring I/O, clocks, randomness or configuration
# into what must be pure functions.
IMPURE = {
    "asyncio", "http", "io", "logging", "os", "pathlib", "random", "shutil", "socket",
    "subprocess", "sys", "tempfile", "threading", "time", "urllib",
}
IMPURE_CALLS = {"open", "print", "input", "exec", "eval", "__import__"}


def _imported(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_the_domain_package_has_the_expected_modules() -> None:
    assert {p.stem for p in MODULES} >= {
        "__init__", "catalogue", "errors", "lesion", "model", "policy", "study", "uptake",
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_domain_module_imports_only_the_standard_library(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))

    foreign = [
        name for name in _imported(tree)
        if name.split(".")[0] not in sys.stdlib_module_names
        and not (name == "adapter.domain" or name.startswith("adapter.domain."))
    ]

    assert foreign == []


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_domain_module_does_no_io(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))

    impure_imports = [n for n in _imported(tree) if n.split(".")[0] in IMPURE]
    impure_calls = [
        node.func.id for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id in IMPURE_CALLS
    ]

    assert (impure_imports, impure_calls) == ([], [])
