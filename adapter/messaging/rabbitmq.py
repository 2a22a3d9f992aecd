"""pika edge: connection parameters (addresses, TLS), failure causes, confirm-tracking channel,
topology declaration.

Everything that touches pika lives in this module and :mod:`adapter.messaging.consumer`
(the SelectConnection session) and :mod:`adapter.messaging.dlq` (the blocking DLQ tool).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import ssl
from collections import deque
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pika
import pika.channel
import pika.credentials
import pika.exceptions
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


_ANOTHER_URL = re.compile(r",\s*(?=[a-z][a-z0-9+.-]*://)", re.IGNORECASE)
_SETTING_FOR_QUERY = {
    "heartbeat": "SSTR_HEARTBEAT_S", "socket_timeout": "SSTR_SOCKET_TIMEOUT_S",
    "stack_timeout": "SSTR_CONNECTION_TIMEOUT_S",
    "blocked_connection_timeout": "SSTR_BLOCKED_CONNECTION_TIMEOUT_S",
    "ssl_options": "SSTR_AMQP_CA_FILE / SSTR_AMQP_CERT_FILE",
    "connection_attempts": "several addresses", "retry_delay": "SSTR_RECONNECT_MAX_BACKOFF_S",
}


def broker_urls(value: str | None) -> list[str]:
    """The URLs of ``SSTR_AMQP_URL``: one, or several separated by commas.

    A URL without credentials or virtual host takes the first URL's, so that a password is
    written once: ``amqps://u:p@node1:5671/prod,amqps://node2:5671,amqps://node3:5671``.
    (A comma splits only where another URL's scheme follows, so passwords may hold commas.)
    """
    if not value or not value.strip():
        raise AmqpConfigError("SSTR_AMQP_URL is not set")
    urls = [part.strip() for part in _ANOTHER_URL.split(value.strip())]
    first = urlsplit(urls[0])
    completed = []
    for number, url in enumerate(urls, start=1):
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("amqp", "amqps") or not parts.hostname:
            raise AmqpConfigError(f"SSTR_AMQP_URL: address {number} must be "
                                  "amqp://host[:port] or amqps://host[:port]")
        for key in parse_qs(parts.query):
            if key in _SETTING_FOR_QUERY:
                raise AmqpConfigError(f"SSTR_AMQP_URL: address {number} sets {key}; "
                                      f"use {_SETTING_FOR_QUERY[key]}")
        netloc, path = parts.netloc, parts.path
        if "@" not in netloc and "@" in first.netloc:
            netloc = f"{first.netloc.rpartition('@')[0]}@{netloc}"
        if path in ("", "/") and first.path not in ("", "/"):
            path = first.path
        completed.append(urlunsplit((parts.scheme, netloc, path, parts.query, "")))
    return completed


def connection_parameters(settings: Settings, connection_name: str) -> list[pika.URLParameters]:
    """One set of parameters per address of ``SSTR_AMQP_URL``, in the order given.

    Each has the heartbeat, the timeouts, the blocked-connection timeout, verified TLS with
    the optional client certificate, and one connection attempt (the worker moves on to the
    next address, and backs off only after every address failed in a row).
    """
    urls = broker_urls(settings.amqp_url)
    context = None
    if any(urlsplit(url).scheme.lower() == "amqps" for url in urls):
        context = tls_context(settings)
    elif settings.amqp_cert_file is not None:
        raise AmqpConfigError("SSTR_AMQP_CERT_FILE is set but SSTR_AMQP_URL is not amqps://")
    return [_parameters(url, settings, connection_name, context) for url in urls]


def _parameters(url: str, settings: Settings, connection_name: str,
                context: ssl.SSLContext | None) -> pika.URLParameters:
    parts = urlsplit(url)
    try:
        params = pika.URLParameters(url)
    except (ValueError, TypeError) as exc:
        raise AmqpConfigError(f"SSTR_AMQP_URL is malformed ({type(exc).__name__})") from None
    params.heartbeat = settings.heartbeat_s
    params.blocked_connection_timeout = settings.blocked_connection_timeout_s
    params.socket_timeout = settings.socket_timeout_s
    params.stack_timeout = settings.connection_timeout_s
    params.connection_attempts = 1  # the worker retries itself, with backoff
    params.client_properties = {"connection_name": connection_name, "product": "sstr-adapter"}
    if parts.scheme.lower() == "amqps":
        assert context is not None
        params.ssl_options = pika.SSLOptions(context, server_hostname=parts.hostname)
        if settings.amqp_cert_file is not None and parts.password is None:
            params.credentials = pika.credentials.ExternalCredentials()
    elif settings.amqp_cert_file is not None:
        raise AmqpConfigError("SSTR_AMQP_CERT_FILE is set but an address is amqp://, not amqps://")
    return params


def tls_context(settings: Settings) -> ssl.SSLContext:
    """A client context that verifies the broker's certificate and host name.

    With ``SSTR_AMQP_CERT_FILE`` it also presents that client certificate (mutual TLS).
    """
    ca_file = settings.amqp_ca_file
    _readable(ca_file, "SSTR_AMQP_CA_FILE")
    try:
        context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except ssl.SSLError:
        raise AmqpConfigError("SSTR_AMQP_CA_FILE holds no usable PEM certificate") from None
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    cert, key = settings.amqp_cert_file, settings.amqp_key_file
    if cert is None:
        if key is not None:
            raise AmqpConfigError("SSTR_AMQP_KEY_FILE is set without SSTR_AMQP_CERT_FILE")
        return context
    _readable(cert, "SSTR_AMQP_CERT_FILE")
    _readable(key, "SSTR_AMQP_KEY_FILE")
    secret = settings.amqp_key_password
    # Without a password an encrypted key must fail here, not prompt on a terminal.
    password = secret.get_secret_value() if secret else (lambda: b"")
    try:
        context.load_cert_chain(str(cert), str(key) if key else None, password=password)
    except ssl.SSLError:
        raise AmqpConfigError(
            "SSTR_AMQP_CERT_FILE/SSTR_AMQP_KEY_FILE cannot be loaded: not PEM, not a matching "
            "key, or SSTR_AMQP_KEY_PASSWORD missing or wrong") from None
    return context


def _readable(path: Path | None, setting: str) -> None:
    if path is not None and not path.is_file():
        raise AmqpConfigError(f"{setting} does not name a readable file")


def redacted(url: str | None) -> str:
    """The broker's host and port only: URLs carry passwords."""
    if not url:
        return "-"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"


def describe(params: pika.ConnectionParameters) -> str:
    """``amqps://host:port`` of one address (never credentials)."""
    scheme = "amqps" if params.ssl_options is not None else "amqp"
    return f"{scheme}://{params.host}:{params.port}"


# --- what a failed connection attempt means ----------------------------------------------
_TLS_REFUSALS = ("UNKNOWN_CA", "BAD_CERTIFICATE", "CERTIFICATE_REQUIRED", "CERTIFICATE_UNKNOWN",
                 "CERTIFICATE_EXPIRED", "CERTIFICATE_REVOKED", "UNSUPPORTED_CERTIFICATE",
                 "ACCESS_DENIED", "HANDSHAKE_FAILURE", "PROTOCOL_VERSION",
                 "WRONG_VERSION_NUMBER", "NO_SHARED_CIPHER", "CERTIFICATE_VERIFY_FAILED")
_REPLY = re.compile(r"\((\d{3})\)\W*([A-Z_]+ - .*)")


def configuration_problem(error: BaseException) -> str | None:
    """Why a failed connection attempt will fail again until the configuration changes.

    ``None`` for transient failures (refused or reset connections, timeouts, a node starting
    or stopping, unresolvable names): those are retried. A cause for TLS verification
    failures on either side, refused credentials, a missing or forbidden virtual host, a
    mechanism the broker does not offer, and a peer that does not speak AMQP over this
    scheme. The text names the cause and never a secret.
    """
    chain = list(_causes(error))
    for exc in chain:
        if isinstance(exc, ssl.SSLCertVerificationError):
            return f"TLS: the broker's certificate is not accepted: {exc.verify_message}"
    text = " ".join(f"{type(exc).__name__}: {exc}" for exc in chain)
    for reason in _TLS_REFUSALS:
        if reason in text:
            return f"TLS handshake refused ({reason}): CA file, client certificate or scheme"
    if isinstance(error, pika.exceptions.AuthenticationError):
        return f"the broker does not offer the login mechanism ({error})"
    reply = _REPLY.search(text)
    code, broker_text = (reply.group(1), reply.group(2)) if reply else ("", "")
    broker_text = re.sub(r"[\\'\",)]+$", "", broker_text.replace("\\'", "'"))
    if code == "403":
        return f"credentials refused by the broker ({broker_text})"
    if code == "530" and not any(word in broker_text for word in ("is down", "limit")):
        return f"virtual host not found or not allowed ({broker_text})"
    if isinstance(error, pika.exceptions.IncompatibleProtocolError):
        return "the address does not speak AMQP 0-9-1 over this scheme (amqp:// to a TLS port?)"
    return None


def failure_reason(error: BaseException) -> str:
    """What lies under pika's wrappers, for the log: ``ConnectionRefusedError: ...``."""
    inner = [exc for exc in _causes(error) if not type(exc).__module__.startswith("pika")]
    cause = inner[-1] if inner else error
    return f"{type(cause).__name__}: {cause}"[:200]


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what pika wrapped in it (workflow attempts, connector errors, args)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        exc = pending.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        yield exc
        pending.extend(getattr(exc, "exceptions", None) or [])
        inner = getattr(exc, "exception", None)
        pending.extend([inner] if isinstance(inner, BaseException) else [])
        pending.extend(a for a in exc.args if isinstance(a, BaseException))
        pending.extend([exc.__cause__] if exc.__cause__ is not None else [])


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
