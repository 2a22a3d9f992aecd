"""Probes, metrics and conformance: ``/healthz``, ``/readyz``, ``/metrics``, ``/metadata``
and the project's StructureDefinitions, CodeSystems, ValueSets and MessageDefinitions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import anyio
import orjson
from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from adapter.http.capability import capability_statement
from adapter.http.conformance import SERVED_TYPES, ConformanceStore
from adapter.http.errors import HttpProblemError
from adapter.http.openapi import ERRORS, FhirResponse, fhir
from adapter.http.outcomes import fhir_response
from adapter.observability import Metrics

log = logging.getLogger("adapter.http")

BrokerCheck = Callable[[], bool]
"""True when the broker answers; called from a worker thread, bounded by a timeout."""

_JSON = "application/json"


def _probe(description: str) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": {"type": "object"}}}}


def operations_router(
    store: ConformanceStore,
    metrics: Metrics,
    *,
    auth_required: bool,
    broker_check: BrokerCheck | None,
    broker_timeout_s: float = 2.0,
) -> APIRouter:
    """Routes that read state only; the CapabilityStatement is built once, here."""
    router = APIRouter(default_response_class=FhirResponse, responses=ERRORS)
    statement = capability_statement(store, auth_required=auth_required)

    @router.head("/healthz", name="healthz_head", summary="Liveness, headers only",
                 responses={200: _probe("Alive")})
    @router.get("/healthz", summary="Liveness: the process answers",
                responses={200: _probe("Alive")})
    async def healthz() -> Response:
        return _json(200, {"status": "alive"})

    @router.head("/readyz", name="readyz_head", summary="Readiness, headers only",
                 responses={200: _probe("Ready"), 503: _probe("Not ready")})
    @router.get("/readyz", summary="Readiness: profiles loaded, broker reachable if shared",
                responses={200: _probe("Ready"), 503: _probe("Not ready, with the failing checks")})
    async def readyz() -> Response:
        checks = {"profiles": "ok" if store.ready else "not loaded"}
        if broker_check is not None:
            checks["broker"] = await _broker_state(broker_check, broker_timeout_s)
        ready = all(state == "ok" for state in checks.values())
        return _json(200 if ready else 503,
                     {"status": "ready" if ready else "not ready", "checks": checks})

    @router.get("/metrics", summary="Prometheus metrics (text exposition format)",
                responses={200: {"description": "Metrics",
                                 "content": {"text/plain": {"schema": {"type": "string"}}}}})
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @router.get("/metadata", summary="CapabilityStatement of this server",
                responses={200: fhir("CapabilityStatement", "The CapabilityStatement")})
    async def metadata() -> Response:
        return fhir_response(statement)

    for resource_type in SERVED_TYPES:
        _add_conformance_route(router, store, resource_type)
    return router


def _add_conformance_route(router: APIRouter, store: ConformanceStore, resource_type: str) -> None:
    async def read(id: str) -> Response:  # `id`: FHIR's name, shown in the OpenAPI schema
        body = store.body(resource_type, id)
        if body is None:
            raise HttpProblemError(404, "not-found", f"no {resource_type} with this id")
        return fhir_response(body)

    router.add_api_route(
        f"/{resource_type}/{{id}}", read, methods=["GET"], name=f"read_{resource_type}",
        summary=f"Read one of the project's {resource_type} resources by id",
        responses={200: fhir(resource_type, f"The {resource_type}"),
                   404: fhir("OperationOutcome", "Unknown id")},
    )


async def _broker_state(check: BrokerCheck, timeout_s: float) -> str:
    with anyio.move_on_after(timeout_s):
        try:
            # abandon_on_cancel: a hung connect must not hold the probe past its timeout.
            reachable = await anyio.to_thread.run_sync(check, abandon_on_cancel=True)
        except Exception as exc:
            log.warning("broker check failed", extra={"exc_type": type(exc).__name__})
            return "unreachable"
        return "ok" if reachable else "unreachable"
    return "timeout"


def _json(status: int, content: dict[str, Any]) -> Response:
    return Response(orjson.dumps(content), status_code=status, media_type=_JSON)
