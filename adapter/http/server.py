"""uvicorn configuration for the HTTP API: timeouts, TLS, proxies, and quiet logs."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from adapter.settings import Settings


def uvicorn_config(
    app: ASGIApp,
    settings: Settings,
    *,
    ssl_keyfile: Path | None = None,
    ssl_certfile: Path | None = None,
    forwarded_allow_ips: str = "127.0.0.1",
    limit_concurrency: int = 64,
    timeout_keep_alive: int = 5,
) -> uvicorn.Config:
    """The server settings ``sstr-adapter serve`` runs with.

    - access log off (and its logger disabled): uvicorn's access line carries the raw
      path and query string, client text that may hold patient data; the app logs route
      templates instead.
    - ``log_config`` None: keep the process's JSON logging (configure_logging).
    - ``timeout_keep_alive`` closes idle connections; ``limit_concurrency`` answers 503
      beyond that many open connections/requests instead of queuing without bound.
    - ``proxy_headers`` trusts X-Forwarded-Proto/For only from ``forwarded_allow_ips``
      (the TLS-terminating reverse proxy).
    """
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        log_level=settings.log_level.lower(),
        access_log=False,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        limit_concurrency=limit_concurrency,
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
