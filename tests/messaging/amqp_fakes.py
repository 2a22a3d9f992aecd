"""A small stand-in for the pipeline: JSON in, a report (and maybe a tumour-board flag) out.

Input: ``{"id": "...", "board": true|false}``; ``{"invalid": true}`` or non-JSON is
rejected; ``{"explode": true}`` raises. Outputs are deterministic (UUIDv5 of the id).
"""

from __future__ import annotations

import uuid

import orjson

from adapter.service.results import OutboundMessage, Outcome, OutputKind, Processed, Rejected

NAMESPACE = uuid.UUID("6f1c1d1e-0000-4000-8000-000000000001")
OUTCOME = orjson.dumps({"resourceType": "OperationOutcome", "issue": [
    {"severity": "error", "code": "invalid", "diagnostics": "fake rejection",
     "expression": ["Bundle"]}]})


class FakeProcessor:
    """Callable ``bytes -> Processed | Rejected``; raises on ``explode``."""

    def __call__(self, body: bytes) -> Outcome:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return Rejected(None, "invalid-json", OUTCOME)
        if not isinstance(data, dict) or data.get("invalid") or "id" not in data:
            return Rejected(data.get("id") if isinstance(data, dict) else None, "invalid", OUTCOME)
        if data.get("explode"):
            raise RuntimeError("boom")
        input_id = str(data["id"])
        outputs = [self._output(OutputKind.REPORT, input_id)]
        if data.get("board"):
            outputs.append(self._output(OutputKind.TUMOUR_BOARD, input_id))
        return Processed(input_id, tuple(outputs), "3B", "prrt-recommended", ("3B",),
                         bool(data.get("board")))

    @staticmethod
    def _output(kind: OutputKind, input_id: str) -> OutboundMessage:
        out_id = str(uuid.uuid5(NAMESPACE, f"{input_id}/{kind.value}"))
        body = orjson.dumps({"resourceType": "Bundle", "id": out_id, "kind": kind.value,
                             "input": input_id})
        return OutboundMessage(kind, out_id, body)


def build() -> FakeProcessor:
    return FakeProcessor()
