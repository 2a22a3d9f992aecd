"""uvicorn configuration for the HTTP API: timeouts, limits, TLS, proxies, and quiet logs."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from adapter.http.connections import DEFAULT_MAX_HEADER_BYTES, guarded_protocol
from adapter.settings import Settings


def uvicorn_config(
    app: ASGIApp,
    settings: Settings,
    *,
    ssl_keyfile: Path | None = None,
    ssl_certfile: Path | None = None,
    forwarded_allow_ips: str = "127.0.0.1",
    timeout_keep_alive: int = 5,
) -> uvicorn.Config:
    """The server settings ``sstr-adapter serve`` runs with.

    - the HTTP/1.1 protocol is :class:`~adapter.http.connections.GuardedH11Protocol`
      (h11 whatever else is installed): a request-read deadline of
      ``SSTR_HTTP_REQUEST_TIMEOUT_S``, a send deadline of ``SSTR_HTTP_SEND_TIMEOUT_S``,
      at most ``SSTR_HTTP_MAX_CONNECTIONS`` open connections (the longest-idle one
      closed to make room), OperationOutcomes for the parser's own errors. Requests in
      flight are limited by the app (probes exempt), so uvicorn's ``limit_concurrency``,
      which counts idle connections too, stays off.
    - access log off (and its logger disabled): uvicorn's access line carries the raw
      path and query string, client text that may hold patient data; the app logs route
      templates instead.
    - ``log_config`` None: keep the process's JSON logging (configure_logging).
    - ``timeout_keep_alive`` closes connections idle after a response.
    - ``proxy_headers`` trusts X-Forwarded-Proto/For only from ``forwarded_allow_ips``
      (the TLS-terminating reverse proxy).
    """
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        http=guarded_protocol(request_timeout_s=settings.http_request_timeout_s,
                              max_connections=settings.http_max_connections,
                              send_timeout_s=settings.http_send_timeout_s),
        h11_max_incomplete_event_size=DEFAULT_MAX_HEADER_BYTES,
        ws="none",  # no WebSocket routes; an upgraded connection would escape the guards
        log_config=None,
        log_level=settings.log_level.lower(),
        access_log=False,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        timeout_keep_alive=timeout_keep_alive,
        timeout_graceful_shutdown=10,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
    )
    # uvicorn writes access lines whenever "uvicorn.access" has a handler anywhere up its
    # chain, whatever access_log says (e.g. a log collector attaching to every logger);
    # a disabled logger drops them before any handler sees the raw path.
    logging.getLogger("uvicorn.access").disabled = True
    return config
