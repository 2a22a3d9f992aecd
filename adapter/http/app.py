"""The ASGI app factory: settings and collaborators in, a FastAPI app out (no import-time work)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from adapter import __version__
from adapter.http.capability import default_message_definitions
from adapter.http.conformance import DEFAULT_PROFILES_DIR, ConformanceStore, load_conformance
from adapter.http.errors import install_error_handlers
from adapter.http.messaging import MessageValidator, messaging_router, validator_from
from adapter.http.middleware import EdgeMiddleware
from adapter.http.openapi import openapi_schema
from adapter.http.operations import BrokerCheck, operations_router
from adapter.http.security import configured_token
from adapter.observability import Metrics
from adapter.service.results import MessageProcessor
from adapter.settings import Settings

TITLE = "sstr-adapter"


def create_app(
    settings: Settings,
    processor: MessageProcessor,
    *,
    metrics: Metrics,
    validator: MessageValidator | None = None,
    conformance: ConformanceStore | None = None,
    profiles_dir: Path | None = None,
    broker_check: BrokerCheck | None = None,
    broker_timeout_s: float = 2.0,
    body_timeout_s: float | None = None,
) -> FastAPI:
    """Build the HTTP API around one message processor.

    ``validator`` checks without scoring (``$validate``); without one, the processor's
    verdict is used. Conformance resources come from ``conformance`` or are loaded from
    ``profiles_dir`` (default: SUSHI's output in the source tree); ``/readyz`` reports
    whether they loaded and, when ``broker_check`` is given, whether the broker answers
    within ``broker_timeout_s``.
    ``body_timeout_s`` (default ``SSTR_HTTP_BODY_TIMEOUT_S``) bounds how long a client may
    take to send its body (408 after). Raises :class:`~adapter.http.security.AuthConfigError`
    when the authentication settings are unusable (see :func:`configured_token`).
    """
    token = configured_token(settings)
    if body_timeout_s is None:
        body_timeout_s = settings.http_body_timeout_s
    store = (conformance or load_conformance(profiles_dir or DEFAULT_PROFILES_DIR)).with_defaults(
        default_message_definitions())
    app = FastAPI(title=TITLE, version=__version__, docs_url=None, redoc_url=None)
    install_error_handlers(app)
    app.include_router(messaging_router(
        processor, validator or validator_from(processor), metrics,
        max_bytes=settings.max_message_bytes, body_timeout_s=body_timeout_s))
    app.include_router(operations_router(
        store, metrics, auth_required=token is not None, broker_check=broker_check,
        broker_timeout_s=broker_timeout_s))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_schema(TITLE, __version__, app.routes, token is not None)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
    app.add_middleware(EdgeMiddleware, token=token, metrics=metrics,
                       limit_concurrency=settings.http_limit_concurrency)
    return app
