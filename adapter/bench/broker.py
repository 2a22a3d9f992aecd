"""Measurements through the real broker: drain rate, latency at a set rate, worker memory.

Each measurement declares the worker's own topology (:func:`topology_from`, so queue
arguments match exactly) under a unique name prefix, starts the consumer processes (the
real worker or the bare echo loop), waits until they all consume, runs, stops them with
SIGTERM and deletes every queue and exchange it declared.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pika.exceptions import AMQPError

from adapter.bench import amqp_driver, tail
from adapter.bench.amqp_admin import BrokerAdmin, wait_for_broker
from adapter.bench.compute import require_processed
from adapter.bench.cpu import listening_pid, metered
from adapter.bench.machine import rss_mb
from adapter.bench.messages import unique_ids
from adapter.bench.processes import Fleet, echo_command, unique_settings, worker_command, worker_env
from adapter.messaging.topology import Topology, topology_from
from adapter.service.results import MessageProcessor, OutputKind
from adapter.settings import Settings

KEPT_UP_SHARE = 0.95
"""A latency round kept up when its consumer delivered at least this share of the offered rate."""

START_TIMEOUT_S = 60.0
"""How long consumers may take to connect (imports and the first declare, on a busy box)."""


class Subject(StrEnum):
    """What consumes the input queue."""

    WORKER = "worker"
    ECHO = "echo"


@dataclass(frozen=True, slots=True)
class Session:
    settings: Settings
    topology: Topology
    admin: BrokerAdmin
    prefix: str


class BrokerBench:
    """Runs broker measurements for one message body at a time."""

    def __init__(
        self, base: Settings, amqp_url: str, workdir: Path, processor: MessageProcessor
    ) -> None:
        self._base = base
        self._url = amqp_url
        self._workdir = workdir
        self._processor = processor
        workdir.mkdir(parents=True, exist_ok=True)

    def _echo_files(self, body: bytes) -> dict[OutputKind, Path]:
        # The echo publishes the worker's own outputs for this input: the same bytes move.
        outputs = require_processed(self._processor, body).outputs
        files = {}
        for output in outputs:
            path = self._workdir / f"echo-{hashlib.sha1(body).hexdigest()[:12]}-{output.kind}.json"
            path.write_bytes(output.body)
            files[output.kind] = path
        return files

    @contextmanager
    def _session(self, label: str) -> Iterator[Session]:
        prefix = f"bench-{label}-{uuid.uuid4().hex[:8]}"
        settings = unique_settings(self._base, self._url, prefix)
        topology = topology_from(settings)
        print(f"bench: session {prefix}", flush=True)  # names a leak, should one remain
        with BrokerAdmin(self._url) as admin:
            admin.declare(topology)
            try:
                yield Session(settings, topology, admin, prefix)
            finally:
                self._remove(admin, topology)

    def _remove(self, admin: BrokerAdmin, topology: Topology) -> None:
        # Delete what the session declared even when its connection was lost (a fault test
        # restarted the shared broker): quorum queues outlive a restart.
        try:
            admin.remove(topology)
        except AMQPError:
            wait_for_broker(self._url, 180.0)
            with BrokerAdmin(self._url) as fresh:
                fresh.remove(topology)

    def _broker_pids(self) -> list[int]:
        pid = listening_pid(urlsplit(self._url).port or 5672)
        return [] if pid is None else [pid]

    def _start(self, session: Session, subject: Subject, processes: int, body: bytes,
               extra_env: dict[str, str] | None = None) -> Fleet:
        if subject is Subject.WORKER:
            command = worker_command()
        else:
            files = self._echo_files(body)
            command = echo_command(session.settings, session.topology, files)
        env = worker_env(session.settings) | (extra_env or {})
        fleet = Fleet([command] * processes, env, self._workdir / session.prefix)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            fleet.check_alive()
            state = session.admin.queue_state(session.topology.input_queue)
            if state is not None and state[1] >= processes:
                return fleet
            if time.monotonic() > deadline:
                fleet.stop()
                raise TimeoutError(f"{subject} processes did not start consuming")
            session.admin.sleep(0.05)

    def drain(
        self, subject: Subject, body: bytes, count: int, processes: int = 1,
        max_seconds: float = 600.0,
    ) -> dict[str, Any]:
        """Messages/s while ``processes`` consumers drain a backlog of ``count`` inputs.

        The consumers are connected and idle first; the backlog is published as fast as
        confirms allow, and the rate counts outputs from the end of publishing to the last
        output (so start-up, first-message model building and the publisher's CPU are out),
        or to ``max_seconds`` later if the backlog lasts longer (the rest is deleted).
        """
        with self._session(f"{subject}-drain") as session:
            fleet = self._start(session, subject, processes, body)
            try:
                report_queue = session.settings.report_queue
                source = unique_ids(body, session.prefix)
                topo = session.topology
                amqp_driver.prefill(
                    self._url, topo.input_exchange, topo.input_routing_key, source, count
                )
                pids = {"consumers": [p.pid for p in fleet.procs],
                        "broker": self._broker_pids()}
                with metered(pids) as meter:
                    start = time.perf_counter()
                    done_at_start = session.admin.message_count(report_queue)
                    done = done_at_start
                    while done < count and time.perf_counter() - start < max_seconds:
                        fleet.check_alive()
                        session.admin.sleep(0.02)
                        done = session.admin.message_count(report_queue)
                    elapsed = time.perf_counter() - start
                rss = [rss_mb(proc.pid) for proc in fleet.procs]
                dead = session.admin.message_count(topo.dead_letter_queue)
            finally:
                fleet.stop()
        if dead:
            raise RuntimeError(f"{dead} inputs were dead-lettered during the {subject} drain")
        measured = done - done_at_start
        if measured <= 0:
            raise RuntimeError(f"{subject} published nothing after the backlog was in place")
        cpu = meter.used
        consumer_cpu = cpu["consumers_cpu_s"]
        return {
            "rate": measured / elapsed,
            "measured_messages": measured,
            "elapsed_s": elapsed,
            "rss_mb": rss,
            "cpu": cpu,
            "per_consumer_cpu_s": measured / consumer_cpu if consumer_cpu > 0 else None,
        }

    def latency(
        self, subject: Subject, body: bytes, count: int, rate: float, warmup: int,
        trace: bool = False,
    ) -> dict[str, Any]:
        """End-to-end latency (publish -> output received) at a steady ``rate``.

        ``warmup`` inputs are streamed first at the same rate and left out (connection
        warm-up, lazy model builds, careful-mode start); ``count`` are measured. With
        ``trace`` the worker times every delivery (SSTR_TRACE_SAMPLE=1) and the result
        carries the tail's breakdown (:func:`adapter.bench.tail.breakdown`).
        """
        trace_file = self._workdir / f"trace-{uuid.uuid4().hex[:8]}.jsonl"
        extra = {"SSTR_TRACE_SAMPLE": "1", "SSTR_TRACE_FILE": str(trace_file)} if trace else {}
        with self._session(f"{subject}-latency") as session:
            fleet = self._start(session, subject, 1, body, extra)
            try:
                pids = {"consumers": [fleet.procs[0].pid], "broker": self._broker_pids()}
                with metered(pids) as meter:
                    result = self._stream(session, body, count + warmup, rate=rate)
            finally:
                fleet.stop()
        samples = tail.measured(result.timeline, warmup)
        achieved = result.received / result.elapsed_s
        figures: dict[str, Any] = {
            "rate_requested": rate,
            "rate_achieved": achieved,
            # Below the offered rate the consumer was short of CPU and a backlog grew: the
            # round measures queueing, not latency (the runner prefers rounds that kept up).
            "kept_up": achieved >= KEPT_UP_SHARE * rate,
            **tail.latency_figures(samples),
            "warmup": warmup,
            "cpu": meter.used,
        }
        if trace and trace_file.exists():
            figures["breakdown"] = tail.breakdown(samples, trace_file)
        return figures

    def memory(self, body: bytes, first: int, total: int) -> dict[str, float | int]:
        """Worker RSS after ``first`` and after ``total`` messages streamed through it."""
        with self._session("worker-memory") as session:
            fleet = self._start(session, Subject.WORKER, 1, body)
            pid = fleet.procs[0].pid
            marks: dict[str, float] = {"start_mb": rss_mb(pid)}

            def on_received(received: int) -> None:
                if received == first:
                    marks["first_mb"] = rss_mb(pid)

            try:
                result = self._stream(
                    session, body, total, max_backlog=500, on_received=on_received
                )
                marks["total_mb"] = rss_mb(pid)
            finally:
                fleet.stop()
        return {
            "first_messages": first,
            "total_messages": total,
            "rss_start_mb": marks["start_mb"],
            "rss_first_mb": marks["first_mb"],
            "rss_total_mb": marks["total_mb"],
            "growth": marks["total_mb"] / marks["first_mb"] - 1.0,
            "stream_rate": result.received / result.elapsed_s,
        }

    def _stream(
        self,
        session: Session,
        body: bytes,
        count: int,
        *,
        rate: float | None = None,
        max_backlog: int | None = None,
        on_received: Callable[[int], None] | None = None,
    ) -> amqp_driver.StreamResult:
        topo = session.topology
        result = amqp_driver.stream(
            self._url,
            topo.input_exchange,
            topo.input_routing_key,
            unique_ids(body, session.prefix),
            count,
            primary_output_key=topo.output_routing_keys[OutputKind.REPORT],
            watch_queues=(session.settings.report_queue, session.settings.tumour_board_queue),
            rate=rate,
            max_backlog=max_backlog,
            on_received=on_received,
            timeout_s=max(60.0, 10.0 * count / (rate or 1000.0)),
        )
        if result.timed_out:
            raise TimeoutError(f"{result.received}/{count} outputs before the time-out")
        return result
