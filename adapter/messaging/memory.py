"""An in-memory broker stub for logic tests: the same :class:`AmqpChannel` as RabbitMQ.

It models what the consume logic relies on: direct/topic/fanout routing, ``mandatory``
returns, settlement callbacks (immediately, or held until :meth:`InMemoryBroker.settle`
to imitate asynchronous confirms), quorum-style ``x-delivery-count`` and dead-lettering
at ``x-delivery-limit``. It does not model persistence, prefetch or connections.
"""

from __future__ import annotations

import fnmatch
import itertools
from collections import deque
from dataclasses import dataclass, field, replace

from adapter.messaging.port import (
    DELIVERY_COUNT_HEADER,
    Delivery,
    OnSettled,
    Publication,
    Settlement,
)
from adapter.messaging.topology import Topology


@dataclass(slots=True)
class StoredMessage:
    publication: Publication
    delivery_count: int = 0


@dataclass(slots=True)
class _Queue:
    delivery_limit: int | None
    dead_letter_exchange: str | None
    messages: deque[StoredMessage] = field(default_factory=deque)


def _topic_matches(pattern: str, key: str) -> bool:
    # Enough of AMQP topic matching for tests: '*' one word, '#' any words.
    return fnmatch.fnmatchcase(key, pattern.replace("#", "*"))


class InMemoryBroker:
    """Exchanges, queues and bindings held in dictionaries."""

    def __init__(self, topology: Topology, confirm_immediately: bool = True) -> None:
        self.exchanges = {e.name: e.type for e in topology.exchanges}
        self.queues: dict[str, _Queue] = {}
        for q in topology.queues:
            limit = q.arguments.get("x-delivery-limit")
            dlx = q.arguments.get("x-dead-letter-exchange")
            self.queues[q.name] = _Queue(limit if isinstance(limit, int) else None,
                                         dlx if isinstance(dlx, str) else None)
        self.bindings = [(b.exchange, b.queue, b.routing_key) for b in topology.bindings]
        self.confirm_immediately = confirm_immediately
        self._held: list[tuple[OnSettled, Settlement]] = []
        self._unacked: dict[int, tuple[str, StoredMessage]] = {}
        self._tags = itertools.count(1)

    def unbind(self, exchange: str, queue: str, routing_key: str) -> None:
        self.bindings.remove((exchange, queue, routing_key))

    def route(self, exchange: str, routing_key: str) -> list[str]:
        kind = self.exchanges[exchange]
        return [q for ex, q, key in self.bindings if ex == exchange and (
            kind == "fanout" or key == routing_key
            or (kind == "topic" and _topic_matches(key, routing_key)))]

    def publish(self, publication: Publication) -> bool:
        """Store in every bound queue; False when nothing is bound (a return)."""
        queues = self.route(publication.exchange, publication.routing_key)
        for name in queues:
            self.queues[name].messages.append(StoredMessage(publication))
        return bool(queues)

    def settle(self) -> None:
        """Deliver the confirms held back while ``confirm_immediately`` is False."""
        held, self._held = self._held, []
        for on_settled, settlement in held:
            on_settled(settlement)

    def lose_channel(self) -> None:
        """The channel dies: held confirms are lost, unacked deliveries return to their queue."""
        held, self._held = self._held, []
        for on_settled, _ in held:
            on_settled(Settlement.CHANNEL_LOST)
        for tag in list(self._unacked):
            self.requeue_tag(tag)

    def get(self, queue: str) -> Delivery | None:
        """Take the next message of a queue as an unacked delivery."""
        messages = self.queues[queue].messages
        if not messages:
            return None
        stored = messages.popleft()
        tag = next(self._tags)
        self._unacked[tag] = (queue, stored)
        pub = stored.publication
        headers = dict(pub.headers)
        if stored.delivery_count:
            headers[DELIVERY_COUNT_HEADER] = stored.delivery_count
        return Delivery(tag, pub.body, pub.message_id, pub.correlation_id, pub.routing_key,
                        headers, pub.content_type)

    def bodies(self, queue: str) -> list[Publication]:
        return [m.publication for m in self.queues[queue].messages]

    @property
    def unacked(self) -> int:
        return len(self._unacked)

    def ack_tag(self, tag: int) -> None:
        del self._unacked[tag]

    def requeue_tag(self, tag: int) -> None:
        name, stored = self._unacked.pop(tag)
        queue = self.queues[name]
        stored.delivery_count += 1
        if queue.delivery_limit is not None and stored.delivery_count > queue.delivery_limit:
            if queue.dead_letter_exchange is not None:
                headers = {**stored.publication.headers, "x-death": [{"reason": "delivery_limit"}]}
                self.publish(replace(stored.publication, exchange=queue.dead_letter_exchange,
                                     headers=headers))
            return
        queue.messages.appendleft(stored)

    def defer(self, on_settled: OnSettled, settlement: Settlement) -> None:
        if self.confirm_immediately:
            on_settled(settlement)
        else:
            self._held.append((on_settled, settlement))


@dataclass
class InMemoryChannel:
    """:class:`AmqpChannel` over an :class:`InMemoryBroker`."""

    broker: InMemoryBroker
    published: list[Publication] = field(default_factory=list)

    def publish(self, publication: Publication, on_settled: OnSettled) -> None:
        self.published.append(publication)
        routed = self.broker.publish(publication)
        outcome = Settlement.CONFIRMED if routed else Settlement.UNROUTABLE
        self.broker.defer(on_settled, outcome)

    def ack(self, delivery: Delivery) -> None:
        self.broker.ack_tag(delivery.tag)

    def requeue(self, delivery: Delivery) -> None:
        self.broker.requeue_tag(delivery.tag)
