"""Blocking AMQP housekeeping for the harness: queue depths, consumer counts, clean-up.

Uses pika directly (a measuring tool, see the package docstring). Every name the harness
touches carries a per-run unique prefix, because the broker is shared with other people's
tests; :meth:`BrokerAdmin.delete` removes them afterwards.
"""

from __future__ import annotations

import time
from types import TracebackType

import pika
import pika.exceptions
from pika.exceptions import ChannelClosedByBroker

from adapter.messaging.topology import Topology


class BrokerAdmin:
    """One blocking connection used for short management calls between measurements."""

    def __init__(self, url: str) -> None:
        self._connection = pika.BlockingConnection(pika.URLParameters(url))
        self._channel = self._connection.channel()

    def __enter__(self) -> BrokerAdmin:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._connection.is_open:
            self._connection.close()

    def server_version(self) -> str | None:
        """The broker's version from the connection handshake."""
        props = self._connection._impl.server_properties  # no public accessor in pika 1.x
        value = props.get("version") if isinstance(props, dict) else None
        return value.decode() if isinstance(value, bytes) else value

    def queue_state(self, queue: str) -> tuple[int, int] | None:
        """``(messages ready, consumers)`` of a queue, or None when it does not exist."""
        try:
            ok = self._channel.queue_declare(queue, passive=True)
        except ChannelClosedByBroker:
            # a passive declare of a missing queue closes the channel (404): open another
            self._channel = self._connection.channel()
            return None
        return ok.method.message_count, ok.method.consumer_count

    def message_count(self, queue: str) -> int:
        """Messages ready in an existing queue."""
        state = self.queue_state(queue)
        if state is None:
            raise LookupError(f"queue {queue} does not exist")
        return state[0]

    def wait_for_consumers(self, queue: str, count: int, timeout_s: float) -> None:
        """Block until ``queue`` exists and has at least ``count`` consumers."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = self.queue_state(queue)
            if state is not None and state[1] >= count:
                return
            self._connection.sleep(0.05)
        raise TimeoutError(f"queue {queue} did not get {count} consumer(s) in {timeout_s}s")

    def wait_for_no_consumers(self, queue: str, timeout_s: float) -> None:
        """Block until nobody consumes from ``queue`` (its consumers have shut down)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = self.queue_state(queue)
            if state is None or state[1] == 0:
                return
            self._connection.sleep(0.05)
        raise TimeoutError(f"queue {queue} kept its consumers for {timeout_s}s")

    def declare(self, topology: Topology) -> None:
        """Declare the worker's topology exactly as data describes it (same arguments)."""
        for exchange in topology.exchanges:
            self._channel.exchange_declare(exchange.name, exchange.type, durable=True)
        for queue in topology.queues:
            self._channel.queue_declare(queue.name, durable=True, arguments=queue.arguments)
        for binding in topology.bindings:
            self._channel.queue_bind(binding.queue, binding.exchange, binding.routing_key)

    def remove(self, topology: Topology) -> None:
        """Delete every queue and exchange of a topology."""
        self.delete(
            [queue.name for queue in topology.queues],
            [exchange.name for exchange in topology.exchanges],
        )

    def purge(self, queue: str) -> None:
        """Drop every ready message of ``queue``."""
        self._channel.queue_purge(queue)

    def delete(self, queues: list[str], exchanges: list[str]) -> None:
        """Delete the given queues and exchanges, ignoring those already gone."""
        for queue in queues:
            self._channel.queue_delete(queue)
        for exchange in exchanges:
            self._channel.exchange_delete(exchange)

    def sleep(self, seconds: float) -> None:
        """Sleep while servicing the connection (heartbeats)."""
        self._connection.sleep(seconds)


def wait_for_broker(url: str, timeout_s: float) -> float:
    """Block until the broker accepts a connection; returns the seconds waited.

    Other people's fault tests stop and start the shared broker (``rabbitmqctl stop_app``):
    a measurement that lost its broker waits for it and runs again.
    """
    started = time.monotonic()
    while True:
        try:
            BrokerAdmin(url).close()
            return time.monotonic() - started
        except pika.exceptions.AMQPError:
            if time.monotonic() - started > timeout_s:
                raise
            time.sleep(1.0)
