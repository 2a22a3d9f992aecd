"""Bearer-token authentication: off by default, deny by default once a token is set."""

from __future__ import annotations

import orjson
import pytest
from pydantic import SecretStr

from adapter.http import create_app
from adapter.http.security import AuthConfigError
from adapter.observability import Metrics
from adapter.settings import Settings
from tests.http.conftest import FHIR_JSON, TOKEN, ClientFactory
from tests.http.fakes import RecordingProcessor

PROTECTED = [
    ("GET", "/metadata"), ("GET", "/metrics"), ("GET", "/openapi.json"),
    ("GET", "/StructureDefinition/sstr-lesion-finding"), ("GET", "/no/such/path"),
    ("POST", "/$process-message"), ("POST", "/$validate"),
]
OPEN = ["/healthz", "/readyz"]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_without_a_token_every_path_but_the_probes_gets_401(
    client_for: ClientFactory, method: str, path: str,
) -> None:
    client = client_for(token=TOKEN)

    response = client.request(method, path, content=b"{}", headers=FHIR_JSON)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="sstr-adapter"'
    assert orjson.loads(response.content)["issue"][0]["code"] == "login"


@pytest.mark.parametrize("authorization", [
    f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer", f"Basic {TOKEN}", TOKEN, "Bearer  ",
])
def test_a_wrong_or_malformed_token_gets_401(
    client_for: ClientFactory, authorization: str,
) -> None:
    client = client_for(token=TOKEN)

    response = client.get("/metadata", headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="sstr-adapter"')


def test_a_wrong_token_is_named_invalid_in_the_challenge(client_for: ClientFactory) -> None:
    client = client_for(token=TOKEN)

    response = client.get("/metadata", headers={"Authorization": "Bearer nope"})

    assert 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_right_token_is_accepted_whatever_the_scheme_case(
    client_for: ClientFactory, scheme: str,
) -> None:
    client = client_for(token=TOKEN)

    response = client.post("/$process-message", content=b"{}",
                           headers={**FHIR_JSON, "Authorization": f"{scheme} {TOKEN}"})

    assert response.status_code == 200


@pytest.mark.parametrize("path", OPEN)
def test_probes_stay_open_with_a_token_configured(client_for: ClientFactory, path: str) -> None:
    client = client_for(token=TOKEN)

    response = client.get(path)

    assert response.status_code == 200


@pytest.mark.parametrize(("method", "path"), PROTECTED[:4])
def test_without_a_configured_token_no_authentication_is_asked(
    client_for: ClientFactory, method: str, path: str,
) -> None:
    client = client_for()

    response = client.request(method, path)

    assert response.status_code == 200


def test_the_openapi_schema_declares_bearer_only_when_a_token_is_set(
    client_for: ClientFactory,
) -> None:
    with_token = client_for(token=TOKEN).get(
        "/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    without = client_for().get("/openapi.json").json()

    assert with_token["security"] == [{"bearer": []}]
    assert with_token["paths"]["/healthz"]["get"]["security"] == []
    assert "security" not in without


@pytest.mark.parametrize("token", ["", "   ", "too-short"])
def test_the_app_refuses_to_start_open_on_an_empty_or_short_token(token: str) -> None:
    settings = Settings(api_token=SecretStr(token))

    with pytest.raises(AuthConfigError) as raised:
        create_app(settings, RecordingProcessor(), metrics=Metrics())

    assert "SSTR_API_TOKEN" in str(raised.value)


def test_the_app_refuses_to_start_open_without_an_explicit_auth_none() -> None:
    with pytest.raises(AuthConfigError, match="SSTR_API_AUTH=none"):
        create_app(Settings(), RecordingProcessor(), metrics=Metrics())
