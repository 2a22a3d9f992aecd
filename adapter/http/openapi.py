"""OpenAPI fragments: FHIR request and response bodies the handlers read and write raw.

The handlers take the raw request (to enforce the size limit while streaming), so
FastAPI cannot infer these; they are declared here to keep the schema honest for
clients and for the schemathesis run in the tests.
"""

from __future__ import annotations

from typing import Any

from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response

from adapter.http.outcomes import ACCEPTED_MEDIA_TYPES, FHIR_JSON


class FhirResponse(Response):
    """Default response class: FHIR JSON."""

    media_type = FHIR_JSON


def _resource(resource_type: str | None) -> dict[str, Any]:
    properties: dict[str, Any] = {"resourceType": {"type": "string"}}
    if resource_type is not None:
        properties["resourceType"] = {"const": resource_type}
    schema: dict[str, Any] = {"type": "object", "required": ["resourceType"],
                              "properties": properties}
    if resource_type == "OperationOutcome":
        schema["required"] = ["resourceType", "issue"]
        properties["issue"] = {"type": "array", "minItems": 1, "items": {"type": "object"}}
    return schema


def fhir(resource_type: str | None, description: str) -> dict[str, Any]:
    """A response entry whose body is one FHIR resource (of ``resource_type`` when given)."""
    return {"description": description,
            "content": {FHIR_JSON: {"schema": _resource(resource_type)}}}


OUTCOME = "OperationOutcome"
ERRORS: dict[int | str, dict[str, Any]] = {
    401: fhir(OUTCOME, "Bearer token missing or wrong (only when a token is configured)"),
    "4XX": fhir(OUTCOME, "The request was refused"),
    500: fhir(OUTCOME, "Internal error (generic text; the request id is in X-Request-ID)"),
}
"""Every route can answer these; declaring 4XX also stops FastAPI adding its own 422."""

ANY_JSON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Any JSON: the check reports what keeps it from being a valid message",
        "content": {media: {"schema": {}} for media in sorted(ACCEPTED_MEDIA_TYPES)},
    }
}

MESSAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A FHIR R4 message Bundle (SstrFindingsMessage profile)",
        "content": {media: {"schema": _resource("Bundle")} for media in
                    sorted(ACCEPTED_MEDIA_TYPES)},
    }
}


def openapi_schema(
    title: str, version: str, routes: Any, auth_required: bool
) -> dict[str, Any]:
    """The app's schema, with the bearer scheme declared when a token is configured."""
    schema = get_openapi(title=title, version=version, routes=routes,
                         description="FHIR R4 messaging API of sstr-adapter.")
    if auth_required:
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer"}}
        schema["security"] = [{"bearer": []}]
        for path in ("/healthz", "/readyz"):
            for operation in schema["paths"][path].values():  # GET and HEAD
                operation["security"] = []
    return schema
