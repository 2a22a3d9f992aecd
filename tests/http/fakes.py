"""Hand-written processors and validators standing in for the pipeline in edge tests."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from adapter.service.results import OutboundMessage, Outcome, OutputKind, Processed, Rejected

REPORT = orjson.dumps({"resourceType": "Bundle", "id": "report-1", "type": "message"})
TUMOUR_BOARD = orjson.dumps({"resourceType": "Bundle", "id": "board-1", "type": "message"})


def outcome_bytes(code: str, text: str) -> bytes:
    return orjson.dumps({"resourceType": "OperationOutcome",
                         "issue": [{"severity": "error", "code": code, "diagnostics": text}]})


def processed(*outputs: OutboundMessage) -> Processed:
    return Processed(
        message_id="msg-1",
        outputs=outputs or (OutboundMessage(OutputKind.REPORT, "report-1", REPORT),
                            OutboundMessage(OutputKind.TUMOUR_BOARD, "board-1", TUMOUR_BOARD)),
        overall_category="4",
        prrt_recommendation="prrt-candidate",
        lesion_categories=("4", "3B"),
        tumour_board=True,
    )


@dataclass
class RecordingProcessor:
    """Returns a fixed outcome and remembers every body it was called with."""

    outcome: Outcome = field(default_factory=processed)
    calls: list[bytes] = field(default_factory=list)

    def __call__(self, body: bytes) -> Outcome:
        self.calls.append(body)
        return self.outcome


def rejecting(status: int, reason: str = "invalid", code: str = "invalid") -> RecordingProcessor:
    return RecordingProcessor(
        Rejected("msg-1", reason, outcome_bytes(code, f"rejected: {reason}"), status))


class CrashingProcessor:
    """Raises with the input in the exception text, as careless code might."""

    def __call__(self, body: bytes) -> Outcome:
        raise RuntimeError(f"could not handle {body.decode(errors='replace')}")
