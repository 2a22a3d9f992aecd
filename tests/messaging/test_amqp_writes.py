"""Frames queued on the connection leave in one write, byte for byte in the same order."""

from __future__ import annotations

import socket
from collections import deque
from typing import Any

import pytest
from pika.adapters.utils.io_services_utils import _AsyncPlaintextTransport

from adapter.messaging.rabbitmq import coalesce_writes, join_queued


@pytest.mark.parametrize(("chunks", "limit", "expected"), [
    ([b"method", b"header", b"body", b"ack"], 1024, [b"methodheaderbodyack"]),
    ([b"aa", b"bb", b"cc"], 4, [b"aabb", b"cc"]),
    ([b"a" * 10, b"b", b"c"], 4, [b"a" * 10, b"b", b"c"]),
    ([b"only"], 1, [b"only"]),
    ([], 1, []),
])
def test_queued_chunks_are_joined_in_order_up_to_the_limit(
    chunks: list[bytes], limit: int, expected: list[bytes],
) -> None:
    buffers = deque(chunks)

    join_queued(buffers, limit)

    assert list(buffers) == expected
    assert b"".join(buffers) == b"".join(chunks)


class _Sink:
    """Stands in for pika's protocol and I/O services: nothing is read, nothing polled."""

    def __getattr__(self, _name: str) -> Any:
        return lambda *args, **kwargs: None


def test_a_plain_connection_sends_everything_queued_with_one_system_call() -> None:
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    transport = _AsyncPlaintextTransport(ours, _Sink(), _Sink())
    connection = type("Connection", (), {"_transport": transport})()
    sends: list[int] = []
    real_send = ours.send

    def counting_send(data: bytes) -> int:
        sends.append(len(data))
        return real_send(data)

    transport._sigint_safe_send = lambda _sock, data: counting_send(data)
    try:
        assert coalesce_writes(connection)
        for frame in (b"method", b"header", b"body"):
            transport.write(frame)
        transport._on_socket_writable()

        assert sends == [len(b"methodheaderbody")]
        assert theirs.recv(100) == b"methodheaderbody"
    finally:
        ours.close()
        theirs.close()


def test_connections_without_a_plain_transport_are_left_alone() -> None:
    tls_like = type("Connection", (), {"_transport": object()})()

    assert coalesce_writes(tls_like) is False
    assert coalesce_writes(object()) is False
