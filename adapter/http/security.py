"""Bearer-token authentication and the security headers every response carries."""

from __future__ import annotations

import hmac
import re

from starlette.types import Scope

from adapter.http.errors import HttpProblemError
from adapter.settings import Settings

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


API_TOKEN_MIN_LENGTH = 32
"""Shortest accepted SSTR_API_TOKEN (``openssl rand -hex 32`` gives 64 characters)."""

_TOKEN68 = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
"""The characters of a bearer token (RFC 6750 ``b64token``)."""


class AuthConfigError(ValueError):
    """The authentication settings are unusable; the text names settings, never values."""


def configured_token(settings: Settings) -> str | None:
    """The bearer token every request must present, or None with ``SSTR_API_AUTH=none``.

    An absent, empty, blank, short or malformed token is an error rather than an open
    API: running without authentication takes the explicit ``SSTR_API_AUTH=none``.
    """
    token = settings.api_token.get_secret_value() if settings.api_token is not None else None
    if settings.api_auth == "none":
        if token is not None:
            raise AuthConfigError("SSTR_API_AUTH=none and SSTR_API_TOKEN are both set; "
                                  "unset one of them")
        return None
    if token is None:
        raise AuthConfigError("SSTR_API_TOKEN is not set; set a token, or SSTR_API_AUTH=none "
                              "to run without authentication")
    if not token.strip():
        raise AuthConfigError("SSTR_API_TOKEN is empty or blank")
    if len(token) < API_TOKEN_MIN_LENGTH:
        raise AuthConfigError(f"SSTR_API_TOKEN is shorter than {API_TOKEN_MIN_LENGTH} characters")
    if _TOKEN68.fullmatch(token) is None:
        raise AuthConfigError("SSTR_API_TOKEN holds characters a bearer token cannot carry "
                              "(allowed: letters, digits, - . _ ~ + / and trailing =)")
    return token


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
