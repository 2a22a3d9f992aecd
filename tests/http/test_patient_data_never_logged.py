"""No patient data reaches the logs, at any level, on any path of the HTTP API.

Messages carrying a recognisable (fictional) patient go through a real uvicorn server
configured as ``sstr-adapter serve`` configures it: success, validation failures, bad
media type, oversized, unauthenticated, unknown paths and a crash whose exception text
quotes the input. Every log record at DEBUG (its message, formatted text with any
traceback, and every attribute), the JSON log lines and the process's stdout/stderr
are searched for the patient's name, identifier and birth date.
"""

from __future__ import annotations

import copy
import http.client
import io
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import uvicorn

from adapter.bootstrap import build_processor
from adapter.http import create_app, validator_from
from adapter.http.server import uvicorn_config
from adapter.observability import JsonFormatter, Metrics
from adapter.service.results import Outcome
from tests.http.conftest import TOKEN, make_settings

EXAMPLES = Path(__file__).resolve().parents[2] / "fhir_profiles" / "examples"
EXAMPLE = EXAMPLES / "figure-08-input.json"
GIVEN, FAMILY, MRN, BIRTH = "Zzyzx", "Qwertyson", "MRN-8675309-UNIQUE", "1901-02-03"
PATIENT_DATA = (GIVEN, FAMILY, MRN, "8675309", BIRTH)
CRASH_MARKER = b"crash-this-one"


def _with_patient(message: dict[str, Any]) -> dict[str, Any]:
    message = copy.deepcopy(message)
    for entry in message["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Patient":
            resource.update(name=[{"family": FAMILY, "given": [GIVEN]}], birthDate=BIRTH,
                            identifier=[{"system": "urn:example:mrn", "value": MRN}])
        if "subject" in resource:
            resource["subject"]["display"] = f"{GIVEN} {FAMILY} ({MRN})"
    return message


def _messages() -> dict[str, bytes]:
    valid = _with_patient(orjson.loads(EXAMPLE.read_bytes()))
    wrong_type = copy.deepcopy(valid)
    wrong_type["type"] = f"{FAMILY}-{MRN}"
    no_lesions = copy.deepcopy(valid)
    no_lesions["entry"] = [e for e in no_lesions["entry"]
                           if e["resource"]["resourceType"] != "Observation"]
    bad_value = copy.deepcopy(valid)
    for entry in bad_value["entry"]:
        for component in entry["resource"].get("component", []):
            if "valueInteger" in component:
                component["valueInteger"] = f"{GIVEN} {MRN}"
    crash = copy.deepcopy(valid)
    crash["id"] = CRASH_MARKER.decode()
    return {
        "valid": orjson.dumps(valid),
        "wrong-bundle-type": orjson.dumps(wrong_type),
        "no-lesions": orjson.dumps(no_lesions),
        "bad-value": orjson.dumps(bad_value),
        "not-json": f"{GIVEN} {FAMILY} {MRN} {BIRTH}".encode(),
        "malformed-json": orjson.dumps(valid)[:-7],
        "crash": orjson.dumps(crash),
    }


class CrashOnMarker:
    """The real pipeline, except that a marked message crashes quoting its input."""

    def __init__(self) -> None:
        self.pipeline = build_processor(make_settings())

    def __call__(self, body: bytes) -> Outcome:
        if CRASH_MARKER in body:
            raise ValueError(f"cannot process {body.decode()}")
        return self.pipeline(body)


@pytest.fixture
def server_port() -> Iterator[int]:
    settings = make_settings(TOKEN, log_level="DEBUG", max_message_bytes=64_000)
    strict = build_processor(settings.model_copy(update={"strict_validation": True}))
    app = create_app(settings, CrashOnMarker(), metrics=Metrics(),
                     validator=validator_from(strict))
    server = uvicorn.Server(uvicorn_config(app, settings))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):  # bounded wait for start-up, not a timing assertion
        if server.started:
            break
        time.sleep(0.01)
    assert server.started
    yield sock.getsockname()[1]
    server.should_exit = True
    thread.join(10)
    sock.close()


def _request(port: int, method: str, path: str, body: bytes = b"",
             headers: dict[str, str] | None = None) -> int:
    # http.client logs nothing, so every captured line comes from the server side.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _requests(port: int) -> list[tuple[str, int]]:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    fhir = {**auth, "Content-Type": "application/fhir+json"}
    messages = _messages()
    sent = []
    for name, body in messages.items():
        for operation in ("/$process-message", "/$validate"):
            sent.append((f"{operation} {name}", _request(port, "POST", operation, body, fhir)))
    valid = messages["valid"]
    sent += [
        ("unauthenticated", _request(port, "POST", "/$process-message", valid,
                                     {"Content-Type": "application/fhir+json"})),
        ("wrong token", _request(port, "POST", "/$process-message", valid,
                                 {"Authorization": f"Bearer {MRN}",
                                  "Content-Type": "application/fhir+json"})),
        ("media type", _request(port, "POST", "/$process-message", valid,
                                {**auth, "Content-Type": f"text/{FAMILY}"})),
        ("oversized", _request(port, "POST", "/$process-message",
                               valid + f" {GIVEN}".encode() * 20_000, fhir)),
        ("unknown path", _request(port, "GET", f"/Patient/{MRN}?name={GIVEN}", headers=auth)),
        ("unknown profile", _request(port, "GET", f"/StructureDefinition/{FAMILY}",
                                     headers=auth)),
        ("metrics", _request(port, "GET", "/metrics", headers=auth)),
    ]
    return sent


def test_no_patient_data_reaches_the_logs_on_any_path(
    server_port: int, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str],
) -> None:
    json_lines = io.StringIO()
    json_handler = logging.StreamHandler(json_lines)
    json_handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(json_handler)
    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "uvicorn.error", "fastapi", "starlette", "adapter"):
        caplog.set_level(logging.DEBUG, logger=name)
    try:
        statuses = dict(_requests(server_port))
    finally:
        logging.getLogger().removeHandler(json_handler)

    assert statuses["/$process-message valid"] == 200
    assert statuses["/$process-message crash"] == 500
    assert statuses["/$process-message not-json"] == 400
    assert statuses["/$process-message wrong-bundle-type"] == 422
    assert {statuses[k] for k in ("unauthenticated", "wrong token")} == {401}
    assert (statuses["media type"], statuses["oversized"]) == (415, 413)
    assert statuses["unknown path"] == statuses["unknown profile"] == 404
    records = caplog.records
    assert any(r.name == "adapter.http" for r in records)  # the capture works
    assert any(getattr(r, "exc_type", None) == "ValueError" for r in records)
    captured = capfd.readouterr()
    haystacks = {
        "formatted records": caplog.text,
        "record attributes": "\n".join(repr(vars(r)) for r in records),
        "json log lines": json_lines.getvalue(),
        "stdout": captured.out,
        "stderr": captured.err,
    }
    for where, text in haystacks.items():
        for value in PATIENT_DATA:
            assert value not in text, f"{value!r} found in {where}"
