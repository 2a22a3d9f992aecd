"""The load generator: publishes inputs and (optionally) consumes outputs on one connection.

``SelectConnection`` with asynchronous publisher confirms, so the harness itself costs
little CPU next to the worker it measures (the broker, the worker and this driver share
two cores). Two modes:

* :func:`prefill` publishes a batch of inputs as fast as confirms allow (a window of
  unconfirmed messages), before any consumer starts: throughput is then measured by
  draining that backlog.
* :func:`stream` publishes at a fixed rate and/or with a bounded backlog while consuming
  the outputs, recording for each input the time from its publish to its output's arrival
  (outputs carry the input's message id as ``correlation_id``).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pika
from pika.spec import Basic

MessageSource = Callable[[int], tuple[str, bytes]]
"""Index -> (message id, body) of the index-th input."""


@dataclass
class StreamResult:
    """What a :func:`stream` run observed."""

    sent: int = 0
    received: int = 0
    elapsed_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    timeline: list[tuple[str, int, int]] = field(default_factory=list)
    """Per received output in arrival order: (input message id, published ns, received ns),
    ``time.perf_counter_ns`` (the monotonic clock the worker's trace uses too)."""
    timed_out: bool = False
    returned: int = 0


class _Driver:
    def __init__(
        self,
        url: str,
        exchange: str,
        routing_key: str,
        source: MessageSource,
        count: int,
        *,
        window: int = 1000,
        rate: float | None = None,
        max_backlog: int | None = None,
        watch_queues: tuple[str, ...] = (),
        on_received: Callable[[int], None] | None = None,
        timeout_s: float = 300.0,
        primary_output_key: str = "",
    ) -> None:
        self._primary_key = primary_output_key
        self._params = pika.URLParameters(url)
        self._exchange = exchange
        self._routing_key = routing_key
        self._source = source
        self._count = count
        self._window = window
        self._rate = rate
        self._max_backlog = max_backlog
        self._watch = watch_queues
        self._on_received = on_received
        self._timeout_s = timeout_s
        self._connection: pika.SelectConnection | None = None
        self._pub: Any = None
        self._unconfirmed: collections.deque[int] = collections.deque()
        self._confirmed_singles: set[int] = set()
        self._sent_at: dict[str, int] = {}
        self._t0 = 0.0
        self._done = False
        self.result = StreamResult()
        self.error: str | None = None

    # --- lifecycle ------------------------------------------------------------------
    def run(self) -> StreamResult:
        self._connection = pika.SelectConnection(
            self._params,
            on_open_callback=self._on_open,
            on_open_error_callback=self._on_open_error,
            on_close_callback=self._on_closed,
        )
        self._connection.ioloop.start()
        if self.error:
            raise ConnectionError(self.error)
        return self.result

    def _on_open_error(self, _conn: object, error: BaseException) -> None:
        self.error = f"cannot connect: {error!r}"
        self._on_closed(None, error)

    def _on_closed(self, _conn: object, _reason: object) -> None:
        assert self._connection is not None
        self._connection.ioloop.stop()

    def _finish(self, timed_out: bool = False) -> None:
        if self._done:
            return
        self._done = True
        self.result.elapsed_s = time.perf_counter() - self._t0
        self.result.timed_out = timed_out
        assert self._connection is not None
        self._connection.close()

    def _on_open(self, connection: pika.SelectConnection) -> None:
        connection.channel(on_open_callback=self._on_pub_channel)

    def _on_pub_channel(self, channel: Any) -> None:
        self._pub = channel
        channel.add_on_return_callback(self._on_return)
        channel.confirm_delivery(ack_nack_callback=self._on_confirm, callback=self._on_confirm_ok)

    def _on_confirm_ok(self, _frame: object) -> None:
        if self._watch:
            assert self._connection is not None
            self._connection.channel(on_open_callback=self._on_sub_channel)
        else:
            self._start()

    def _on_sub_channel(self, channel: Any) -> None:
        for queue in self._watch:
            channel.basic_consume(
                queue, on_message_callback=self._on_output, auto_ack=True
            )
        self._start()

    def _start(self) -> None:
        self._t0 = time.perf_counter()
        assert self._connection is not None
        self._connection.ioloop.call_later(self._timeout_s, lambda: self._finish(True))
        self._tick()

    # --- publishing -----------------------------------------------------------------
    def _target(self) -> int:
        target = self._count
        if self._rate is not None:
            target = min(target, int((time.perf_counter() - self._t0) * self._rate) + 1)
        if self._max_backlog is not None:
            target = min(target, self.result.received + self._max_backlog)
        outstanding = len(self._unconfirmed) - len(self._confirmed_singles)
        return min(target, self.result.sent + max(0, self._window - outstanding))

    def _tick(self) -> None:
        if self._done:
            return
        target = self._target()
        props_type = pika.BasicProperties
        while self.result.sent < target:
            message_id, body = self._source(self.result.sent)
            if self._watch:
                self._sent_at[message_id] = time.perf_counter_ns()
            self._pub.basic_publish(
                self._exchange,
                self._routing_key,
                body,
                properties=props_type(
                    content_type="application/fhir+json", delivery_mode=2, message_id=message_id
                ),
                mandatory=True,
            )
            self.result.sent += 1
            self._unconfirmed.append(self.result.sent)
        if self.result.sent < self._count:
            assert self._connection is not None
            # 1 ms ticks: at a few thousand msg/s that is a burst of a few messages
            self._connection.ioloop.call_later(0.001, self._tick)
        elif not self._watch and not self._unconfirmed:
            self._finish()

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        if not isinstance(method, Basic.Ack):
            self.error = "the broker nacked an input"
        if method.multiple:
            while self._unconfirmed and self._unconfirmed[0] <= method.delivery_tag:
                self._confirmed_singles.discard(self._unconfirmed.popleft())
        else:
            self._confirmed_singles.add(method.delivery_tag)
            while self._unconfirmed and self._unconfirmed[0] in self._confirmed_singles:
                self._confirmed_singles.discard(self._unconfirmed.popleft())
        if not self._watch and self.result.sent >= self._count and not self._unconfirmed:
            self._finish()

    def _on_return(self, _channel: object, _method: object, _props: object, _body: bytes) -> None:
        self.result.returned += 1
        self.error = "an input was returned unroutable (is the input queue bound?)"

    # --- consuming --------------------------------------------------------------------
    def _on_output(
        self, _channel: object, method: Basic.Deliver, props: Any, _body: bytes
    ) -> None:
        now = time.perf_counter_ns()
        if method.routing_key != self._primary_key:
            return
        sent = self._sent_at.pop(props.correlation_id, None)
        if sent is None:
            return  # a duplicate or a stranger: counted once only
        self.result.received += 1
        self.result.latencies_ms.append((now - sent) / 1e6)
        self.result.timeline.append((props.correlation_id, sent, now))
        if self._on_received is not None:
            self._on_received(self.result.received)
        if self.result.received >= self._count:
            self._finish()


def prefill(
    url: str, exchange: str, routing_key: str, source: MessageSource, count: int
) -> float:
    """Publish ``count`` inputs and wait for every confirm; returns the seconds it took."""
    driver = _Driver(url, exchange, routing_key, source, count)
    result = driver.run()
    if driver.error:
        raise RuntimeError(driver.error)
    return result.elapsed_s


def stream(
    url: str,
    exchange: str,
    routing_key: str,
    source: MessageSource,
    count: int,
    *,
    primary_output_key: str,
    watch_queues: tuple[str, ...],
    rate: float | None = None,
    max_backlog: int | None = None,
    on_received: Callable[[int], None] | None = None,
    timeout_s: float = 300.0,
) -> StreamResult:
    """Publish ``count`` inputs (paced) and collect one output per input from ``watch_queues``.

    Outputs whose routing key is ``primary_output_key`` are matched to inputs by
    ``correlation_id``; outputs of other keys (the tumour-board message) are drained only.
    """
    driver = _Driver(
        url,
        exchange,
        routing_key,
        source,
        count,
        rate=rate,
        max_backlog=max_backlog,
        watch_queues=watch_queues,
        on_received=on_received,
        timeout_s=timeout_s,
        primary_output_key=primary_output_key,
    )
    result = driver.run()
    if driver.error:
        raise RuntimeError(driver.error)
    return result
