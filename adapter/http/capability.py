"""The CapabilityStatement of this server and the MessageDefinitions of its events.

Built once per app from the loaded conformance resources, so ``GET /metadata`` is
deterministic and lists exactly the profiles this server can serve.
"""

from __future__ import annotations

from typing import Any

import orjson

from adapter import __version__
from adapter.fhir.codes import (
    CANONICAL_BASE,
    CS_MESSAGE_EVENT,
    EVENT_SCORE_REQUEST,
    EVENT_SCORE_RESPONSE,
    EVENT_TUMOUR_BOARD,
)
from adapter.http.conformance import SERVED_TYPES, ConformanceStore
from adapter.http.outcomes import FHIR_JSON

FHIR_VERSION = "4.0.1"
SOFTWARE_NAME = "sstr-adapter"
_RELEASE_DATE = "2026-01-01"
"""Fallback ``date`` when no loaded resource carries one (FHIR requires the element)."""

PROCESS_MESSAGE = "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message"
VALIDATE = "http://hl7.org/fhir/OperationDefinition/Resource-validate"
_TRANSPORT = "http://terminology.hl7.org/CodeSystem/message-transport"


def _message_definition(
    event: str, title: str, focus: str, category: str, response: str | None
) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "resourceType": "MessageDefinition",
        "id": event,
        "url": f"{CANONICAL_BASE}/MessageDefinition/{event}",
        "version": __version__,
        "name": "".join(part.title() for part in event.split("-")),
        "title": title,
        "status": "active",
        "date": _RELEASE_DATE,
        "eventCoding": {"system": CS_MESSAGE_EVENT, "code": event},
        "category": category,
        "focus": [{"code": focus, "min": 1, "max": "1"}],
    }
    if response is not None:
        definition["responseRequired"] = "always"
        definition["allowedResponse"] = [
            {"message": f"{CANONICAL_BASE}/MessageDefinition/{response}"}
        ]
    return definition


def default_message_definitions() -> list[dict[str, Any]]:
    """The three message events; compiled profiles of the same URL take precedence."""
    return [
        _message_definition(EVENT_SCORE_REQUEST, "SSTR-PET findings to score", "ImagingStudy",
                            "consequence", EVENT_SCORE_RESPONSE),
        _message_definition(EVENT_SCORE_RESPONSE, "SSTR-RADS 1.0 report", "DiagnosticReport",
                            "notification", None),
        _message_definition(EVENT_TUMOUR_BOARD, "PRRT tumour-board review", "Task",
                            "notification", None),
    ]


def capability_statement(store: ConformanceStore, *, auth_required: bool) -> bytes:
    """CapabilityStatement (R4, kind instance) as JSON bytes."""
    statement = {
        "resourceType": "CapabilityStatement",
        "id": SOFTWARE_NAME,
        "url": f"{CANONICAL_BASE}/CapabilityStatement/{SOFTWARE_NAME}",
        "version": __version__,
        "name": "SstrAdapterServer",
        "title": "sstr-adapter HTTP API",
        "status": "active",
        "date": _latest_date(store),
        "description": "Scores SSTR-PET lesion findings by SSTR-RADS 1.0 (FHIR messaging).",
        "kind": "instance",
        "software": {"name": SOFTWARE_NAME, "version": __version__},
        "implementation": {"description": "sstr-adapter HTTP API"},
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "rest": [{
            "mode": "server",
            "security": {"cors": False, "description": _security_text(auth_required)},
            "resource": _resources(store),
            "operation": [
                {"name": "process-message", "definition": PROCESS_MESSAGE},
                {"name": "validate", "definition": VALIDATE},
            ],
        }],
        "messaging": [{
            "endpoint": [{
                "protocol": {"system": _TRANSPORT, "code": "http"},
                "address": "$process-message",
            }],
            "documentation": "The same messages are accepted over AMQP by the worker.",
            "supportedMessage": [
                {"mode": "receiver", "definition": resource["url"]}
                for resource in store.of_type("MessageDefinition")
                if resource.get("eventCoding", {}).get("code") == EVENT_SCORE_REQUEST
            ],
        }],
    }
    return orjson.dumps(statement)


def _resources(store: ConformanceStore) -> list[dict[str, Any]]:
    profiles: dict[str, list[str]] = {}
    for definition in store.of_type("StructureDefinition"):
        if definition.get("kind") == "resource" and definition.get("derivation") == "constraint":
            profiles.setdefault(str(definition["type"]), []).append(str(definition["url"]))
    entries: dict[str, dict[str, Any]] = {
        resource_type: {"type": resource_type, "supportedProfile": sorted(urls)}
        for resource_type, urls in profiles.items()
    }
    for resource_type in SERVED_TYPES:
        entry = entries.setdefault(resource_type, {"type": resource_type})
        entry["interaction"] = [{"code": "read"}]
    return [entries[name] for name in sorted(entries)]


def _latest_date(store: ConformanceStore) -> str:
    dates = [str(r["date"]) for r in store.resources.values() if r.get("date")]
    return max(dates, default=_RELEASE_DATE)


def _security_text(auth_required: bool) -> str:
    if auth_required:
        return "Bearer token (Authorization: Bearer <token>) on every path but /healthz, /readyz."
    return "No authentication (SSTR_API_AUTH=none); use only on a trusted network."
