"""What processing one input message produces: the contract between the pipeline and transports.

A transport (RabbitMQ, file drop, in memory, HTTP) hands raw bytes to a
:class:`MessageProcessor` and gets back either :class:`Processed` (publish every
output, then acknowledge the input) or :class:`Rejected` (a permanent error: dead-letter
the input with the OperationOutcome). Anything raised instead is unexpected or transient
and the transport decides (retry, bounded by the broker's delivery limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class OutputKind(StrEnum):
    """Logical destinations; transports map them to routing keys, folders, HTTP bodies."""

    REPORT = "report"
    TUMOUR_BOARD = "tumour-board"


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    kind: OutputKind
    message_id: str
    """Deterministic (UUIDv5 of the input): a republish is byte-identical and recognisable."""
    body: bytes
    content_type: str = "application/fhir+json"


@dataclass(frozen=True, slots=True)
class Processed:
    message_id: str
    """The input message's id (MessageHeader.id, else Bundle.id): the correlation id."""
    outputs: tuple[OutboundMessage, ...]
    overall_category: str
    prrt_recommendation: str
    lesion_categories: tuple[str, ...]
    tumour_board: bool


@dataclass(frozen=True, slots=True)
class Rejected:
    message_id: str | None
    reason: str
    """Short machine-readable reason, safe for logs and metric labels (no patient data)."""
    outcome: bytes
    """A FHIR OperationOutcome (JSON) with one issue per problem."""
    http_status: int = 422


Outcome = Processed | Rejected


class MessageProcessor(Protocol):
    """Turns one raw input message into its outcome; pure apart from reading the bytes."""

    def __call__(self, body: bytes) -> Outcome: ...
