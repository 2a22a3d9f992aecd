"""FHIR OperationOutcome bodies and responses for every error the HTTP edge answers itself.

Plain JSON (the HTTP edge does not import ``fhir.resources``): one issue, a fixed
diagnostics text chosen here, never text taken from the request.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from fastapi.responses import Response

FHIR_JSON = "application/fhir+json"
ACCEPTED_MEDIA_TYPES = frozenset({FHIR_JSON, "application/json"})


def operation_outcome(
    code: str, diagnostics: str, *, severity: str = "error", expression: str | None = None
) -> bytes:
    """One-issue OperationOutcome as JSON bytes (``code`` from the FHIR issue-type value set)."""
    issue: dict[str, object] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression is not None:
        issue["expression"] = [expression]
    return orjson.dumps({"resourceType": "OperationOutcome", "issue": [issue]})


def all_ok_outcome(diagnostics: str) -> bytes:
    """The outcome of a check that found nothing wrong (FHIR's ``informational`` issue)."""
    return operation_outcome("informational", diagnostics, severity="information")


def fhir_response(
    body: bytes, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A FHIR JSON response carrying ``body`` unchanged (outputs stay byte-identical)."""
    return Response(content=body, status_code=status, media_type=FHIR_JSON, headers=headers)


def outcome_response(
    status: int,
    code: str,
    diagnostics: str,
    *,
    expression: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error answer: the status and a one-issue OperationOutcome."""
    return fhir_response(
        operation_outcome(code, diagnostics, expression=expression), status, headers
    )
