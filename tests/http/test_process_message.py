"""POST /$process-message at the edge: media types, size limit, outcomes, crashes, metrics."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from adapter.observability import Metrics
from adapter.service.results import OutboundMessage, OutputKind
from tests.http.conftest import FHIR_JSON, ClientFactory
from tests.http.fakes import (
    REPORT,
    TUMOUR_BOARD,
    CrashingProcessor,
    RecordingProcessor,
    processed,
    rejecting,
)

BODY = b'{"resourceType": "Bundle", "type": "message"}'


def test_a_processed_message_returns_the_report_bundle_unchanged(
    client_for: ClientFactory,
) -> None:
    processor = RecordingProcessor()
    client = client_for(processor)

    response = client.post("/$process-message", content=BODY, headers=FHIR_JSON)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    assert response.content == REPORT
    assert processor.calls == [BODY]


@pytest.mark.parametrize("content_type", [
    "application/fhir+json",
    "application/json",
    "application/fhir+json; charset=utf-8",
    "Application/FHIR+JSON; charset=\"UTF-8\"",
    "application/json;fhirVersion=4.0",
])
def test_fhir_and_plain_json_are_accepted(client_for: ClientFactory, content_type: str) -> None:
    client = client_for()

    response = client.post("/$process-message", content=BODY,
                           headers={"Content-Type": content_type})

    assert response.status_code == 200


@pytest.mark.parametrize("content_type", [
    None, "text/plain", "application/xml", "application/fhir+xml",
    "application/fhir+json; charset=latin-1", "multipart/form-data; boundary=x",
])
def test_other_media_types_get_415_and_are_not_processed(
    client_for: ClientFactory, content_type: str | None,
) -> None:
    processor = RecordingProcessor()
    client = client_for(processor)
    headers = {"Content-Type": content_type} if content_type else {}

    response = client.post("/$process-message", content=BODY, headers=headers)

    assert response.status_code == 415
    assert _issue(response.content)["code"] == "not-supported"
    assert processor.calls == []


@pytest.mark.parametrize(("status", "reason"), [
    (400, "not-json"), (413, "too-large"), (422, "invalid"),
])
def test_a_rejected_message_returns_its_outcome_with_its_status(
    client_for: ClientFactory, status: int, reason: str,
) -> None:
    client = client_for(rejecting(status, reason))

    response = client.post("/$process-message", content=BODY, headers=FHIR_JSON)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/fhir+json"
    assert _issue(response.content)["diagnostics"] == f"rejected: {reason}"


def test_a_declared_length_over_the_limit_gets_413_before_the_body_is_read(
    client_for: ClientFactory,
) -> None:
    processor = RecordingProcessor()
    client = client_for(processor, max_message_bytes=2048)

    response = client.post("/$process-message", content=b"{" + b" " * 2048 + b"}",
                           headers=FHIR_JSON)

    assert response.status_code == 413
    assert _issue(response.content)["code"] == "too-long"
    assert _issue(response.content)["expression"] == ["Bundle"]
    assert processor.calls == []


def test_a_streamed_body_without_length_is_cut_off_at_the_limit(
    client_for: ClientFactory,
) -> None:
    processor = RecordingProcessor()
    client = client_for(processor, max_message_bytes=2048)
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(1000):  # 1 MB offered in 1 kB chunks, with no Content-Length
            sent.append(1024)
            yield b" " * 1024

    response = client.post("/$process-message", content=chunks(), headers=FHIR_JSON)

    assert response.status_code == 413
    assert _issue(response.content)["expression"] == ["Bundle"]
    assert processor.calls == []


def test_a_body_exactly_at_the_limit_is_processed(client_for: ClientFactory) -> None:
    processor = RecordingProcessor()
    client = client_for(processor, max_message_bytes=2048)
    body = b"{" + b" " * 2046 + b"}"

    response = client.post("/$process-message", content=body, headers=FHIR_JSON)

    assert response.status_code == 200
    assert processor.calls == [body]


def test_a_crash_gets_a_generic_500_without_details(client_for: ClientFactory) -> None:
    client = client_for(CrashingProcessor())

    response = client.post("/$process-message", content=b'{"secret": "Zzyzx"}',
                           headers=FHIR_JSON)

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/fhir+json"
    issue = _issue(response.content)
    assert issue["code"] == "exception"
    assert "Zzyzx" not in response.text
    assert "Traceback" not in response.text and "RuntimeError" not in response.text
    assert response.headers["x-request-id"]


def test_a_pipeline_result_without_a_report_is_an_internal_error(
    client_for: ClientFactory,
) -> None:
    only_board = processed(OutboundMessage(OutputKind.TUMOUR_BOARD, "b", TUMOUR_BOARD))
    client = client_for(RecordingProcessor(only_board))

    response = client.post("/$process-message", content=BODY, headers=FHIR_JSON)

    assert response.status_code == 500


def test_outcomes_are_counted_with_bounded_labels(
    client_for: ClientFactory, metrics: Metrics,
) -> None:
    client_for().post("/$process-message", content=BODY, headers=FHIR_JSON)
    client_for(rejecting(422, "invalid")).post("/$process-message", content=BODY,
                                               headers=FHIR_JSON)
    client_for(CrashingProcessor()).post("/$process-message", content=BODY, headers=FHIR_JSON)

    value = metrics.registry.get_sample_value
    assert value("sstr_messages_in_total", {"transport": "http"}) == 3
    assert value("sstr_messages_out_total", {"transport": "http", "kind": "report"}) == 1
    assert value("sstr_messages_dead_lettered_total",
                 {"transport": "http", "reason": "invalid"}) == 1
    assert value("sstr_processing_errors_total", {"transport": "http"}) == 1
    assert value("sstr_lesion_categories_total", {"category": "3B"}) == 1
    assert value("sstr_prrt_recommendations_total",
                 {"recommendation": "prrt-candidate", "overall": "4"}) == 1
    assert value("sstr_processing_seconds_count", {"transport": "http"}) == 2
    assert value("sstr_http_requests_total", {"method": "POST", "route": "/$process-message",
                                              "status": "500"}) == 1


def test_get_on_the_operation_is_405_with_allow(client_for: ClientFactory) -> None:
    response = client_for().get("/$process-message")

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert _issue(response.content)["code"] == "not-supported"


def _issue(body: bytes) -> dict[str, object]:
    outcome = orjson.loads(body)
    assert outcome["resourceType"] == "OperationOutcome"
    issue: dict[str, object] = outcome["issue"][0]
    return issue
