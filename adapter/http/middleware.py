"""The outermost layer of the app: request id, authentication, the limit on requests in
flight, security headers, access log, request metrics, and a generic 500 for anything
unexpected.

Pure ASGI (not ``BaseHTTPMiddleware``) so it streams request bodies untouched and
catches exceptions before Starlette's ``ServerErrorMiddleware``, which would re-raise
them to the server and have it log a traceback that may quote input data.
"""

from __future__ import annotations

import logging
import random
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapter.http.outcomes import operation_outcome
from adapter.http.security import HSTS, OPEN_PATHS, SECURITY_HEADERS, authentication_problem
from adapter.observability import Metrics

log = logging.getLogger("adapter.http")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Metric label values; any other method a client invents is counted as OTHER."""

_INTERNAL_ERROR = operation_outcome(
    "exception", "internal error; the request id in X-Request-ID identifies it in the logs"
)
_BUSY = operation_outcome("throttled", "too many requests in progress; retry later")
_RETRY_AFTER = {"Retry-After": "1"}


class EdgeMiddleware:
    """Wraps the FastAPI app; see the module docstring for what it adds.

    At most ``limit_concurrency`` requests run at once; past that a request gets 503 with
    ``Retry-After`` at once instead of queuing. The probes are exempt, so an orchestrator
    still sees a live, ready process while the API is saturated.
    """

    def __init__(self, app: ASGIApp, *, token: str | None, metrics: Metrics,
                 limit_concurrency: int = 64) -> None:
        self.app = app
        self.token = token
        self.metrics = metrics
        self.limit_concurrency = limit_concurrency
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Random, but not from the OS: uuid4's getrandom call cost ~15% of a request's time
        # on the event loop. A request id correlates log lines; it is no secret.
        request_id = f"{random.getrandbits(128):032x}"
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", []), *self._headers(scope),
                                      (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            problem = authentication_problem(scope, self.token)
            if problem is not None:
                await _send_outcome(send_with_headers, problem.status,
                                    operation_outcome(problem.code, problem.diagnostics),
                                    problem.headers)
            elif scope["path"] in OPEN_PATHS:
                await self.app(scope, receive, send_with_headers)
            elif self.in_flight >= self.limit_concurrency:
                await _send_outcome(send_with_headers, 503, _BUSY, _RETRY_AFTER)
            else:
                self.in_flight += 1
                try:
                    await self.app(scope, receive, send_with_headers)
                finally:
                    self.in_flight -= 1
        except Exception as exc:
            # Type and request id only: the message or traceback may quote the input.
            log.error("unhandled exception", extra={"request_id": request_id,
                                                    "exc_type": type(exc).__name__})
            if not response_started:
                await _send_outcome(send_with_headers, 500, _INTERNAL_ERROR, {})
        finally:
            self._account(scope, status, started, request_id)

    @staticmethod
    def _headers(scope: Scope) -> list[tuple[bytes, bytes]]:
        headers = list(SECURITY_HEADERS)
        if scope.get("scheme") == "https":
            headers.append(HSTS)
        return headers

    def _account(self, scope: Scope, status: int, started: float, request_id: str) -> None:
        # The route template, never the raw path: paths and query strings are client text.
        route = getattr(scope.get("route"), "path", "unmatched")
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        self.metrics.http_requests.labels(method, route, str(status)).inc()
        log.info("request handled", extra={
            "method": method, "route": route, "status": status, "request_id": request_id,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3)})


async def _send_outcome(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw_headers = [(b"content-type", b"application/fhir+json"),
                   (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
