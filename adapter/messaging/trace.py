"""Optional per-message timing of the AMQP worker, for finding where latency goes.

With ``SSTR_TRACE_SAMPLE=N`` (N >= 1) and ``SSTR_TRACE_FILE`` set, the worker records for
one delivery in N the monotonic times (``time.perf_counter_ns``, CLOCK_MONOTONIC on Linux,
so comparable with other processes on the same machine) at which it was

``delivered``   handed to the consumer callback by pika,
``started``     taken from the intake for processing (``depth``: deliveries still waiting),
``processed``   returned by the pipeline,
``published``   after its outputs were passed to ``basic_publish``,
``confirmed``   when the broker's confirm of its last output arrived,
``acked``       when its ``basic.ack`` was issued,

plus the events that may stall the I/O loop: garbage collections (``gc.callbacks``, with
their generation and duration), prefetch switches (careful mode) and log records emitted.
Records stay in memory (at most :data:`MAX_RECORDS`) and are written as JSON lines when the
session ends: no I/O on the message path. Off (the default), the worker holds no tracer
and pays one ``is None`` test per delivery.

Message ids are recorded (they are logged too); never bodies or anything read from them.
"""

from __future__ import annotations

import gc
import logging
import socket
import time
from pathlib import Path
from typing import Any

import orjson

from adapter.messaging.port import AmqpChannel, Delivery, OnSettled, Publication, Settlement
from adapter.service.results import MessageProcessor, Outcome

MAX_RECORDS = 200_000
"""Traced deliveries kept per session; later ones are counted, not recorded."""

STAMPS = ("delivered", "started", "processed", "published", "confirmed", "acked")

_clock = time.perf_counter_ns


class _LogCounter(logging.Handler):
    """Counts records that reach the root logger (log I/O on the loop's thread)."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class Tracer:
    """Timestamps of sampled deliveries and loop-stalling events of one worker process."""

    def __init__(self, every: int, path: Path) -> None:
        self.every = every
        self.path = path
        self._seen = 0
        self._dropped = 0
        self._records: dict[int, dict[str, Any]] = {}
        self._done: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None
        self._processed_at = 0
        self._events: list[dict[str, Any]] = []
        self._gc_started = 0
        self._logs = _LogCounter()
        self.socket_nodelay: int | None = None

    # --- set-up -----------------------------------------------------------------------
    def install(self) -> None:
        """Start watching the collector and the log (once per process)."""
        gc.callbacks.append(self._on_gc)
        logging.getLogger().addHandler(self._logs)

    def wrap(self, processor: MessageProcessor) -> MessageProcessor:
        """``processor`` that also notes when it returned (the ``processed`` stamp)."""
        def timed(body: bytes) -> Outcome:
            try:
                return processor(body)
            finally:
                self._processed_at = _clock()
        return timed

    def channel(self, inner: AmqpChannel) -> AmqpChannel:
        """``inner`` with its confirms and acks of traced deliveries stamped."""
        return _TracingChannel(inner, self)

    def connection_opened(self, connection: Any) -> None:
        """Record whether Nagle's algorithm is off on the broker socket (TCP_NODELAY)."""
        sock = getattr(getattr(connection, "_transport", None), "_sock", None)
        if isinstance(sock, socket.socket):
            self.socket_nodelay = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)

    # --- message stamps -------------------------------------------------------------
    def delivered(self, delivery: Delivery) -> None:
        self._seen += 1
        if (self._seen - 1) % self.every:
            return
        if len(self._done) + len(self._records) >= MAX_RECORDS:
            self._dropped += 1
            return
        self._records[delivery.tag] = {"id": delivery.message_id, "tag": delivery.tag,
                                       "delivered": _clock()}

    def started(self, delivery: Delivery, depth: int) -> None:
        record = self._records.get(delivery.tag)
        if record is not None:
            record["started"] = _clock()
            record["depth"] = depth
        self._current = record

    def handled(self) -> None:
        record = self._current
        if record is not None:
            record["processed"] = self._processed_at
            record["published"] = _clock()
        self._current = None

    def _confirmed(self, record: dict[str, Any]) -> None:
        record["confirmed"] = _clock()

    def _acked(self, delivery: Delivery) -> None:
        record = self._records.pop(delivery.tag, None)
        if record is not None:
            record["acked"] = _clock()
            self._done.append(record)

    def lost(self) -> None:
        """The channel closed: its delivery tags are void, unfinished records dropped."""
        self._records.clear()
        self._current = None

    # --- loop events ----------------------------------------------------------------
    def event(self, kind: str, **fields: Any) -> None:
        self._events.append({"event": kind, "at": _clock(), **fields})

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = _clock()
        elif self._gc_started:
            self._events.append({"event": "gc", "at": self._gc_started,
                                 "ns": _clock() - self._gc_started,
                                 "generation": info.get("generation"),
                                 "collected": info.get("collected")})

    # --- output -----------------------------------------------------------------------
    def dump(self) -> None:
        """Write the finished records, the events and a summary line (JSON lines)."""
        summary = {"summary": True, "traced": len(self._done), "unfinished": len(self._records),
                   "dropped": self._dropped, "seen": self._seen, "every": self.every,
                   "log_records": self._logs.count, "tcp_nodelay": self.socket_nodelay}
        lines = [orjson.dumps(summary)]
        lines += [orjson.dumps(record) for record in self._done]
        lines += [orjson.dumps(event) for event in self._events]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_bytes(b"\n".join(lines) + b"\n")


class _TracingChannel:
    """An :class:`AmqpChannel` that stamps confirms and acks of the traced deliveries."""

    def __init__(self, inner: AmqpChannel, tracer: Tracer) -> None:
        self._inner = inner
        self._tracer = tracer

    def publish(self, publication: Publication, on_settled: OnSettled) -> None:
        record = self._tracer._current
        if record is None:
            self._inner.publish(publication, on_settled)
            return

        def settled(settlement: Settlement) -> None:
            self._tracer._confirmed(record)
            on_settled(settlement)

        self._inner.publish(publication, settled)

    def ack(self, delivery: Delivery) -> None:
        self._inner.ack(delivery)
        self._tracer._acked(delivery)

    def requeue(self, delivery: Delivery) -> None:
        self._inner.requeue(delivery)


def tracer_from(every: int, path: Path | None) -> Tracer | None:
    """A tracer when sampling is on and there is a file to write, else None."""
    if every <= 0 or path is None:
        return None
    tracer = Tracer(every, path)
    tracer.install()
    return tracer

