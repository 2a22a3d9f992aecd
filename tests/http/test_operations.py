"""Probes, metrics, the CapabilityStatement and the conformance resources."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson
import pytest
from fhir.resources.R4B import get_fhir_model_class

from adapter.http import load_conformance
from adapter.http.conformance import DEFAULT_PROFILES_DIR
from tests.http.conftest import FHIR_JSON, ClientFactory

BASE = "https://fhir.sstr-adapter.org"


def _write(directory: Path, name: str, resource: dict[str, object]) -> None:
    (directory / name).write_bytes(orjson.dumps(resource))


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    _write(tmp_path, "StructureDefinition-sstr-lesion-finding.json", {
        "resourceType": "StructureDefinition", "id": "sstr-lesion-finding",
        "url": f"{BASE}/StructureDefinition/sstr-lesion-finding", "kind": "resource",
        "derivation": "constraint", "type": "Observation", "date": "2026-02-03"})
    _write(tmp_path, "StructureDefinition-ext.json", {
        "resourceType": "StructureDefinition", "id": "ext", "kind": "complex-type",
        "url": f"{BASE}/StructureDefinition/ext", "derivation": "constraint",
        "type": "Extension"})
    _write(tmp_path, "CodeSystem-sstr-site-class.json", {
        "resourceType": "CodeSystem", "id": "sstr-site-class",
        "url": f"{BASE}/CodeSystem/sstr-site-class"})
    _write(tmp_path, "ValueSet-sstr-site-class.json", {
        "resourceType": "ValueSet", "id": "sstr-site-class",
        "url": f"{BASE}/ValueSet/sstr-site-class"})
    _write(tmp_path, "CodeSystem-foreign.json", {
        "resourceType": "CodeSystem", "id": "foreign", "url": "http://example.org/CodeSystem/x"})
    return tmp_path


# --- probes -------------------------------------------------------------------------

def test_healthz_says_alive(client_for: ClientFactory) -> None:
    response = client_for().get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "alive"})


def test_readyz_is_ready_when_the_profiles_are_loaded(
    client_for: ClientFactory, profiles: Path,
) -> None:
    client = client_for(app_options={"profiles_dir": profiles})

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"profiles": "ok"}}


@pytest.mark.parametrize("content", [None, b"{not json"])
def test_readyz_is_not_ready_without_loadable_profiles(
    client_for: ClientFactory, tmp_path: Path, content: bytes | None,
) -> None:
    if content is not None:
        (tmp_path / "broken.json").write_bytes(content)
    client = client_for(app_options={"profiles_dir": tmp_path / ("" if content else "absent")})

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["profiles"] == "not loaded"


def _raise() -> bool:
    raise ConnectionError("refused")


@pytest.mark.parametrize(("check", "state", "status"), [
    (lambda: True, "ok", 200),
    (lambda: False, "unreachable", 503),
    (_raise, "unreachable", 503),
])
def test_readyz_reports_the_injected_broker_check(
    client_for: ClientFactory, profiles: Path, check: object, state: str, status: int,
) -> None:
    client = client_for(app_options={"profiles_dir": profiles, "broker_check": check})

    response = client.get("/readyz")

    assert response.status_code == status
    assert response.json()["checks"]["broker"] == state


def test_a_hanging_broker_check_does_not_hang_readyz(
    client_for: ClientFactory, profiles: Path,
) -> None:
    release = threading.Event()
    client = client_for(app_options={"profiles_dir": profiles, "broker_timeout_s": 0.05,
                                     "broker_check": lambda: release.wait(30)})

    response = client.get("/readyz")
    release.set()

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "timeout"


# --- metrics -------------------------------------------------------------------------

def test_metrics_are_prometheus_text_with_every_instrument(client_for: ClientFactory) -> None:
    client = client_for()
    client.post("/$process-message", content=b"{}", headers=FHIR_JSON)

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    for name in ("sstr_messages_in_total", "sstr_messages_out_total",
                 "sstr_messages_dead_lettered_total", "sstr_processing_seconds_bucket",
                 "sstr_lesion_categories_total", "sstr_prrt_recommendations_total",
                 "sstr_http_requests_total"):
        assert name in response.text
    assert "msg-1" not in response.text  # message ids never become labels


def test_request_metrics_use_route_templates_not_raw_paths(client_for: ClientFactory) -> None:
    client = client_for()
    client.get("/StructureDefinition/Zzyzx-Qwertyson")
    client.get("/Patient?name=Zzyzx")

    text = client.get("/metrics").text

    assert "Zzyzx" not in text
    assert 'route="/StructureDefinition/{id}"' in text
    assert 'route="unmatched"' in text


# --- CapabilityStatement ---------------------------------------------------------------

def test_metadata_is_an_instance_capability_statement(
    client_for: ClientFactory, profiles: Path,
) -> None:
    client = client_for(app_options={"profiles_dir": profiles})

    response = client.get("/metadata")

    assert response.headers["content-type"] == "application/fhir+json"
    statement = response.json()
    assert statement["resourceType"] == "CapabilityStatement"
    assert (statement["kind"], statement["fhirVersion"]) == ("instance", "4.0.1")
    assert statement["software"]["name"] == "sstr-adapter"
    assert statement["date"] == "2026-02-03"
    rest = statement["rest"][0]
    assert {op["name"] for op in rest["operation"]} == {"process-message", "validate"}
    resources = {r["type"]: r for r in rest["resource"]}
    assert resources["Observation"]["supportedProfile"] == [
        f"{BASE}/StructureDefinition/sstr-lesion-finding"]
    assert "Extension" not in resources
    assert statement["messaging"][0]["supportedMessage"] == [
        {"mode": "receiver", "definition": f"{BASE}/MessageDefinition/sstr-pet-findings"}]


def test_the_declared_message_event_is_served(client_for: ClientFactory) -> None:
    response = client_for().get("/MessageDefinition/sstr-pet-findings")

    definition = response.json()
    assert definition["eventCoding"] == {
        "system": f"{BASE}/CodeSystem/sstr-message-event", "code": "sstr-pet-findings"}
    assert definition["allowedResponse"] == [
        {"message": f"{BASE}/MessageDefinition/sstr-rads-report"}]


# --- conformance resources ---------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/StructureDefinition/sstr-lesion-finding", "/CodeSystem/sstr-site-class",
    "/ValueSet/sstr-site-class",
])
def test_conformance_resources_are_served_at_their_canonical_path(
    client_for: ClientFactory, profiles: Path, path: str,
) -> None:
    client = client_for(app_options={"profiles_dir": profiles})

    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    assert response.json()["url"] == BASE + path


@pytest.mark.parametrize("path", [
    "/StructureDefinition/unknown", "/CodeSystem/foreign", "/ValueSet/sstr-lesion-finding",
])
def test_unknown_conformance_resources_get_404(
    client_for: ClientFactory, profiles: Path, path: str,
) -> None:
    client = client_for(app_options={"profiles_dir": profiles})

    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"


def test_every_compiled_profile_resource_is_served_as_compiled(
    client_for: ClientFactory,
) -> None:
    client = client_for()
    store = load_conformance(DEFAULT_PROFILES_DIR)
    files = sorted(DEFAULT_PROFILES_DIR.glob("*.json"))
    assert store.ready and files

    for path in files:
        resource = orjson.loads(path.read_bytes())
        url: str = resource.get("url", "")
        if url.startswith(BASE + "/") and resource["resourceType"] in (
                "StructureDefinition", "CodeSystem", "ValueSet"):
            assert client.get(url.removeprefix(BASE)).json() == resource


# --- every response -------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/healthz", "/metadata", "/nope", "/metrics"])
def test_every_response_carries_the_security_headers(
    client_for: ClientFactory, path: str,
) -> None:
    response = client_for().get(path)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert len(response.headers["x-request-id"]) == 32
    assert "strict-transport-security" not in response.headers
    assert "server" not in response.headers


def test_https_responses_carry_hsts(client_for: ClientFactory) -> None:
    client = client_for()
    client.base_url = client.base_url.copy_with(scheme="https")

    response = client.get("/healthz")

    assert response.headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize("path", [
    "/metadata", "/MessageDefinition/sstr-pet-findings", "/MessageDefinition/sstr-rads-report",
    "/MessageDefinition/prrt-tumour-board-review",
])
def test_the_served_statements_are_valid_fhir(client_for: ClientFactory, path: str) -> None:
    resource = client_for().get(path).json()

    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
