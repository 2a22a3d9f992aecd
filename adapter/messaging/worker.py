"""The consume logic, independent of pika: one delivery in, outputs out, then ack or not.

:class:`MessageHandler` runs the processor on a delivery, asks :func:`decide` what to do,
publishes through an :class:`AmqpChannel` and acks the input only once every publication
for it is confirmed. :class:`Intake` orders received deliveries so that a redelivered
("suspect") message, which may be the one that crashed a worker, is processed alone.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from adapter.messaging.decision import Action, Decision, PublishFailed, decide
from adapter.messaging.port import (
    ATTEMPTS_HEADER,
    DELIVERY_COUNT_HEADER,
    ERROR_TYPE_HEADER,
    FHIR_JSON,
    ORIGINAL_ID_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    OUTCOME_HEADER,
    REASON_HEADER,
    AmqpChannel,
    Delivery,
    Publication,
    Settlement,
)
from adapter.messaging.topology import Topology
from adapter.observability import Metrics
from adapter.service.results import MessageProcessor, OutboundMessage, Processed, Rejected

log = logging.getLogger(__name__)

TRANSPORT = "amqp"
MAX_OUTCOME_HEADER_BYTES = 64_000
"""Larger OperationOutcomes are left out of the dead letter's headers (frame size)."""
NACK_RETRY_DELAYS_S = (0.25, 0.5, 1.0)
"""Pauses before publishing a nacked input's outputs again on the same channel, holding the input.

A quorum queue nacks publishes while it has no leader (after kill -9 of the leader's node). And
a channel opened within moments of that kill, while the queue record still names the dead
leader, was seen to have every publish to that queue nacked for minutes, while new channels
opened a second later worked. So: send again after each pause (byte-identical, the input still
unacked); when the nacks outlast the pauses, ``on_stuck`` ends the session (the worker reconnects
at once, to the next address; the broker redelivers the input). Requeueing at once instead would
spend every delivery attempt within that second and dead-letter a valid message. Without
``on_stuck`` / ``call_later`` (logic tests) the input is requeued as before."""
CallLater = Callable[[float, Callable[[], None]], object]


class Tally(Counter[str]):
    """Counts per outcome for the shutdown summary line (``processed``, ``rejected``, ...)."""

    def line(self) -> str:
        keys = ("processed", "rejected", "dead_lettered", "requeued", "abandoned", "published")
        return " ".join(f"{key}={self[key]}" for key in keys)


@dataclass(slots=True)
class _InFlight:
    delivery: Delivery
    remaining: int
    dead_letter: bool
    decision: Decision
    rejected: bool = False
    """A dead letter for bad input (a :class:`Rejected`), not for a failure."""
    failure: Settlement | None = None
    publications: tuple[Publication, ...] = ()
    republished: int = 0


def _outcome_json(reason: str, error_type: str | None) -> bytes:
    """A minimal OperationOutcome for dead letters that have no pipeline outcome."""
    diagnostics = reason if error_type is None else f"{reason}: {error_type}"
    code = "exception" if error_type else "transient"
    return orjson.dumps({
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    })


def dead_letter_for(
    delivery: Delivery, reason: str, topology: Topology,
    outcome: bytes | None = None, message_id: str | None = None, error_type: str | None = None,
) -> Publication:
    """The input, unchanged, for the dead-letter exchange with its reason in headers."""
    headers = {k: v for k, v in delivery.headers.items() if k != DELIVERY_COUNT_HEADER}
    original_id = delivery.message_id or message_id
    outcome = outcome if outcome is not None else _outcome_json(reason, error_type)
    headers[REASON_HEADER] = reason
    headers[ATTEMPTS_HEADER] = delivery.attempt + 1
    headers[ORIGINAL_ROUTING_KEY_HEADER] = delivery.routing_key
    if original_id is not None:
        headers[ORIGINAL_ID_HEADER] = original_id
    if error_type is not None:
        headers[ERROR_TYPE_HEADER] = error_type
    if len(outcome) <= MAX_OUTCOME_HEADER_BYTES:
        headers[OUTCOME_HEADER] = outcome.decode("utf-8", errors="replace")
    return Publication(
        exchange=topology.dead_letter_exchange, routing_key=delivery.routing_key,
        body=delivery.body, message_id=original_id, correlation_id=delivery.correlation_id,
        content_type=delivery.content_type or FHIR_JSON, headers=headers,
    )


@dataclass
class MessageHandler:
    """Processes deliveries of one channel; create a new one for every new channel."""

    processor: MessageProcessor
    channel: AmqpChannel
    topology: Topology
    tally: Tally
    metrics: Metrics
    on_input_settled: Callable[[], None] = lambda: None
    call_later: CallLater | None = None
    """Schedule a callback on the I/O loop (pika's ``ioloop.call_later``): nack retries."""
    on_stuck: Callable[[], None] | None = None
    """Publishes keep being nacked on this channel: the transport starts a new session."""
    _in_flight: set[int] = field(default_factory=set, init=False)
    _received: Any = field(init=False)
    """``messages_in`` bound to this transport once (a ``labels()`` lookup takes a lock)."""

    def __post_init__(self) -> None:
        self._received = self.metrics.messages_in.labels(TRANSPORT)

    @property
    def unsettled(self) -> int:
        """Inputs handled whose publications or ack are still pending."""
        return len(self._in_flight)

    def handle(self, delivery: Delivery) -> None:
        """Process one delivery and start its publications (never raises for bad input)."""
        self._received.inc()
        started = time.perf_counter()
        happened: Processed | Rejected | Exception
        try:
            happened = self.processor(delivery.body)
        except Exception as exc:  # any processor failure is unexpected: bounded retry
            happened = exc
        seconds = time.perf_counter() - started
        if isinstance(happened, Exception):
            self.metrics.errors.labels(TRANSPORT).inc()
            self.metrics.latency.labels(TRANSPORT).observe(seconds)
            log.warning("processing failed", extra={"message_id": delivery.message_id,
                                                    "exc_type": type(happened).__name__,
                                                    "attempt": delivery.attempt})
        else:
            self.metrics.record(TRANSPORT, happened, seconds)
        decision = decide(happened, delivery.attempt, self.topology.delivery_limit)
        if decision.action is Action.REQUEUE:
            self._requeue(delivery, decision)
        elif isinstance(happened, Processed):
            self.tally["published"] += len(happened.outputs)
            pubs = [self._output(output, happened.message_id) for output in happened.outputs]
            self._publish_all(delivery, pubs, decision, dead_letter=False)
        elif isinstance(happened, Rejected):
            pub = dead_letter_for(delivery, decision.reason or "rejected", self.topology,
                                  happened.outcome, happened.message_id)
            self._publish_all(delivery, [pub], decision, dead_letter=True, rejected=True)
        else:
            pub = dead_letter_for(delivery, decision.reason or "unexpected-error", self.topology,
                                  error_type=type(happened).__name__)
            self._publish_all(delivery, [pub], decision, dead_letter=True)

    def _output(self, output: OutboundMessage, input_id: str) -> Publication:
        return Publication(
            exchange=self.topology.output_exchange,
            routing_key=self.topology.output_routing_keys[output.kind],
            body=output.body, message_id=output.message_id, correlation_id=input_id,
            content_type=output.content_type,
        )

    def _publish_all(
        self, delivery: Delivery, pubs: list[Publication], decision: Decision,
        dead_letter: bool, rejected: bool = False,
    ) -> None:
        flight = _InFlight(delivery, len(pubs), dead_letter, decision, rejected,
                           publications=tuple(pubs))
        if not pubs:
            self._finish(flight)
            return
        self._send(flight)

    def _send(self, flight: _InFlight) -> None:
        flight.remaining, flight.failure = len(flight.publications), None
        self._in_flight.add(flight.delivery.tag)
        on_settled = functools.partial(self._settled, flight)
        for pub in flight.publications:
            self.channel.publish(pub, on_settled)

    def _retry_later(self, flight: _InFlight) -> bool:
        """Hold a nacked input and send its publications again later (see the constant)."""
        if self.call_later is None:
            return False
        if flight.republished >= len(NACK_RETRY_DELAYS_S):
            last = flight.delivery.attempt >= self.topology.delivery_limit
            if self.on_stuck is None or last:  # the last delivery: dead-letter it, as before
                return False
            self.tally["abandoned"] += 1  # the new session gets it again
            self.on_stuck()
            return True
        delay = NACK_RETRY_DELAYS_S[flight.republished]
        flight.republished += 1
        self._in_flight.add(flight.delivery.tag)  # still unsettled: stop and suspects wait
        log.info("publish nacked: sending again", extra={
            "message_id": flight.delivery.message_id, "attempt": flight.republished,
            "duration_ms": round(delay * 1000)})
        self.call_later(delay, functools.partial(self._send, flight))
        return True

    def _settled(self, flight: _InFlight, settlement: Settlement) -> None:
        flight.remaining -= 1
        if settlement is not Settlement.CONFIRMED and flight.failure is None:
            flight.failure = settlement
        if flight.remaining == 0:
            self._in_flight.discard(flight.delivery.tag)
            self._finish(flight)
            self.on_input_settled()

    def _finish(self, flight: _InFlight) -> None:
        delivery = flight.delivery
        if flight.failure is Settlement.CHANNEL_LOST:
            # The channel is gone and its delivery tags with it: the broker redelivers.
            self.tally["abandoned"] += 1
            return
        if flight.failure is None:
            self.channel.ack(delivery)
            self._count_success(flight)
            return
        if flight.failure is Settlement.NACKED and self._retry_later(flight):
            return
        failed = PublishFailed(flight.failure, dead_letter=flight.dead_letter)
        decision = decide(failed, delivery.attempt, self.topology.delivery_limit)
        if decision.action is Action.REQUEUE:
            self._requeue(delivery, decision)
            return
        reason = decision.reason or "unroutable"
        pub = dead_letter_for(delivery, reason, self.topology)
        self._publish_all(delivery, [pub], decision, dead_letter=True)

    def _count_success(self, flight: _InFlight) -> None:
        reason = flight.decision.reason or "unknown"
        if not flight.dead_letter:
            self.tally["processed"] += 1
            if log.isEnabledFor(logging.DEBUG):  # the common case: no record built at all
                log.debug("processed", extra={"message_id": flight.delivery.message_id,
                                              "outcome": "processed"})
            return
        self.tally["rejected" if flight.rejected else "dead_lettered"] += 1
        if not flight.rejected:  # Metrics.record counted the rejections already
            self.metrics.dead_lettered.labels(TRANSPORT, reason).inc()
        log.info("dead-lettered", extra={"message_id": flight.delivery.message_id,
                                         "outcome": "dead-lettered", "reason": reason,
                                         "attempt": flight.delivery.attempt})

    def _requeue(self, delivery: Delivery, decision: Decision) -> None:
        self.channel.requeue(delivery)
        self.tally["requeued"] += 1
        self.metrics.retried.labels(TRANSPORT).inc()
        log.warning("requeued", extra={"message_id": delivery.message_id, "outcome": "requeued",
                                       "reason": decision.reason, "attempt": delivery.attempt})


FRESH_STREAK = 3
"""Fresh deliveries in a row that end careful mode."""


class Intake:
    """Received deliveries in the order to process them.

    A delivery with ``x-delivery-count`` > 0 was delivered before and never settled: maybe the
    worker that held it crashed on it. Such a *suspect* is processed only when nothing else
    of this worker is unsettled, so that a crash on it costs no other message a delivery
    attempt; fresh deliveries go first. ``careful`` tells the transport to shrink the
    prefetch window to 1 while suspects are about.
    """

    def __init__(self) -> None:
        self._fresh: deque[Delivery] = deque()
        self._suspects: deque[Delivery] = deque()
        self.careful = True
        """Start careful: after a crash the first deliveries are the crashed worker's."""
        self._fresh_streak = 0

    def __len__(self) -> int:
        return len(self._fresh) + len(self._suspects)

    def add(self, delivery: Delivery) -> None:
        if delivery.attempt > 0:
            self._suspects.append(delivery)
            self.careful = True
            self._fresh_streak = 0
        else:
            self._fresh.append(delivery)
            self._fresh_streak += 1
            # A few fresh ones in a row before opening the window: no flapping on a mix.
            self.careful = self.careful and self._fresh_streak < FRESH_STREAK

    def next_ready(self, unsettled: int) -> Delivery | None:
        """The next delivery to process now, if any."""
        if self._fresh:
            return self._fresh.popleft()
        if self._suspects and unsettled == 0:
            return self._suspects.popleft()
        return None

    def clear(self) -> None:
        self._fresh.clear()
        self._suspects.clear()
