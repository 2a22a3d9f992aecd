"""The baseline worker: a bare pika loop that moves the adapter's bytes without its work.

For every input it publishes pre-computed output bodies (the adapter's own outputs for the
same message, so the same bytes cross the broker) with the worker's discipline: persistent,
``mandatory``, publisher confirms, and the input acknowledged only once all its outputs are
confirmed, at the same prefetch. It uses ``SelectConnection`` with asynchronous confirms,
the fastest safe style measured on these machines (messaging-notes: ~6,700 msg/s at
prefetch 50 vs ~830 msg/s with a blocking confirm per publish).

Run as ``python -m adapter.bench.amqp_echo --url URL --queue Q --exchange X --output RK=FILE``;
SIGTERM stops it after closing the channel (unacknowledged inputs go back to the queue).
"""

from __future__ import annotations

import argparse
import collections
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import pika
from pika.spec import Basic


class EchoLoop:
    """Consume ``queue``; per input publish every ``(routing_key, body)``; ack when confirmed."""

    def __init__(
        self,
        url: str,
        queue: str,
        exchange: str,
        outputs: list[tuple[str, bytes]],
        prefetch: int,
    ) -> None:
        self._params = pika.URLParameters(url)
        self._queue = queue
        self._exchange = exchange
        self._outputs = outputs
        self._prefetch = prefetch
        self._connection: pika.SelectConnection | None = None
        self._channel: Any = None
        self._seq = 0
        # (last publish sequence number of an input, its delivery tag), in publish order
        self._pending: collections.deque[tuple[int, int]] = collections.deque()
        self._confirmed_upto = 0
        self._confirmed_singles: set[int] = set()
        self.failures = 0

    def run(self) -> None:
        """Connect and serve until :meth:`stop`."""
        self._connection = pika.SelectConnection(
            self._params,
            on_open_callback=self._on_open,
            on_open_error_callback=self._on_open_error,
            on_close_callback=lambda _conn, _reason: self._ioloop_stop(),
        )
        self._connection.ioloop.start()

    def stop(self) -> None:
        """Close the connection from any thread or a signal handler."""
        if self._connection is not None:
            self._connection.ioloop.add_callback_threadsafe(self._close)

    def _close(self) -> None:
        if self._connection is not None and self._connection.is_open:
            self._connection.close()

    def _ioloop_stop(self) -> None:
        if self._connection is not None:
            self._connection.ioloop.stop()

    def _on_open_error(self, _conn: object, error: BaseException) -> None:
        self.failures += 1
        print(f"echo: cannot connect: {error!r}", file=sys.stderr)
        self._ioloop_stop()

    def _on_open(self, connection: pika.SelectConnection) -> None:
        connection.channel(on_open_callback=self._on_channel)

    def _on_channel(self, channel: Any) -> None:
        self._channel = channel
        channel.add_on_return_callback(self._on_return)
        channel.confirm_delivery(ack_nack_callback=self._on_confirm)
        channel.basic_qos(prefetch_count=self._prefetch, callback=self._on_qos)

    def _on_qos(self, _frame: object) -> None:
        self._channel.basic_consume(self._queue, on_message_callback=self._on_message)

    def _on_message(
        self, channel: Any, method: Basic.Deliver, props: pika.BasicProperties, _body: bytes
    ) -> None:
        for routing_key, body in self._outputs:
            self._seq += 1
            channel.basic_publish(
                self._exchange,
                routing_key,
                body,
                properties=pika.BasicProperties(
                    content_type="application/fhir+json",
                    delivery_mode=2,
                    correlation_id=props.message_id,
                    message_id=f"{props.message_id}-{routing_key}",
                ),
                mandatory=True,
            )
        self._pending.append((self._seq, method.delivery_tag))

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        if not isinstance(method, Basic.Ack):
            # a nack: the broker could not take an output; requeue its input (head of line)
            self.failures += 1
        if method.multiple:
            self._confirmed_upto = max(self._confirmed_upto, method.delivery_tag)
        else:
            self._confirmed_singles.add(method.delivery_tag)
        self._ack_confirmed(nacked=not isinstance(method, Basic.Ack))

    def _ack_confirmed(self, nacked: bool) -> None:
        # Inputs are acked in publish order once every output sequence number up to their
        # last one is confirmed (outputs of one input are consecutive sequence numbers).
        while self._pending:
            last_seq, tag = self._pending[0]
            first_seq = last_seq - len(self._outputs) + 1
            if not all(self._is_confirmed(s) for s in range(first_seq, last_seq + 1)):
                break
            self._pending.popleft()
            for s in range(first_seq, last_seq + 1):
                self._confirmed_singles.discard(s)
            if nacked:
                self._channel.basic_nack(tag, requeue=True)
            else:
                self._channel.basic_ack(tag)

    def _is_confirmed(self, seq: int) -> bool:
        return seq <= self._confirmed_upto or seq in self._confirmed_singles

    def _on_return(self, _channel: object, _method: object, props: Any, _body: bytes) -> None:
        self.failures += 1
        print(f"echo: output returned unroutable ({props.message_id})", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the echo subprocess."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--exchange", required=True)
    parser.add_argument("--prefetch", type=int, default=50)
    parser.add_argument("--output", action="append", default=[], help="ROUTING_KEY=FILE")
    args = parser.parse_args(argv)
    outputs = []
    for spec in args.output:
        routing_key, _, path = spec.partition("=")
        outputs.append((routing_key, Path(path).read_bytes()))
    loop = EchoLoop(args.url, args.queue, args.exchange, outputs, args.prefetch)

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        loop.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    loop.run()
    return 1 if loop.failures else 0


if __name__ == "__main__":
    sys.exit(main())
