"""The HTTP baseline: a bare FastAPI endpoint returning fixed bytes, under the same uvicorn
configuration as ``sstr-adapter serve``.

Run as ``python -m adapter.bench.bare_http RESPONSE_FILE`` with ``SSTR_HTTP_PORT`` set.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response

from adapter.http.server import uvicorn_config
from adapter.settings import load_settings


def bare_app(response_body: bytes) -> FastAPI:
    """``POST /$process-message`` answering ``response_body`` without reading the request."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/$process-message")
    async def process_message() -> Response:
        return Response(response_body, media_type="application/fhir+json")

    return app


def main(argv: list[str] | None = None) -> int:
    """Serve the bare app until SIGTERM/SIGINT."""
    args = sys.argv[1:] if argv is None else argv
    app = bare_app(Path(args[0]).read_bytes())
    uvicorn.Server(uvicorn_config(app, load_settings())).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
