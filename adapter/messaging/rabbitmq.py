"""pika edge: connection parameters (TLS), the confirm-tracking channel, topology declaration.

Everything that touches pika lives in this module and :mod:`adapter.messaging.consumer`
(the SelectConnection session) and :mod:`adapter.messaging.dlq` (the blocking DLQ tool).
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import pika
import pika.channel
import pika.spec
from pika.adapters.utils.io_services_utils import _AsyncPlaintextTransport

from adapter.messaging.confirms import ConfirmTracker
from adapter.messaging.port import Delivery, OnSettled, Publication, Settlement
from adapter.messaging.topology import Topology
from adapter.settings import Settings

log = logging.getLogger(__name__)


class AmqpConfigError(Exception):
    """The AMQP settings cannot work (bad URL, missing CA file): exit code 3."""


def default_connection_name() -> str:
    """``sstr-adapter/<host>/<pid>``, as ``rabbitmqctl list_connections`` shows it."""
    return f"sstr-adapter/{socket.gethostname()}/{os.getpid()}"


def connection_parameters(settings: Settings, connection_name: str) -> pika.URLParameters:
    """Parameters from ``SSTR_AMQP_URL`` with heartbeat, blocked timeout and verified TLS."""
    url = settings.amqp_url
    if not url:
        raise AmqpConfigError("SSTR_AMQP_URL is not set")
    parts = urlsplit(url)
    if parts.scheme not in ("amqp", "amqps"):
        raise AmqpConfigError("SSTR_AMQP_URL must start with amqp:// or amqps://")
    try:
        params = pika.URLParameters(url)
    except (ValueError, TypeError) as exc:
        raise AmqpConfigError(f"SSTR_AMQP_URL is malformed ({type(exc).__name__})") from None
    params.heartbeat = settings.heartbeat_s
    params.blocked_connection_timeout = settings.blocked_connection_timeout_s
    params.connection_attempts = 1  # the worker retries itself, with backoff
    params.client_properties = {"connection_name": connection_name, "product": "sstr-adapter"}
    if parts.scheme == "amqps":
        params.ssl_options = pika.SSLOptions(tls_context(settings), server_hostname=parts.hostname)
    return params


def tls_context(settings: Settings) -> ssl.SSLContext:
    """A client context that verifies the broker's certificate and host name."""
    ca_file = settings.amqp_ca_file
    if ca_file is not None and not ca_file.is_file():
        raise AmqpConfigError("SSTR_AMQP_CA_FILE does not name a readable file")
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def redacted(url: str | None) -> str:
    """The broker's host and port only: URLs carry passwords."""
    if not url:
        return "-"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"


COALESCE_MAX_BYTES = 256 * 1024
"""Largest write assembled from queued frames (bigger bodies are sent as they are)."""


def coalesce_writes(connection: Any) -> bool:
    """Send the frames queued on a plain TCP connection in one ``send`` instead of one each.

    pika queues every frame separately (a publish is a method, a header and one or more body
    frames; an ack is one more) and sends them with one system call each: about seven per
    input, a tenth of the worker's CPU. Joining what is queued when the socket is writable
    sends the same bytes in the same order. TLS transports are left alone (a retried TLS
    write must repeat the same buffer). Returns whether the transport was adapted; with a pika
    whose internals differ it changes nothing.
    """
    transport = getattr(connection, "_transport", None)
    buffers = getattr(transport, "_tx_buffers", None)
    produce = getattr(transport, "_produce", None)
    if not isinstance(transport, _AsyncPlaintextTransport) or \
            not isinstance(buffers, deque) or produce is None:
        return False

    def produce_joined() -> None:
        join_queued(buffers)
        produce()

    transport._produce = produce_joined
    return True


def join_queued(buffers: deque[bytes], limit: int = COALESCE_MAX_BYTES) -> None:
    """Replace the leading chunks of ``buffers`` by one, up to ``limit`` bytes in all."""
    if len(buffers) < 2:
        return
    count = size = 0
    for chunk in buffers:
        if count and size + len(chunk) > limit:
            break
        size += len(chunk)
        count += 1
    if count > 1:
        joined = b"".join([buffers.popleft() for _ in range(count)])
        buffers.appendleft(joined)


def basic_properties(pub: Publication) -> pika.BasicProperties:
    return pika.BasicProperties(
        content_type=pub.content_type,
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=pub.message_id,
        correlation_id=pub.correlation_id,
        headers=dict(pub.headers) or None,
    )


def delivery_from(method: pika.spec.Basic.Deliver, props: pika.BasicProperties,
                  body: bytes) -> Delivery:
    return Delivery(
        tag=method.delivery_tag, body=body, message_id=props.message_id,
        correlation_id=props.correlation_id, routing_key=method.routing_key,
        headers=dict(props.headers or {}), content_type=props.content_type,
    )


class PikaChannel:
    """:class:`~adapter.messaging.port.AmqpChannel` over one pika channel in confirm mode.

    Publishes are settled asynchronously by ``basic.ack``/``basic.nack`` (see
    :class:`ConfirmTracker`). All calls happen on the connection's I/O thread; once the
    channel is closed, its delivery tags are void: ack and requeue become no-ops and the
    broker redelivers those messages.
    """

    def __init__(self, channel: pika.channel.Channel) -> None:
        self.channel = channel
        self.tracker = ConfirmTracker()
        channel.add_on_return_callback(self._on_return)

    @property
    def is_open(self) -> bool:
        return bool(self.channel.is_open)

    def publish(self, publication: Publication, on_settled: OnSettled) -> None:
        if not self.is_open:
            on_settled(Settlement.CHANNEL_LOST)
            return
        self.channel.basic_publish(
            publication.exchange, publication.routing_key, publication.body,
            properties=basic_properties(publication), mandatory=True,
        )
        self.tracker.sent(publication.message_id, on_settled)

    def ack(self, delivery: Delivery) -> None:
        if self.is_open:
            self.channel.basic_ack(delivery.tag)

    def requeue(self, delivery: Delivery) -> None:
        if self.is_open:
            self.channel.basic_nack(delivery.tag, requeue=True)

    def on_confirm(self, frame: pika.frame.Method[Any]) -> None:
        """``confirm_delivery``'s ack/nack callback."""
        method = frame.method
        if isinstance(method, pika.spec.Basic.Ack):
            self.tracker.acked(method.delivery_tag, method.multiple)
        else:
            self.tracker.nacked(method.delivery_tag, method.multiple)

    def lose_all(self) -> None:
        self.tracker.lose_all()

    def _on_return(self, _ch: Any, _method: Any, props: pika.BasicProperties, _body: bytes) -> None:
        self.tracker.returned(props.message_id)


def declare_topology(channel: pika.channel.Channel, topology: Topology,
                     done: Callable[[], None]) -> None:
    """Declare every exchange, queue and binding in order, then call ``done``.

    An existing object with other arguments closes the channel with PRECONDITION_FAILED
    (406), which the session reports as a configuration error.
    """
    steps: list[Callable[..., None]] = [
        *(partial(channel.exchange_declare, ex.name, exchange_type=ex.type, durable=True)
          for ex in topology.exchanges),
        *(partial(channel.queue_declare, q.name, durable=True, arguments=q.arguments)
          for q in topology.queues),
        *(partial(channel.queue_bind, b.queue, b.exchange, routing_key=b.routing_key)
          for b in topology.bindings),
    ]

    def run(index: int) -> None:
        if index == len(steps):
            done()
        else:
            steps[index](callback=lambda _frame: run(index + 1))

    run(0)
