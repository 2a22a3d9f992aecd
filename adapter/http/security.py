"""Bearer-token authentication and the security headers every response carries."""

from __future__ import annotations

import hmac

from starlette.types import Scope

from adapter.http.errors import HttpProblemError

OPEN_PATHS = frozenset({"/healthz", "/readyz"})
"""Probes stay open so an orchestrator can call them; every other path (also unknown ones)
needs the token once one is configured: deny by default."""

REALM = 'Bearer realm="sstr-adapter"'

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    # Responses carry patient data: no shared or browser cache may keep them.
    (b"cache-control", b"no-store"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=63072000")
"""Only sent on HTTPS (directly, or via a trusted proxy's X-Forwarded-Proto)."""


def authentication_problem(scope: Scope, token: str | None) -> HttpProblemError | None:
    """Why this request may not proceed (401), or None when it may."""
    if token is None or scope["path"] in OPEN_PATHS:
        return None
    presented = _bearer(scope)
    if presented is None:
        return HttpProblemError(
            401, "login", "authentication required: send Authorization: Bearer <token>",
            {"WWW-Authenticate": REALM},
        )
    # Constant-time comparison: response timing must not reveal how much of a guess matched.
    if not hmac.compare_digest(presented.encode(), token.encode()):
        return HttpProblemError(
            401, "login", "the bearer token is not valid",
            {"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    return None


def _bearer(scope: Scope) -> str | None:
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    for name, value in headers:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
            return None
    return None
