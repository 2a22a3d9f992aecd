"""Inspect and replay the dead-letter queue (blocking pika: a short-lived operator tool).

Browsing takes messages without acking them and then closes the channel, which returns every
one of them to the queue unchanged: nothing is removed unless it was replayed (published to
the input exchange with a confirm) first. The DLQ has no delivery limit, so being browsed
never dead-letters anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from adapter.messaging.port import (
    ATTEMPTS_HEADER,
    DELIVERY_COUNT_HEADER,
    ERROR_TYPE_HEADER,
    ORIGINAL_ID_HEADER,
    OUTCOME_HEADER,
    REASON_HEADER,
)
from adapter.messaging.rabbitmq import AmqpConfigError, configuration_problem, connection_parameters
from adapter.settings import Settings

REPLAYED_HEADER = "x-sstr-replayed"
_DROPPED_ON_REPLAY = ("x-death", "x-first-death-exchange", "x-first-death-queue",
                      "x-first-death-reason", "x-last-death-exchange", "x-last-death-queue",
                      "x-last-death-reason", DELIVERY_COUNT_HEADER)


@dataclass(frozen=True)
class DeadLetter:
    """One dead-lettered input, as the DLQ holds it."""

    message_id: str | None
    reason: str
    """Ours (``x-sstr-reason``), else ``broker:<x-death reason>`` (e.g. a crash loop)."""
    attempts: int | None
    error_type: str | None
    outcome: str | None
    body: bytes
    properties: pika.BasicProperties

    @classmethod
    def from_message(cls, props: pika.BasicProperties, body: bytes) -> DeadLetter:
        headers: Mapping[str, object] = props.headers or {}
        reason = _text(headers.get(REASON_HEADER))
        if reason is None:
            deaths = headers.get("x-death")
            first = deaths[0] if isinstance(deaths, list) and deaths else {}
            reason = f"broker:{_text(first.get('reason')) or 'unknown'}"
        attempts = headers.get(ATTEMPTS_HEADER)
        return cls(
            message_id=props.message_id or _text(headers.get(ORIGINAL_ID_HEADER)),
            reason=reason, attempts=attempts if isinstance(attempts, int) else None,
            error_type=_text(headers.get(ERROR_TYPE_HEADER)),
            outcome=_text(headers.get(OUTCOME_HEADER)), body=body, properties=props,
        )


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return None if value is None else str(value)


class BrokerUnavailableError(Exception):
    """The broker could not be reached or dropped the connection (pika's errors, translated)."""


@contextmanager
def _channel(settings: Settings) -> Iterator[BlockingChannel]:
    addresses = connection_parameters(settings, "sstr-adapter dlq")
    for params in addresses:
        params.connection_attempts = 3 if len(addresses) == 1 else 1
    try:
        connection = pika.BlockingConnection(addresses)  # tried in the order given
        try:
            yield connection.channel()
        finally:
            if connection.is_open:
                connection.close()  # unacked messages go back to the DLQ
    except pika.exceptions.AMQPError as exc:
        # Translated at the edge: callers outside this package never see pika's types.
        problem = configuration_problem(exc)
        if problem is not None:
            raise AmqpConfigError(problem) from None
        raise BrokerUnavailableError(type(exc).__name__) from exc


def _browse(channel: BlockingChannel, settings: Settings, limit: int,
            visit: Callable[[int, DeadLetter], bool]) -> int:
    """Hand up to ``limit`` dead letters to ``visit`` (unacked); stop when it returns False."""
    queue = settings.dead_letter_queue
    available = channel.queue_declare(queue, passive=True).method.message_count
    wanted = min(limit, available)
    if wanted == 0:
        return 0
    channel.basic_qos(prefetch_count=wanted)
    seen = 0
    for method, props, body in channel.consume(queue, inactivity_timeout=2.0):
        if method is None:
            break
        seen += 1
        if not visit(method.delivery_tag, DeadLetter.from_message(props, body)) \
                or seen >= wanted:
            break
    channel.cancel()
    return seen


def browse(settings: Settings, limit: int = 100) -> list[DeadLetter]:
    """The first ``limit`` dead letters, left in the queue."""
    found: list[DeadLetter] = []

    def visit(_tag: int, letter: DeadLetter) -> bool:
        found.append(letter)
        return True

    with _channel(settings) as channel:
        _browse(channel, settings, limit, visit)
    return found


def find(settings: Settings, message_id: str, limit: int = 10_000) -> DeadLetter | None:
    """The dead letter with this original message id, left in the queue."""
    found: list[DeadLetter] = []

    def visit(_tag: int, letter: DeadLetter) -> bool:
        if letter.message_id == message_id:
            found.append(letter)
        return not found

    with _channel(settings) as channel:
        _browse(channel, settings, limit, visit)
    return found[0] if found else None


def replay(settings: Settings, message_id: str | None, limit: int = 10_000) -> int:
    """Republish dead letters (one id, or all when None) to the input exchange; returns how many.

    Each is published persistent with its original message id and a confirm, and only then
    acked off the DLQ: a crash in between leaves a copy in both (replay is at-least-once; the
    pipeline's outputs are deterministic, so processing it twice publishes identical bytes).
    """
    replayed = 0

    def visit(tag: int, letter: DeadLetter) -> bool:
        nonlocal replayed
        if message_id is not None and letter.message_id != message_id:
            return True
        _republish(channel, settings, letter)
        channel.basic_ack(tag)
        replayed += 1
        return message_id is None

    with _channel(settings) as channel:
        channel.confirm_delivery()
        _browse(channel, settings, limit, visit)
    return replayed


def _republish(channel: BlockingChannel, settings: Settings, letter: DeadLetter) -> None:
    props = letter.properties
    headers = {k: v for k, v in (props.headers or {}).items()
               if k not in _DROPPED_ON_REPLAY and not k.startswith("x-sstr-")}
    previous = (props.headers or {}).get(REPLAYED_HEADER)
    headers[REPLAYED_HEADER] = (previous if isinstance(previous, int) else 0) + 1
    channel.basic_publish(
        settings.input_exchange, settings.input_routing_key, letter.body, mandatory=True,
        properties=pika.BasicProperties(
            message_id=letter.message_id, correlation_id=props.correlation_id,
            content_type=props.content_type, delivery_mode=pika.DeliveryMode.Persistent,
            headers=headers))
