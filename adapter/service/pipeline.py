"""Processing one input message: bytes in, :class:`Processed` or :class:`Rejected` out.

Provisional skeleton: the size check is real, everything else is rejected until the
FHIR parser and renderer land (same interface).
"""

from __future__ import annotations

import orjson

from adapter.domain import DEFAULT_POLICY, ScoringPolicy
from adapter.service.results import Outcome, Rejected


class ScoringPipeline:
    """Callable ``bytes -> Processed | Rejected`` (the :class:`MessageProcessor` protocol)."""

    def __init__(
        self,
        policy: ScoringPolicy = DEFAULT_POLICY,
        max_message_bytes: int = 2_000_000,
        strict_validation: bool = False,
    ) -> None:
        self.policy = policy
        self.max_message_bytes = max_message_bytes
        self.strict_validation = strict_validation

    def __call__(self, body: bytes) -> Outcome:
        if len(body) > self.max_message_bytes:
            return _reject("too-large", 413, "too-long", "message exceeds the size limit")
        return _reject("invalid", 422, "not-supported", "scoring not wired yet")


def _reject(reason: str, status: int, code: str, text: str) -> Rejected:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text,
                   "expression": ["Bundle"]}],
    }
    return Rejected(None, reason, orjson.dumps(outcome), status)
