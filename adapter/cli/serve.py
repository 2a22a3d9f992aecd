"""``sstr-adapter serve``: run the HTTP API under uvicorn with the settings from the environment."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from adapter.cli import EXIT_CONFIG, EXIT_OK, EXIT_USAGE

log = logging.getLogger("adapter.cli.serve")


def register(subparsers: Any) -> None:
    """Add the ``serve`` sub-command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="run the HTTP API (FHIR $process-message, $validate, /metadata, probes, metrics)",
        description="Run the HTTP API. Host, port, token and limits come from SSTR_* "
                    "settings; TLS from the options below or a reverse proxy (README).",
    )
    parser.add_argument("--ssl-keyfile", type=Path, help="PEM private key: serve HTTPS")
    parser.add_argument("--ssl-certfile", type=Path, help="PEM certificate chain for HTTPS")
    parser.add_argument("--profiles-dir", type=Path,
                        help="compiled FHIR conformance resources (default: SUSHI's output)")
    parser.add_argument("--forwarded-allow-ips", default="127.0.0.1",
                        help="proxies trusted for X-Forwarded-Proto/For (default 127.0.0.1)")
    parser.add_argument("--timeout-keep-alive", type=_positive, default=5,
                        help="seconds a connection stays open idle after a response (default 5)")
    parser.add_argument("--limit-concurrency", type=_positive, default=None,
                        help="requests in flight before answering 503, probes exempt "
                             "(default SSTR_HTTP_LIMIT_CONCURRENCY, 64)")
    parser.set_defaults(func=run)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def run(args: argparse.Namespace) -> int:
    """Load settings, wire the pipeline and serve until interrupted."""
    # Imported here: other sub-commands need neither FastAPI nor uvicorn.
    import uvicorn

    from adapter.bootstrap import build_processor, build_validator
    from adapter.http import create_app
    from adapter.http.security import AuthConfigError, configured_token
    from adapter.http.server import uvicorn_config
    from adapter.observability import Metrics, configure_logging
    from adapter.settings import load_settings

    if (args.ssl_keyfile is None) != (args.ssl_certfile is None):
        print("serve: --ssl-keyfile and --ssl-certfile go together", file=sys.stderr)
        return EXIT_USAGE
    try:
        settings = load_settings()
    except ValidationError as exc:
        # Field names only: values may be secrets (the API token).
        fields = sorted({".".join(map(str, e["loc"])) for e in exc.errors()})
        print(f"serve: invalid settings: {', '.join(fields)}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        token = configured_token(settings)
    except AuthConfigError as exc:
        print(f"serve: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.limit_concurrency is not None:
        settings = settings.model_copy(update={"http_limit_concurrency": args.limit_concurrency})
    configure_logging(settings.log_level)
    app = create_app(settings, build_processor(settings), metrics=Metrics(),
                     validator=build_validator(settings), profiles_dir=args.profiles_dir)
    config = uvicorn_config(
        app, settings, ssl_keyfile=args.ssl_keyfile, ssl_certfile=args.ssl_certfile,
        forwarded_allow_ips=args.forwarded_allow_ips, timeout_keep_alive=args.timeout_keep_alive)
    if token is None:
        log.warning("SSTR_API_AUTH=none: the API accepts unauthenticated requests; "
                    "use this only on a trusted network")
    uvicorn.Server(config).run()
    return EXIT_OK
