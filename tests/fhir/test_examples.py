"""The paper's worked examples: paper's overall category, golden bytes, valid FHIR R4."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle

from adapter.fhir.bindings import check_resource
from adapter.fhir.strict import structure_issues
from adapter.tools.examples import EXAMPLES_DIR, FIGURES, golden_outputs, input_path, input_specs
from adapter.tools.synthetic import build_bundle
from tests.fhir.conftest import score

NAMES = sorted(input_specs())


@pytest.mark.parametrize(("name", "paper_category"),
                         [(name, category) for name, (category, _) in FIGURES.items()])
def test_each_figure_scores_the_category_the_paper_gives(name: str, paper_category: str) -> None:
    outcome = score(input_path(name).read_bytes())

    assert outcome.overall_category == paper_category


@pytest.mark.parametrize("name", NAMES)
def test_committed_outputs_equal_what_the_pipeline_produces_now(name: str) -> None:
    expected = golden_outputs(name)

    for path, body in expected.items():
        assert path.exists(), f"{path.name} missing: run python -m adapter.tools.examples"
        assert path.read_bytes() == body, f"{path.name} stale: run python -m adapter.tools.examples"


def test_no_output_file_lacks_an_input() -> None:
    outputs = {p.name for p in EXAMPLES_DIR.glob("*-output.json")}

    expected = {path.name for name in NAMES for path in golden_outputs(name)}

    assert outputs == expected


@pytest.mark.parametrize("name", NAMES)
def test_committed_inputs_are_built_from_the_figure_specs(name: str) -> None:
    committed = orjson.loads(input_path(name).read_bytes())

    assert committed == build_bundle(input_specs()[name])


@pytest.mark.parametrize("name", NAMES)
def test_scoring_twice_gives_byte_identical_outputs(name: str) -> None:
    body = input_path(name).read_bytes()

    first, second = score(body), score(body)

    assert first == second


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_example_file_is_a_structurally_valid_r4_bundle(path: Path) -> None:
    doc = orjson.loads(path.read_bytes())

    Bundle.model_validate(doc)
    assert structure_issues(doc) == []


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_example_file_meets_the_project_bindings_and_invariants(path: Path) -> None:
    doc = orjson.loads(path.read_bytes())

    assert check_resource(doc) == []
