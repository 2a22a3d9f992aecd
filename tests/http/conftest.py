"""App and client factories for the HTTP edge tests."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import SecretStr

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its test client; httpx works the same here.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from adapter.http import create_app
from adapter.observability import Metrics
from adapter.service.results import MessageProcessor
from adapter.settings import Settings
from tests.http.fakes import RecordingProcessor

FHIR_JSON = {"Content-Type": "application/fhir+json"}
TOKEN = "t0ken-for-tests-only-0123456789abcdef"

ClientFactory = Callable[..., TestClient]


def make_settings(token: str | None = None, **overrides: Any) -> Settings:
    """Settings with ``token`` required, or with ``SSTR_API_AUTH=none`` when there is none."""
    if token is None:
        overrides.setdefault("api_auth", "none")
    return Settings(api_token=SecretStr(token) if token is not None else None, **overrides)


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def client_for(metrics: Metrics) -> Iterator[ClientFactory]:
    """``client_for(processor, token=..., settings overrides, create_app keywords)``."""
    clients: list[TestClient] = []

    def build(processor: MessageProcessor | None = None, *, token: str | None = None,
              app_options: dict[str, Any] | None = None, **overrides: Any) -> TestClient:
        app = create_app(make_settings(token, **overrides), processor or RecordingProcessor(),
                         metrics=metrics, **(app_options or {}))
        client = TestClient(app, raise_server_exceptions=True)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(client_for: ClientFactory) -> TestClient:
    return client_for()
