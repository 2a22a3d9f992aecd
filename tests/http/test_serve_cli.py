"""``sstr-adapter serve``: argument checks, settings errors, and the uvicorn configuration."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import uvicorn

from adapter.cli import EXIT_CONFIG, EXIT_OK, EXIT_USAGE, main
from adapter.http.connections import GuardedH11Protocol
from adapter.http.middleware import EdgeMiddleware
from adapter.http.security import API_TOKEN_MIN_LENGTH

GOOD_TOKEN = "a" * API_TOKEN_MIN_LENGTH


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[uvicorn.Config]]:
    """Capture the config ``serve`` would run instead of serving (a valid token is set)."""
    monkeypatch.setenv("SSTR_API_TOKEN", GOOD_TOKEN)
    monkeypatch.delenv("SSTR_API_AUTH", raising=False)
    configs: list[uvicorn.Config] = []
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def run(server: uvicorn.Server, sockets: object = None) -> None:
        configs.append(server.config)

    monkeypatch.setattr(uvicorn.Server, "run", run)
    yield configs
    root.handlers[:], root.level = handlers, level  # serve configured process-wide logging


def test_serve_runs_uvicorn_with_the_settings_and_safe_defaults(
    served: list[uvicorn.Config], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSTR_HTTP_HOST", "0.0.0.0")
    monkeypatch.setenv("SSTR_HTTP_PORT", "8443")

    code = main(["serve", "--timeout-keep-alive", "7"])

    assert code == EXIT_OK
    (config,) = served
    assert (config.host, config.port) == ("0.0.0.0", 8443)
    assert config.timeout_keep_alive == 7
    assert config.access_log is False and config.server_header is False
    assert config.log_config is None
    assert config.forwarded_allow_ips == "127.0.0.1"
    assert config.limit_concurrency is None  # counts idle connections: the app limits instead
    assert issubclass(config.http, GuardedH11Protocol)
    assert config.ws == "none"
    assert (config.http.request_timeout_s, config.http.max_connections) == (10.0, 512)
    assert config.http.send_timeout_s == 30.0
    assert _edge(config).limit_concurrency == 64


def _edge(config: uvicorn.Config) -> EdgeMiddleware:
    app = config.app
    stack = app.build_middleware_stack()  # type: ignore[attr-defined]
    while not isinstance(stack, EdgeMiddleware):
        stack = stack.app
    return stack


def test_serve_takes_limits_and_timeouts_from_the_settings_and_the_flag(
    served: list[uvicorn.Config], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSTR_HTTP_REQUEST_TIMEOUT_S", "3.5")
    monkeypatch.setenv("SSTR_HTTP_MAX_CONNECTIONS", "100")
    monkeypatch.setenv("SSTR_HTTP_LIMIT_CONCURRENCY", "9")

    assert main(["serve"]) == EXIT_OK
    assert main(["serve", "--limit-concurrency", "5"]) == EXIT_OK

    first, second = served
    assert (first.http.request_timeout_s, first.http.max_connections) == (3.5, 100)
    assert (_edge(first).limit_concurrency, _edge(second).limit_concurrency) == (9, 5)


@pytest.mark.parametrize("token", [
    "", " ", "\t\n", "short-token", "a" * (API_TOKEN_MIN_LENGTH - 1),
    "a" * API_TOKEN_MIN_LENGTH + " ", "a" * API_TOKEN_MIN_LENGTH + "\n",
    "pass word " + "a" * API_TOKEN_MIN_LENGTH, "é" * API_TOKEN_MIN_LENGTH,
])
def test_an_unusable_token_is_a_configuration_error_that_does_not_echo_it(
    served: list[uvicorn.Config], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], token: str,
) -> None:
    monkeypatch.setenv("SSTR_API_TOKEN", token)

    code = main(["serve"])

    err = capsys.readouterr().err
    assert code == EXIT_CONFIG
    assert served == []
    assert "SSTR_API_TOKEN" in err
    assert token.strip() == "" or token.strip() not in err


def test_no_token_without_an_explicit_auth_none_is_a_configuration_error(
    served: list[uvicorn.Config], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("SSTR_API_TOKEN")

    code = main(["serve"])

    assert code == EXIT_CONFIG
    assert served == []
    assert "SSTR_API_AUTH=none" in capsys.readouterr().err


def test_auth_none_and_a_token_together_is_a_configuration_error(
    served: list[uvicorn.Config], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSTR_API_AUTH", "none")

    assert main(["serve"]) == EXIT_CONFIG
    assert served == []


def test_auth_none_serves_without_a_token_and_warns_at_start(
    served: list[uvicorn.Config], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("SSTR_API_TOKEN")
    monkeypatch.setenv("SSTR_API_AUTH", "none")

    code = main(["serve"])

    assert code == EXIT_OK
    assert len(served) == 1
    warnings = [orjson.loads(line) for line in capsys.readouterr().err.splitlines()
                if '"WARNING"' in line]  # serve logs JSON lines to stderr
    assert any("SSTR_API_AUTH=none" in w["event"] for w in warnings)


def test_serve_passes_the_tls_files_to_uvicorn(
    served: list[uvicorn.Config], tmp_path: Path,
) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"

    code = main(["serve", "--ssl-keyfile", str(key), "--ssl-certfile", str(cert)])

    assert code == EXIT_OK
    assert (served[0].ssl_keyfile, served[0].ssl_certfile) == (str(key), str(cert))


def test_a_key_without_a_certificate_is_a_usage_error(
    served: list[uvicorn.Config], capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["serve", "--ssl-keyfile", "key.pem"])

    assert code == EXIT_USAGE
    assert served == []
    assert "--ssl-certfile" in capsys.readouterr().err


def test_invalid_settings_exit_3_naming_the_field_but_no_value(
    served: list[uvicorn.Config], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SSTR_HTTP_PORT", "70000")
    monkeypatch.setenv("SSTR_API_TOKEN", "very-secret-token-" + GOOD_TOKEN)

    code = main(["serve"])

    err = capsys.readouterr().err
    assert code == EXIT_CONFIG
    assert "http_port" in err
    assert "70000" not in err and "very-secret-token" not in err and GOOD_TOKEN not in err
    assert served == []
