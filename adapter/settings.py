"""Settings from ``SSTR_``-prefixed environment variables, read once into a frozen object.

Nothing reads the environment at import time: :func:`load_settings` is called by the
entry points (CLI, ASGI factory) and the result is passed down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapter.domain import ScoringPolicy
from adapter.fhir.render_options import ReportOptions

_DEFAULT_REPORT = ReportOptions()
_IDENTIFIER = r"^[A-Za-z][A-Za-z0-9+.-]*:\S+\|\S+$"


class Settings(BaseSettings):
    """Every setting of the adapter; the README's settings table lists them."""

    model_config = SettingsConfigDict(env_prefix="SSTR_", frozen=True, extra="ignore")

    # --- scoring policy (judgement calls; README policy table) -------------------
    several_lesions: int = Field(2, ge=2, description="How many 3B/3D lesions are 'several'.")
    representative_above: int = Field(
        5, ge=1, description="More positive lesions than this: mark one representative per system."
    )
    ki67_raised_percent: float = Field(
        3.0, gt=0, le=100, description="Ki-67 at or above this is an increased proliferation index."
    )

    # --- input limits ------------------------------------------------------------
    max_message_bytes: int = Field(
        2_000_000, ge=1024, description="Largest accepted input message, in bytes."
    )
    strict_validation: bool = Field(
        False, description="Also validate every input with the full fhir.resources models."
    )

    # --- the answer (README, "Output: report message") ------------------------------
    report_status: Literal["preliminary", "final"] = Field(
        _DEFAULT_REPORT.report_status,
        description="Status of a computed report whose findings are all final.",
    )
    source_endpoint: str = Field(
        _DEFAULT_REPORT.source_endpoint,
        pattern=r"^(https?://\S+|urn:[A-Za-z0-9][A-Za-z0-9-]{1,31}:\S+)$",
        description="MessageHeader.source.endpoint: an absolute URL or an RFC 8141 URN.",
    )
    operator_name: str = Field(
        _DEFAULT_REPORT.operator_name, min_length=1,
        description="The organisation operating the adapter (Provenance onBehalfOf).",
    )
    operator_identifier: str | None = Field(
        None, pattern=_IDENTIFIER, description="Its identifier as system|value."
    )
    tumour_board_name: str = Field(
        _DEFAULT_REPORT.tumour_board_name, min_length=1,
        description="Owner and performer of the tumour-board Task.",
    )
    tumour_board_identifier: str | None = Field(
        None, pattern=_IDENTIFIER, description="The tumour board's identifier as system|value."
    )
    tumour_board_priority: Literal["routine", "urgent", "asap", "stat"] = Field(
        _DEFAULT_REPORT.tumour_board_priority, description="Priority of the tumour-board Task."
    )
    tumour_board_due_days: int = Field(
        _DEFAULT_REPORT.tumour_board_due_days, ge=1, le=365,
        description="Days after the message timestamp by which the review is due.",
    )

    # --- AMQP ----------------------------------------------------------------------
    amqp_url: str | None = Field(
        None, description="amqp:// or amqps:// URL, or several separated by commas (one per "
                          "cluster node: tried in turn from a random one); unset = file drop.")
    amqp_ca_file: Path | None = Field(None, description="CA bundle for amqps:// verification.")
    amqp_cert_file: Path | None = Field(
        None, description="Client certificate (PEM) for mutual TLS; with no password in the "
                          "URL the login is EXTERNAL (the certificate's identity).")
    amqp_key_file: Path | None = Field(
        None, description="Private key of SSTR_AMQP_CERT_FILE (unset: in the certificate file).")
    amqp_key_password: SecretStr | None = Field(
        None, description="Password of an encrypted SSTR_AMQP_KEY_FILE.")
    input_exchange: str = "sstr.in"
    input_queue: str = "sstr.in.q"
    input_routing_key: str = "sstr.findings.v1"
    output_exchange: str = "sstr.out"
    report_routing_key: str = "sstr.report.v1"
    tumour_board_routing_key: str = "sstr.tumour-board.v1"
    report_queue: str = "sstr.report.q"
    tumour_board_queue: str = "sstr.tumour-board.q"
    dead_letter_exchange: str = "sstr.dlx"
    dead_letter_queue: str = "sstr.dlq"
    delivery_limit: int = Field(3, ge=0, description="Redeliveries before dead-lettering.")
    prefetch: int = Field(50, ge=1, le=10_000)
    heartbeat_s: int = Field(
        10, ge=0, description="AMQP heartbeat; a silent connection is given up after about "
                              "heartbeat + 5 to 2 x (heartbeat + 5) seconds. 0 = off.")
    blocked_connection_timeout_s: float = Field(60.0, gt=0)
    socket_timeout_s: float = Field(
        5.0, gt=0, description="TCP connect timeout per broker address.")
    connection_timeout_s: float = Field(
        10.0, gt=0, description="Whole connection set-up per address (TCP, TLS, AMQP "
                                "handshake): a hung node is left after this long.")
    reconnect_max_backoff_s: float = Field(
        10.0, gt=0, description="Cap of the pause after every address failed in a row.")
    queue_leader_locator: Literal["balanced", "client-local", ""] = Field(
        "balanced", description="x-queue-leader-locator of the quorum queues declared "
                                "('' = leave it out, for queues declared without it).")
    burst_budget_ms: float = Field(
        2.0, ge=0, le=1000,
        description="Worker: how long it may process queued deliveries before the I/O loop "
                    "writes their outputs; 0 = one delivery per turn of the loop.",
    )

    # --- file drop -------------------------------------------------------------------
    drop_dir: Path = Field(Path("var/drop"), description="Root of inbox/, outbox/, dead-letter/.")

    # --- HTTP ------------------------------------------------------------------------
    http_host: str = "127.0.0.1"
    http_port: int = Field(8080, ge=1, le=65535)
    api_token: SecretStr | None = Field(
        None, description="Bearer token, 32+ characters; required unless SSTR_API_AUTH=none."
    )
    api_auth: Literal["token", "none"] = Field(
        "token", description="'token': SSTR_API_TOKEN required; 'none': no authentication."
    )
    http_request_timeout_s: float = Field(
        10.0, gt=0, le=300, description="Seconds a connection has to send request line and headers."
    )
    http_body_timeout_s: float = Field(
        30.0, gt=0, le=600, description="Seconds a client has to send the whole request body."
    )
    http_send_timeout_s: float = Field(
        30.0, gt=0, le=600, description="Seconds a client may stop reading its answer."
    )
    http_limit_concurrency: int = Field(
        64, ge=1, description="Requests in flight before 503 (the probes are exempt)."
    )
    http_max_connections: int = Field(
        512, ge=8, description="Open connections; past it the longest-idle one is closed."
    )
    metrics_port: int = Field(9464, ge=0, le=65535, description="Worker metrics port; 0 = off.")
    metrics_addr: str = Field(
        "127.0.0.1", description="Worker metrics address; 0.0.0.0 in a container (no auth)."
    )

    # --- logging -----------------------------------------------------------------------
    log_level: str = "INFO"

    # --- diagnosis (adapter.messaging.trace) ------------------------------------------
    trace_sample: int = Field(
        0, ge=0, description="AMQP worker: time 1 delivery in N through its stages; 0 = off."
    )
    trace_file: Path | None = Field(
        None, description="JSON-lines file the worker writes its timings to when it stops."
    )

    def report_options(self) -> ReportOptions:
        return ReportOptions(
            report_status=self.report_status,
            source_endpoint=self.source_endpoint,
            operator_name=self.operator_name,
            operator_identifier=self.operator_identifier,
            tumour_board_name=self.tumour_board_name,
            tumour_board_identifier=self.tumour_board_identifier,
            tumour_board_priority=self.tumour_board_priority,
            tumour_board_due_days=self.tumour_board_due_days,
        )

    def policy(self) -> ScoringPolicy:
        return ScoringPolicy(
            several_lesions=self.several_lesions,
            representative_above=self.representative_above,
            ki67_raised_percent=self.ki67_raised_percent,
        )


def load_settings() -> Settings:
    """Read the environment once (the entry points call this)."""
    return Settings()
