"""The bad-input corpus: one message per kind of problem, ``manifest.json`` says what to expect.

Every transport's tests run every case (CLI, file drop, AMQP dead letter, HTTP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

CORPUS = Path(__file__).resolve().parent
MANIFEST: list[dict[str, Any]] = orjson.loads((CORPUS / "manifest.json").read_bytes())
DEFAULT_LIMIT = 2_000_000


def body_of(case: dict[str, Any]) -> bytes:
    return (CORPUS / case["file"]).read_bytes()


def limit_of(case: dict[str, Any]) -> int:
    """The SSTR_MAX_MESSAGE_BYTES the case is scored with."""
    limit: int = case.get("max_message_bytes", DEFAULT_LIMIT)
    return limit


def expressions(outcome: bytes | str) -> set[str]:
    """Every FHIRPath an OperationOutcome names."""
    issues = orjson.loads(outcome)["issue"]
    return {e for issue in issues for e in issue.get("expression", [])}
