"""The HTTP API on the real pipeline: the paper's examples and the bad-input corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from adapter.bootstrap import build_processor
from adapter.service.results import OutputKind, Processed
from tests.http.conftest import FHIR_JSON, ClientFactory, make_settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "fhir_profiles" / "examples").glob("*-input.json"))
CORPUS = ROOT / "tests" / "corpus"
MANIFEST: list[dict[str, Any]] = orjson.loads((CORPUS / "manifest.json").read_bytes())


def test_the_worked_examples_are_there() -> None:
    assert len(EXAMPLES) >= 11


@pytest.fixture
def real(client_for: ClientFactory) -> ClientFactory:
    def build(**overrides: Any) -> Any:
        return client_for(build_processor(make_settings(**overrides)), **overrides)
    return build


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_an_example_returns_the_same_report_bytes_as_the_worker_gets(
    real: ClientFactory, example: Path,
) -> None:
    body = example.read_bytes()
    outcome = build_processor(make_settings())(body)
    assert isinstance(outcome, Processed)
    worker_report = next(m.body for m in outcome.outputs if m.kind is OutputKind.REPORT)

    first = real().post("/$process-message", content=body, headers=FHIR_JSON)
    again = real().post("/$process-message", content=body, headers=FHIR_JSON)

    assert first.status_code == 200
    assert first.headers["content-type"] == "application/fhir+json"
    assert first.content == worker_report == again.content


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_an_example_report_matches_its_golden_output(real: ClientFactory, example: Path) -> None:
    golden = example.with_name(example.name.replace("-input.json", "-output.json"))

    response = real().post("/$process-message", content=example.read_bytes(),
                           headers=FHIR_JSON)

    assert orjson.loads(response.content) == orjson.loads(golden.read_bytes())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_an_example_validates_without_problems(real: ClientFactory, example: Path) -> None:
    response = real().post("/$validate", content=example.read_bytes(), headers=FHIR_JSON)

    assert response.status_code == 200
    assert [i["severity"] for i in orjson.loads(response.content)["issue"]] == ["information"]


@pytest.mark.parametrize("case", MANIFEST, ids=lambda c: c["file"])
def test_a_corpus_message_gets_its_status_and_the_pipeline_outcome(
    real: ClientFactory, case: dict[str, Any],
) -> None:
    limit = case.get("max_message_bytes", 2_000_000)
    body = (CORPUS / case["file"]).read_bytes()

    response = real(max_message_bytes=limit).post("/$process-message", content=body,
                                                  headers=FHIR_JSON)

    assert response.status_code == case["http_status"]
    outcome = orjson.loads(response.content)
    assert outcome["resourceType"] == "OperationOutcome"
    if response.status_code != 413:  # too large: the edge refuses before the pipeline runs
        expressions = {e for issue in outcome["issue"] for e in issue.get("expression", [])}
        assert set(case["expressions"]) <= expressions


@pytest.mark.parametrize("case", [c for c in MANIFEST if c["http_status"] != 413],
                         ids=lambda c: c["file"])
def test_a_corpus_message_is_reported_by_validate_with_200(
    real: ClientFactory, case: dict[str, Any],
) -> None:
    response = real().post("/$validate", content=(CORPUS / case["file"]).read_bytes(),
                           headers=FHIR_JSON)

    assert response.status_code == 200
    assert {i["severity"] for i in orjson.loads(response.content)["issue"]} & {"error", "fatal"}
