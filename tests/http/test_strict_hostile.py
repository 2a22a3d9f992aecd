"""Strict mode and ``$validate`` on shapes the model validator cannot take: always an
OperationOutcome naming the element, never a 500 or a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from adapter.bootstrap import build_processor, build_validator
from adapter.service.results import Rejected
from adapter.tools.synthetic import synthetic_message
from tests.corpus import MANIFEST, body_of, expressions
from tests.http.conftest import FHIR_JSON, ClientFactory, make_settings

STUDY = "Bundle.entry[2].resource"
Json = dict[str, Any]


def _contained(*resources: Any) -> Callable[[Json], None]:
    def mutate(m: Json) -> None:
        m["entry"][2]["resource"]["contained"] = list(resources)
    return mutate


def _deep(m: Json) -> None:
    nested: Json = {"url": "https://example.org/deep", "valueString": "x"}
    for _ in range(400):
        nested = {"url": "https://example.org/deep", "extension": [nested]}
    m["entry"][2]["resource"]["extension"].append(nested)


HOSTILE: dict[str, tuple[Callable[[Json], None], str]] = {
    "contained-unknown-type": (_contained({"resourceType": "Observaton", "id": "x"}),
                               f"{STUDY}.contained[0].resourceType"),
    "contained-number-type": (_contained({"resourceType": 7, "id": "x"}),
                              f"{STUDY}.contained[0].resourceType"),
    "contained-without-type": (_contained({"id": "x"}), f"{STUDY}.contained[0]"),
    "deep-nesting": (_deep, f"{STUDY}.extension[4]"),
}


def _body(name: str) -> tuple[bytes, str]:
    mutate, where = HOSTILE[name]
    message = synthetic_message(2, key="strict")
    mutate(message)
    return json.dumps(message).encode(), where  # orjson stops at 255 levels


@pytest.fixture
def real(client_for: ClientFactory) -> ClientFactory:
    def build(**overrides: Any) -> Any:
        settings = make_settings(**overrides)
        return client_for(build_processor(settings),
                          app_options={"validator": build_validator(settings)}, **overrides)
    return build


@pytest.mark.parametrize("name", HOSTILE)
def test_validate_answers_200_with_the_element_named(real: ClientFactory, name: str) -> None:
    body, where = _body(name)

    response = real().post("/$validate", content=body, headers=FHIR_JSON)

    assert response.status_code == 200
    issues = orjson.loads(response.content)["issue"]
    assert any(i["severity"] == "error" for i in issues)
    assert any(e.startswith(where) for i in issues for e in i.get("expression", []))


@pytest.mark.parametrize("name", HOSTILE)
def test_strict_mode_rejects_with_422_instead_of_crashing(real: ClientFactory, name: str) -> None:
    body, where = _body(name)

    response = real(strict_validation=True).post("/$process-message", content=body,
                                                 headers=FHIR_JSON)

    assert response.status_code == 422
    issues = orjson.loads(response.content)["issue"]
    assert any(e.startswith(where) for i in issues for e in i.get("expression", []))


@pytest.mark.parametrize("name", HOSTILE)
def test_the_strict_worker_dead_letters_them_as_invalid(name: str) -> None:
    body, _ = _body(name)

    outcome = build_processor(make_settings(strict_validation=True))(body)

    assert isinstance(outcome, Rejected)
    assert outcome.reason == "invalid"


@pytest.mark.parametrize("case", [c for c in MANIFEST if c["http_status"] != 413],
                         ids=lambda c: c["file"])
def test_the_strict_validate_names_the_element_of_each_corpus_message(
    real: ClientFactory, case: dict[str, Any],
) -> None:
    response = real().post("/$validate", content=body_of(case), headers=FHIR_JSON)

    assert response.status_code == 200
    assert set(case["expressions"]) <= expressions(response.content)
