"""Reading a request body safely: media type, size limit while streaming, read timeout."""

from __future__ import annotations

import anyio
from fastapi import Request
from starlette.requests import ClientDisconnect

from adapter.http.errors import HttpProblemError
from adapter.http.outcomes import ACCEPTED_MEDIA_TYPES


def require_fhir_json(request: Request) -> None:
    """415 unless the body is declared FHIR JSON (or plain JSON), in UTF-8 if a charset is named."""
    media_type, _, params = request.headers.get("content-type", "").partition(";")
    charset = _charset(params)
    if media_type.strip().lower() not in ACCEPTED_MEDIA_TYPES or charset not in (None, "utf-8"):
        raise HttpProblemError(
            415, "not-supported",
            "send the message as application/fhir+json (or application/json) in UTF-8",
        )


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


async def read_limited(request: Request, limit: int, timeout_s: float) -> bytes:
    """The whole body, refusing it as soon as it is known to exceed ``limit`` bytes.

    The declared Content-Length is checked before reading anything, and the streamed bytes
    are counted too (chunked uploads declare no length, and a client may under-declare),
    so an oversized body is never held in memory. A client that stalls gets 408; one that
    hangs up mid-body gets a 400 it will not read (logged and counted like any answer,
    not as an internal error).
    """
    declared = request.headers.get("content-length")
    # A malformed Content-Length never gets here: the HTTP parser refuses it first (400).
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    with anyio.move_on_after(timeout_s) as scope:
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                chunks.append(chunk)
        except ClientDisconnect:
            raise HttpProblemError(
                400, "incomplete", "the client closed the connection before sending the body"
            ) from None
    if scope.cancelled_caught:
        raise HttpProblemError(408, "timeout", "the request body did not arrive in time")
    return b"".join(chunks)


def _too_large(limit: int) -> HttpProblemError:
    return HttpProblemError(413, "too-long", f"the message exceeds the limit of {limit} bytes",
                            expression="Bundle")
