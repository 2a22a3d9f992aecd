"""Errors the HTTP edge answers with an OperationOutcome, and the handlers that do so.

Tree::

    HttpProblemError            any 4xx the edge decides itself (status, issue code, text)
    starlette HTTPException     routing: 404 unknown path, 405 wrong method
    RequestValidationError      FastAPI parameter validation (400; the input is not echoed)

Unexpected exceptions never reach these handlers' callers as tracebacks: the edge
middleware (:mod:`adapter.http.middleware`) answers them with a generic 500.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapter.http.outcomes import outcome_response

_ROUTING_ISSUES = {
    404: ("not-found", "no such resource or operation on this server"),
    405: ("not-supported", "method not allowed on this path"),
}


class HttpProblemError(Exception):
    """A request the edge refuses: answered with ``status`` and a one-issue OperationOutcome."""

    def __init__(
        self,
        status: int,
        code: str,
        diagnostics: str,
        headers: Mapping[str, str] | None = None,
        *,
        expression: str | None = None,
    ) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.headers = dict(headers or {})
        self.expression = expression


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpProblemError)  # registered for this type only
    return outcome_response(exc.status, exc.code, exc.diagnostics, expression=exc.expression,
                            headers=exc.headers)


async def _routing(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, text = _ROUTING_ISSUES.get(exc.status_code, ("processing", "request not processed"))
    return outcome_response(exc.status_code, code, text, headers=exc.headers)


async def _validation(request: Request, exc: Exception) -> Response:
    # FastAPI's default 422 echoes the offending input back; it may be patient data.
    return outcome_response(400, "invalid", "request parameters are not valid")


def install_error_handlers(app: FastAPI) -> None:
    """Answer every known error class with a FHIR OperationOutcome."""
    app.add_exception_handler(HttpProblemError, _problem)
    app.add_exception_handler(StarletteHTTPException, _routing)
    app.add_exception_handler(RequestValidationError, _validation)
