"""The HTTP/1.1 connection layer under the app: uvicorn's h11 protocol with guards.

uvicorn alone lets a client that never completes a request hold its connection
forever (its keep-alive timeout starts only after a response, and any byte received
cancels it), and its ``limit_concurrency`` counts such idle connections, so 64 of them
turn every request into a plain-text 503, probes included. This protocol adds:

- a **request-read deadline**: from the moment a connection opens, and from the first
  byte of each later request, the client has ``request_timeout_s`` to send a complete
  request line and headers; otherwise the connection is closed (with a 408
  OperationOutcome when part of a request had arrived). Bytes trickled in do not extend
  it. (Between requests uvicorn's keep-alive timeout applies; a request that arrives
  whole in one read starts no timer, so the common path costs nothing.)
- a **send deadline**: a client that stops reading its answer (its window full, so
  writes pause) has ``send_timeout_s`` to resume; then the connection is dropped, which
  frees the request slot the blocked answer held.
- a **connection cap**: past ``max_connections`` open connections, the connection that
  has been idle longest (no request in progress, idle for at least ``eviction_grace_s``)
  is closed to make room; when there is none (every connection busy, or just opened) the
  newcomer is answered 503 and closed.
- **FHIR-shaped protocol errors**: what h11 refuses before the app sees a request
  (malformed request line or headers, a bad ``Content-Length``, an unsupported
  ``Transfer-Encoding``, headers over the size limit) is answered with an
  OperationOutcome (400, 501 or 431) instead of uvicorn's plain text.

Every answer the layer writes itself is followed by a half-close and a short linger
during which further input is discarded, so the client reads the answer before the
connection goes (closing on unread input would reset it and lose the answer).

uvicorn's own ``limit_concurrency`` is switched off: the app limits requests in flight
(:mod:`adapter.http.middleware`), which leaves the probes exempt.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from adapter.http.outcomes import FHIR_JSON, operation_outcome

log = logging.getLogger("adapter.http")

DEFAULT_MAX_HEADER_BYTES = 16 * 1024
"""Largest request line plus headers accepted (h11's default); larger gets 431."""

_STATUS_TEXT = {400: b"Bad Request", 408: b"Request Timeout", 431:
                b"Request Header Fields Too Large", 501: b"Not Implemented",
                503: b"Service Unavailable"}

_PROTOCOL_ISSUES = {
    400: ("structure", "the request line or headers are not valid HTTP/1.1"),
    431: ("too-long", "the request line and headers exceed the size limit"),
    501: ("not-supported", "the request uses a transfer coding this server does not support"),
}


class _RecordingConnection(h11.Connection):
    """An h11 connection that also refuses what h11 lets through, and remembers the
    protocol error it raised last (its status hint tells a bad request from oversized
    headers or an unsupported transfer coding).

    h11 bounds only an *incomplete* head by its size limit: a head that arrives whole in
    one read passes whatever its size, so complete requests are measured here too. A
    request with both ``Content-Length`` and ``Transfer-Encoding`` is refused (RFC 9112
    section 6.3 allows it): proxies disagree on which one wins, the root of request
    smuggling.
    """

    last_error: h11.RemoteProtocolError | None = None

    def __init__(self, max_header_bytes: int) -> None:
        super().__init__(h11.SERVER, max_header_bytes)
        self.max_header_bytes = max_header_bytes

    def next_event(self) -> Any:
        try:
            event = super().next_event()
            if isinstance(event, h11.Request):
                self._check(event)
            return event
        except h11.RemoteProtocolError as exc:
            self.last_error = exc
            raise

    def _check(self, request: h11.Request) -> None:
        size = len(request.method) + len(request.target) + 12
        names: set[bytes] = set()
        for name, value in request.headers:
            size += len(name) + len(value) + 4
            names.add(name)
        if size > self.max_header_bytes:
            raise h11.RemoteProtocolError("request head too large", error_status_hint=431)
        if b"content-length" in names and b"transfer-encoding" in names:
            raise h11.RemoteProtocolError("both Content-Length and Transfer-Encoding")


def _raw_outcome(status: int, code: str, diagnostics: str, headers: bytes = b"") -> bytes:
    """A complete HTTP/1.1 response that closes the connection, written without h11 (h11
    cannot answer before a request has been received)."""
    body = operation_outcome(code, diagnostics)
    return (b"HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %d\r\n"
            b"connection: close\r\n%s\r\n" % (status, _STATUS_TEXT[status], FHIR_JSON.encode(),
                                              len(body), headers)) + body


_REFUSAL_LOG_EVERY_S = 10.0

_TIMEOUT_RESPONSE = _raw_outcome(
    408, "timeout", "the request line and headers did not arrive in time")
_FULL_RESPONSE = _raw_outcome(
    503, "throttled", "too many open connections; retry later", b"retry-after: 1\r\n")


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the guards of the module docstring.

    Configured by :func:`guarded_protocol`, which sets the limits as class attributes.
    """

    request_timeout_s: float = 10.0
    max_connections: int = 1000
    eviction_grace_s: float = 1.0
    """A connection idle for less than this is not closed to make room: in a burst the
    newest connections have not yet had their request read."""
    linger_s: float = 1.0
    send_timeout_s: float = 30.0
    _refusals = 0
    _refusals_logged_at = float("-inf")
    """Refused connections are logged at most once per ``_REFUSAL_LOG_EVERY_S`` with a
    count, so a flood of connections cannot flood the log as well."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._h11 = _RecordingConnection(
            config.h11_max_incomplete_event_size or DEFAULT_MAX_HEADER_BYTES)
        self.conn = self._h11
        self.limit_concurrency = None  # the app's middleware limits requests, probes exempt
        self._deadline: asyncio.TimerHandle | None = None
        self._idle_since = self.loop.time()
        self._answered = False
        self._write_deadline: asyncio.TimerHandle | None = None

    # --- connection life --------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_deadline()
        if len(self.connections) > self.max_connections:
            self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        self._cancel_write_deadline()
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_deadline is None:
            self._write_deadline = self.loop.call_later(self.send_timeout_s,
                                                        self._send_timed_out)

    def resume_writing(self) -> None:
        self._cancel_write_deadline()
        super().resume_writing()

    def data_received(self, data: bytes) -> None:
        if self._answered:
            return  # lingering after an answer of this layer: discard, then close
        super().data_received(data)  # cancels uvicorn's keep-alive timer
        if self._deadline is None and not self._busy and not self.transport.is_closing():
            self._arm_deadline()  # part of a request (or a stray body) and no timer left

    def handle_events(self) -> None:
        super().handle_events()
        if self._busy:
            self._cancel_deadline()  # a complete request arrived: the app's timeouts apply

    def on_response_complete(self) -> None:
        self._idle_since = self.loop.time()
        super().on_response_complete()  # arms the keep-alive timer

    def send_400_response(self, msg: str) -> None:
        error = self._h11.last_error
        hint = error.error_status_hint if error is not None else 400
        status = hint if hint in _PROTOCOL_ISSUES else 400
        log.info("request refused by the HTTP parser", extra={"status": status})
        # h11 has moved to its error state: write the answer raw, then close.
        self._answer_and_close(_raw_outcome(status, *_PROTOCOL_ISSUES[status]))

    # --- the guards -------------------------------------------------------------------

    @property
    def _busy(self) -> bool:
        """A request is in the app (its headers are complete and no response is done)."""
        return self.cycle is not None and not self.cycle.response_complete

    def _arm_deadline(self) -> None:
        self._cancel_deadline()
        self._deadline = self.loop.call_later(self.request_timeout_s, self._request_timed_out)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _request_timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or self._busy:
            return
        partial = bool(self.conn.trailing_data[0]) and self.conn.our_state is h11.IDLE
        log.debug("connection closed: no complete request in time",
                  extra={"status": 408 if partial else None})
        if partial:
            self._answer_and_close(_TIMEOUT_RESPONSE)
        else:
            self.transport.close()

    def _cancel_write_deadline(self) -> None:
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None

    def _send_timed_out(self) -> None:
        self._write_deadline = None
        log.info("connection dropped: the client stopped reading its answer")
        self.transport.abort()  # close() would wait for the unread bytes to drain

    def _make_room(self) -> None:
        settled = self.loop.time() - self.eviction_grace_s
        idle = [c for c in self.connections
                if isinstance(c, GuardedH11Protocol) and c is not self and not c._busy
                and not c._answered and c._idle_since <= settled
                and not c.transport.is_closing()]
        if idle:
            oldest = min(idle, key=lambda c: c._idle_since)
            log.debug("idle connection closed to make room for a new one")
            oldest._cancel_deadline()
            oldest.transport.close()
            return
        self._log_refusal()
        self._answer_and_close(_FULL_RESPONSE)

    def _log_refusal(self) -> None:
        cls = GuardedH11Protocol
        cls._refusals += 1
        now = self.loop.time()
        if now - cls._refusals_logged_at >= _REFUSAL_LOG_EVERY_S:
            log.warning("connections refused: the connection cap is reached and none is idle",
                        extra={"status": 503, "count": cls._refusals})
            cls._refusals, cls._refusals_logged_at = 0, now

    def _answer_and_close(self, response: bytes) -> None:
        """Write an answer of this layer, half-close, discard input, close after a linger."""
        if self._answered or self.transport.is_closing():
            return
        self._answered = True
        self._cancel_deadline()
        self.transport.write(response)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(self.linger_s, self.transport.close)


def guarded_protocol(
    *, request_timeout_s: float, max_connections: int, send_timeout_s: float = 30.0
) -> type[H11Protocol]:
    """The protocol class for ``uvicorn.Config(http=...)`` with these limits."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {
        "request_timeout_s": request_timeout_s, "max_connections": max_connections,
        "send_timeout_s": send_timeout_s})
