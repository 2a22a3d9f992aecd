"""``sstr-adapter serve``: argument checks, settings errors, and the uvicorn configuration."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from adapter.cli import EXIT_CONFIG, EXIT_OK, EXIT_USAGE, main


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[uvicorn.Config]]:
    """Capture the config ``serve`` would run instead of serving."""
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
    assert config.limit_concurrency == 64


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
    monkeypatch.setenv("SSTR_API_TOKEN", "very-secret-token")

    code = main(["serve"])

    err = capsys.readouterr().err
    assert code == EXIT_CONFIG
    assert "http_port" in err
    assert "70000" not in err and "very-secret-token" not in err
    assert served == []
