"""POST /$validate: a verdict without scoring, FHIR $validate status semantics."""

from __future__ import annotations

import orjson

from adapter.service.results import Rejected
from tests.http.conftest import FHIR_JSON, ClientFactory
from tests.http.fakes import RecordingProcessor, outcome_bytes, rejecting

BODY = b'{"resourceType": "Bundle"}'


def test_a_valid_message_gets_one_information_issue(client_for: ClientFactory) -> None:
    client = client_for()

    response = client.post("/$validate", content=BODY, headers=FHIR_JSON)

    assert response.status_code == 200
    assert orjson.loads(response.content)["issue"] == [
        {"severity": "information", "code": "informational",
         "diagnostics": "the message is valid"}]


def test_an_invalid_message_gets_200_with_its_problems(client_for: ClientFactory) -> None:
    client = client_for(rejecting(422, "invalid", code="required"))

    response = client.post("/$validate", content=BODY, headers=FHIR_JSON)

    assert response.status_code == 200
    assert orjson.loads(response.content)["issue"][0]["code"] == "required"


def test_not_json_is_a_problem_reported_with_200(client_for: ClientFactory) -> None:
    client = client_for(rejecting(400, "not-json", code="structure"))

    response = client.post("/$validate", content=b"not json", headers=FHIR_JSON)

    assert response.status_code == 200
    assert orjson.loads(response.content)["issue"][0]["code"] == "structure"


def test_an_oversized_message_cannot_be_checked(client_for: ClientFactory) -> None:
    client = client_for(max_message_bytes=1024)

    response = client.post("/$validate", content=b" " * 1025, headers=FHIR_JSON)

    assert response.status_code == 413


def test_a_too_large_verdict_of_the_validator_keeps_its_413(client_for: ClientFactory) -> None:
    client = client_for(rejecting(413, "too-large", code="too-long"))

    response = client.post("/$validate", content=BODY, headers=FHIR_JSON)

    assert response.status_code == 413


def test_an_injected_validator_is_used_and_nothing_is_scored(client_for: ClientFactory) -> None:
    processor = RecordingProcessor()
    checked: list[bytes] = []

    def validator(body: bytes) -> Rejected | None:
        checked.append(body)
        return Rejected(None, "invalid", outcome_bytes("code-invalid", "bad code"), 422)

    client = client_for(processor, app_options={"validator": validator})

    response = client.post("/$validate", content=BODY, headers=FHIR_JSON)

    assert orjson.loads(response.content)["issue"][0]["code"] == "code-invalid"
    assert checked == [BODY]
    assert processor.calls == []


def test_validate_refuses_other_media_types(client_for: ClientFactory) -> None:
    response = client_for().post("/$validate", content=BODY,
                                 headers={"Content-Type": "text/plain"})

    assert response.status_code == 415
