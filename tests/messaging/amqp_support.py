"""Helpers for tests against the real RabbitMQ: unique names, worker processes, collection.

Every test gets its own exchanges and queues (a uuid suffix) and deletes them afterwards:
the broker is shared by everyone testing on this machine.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pika
import pika.exceptions

from adapter.messaging.port import REASON_HEADER
from adapter.messaging.topology import topology_from
from adapter.settings import Settings

AMQP_URL = os.environ.get("SSTR_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CRASH_MARKER = "SSTR-TEST-CRASH-7f3e"


def broker_reachable() -> bool:
    try:
        pika.BlockingConnection(_params(AMQP_URL)).close()
    except pika.exceptions.AMQPError:
        return False
    return True


def _params(url: str) -> list[pika.URLParameters]:
    """One set per comma-separated URL (a cluster's nodes are tried in order)."""
    addresses = []
    for one in url.split(","):
        params = pika.URLParameters(one.strip())
        params.connection_attempts = 1
        params.socket_timeout = 5
        addresses.append(params)
    return addresses


def connect(attempts: int = 60, url: str = AMQP_URL) -> pika.BlockingConnection:
    """A blocking connection, retried for a while (the broker may be restarting)."""
    for _ in range(attempts - 1):
        try:
            return pika.BlockingConnection(_params(url))
        except pika.exceptions.AMQPError:
            time.sleep(0.5)
    return pika.BlockingConnection(_params(url))


@dataclass(frozen=True)
class Names:
    """Unique broker object names for one test, as SSTR_ settings."""

    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    url: str = AMQP_URL
    """The broker the test talks to (a cluster: its nodes' URLs, comma-separated)."""
    overrides: dict[str, str] = field(default_factory=dict)
    """More settings for the test and its workers, e.g. ``{"queue_leader_locator": ""}``."""

    @property
    def settings(self) -> Settings:
        return Settings(amqp_url=self.url, **self._fields())

    def _fields(self) -> dict[str, str]:
        s = f"test.{self.suffix}"
        return {
            "input_exchange": f"{s}.in", "input_queue": f"{s}.in.q",
            "output_exchange": f"{s}.out", "report_queue": f"{s}.report.q",
            "tumour_board_queue": f"{s}.tumour-board.q",
            "dead_letter_exchange": f"{s}.dlx", "dead_letter_queue": f"{s}.dlq",
            **self.overrides,
        }

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSTR_")}
        env.update({f"SSTR_{k.upper()}": v for k, v in self._fields().items()})
        env.update(SSTR_AMQP_URL=self.url, SSTR_METRICS_PORT="0",
                   SSTR_RECONNECT_MAX_BACKOFF_S="2", SSTR_ENABLE_TEST_HOOKS="1",
                   SSTR_TEST_CRASH_MARKER=CRASH_MARKER,
                   PYTHONPATH=os.pathsep.join([str(REPO), str(HERE)]))
        env.update(extra)
        return env

    def declare(self) -> None:
        """Declare the worker's topology (as the worker would) so inputs can be queued first."""
        topology = topology_from(self.settings)
        conn = connect(url=self.url)
        channel = conn.channel()
        for ex in topology.exchanges:
            channel.exchange_declare(ex.name, ex.type, durable=True)
        for q in topology.queues:
            channel.queue_declare(q.name, durable=True, arguments=q.arguments)
        for b in topology.bindings:
            channel.queue_bind(b.queue, b.exchange, b.routing_key)
        conn.close()

    def delete_all(self) -> None:
        conn = connect(attempts=20, url=self.url)
        channel = conn.channel()
        s = self.settings
        for queue in (s.input_queue, s.report_queue, s.tumour_board_queue, s.dead_letter_queue):
            channel.queue_delete(queue)
        for exchange in (s.input_exchange, s.output_exchange, s.dead_letter_exchange):
            channel.exchange_delete(exchange)
        conn.close()


class Worker:
    """``python -m adapter.cli run`` as a subprocess with its own connection name."""

    def __init__(self, names: Names, logs: Path, index: int = 0, **env: str) -> None:
        self.connection_name = f"sstr-test-{names.suffix}-{index}"
        self.log_path = logs / f"worker-{index}-{time.monotonic_ns()}.log"
        self.out_path = self.log_path.with_suffix(".out")
        with self.log_path.open("wb") as err, self.out_path.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "adapter.cli", "run",
                 "--connection-name", self.connection_name],
                env=names.env(**env), cwd=REPO, stdout=out, stderr=err)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def summary(self) -> str:
        return self.out_path.read_text(errors="replace")

    def times_consuming(self) -> int:
        return self.log().count('"event":"consuming"')

    def wait_consuming(self, times: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.times_consuming() < times:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited {self.process.returncode}: {self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"worker did not consume: {self.log()}")
            time.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


def publish(names: Names, messages: Iterable[tuple[str, bytes]]) -> int:
    """Publish persistent inputs with confirms; returns how many."""
    s = names.settings
    conn = connect(url=names.url)
    channel = conn.channel()
    channel.confirm_delivery()
    count = 0
    for message_id, body in messages:
        channel.basic_publish(
            s.input_exchange, s.input_routing_key, body, mandatory=True,
            properties=pika.BasicProperties(message_id=message_id, delivery_mode=2,
                                            content_type="application/fhir+json"))
        count += 1
    conn.close()
    return count


def queue_depth(queue: str, url: str = AMQP_URL) -> int:
    conn = connect(url=url)
    try:
        return int(conn.channel().queue_declare(queue, passive=True).method.message_count)
    finally:
        conn.close()


@dataclass
class Received:
    """One message taken off an output queue or the DLQ."""

    message_id: str | None
    correlation_id: str | None
    body: bytes
    headers: dict[str, object]


@dataclass
class Collected:
    """Everything that came out, by input id."""

    reports: dict[str, list[Received]] = field(default_factory=lambda: defaultdict(list))
    boards: dict[str, list[Received]] = field(default_factory=lambda: defaultdict(list))
    dead: dict[str, list[Received]] = field(default_factory=lambda: defaultdict(list))

    def ended(self) -> set[str]:
        return {k for k, v in self.reports.items() if v} | {k for k, v in self.dead.items() if v}

    def drain(self, names: Names) -> None:
        """Take (and ack) everything currently in the output queues and the DLQ."""
        s = names.settings
        conn = connect(url=names.url)
        channel = conn.channel()
        for queue, into, key in ((s.report_queue, self.reports, "correlation_id"),
                                 (s.tumour_board_queue, self.boards, "correlation_id"),
                                 (s.dead_letter_queue, self.dead, "message_id")):
            while True:
                method, props, body = channel.basic_get(queue)
                if method is None:
                    break
                item = Received(props.message_id, props.correlation_id, body,
                                dict(props.headers or {}))
                into[str(getattr(item, key))].append(item)
                channel.basic_ack(method.delivery_tag)
        conn.close()

    def wait_for(self, names: Names, ids: set[str], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not ids <= self.ended():
            if time.monotonic() > deadline:
                missing = len(ids - self.ended())
                raise AssertionError(f"{missing} of {len(ids)} inputs never ended")
            time.sleep(0.2)
            try:
                self.drain(names)
            except pika.exceptions.AMQPError:
                time.sleep(0.5)  # broker restarting: try again

    def assert_exactly_once(self, ids: set[str]) -> int:
        """Each input ended once, as output or dead letter; returns the duplicate count.

        A duplicate (after a lost ack) must be a byte-identical republish.
        """
        duplicates = 0
        assert set(self.reports) | set(self.dead) <= ids | {"None"}, "unknown message ids"
        for mid in ids:
            reports, dead = self.reports.get(mid, []), self.dead.get(mid, [])
            assert bool(reports) != bool(dead), f"{mid}: {len(reports)} outputs, {len(dead)} DLQ"
            for group in (reports, self.boards.get(mid, []), dead):
                assert len({(r.body, r.message_id) for r in group}) <= 1, f"{mid} differs"
                duplicates += max(0, len(group) - 1)
        return duplicates

    def reasons(self) -> dict[str, str]:
        """Input id -> dead-letter reason (ours, else the broker's x-death reason)."""
        out = {}
        for mid, items in self.dead.items():
            headers = items[0].headers
            reason = headers.get(REASON_HEADER)
            if reason is None:
                deaths = headers.get("x-death")
                reason = f"broker:{deaths[0]['reason']}" if isinstance(deaths, list) else "?"
            out[mid] = reason.decode() if isinstance(reason, bytes) else str(reason)
        return out


def rabbitmqctl(*args: str, timeout: float = 120) -> str:
    done = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True,
                          timeout=timeout, check=True)
    return done.stdout


def connection_pid(connection_name: str) -> str | None:
    """The broker-side pid of the connection with this client-provided name."""
    listing = rabbitmqctl("list_connections", "pid", "client_properties", "-q")
    for line in listing.splitlines():
        if connection_name in line:
            match = re.match(r"\s*(<[^>]+>)", line)
            if match:
                return match.group(1)
    return None
