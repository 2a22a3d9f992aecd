"""Settings from ``SSTR_``-prefixed environment variables, read once into a frozen object.

Nothing reads the environment at import time: :func:`load_settings` is called by the
entry points (CLI, ASGI factory) and the result is passed down.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapter.domain import ScoringPolicy


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

    # --- AMQP ----------------------------------------------------------------------
    amqp_url: str | None = Field(None, description="amqp:// or amqps:// URL; unset = file drop.")
    amqp_ca_file: Path | None = Field(None, description="CA bundle for amqps:// verification.")
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
    heartbeat_s: int = Field(30, ge=0)
    blocked_connection_timeout_s: float = Field(60.0, gt=0)
    reconnect_max_backoff_s: float = Field(30.0, gt=0)
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
    api_token: SecretStr | None = Field(None, description="Bearer token; set = required.")
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

    def policy(self) -> ScoringPolicy:
        return ScoringPolicy(
            several_lesions=self.several_lesions,
            representative_above=self.representative_above,
            ki67_raised_percent=self.ki67_raised_percent,
        )


def load_settings() -> Settings:
    """Read the environment once (the entry points call this)."""
    return Settings()
