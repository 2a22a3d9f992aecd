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


LAYERS: dict[str, frozenset[str]] = {
    # package -> the adapter packages it may import (besides itself)
    "domain": frozenset(),
    "fhir": frozenset({"domain"}),
    "service": frozenset({"domain", "fhir"}),
}
"""The layers below the transports: each imports only the layers beneath it (README,
Architecture). Tools (``adapter/tools``: the golden regenerator, the synthetic messages) sit
above them all, so the FHIR edge cannot depend on the service it feeds."""


def _adapter_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module] if isinstance(node, ast.ImportFrom) and node.module
                 and node.level == 0 else [])
        for name in names:
            parts = name.split(".")
            if parts[0] == "adapter" and len(parts) > 1:
                found.add(parts[1])
            elif parts[0] == "adapter":
                found.add("")  # the package root (``__version__``)
    return found


@pytest.mark.parametrize(
    "module", [m for m in MODULES if m.relative_to(PACKAGE).parts[0] in LAYERS],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_each_layer_imports_only_the_layers_beneath_it(module: Path) -> None:
    layer = module.relative_to(PACKAGE).parts[0]

    above = _adapter_imports(module) - LAYERS[layer] - {layer, ""}

    assert not above, f"{module.relative_to(PACKAGE)} imports adapter.{sorted(above)}"


def test_the_tools_live_outside_the_fhir_edge() -> None:
    assert not (PACKAGE / "fhir" / "examples.py").exists()
    assert not (PACKAGE / "fhir" / "synthetic.py").exists()
    assert (PACKAGE / "tools" / "examples.py").exists()

