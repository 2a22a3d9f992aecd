"""The RabbitMQ worker: one SelectConnection per session, reconnecting with backoff.

Addresses: ``SSTR_AMQP_URL`` may name several nodes. The first session uses a random one;
after a lost or failed connection the next is tried at once, and the worker pauses (with
backoff) only after every address failed in a row. A configuration error (TLS verification,
refused credentials, a missing virtual host) ends the worker with one log line (exit code 3).

Threads: one. pika's SelectConnection runs callbacks on the I/O loop; deliveries are queued
in an :class:`Intake` and processed **one per turn of the loop** while they arrive one at a
time: pika only writes to the socket when the loop polls, so a message's outputs leave as soon
as it is processed, and confirms, acks and heartbeats are read and written between messages.
Under a burst, one turn processes queued deliveries for up to ``SSTR_BURST_BUDGET_MS`` (2 ms)
before yielding: one socket write and one poll for several messages instead of one each
(8-22% more messages per CPU-second with a backlog), and at most that long before the first
output of the burst leaves. Acks and publishes never cross threads; a design that moves
processing to a thread must hand them back with ``add_callback_threadsafe``.

Garbage collection: the interpreter's full collections scan every long-lived object, and
the imported FHIR models, settings and caches are tens of thousands of them: collections of
10-30 ms every second or so under load, straight into the latency tail. The worker freezes
what exists after start-up and after its first message (:func:`gc.freeze`), so full
collections only scan what messages leave behind.

Confirms: every output is published ``mandatory`` and persistent; :class:`PikaChannel`
settles it when the broker's ``basic.ack``/``basic.nack`` arrives (often for many at once)
and :class:`MessageHandler` acks the input once all of its publications are confirmed.

A session ends when the connection is lost (the broker redelivers everything unacked; the
new session starts with a new channel and never acks an old tag), on a configuration error
(exit code 3) or after a requested stop: cancel the consumer, finish what was received,
wait for confirms and acks, close.
"""

from __future__ import annotations

import gc
import logging
import signal
import time
from enum import Enum
from types import FrameType
from typing import Any

import pika
import pika.channel
import pika.exceptions
import pika.spec
from pika.adapters.select_connection import SelectConnection

from adapter.messaging.rabbitmq import (
    PikaChannel,
    coalesce_writes,
    configuration_problem,
    connection_parameters,
    declare_topology,
    delivery_from,
    describe,
    failure_reason,
)
from adapter.messaging.retry import Backoff, Rotation
from adapter.messaging.topology import Topology, topology_from
from adapter.messaging.trace import Tracer, tracer_from
from adapter.messaging.worker import Intake, MessageHandler, Tally
from adapter.observability import Metrics
from adapter.service.results import MessageProcessor
from adapter.settings import Settings

log = logging.getLogger(__name__)

STOP_POLL_S = 0.1
GRACEFUL_TIMEOUT_S = 30.0
_CONFIG_REPLY_CODES = frozenset({403, 404, 406})  # access refused, not found, precondition


class WorkerResult(Enum):
    STOPPED = "stopped"
    CONFIG_ERROR = "config-error"
    UNAVAILABLE = "unavailable"


class _SessionEnd(Enum):
    STOPPED = "stopped"
    LOST = "lost"
    FATAL = "fatal"


class RabbitMQWorker:
    """Consumes the input queue until stopped; reconnects after every loss."""

    def __init__(self, settings: Settings, processor: MessageProcessor, metrics: Metrics,
                 connection_name: str, give_up_after_s: float | None = None) -> None:
        self.settings = settings
        self.tracer: Tracer | None = tracer_from(settings.trace_sample, settings.trace_file)
        self.processor = processor if self.tracer is None else self.tracer.wrap(processor)
        self.metrics = metrics
        self.connection_name = connection_name
        self.give_up_after_s = give_up_after_s
        self.topology = topology_from(settings)
        self.tally = Tally()
        self.stop_requested = False
        self.force_stop = False
        self._warmed_up = False

    def warmed_up(self) -> None:
        """The first message went through: freeze what its lazy set-up built (once)."""
        if not self._warmed_up:
            self._warmed_up = True
            freeze_heap()

    def request_stop(self) -> None:
        """Ask for a graceful stop; a second request closes at once (signal-handler safe)."""
        self.force_stop = self.stop_requested
        self.stop_requested = True

    def run(self) -> WorkerResult:
        """Connect, consume, reconnect with backoff; returns when stopped or hopeless."""
        addresses = connection_parameters(self.settings, self.connection_name)
        rotation = Rotation(len(addresses))
        backoff = Backoff(cap_s=self.settings.reconnect_max_backoff_s)
        down_since = time.monotonic()
        freeze_heap()
        while not self.stop_requested:
            session = _Session(self, addresses[rotation.index])
            end = session.run()
            if session.consumed:
                backoff.reset()
                rotation.succeeded()
                down_since = time.monotonic()
            if end is _SessionEnd.FATAL:
                return WorkerResult.CONFIG_ERROR
            if end is _SessionEnd.STOPPED or self.stop_requested:
                break
            if self.give_up_after_s is not None and \
                    time.monotonic() - down_since > self.give_up_after_s:
                return WorkerResult.UNAVAILABLE
            if rotation.advance():  # every address failed since the last good session
                self._sleep(backoff.next_delay())
        if self.tracer is not None:
            self.tracer.dump()
        return WorkerResult.STOPPED

    def _sleep(self, seconds: float) -> None:
        log.info("reconnecting", extra={"duration_ms": round(seconds * 1000)})
        deadline = time.monotonic() + seconds
        while not self.stop_requested and time.monotonic() < deadline:
            time.sleep(min(STOP_POLL_S, max(0.0, deadline - time.monotonic())))

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT: graceful stop; the second one: close at once."""
        def on_signal(signum: int, _frame: FrameType | None) -> None:
            self.request_stop()  # only sets flags: the I/O loop polls them

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)


def freeze_heap() -> None:
    """Move every object alive now out of the collector's reach (see the module docstring).

    Frozen objects are still freed by reference counting; only reference cycles among them
    would stay, and start-up state lives as long as the process anyway.
    """
    gc.collect()
    gc.freeze()


class _Session:
    """One connection, one channel, one consumer: state that must not outlive them."""

    def __init__(self, worker: RabbitMQWorker, params: pika.ConnectionParameters) -> None:
        self.worker = worker
        self.topology: Topology = worker.topology
        self.params = params
        self.end = _SessionEnd.LOST
        self.consumed = False
        self.intake = Intake()
        self.prefetch: int | None = None
        self.channel: PikaChannel | None = None
        self.handler: MessageHandler | None = None
        self.tracer = worker.tracer
        self.burst_budget_s = worker.settings.burst_budget_ms / 1000
        self.consumer_tag: str | None = None
        self.draining = False
        self.switching = False
        self.stopping_since: float | None = None
        self.connection = SelectConnection(
            params, on_open_callback=self._on_open, on_open_error_callback=self._on_open_error,
            on_close_callback=self._on_closed)

    def run(self) -> _SessionEnd:
        self.connection.ioloop.call_later(STOP_POLL_S, self._poll_stop)
        self.connection.ioloop.start()
        return self.end

    # --- connection and channel -------------------------------------------------------
    def _on_open(self, connection: Any) -> None:
        log.info("connected", extra={"path": describe(self.params)})
        coalesce_writes(connection)
        if self.tracer is not None:
            self.tracer.connection_opened(connection)
        connection.channel(on_open_callback=self._on_channel)

    def _on_open_error(self, _connection: Any, error: BaseException) -> None:
        problem = configuration_problem(error)
        extra = {"exc_type": type(error).__name__, "path": describe(self.params)}
        if problem is None:  # transient: next address, backoff after a full round
            log.warning("connection failed", extra={**extra, "reason": failure_reason(error)})
        else:  # one line naming the cause, then exit code 3
            log.error(f"broker configuration error: {problem}", extra=extra)
            self.end = _SessionEnd.FATAL
        self.connection.ioloop.stop()

    def _on_closed(self, _connection: Any, reason: BaseException) -> None:
        if self.channel is not None:
            self._lose_channel()
        if self.end is _SessionEnd.LOST:
            log.warning("connection lost", extra={"exc_type": type(reason).__name__,
                                                  "reason": str(reason)[:200]})
        self.connection.ioloop.stop()

    def _on_channel(self, channel: pika.channel.Channel) -> None:
        channel.add_on_close_callback(self._on_channel_closed)
        self.channel = PikaChannel(channel)
        self.handler = MessageHandler(
            self.worker.processor,
            self.channel if self.tracer is None else self.tracer.channel(self.channel),
            self.topology, self.worker.tally,
            self.worker.metrics, on_input_settled=self._on_input_settled,
            call_later=self.connection.ioloop.call_later, on_stuck=self._on_stuck)
        channel.confirm_delivery(ack_nack_callback=self.channel.on_confirm,
                                 callback=lambda _f: declare_topology(
                                     channel, self.topology, self._consume))

    def _on_channel_closed(self, _channel: Any, reason: BaseException) -> None:
        code = getattr(reason, "reply_code", 0)
        if isinstance(reason, pika.exceptions.ChannelClosedByBroker) and \
                code in _CONFIG_REPLY_CODES and not self.consumed:
            log.error("topology rejected by the broker",
                      extra={"status": code, "reason": str(reason)[:200]})
            self.end = _SessionEnd.FATAL
        self._lose_channel()
        self._close()

    def _on_stuck(self) -> None:
        """Publishes keep being nacked on this channel (see NACK_RETRY_DELAYS_S): start anew."""
        if not (self.connection.is_closing or self.connection.is_closed):
            log.warning("publishes keep being nacked: reconnecting",
                        extra={"path": describe(self.params)})
            self.connection.close()

    def _lose_channel(self) -> None:
        """Forget everything tied to the channel: the broker redelivers it all."""
        if self.channel is not None:
            self.channel.lose_all()
        if self.tracer is not None:
            self.tracer.lost()
        self.worker.tally["abandoned"] += len(self.intake)
        self.intake.clear()
        self.channel = None

    def _consume(self) -> None:
        self.consumed = True
        self._start_consumer()
        log.info("consuming", extra={"count": self.worker.settings.prefetch})

    def _start_consumer(self) -> None:
        """Consume with the prefetch the intake wants (1 while careful, else the setting)."""
        if self.channel is None:
            return
        self.prefetch = self._wanted_prefetch()
        if self.tracer is not None:
            self.tracer.event("prefetch", prefetch=self.prefetch)
        self.channel.channel.basic_qos(prefetch_count=self.prefetch)
        self.consumer_tag = self.channel.channel.basic_consume(
            self.topology.input_queue, self._on_message)

    def _wanted_prefetch(self) -> int:
        return 1 if self.intake.careful else self.worker.settings.prefetch

    def _set_prefetch(self) -> None:
        """Switch between careful (prefetch 1) and full prefetch by consuming anew.

        RabbitMQ applies a per-consumer ``basic.qos`` only to consumers created after it, and
        quorum queues ignore channel-wide (global) QoS: so the consumer is cancelled and
        started again. Deliveries already received stay valid: the channel is the same.
        """
        if self.channel is None or self.consumer_tag is None or self.switching \
                or self.stopping_since is not None or self._wanted_prefetch() == self.prefetch:
            return
        self.switching = True
        self.channel.channel.basic_cancel(self.consumer_tag, callback=self._on_switch_cancelled)

    def _on_switch_cancelled(self, _frame: Any) -> None:
        self.switching = False
        self.consumer_tag = None
        if self.stopping_since is not None:
            self._cancelled()
        else:
            self._start_consumer()

    # --- deliveries -------------------------------------------------------------------
    def _on_message(self, _ch: Any, method: pika.spec.Basic.Deliver,
                    props: pika.BasicProperties, body: bytes) -> None:
        delivery = delivery_from(method, props, body)
        if self.tracer is not None:
            self.tracer.delivered(delivery)
        self.intake.add(delivery)
        self._set_prefetch()
        self._schedule_drain()

    def _schedule_drain(self) -> None:
        if not self.draining and self.intake:
            self.draining = True
            self.connection.ioloop.call_later(0, self._drain)

    def _drain(self) -> None:
        """Process received deliveries for up to the burst budget, then let the loop write
        their outputs and read (one delivery per turn when the intake holds only one)."""
        self.draining = False
        handler = self.handler
        if handler is None or self.channel is None:
            return
        deadline = time.perf_counter() + self.burst_budget_s
        delivery = self.intake.next_ready(handler.unsettled)
        if delivery is None:
            # Nothing ready (a suspect waits for the unsettled to settle): the settlement
            # schedules the next drain, so do not spin on the loop meanwhile.
            self._maybe_finish()
            return
        while delivery is not None:
            if self.tracer is None:
                handler.handle(delivery)
            else:
                self.tracer.started(delivery, len(self.intake))
                handler.handle(delivery)
                self.tracer.handled()
            self.worker.warmed_up()
            if not self.intake or self.channel is None or time.perf_counter() >= deadline:
                break
            delivery = self.intake.next_ready(handler.unsettled)
        self._schedule_drain()
        self._maybe_finish()

    def _on_input_settled(self) -> None:
        self._schedule_drain()
        self._maybe_finish()

    # --- stopping ---------------------------------------------------------------------
    def _poll_stop(self) -> None:
        worker = self.worker
        if worker.force_stop:
            self.end = _SessionEnd.STOPPED
            self._close()
            return
        if worker.stop_requested and self.stopping_since is None:
            self._begin_stop()
        elif self.stopping_since is not None and \
                time.monotonic() - self.stopping_since > GRACEFUL_TIMEOUT_S:
            log.warning("graceful stop timed out: closing with unsettled messages")
            self.end = _SessionEnd.STOPPED
            self._close()
            return
        self.connection.ioloop.call_later(STOP_POLL_S, self._poll_stop)

    def _begin_stop(self) -> None:
        self.stopping_since = time.monotonic()
        self.end = _SessionEnd.STOPPED
        log.info("stopping: finishing in-flight messages")
        if self.switching:
            return  # _on_switch_cancelled sees the stop and finishes it
        if self.channel is None or self.consumer_tag is None:
            self._close()
            return
        self.channel.channel.basic_cancel(self.consumer_tag, callback=lambda _f: self._cancelled())

    def _cancelled(self) -> None:
        self.consumer_tag = None
        self._schedule_drain()
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        """Close once stopping, cancelled, and nothing is received or unsettled any more."""
        handler = self.handler
        if self.stopping_since is None or self.consumer_tag is not None or self.intake:
            return
        if handler is not None and handler.unsettled:
            return
        self._close()

    def _close(self) -> None:
        if not (self.connection.is_closing or self.connection.is_closed):
            self.connection.close()
