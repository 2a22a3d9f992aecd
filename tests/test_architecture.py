"""Each third-party technology is imported at one edge only (README, Architecture).

``adapter/bench`` is the exception by design: its baselines are the bare libraries
(a pika echo loop, a bare FastAPI endpoint) measured without the adapter.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "adapter"

EDGES: dict[str, tuple[str, ...]] = {
    "pika": ("messaging/", "bench/"),
    "fhir": ("fhir/", "bench/"),  # fhir.resources (the top-level package is ``fhir``)
    "fastapi": ("http/", "bench/"),
    "starlette": ("http/", "bench/"),
    "uvicorn": ("http/", "bench/", "cli/serve.py"),
}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_module_imports_a_technology_only_at_its_edge(module: Path) -> None:
    where = str(module.relative_to(PACKAGE))

    misplaced = {
        root for root in _imported_roots(module) & EDGES.keys()
        if not where.startswith(EDGES[root])
    }

    assert not misplaced, f"{where} imports {sorted(misplaced)} outside its edge"


def test_the_check_sees_the_edges_it_guards() -> None:
    seen = {root for module in MODULES for root in _imported_roots(module)}

    assert EDGES.keys() <= seen
