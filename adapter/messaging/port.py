"""The small interface between the consume logic and a broker channel.

:class:`AmqpChannel` is all the consume logic (:mod:`adapter.messaging.worker`) needs from a
broker: publish with a settlement callback (publisher confirm, or a return for an unroutable
``mandatory`` message), ack, and requeue. :class:`~adapter.messaging.rabbitmq.PikaChannel`
implements it over a pika channel with asynchronous confirms;
:class:`~adapter.messaging.memory.InMemoryChannel` implements it in memory for logic tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

FHIR_JSON = "application/fhir+json"

# Headers the adapter writes on dead letters it publishes itself (README: dead-letter queue).
REASON_HEADER = "x-sstr-reason"
ORIGINAL_ID_HEADER = "x-sstr-original-message-id"
OUTCOME_HEADER = "x-sstr-outcome"
ATTEMPTS_HEADER = "x-sstr-attempts"
ERROR_TYPE_HEADER = "x-sstr-error-type"
ORIGINAL_ROUTING_KEY_HEADER = "x-sstr-original-routing-key"
DELIVERY_COUNT_HEADER = "x-delivery-count"  # set by quorum queues on redeliveries


class Settlement(StrEnum):
    """How the broker settled one publish."""

    CONFIRMED = "confirmed"
    UNROUTABLE = "unroutable"
    """Returned (``basic.return``): no queue is bound for the routing key."""
    NACKED = "nacked"
    """The broker refused it (``basic.nack``), e.g. a full queue with ``reject-publish``."""
    CHANNEL_LOST = "channel-lost"
    """The channel closed before the confirm arrived: outcome unknown, never act on it."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One input message as delivered on one channel."""

    tag: int
    """Delivery tag: valid only on the channel that delivered it."""
    body: bytes
    message_id: str | None = None
    correlation_id: str | None = None
    routing_key: str = ""
    headers: Mapping[str, object] = field(default_factory=dict)
    content_type: str | None = None

    @property
    def attempt(self) -> int:
        """Earlier deliveries of this message that were not settled (0 on the first)."""
        count = self.headers.get(DELIVERY_COUNT_HEADER, 0)
        return count if isinstance(count, int) else 0


@dataclass(frozen=True, slots=True)
class Publication:
    """One persistent, ``mandatory`` publish."""

    exchange: str
    routing_key: str
    body: bytes
    message_id: str | None
    correlation_id: str | None = None
    content_type: str = FHIR_JSON
    headers: Mapping[str, object] = field(default_factory=dict)


OnSettled = Callable[[Settlement], None]


class AmqpChannel(Protocol):
    """What the consume logic needs from one broker channel."""

    def publish(self, publication: Publication, on_settled: OnSettled) -> None:
        """Publish persistent and ``mandatory``; ``on_settled`` runs once the broker decides."""

    def ack(self, delivery: Delivery) -> None:
        """Acknowledge one delivery of this channel (a no-op once the channel is gone)."""

    def requeue(self, delivery: Delivery) -> None:
        """Return one delivery for redelivery (``basic.nack`` with requeue)."""
