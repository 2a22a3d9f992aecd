"""One benchmark run: every measurement, each guarded, assembled into a results document.

A measurement whose piece has not landed yet (no worker command, no reference message, a
pipeline that still rejects) is recorded as ``pending`` with the reason; one that fails is
``error`` with the message; neither stops the others.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import statistics
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from adapter.bench import compute, http_bench
from adapter.bench.amqp_admin import wait_for_broker
from adapter.bench.broker import BrokerBench, Subject
from adapter.bench.figures import FIGURES, build_figures
from adapter.bench.machine import describe_machine
from adapter.bench.messages import MessageUnavailableError, reference_message, synthetic_message
from adapter.bench.processes import pipeline_memory
from adapter.bench.profile import profile_pipeline
from adapter.bootstrap import build_processor
from adapter.service.results import OutputKind, Processed
from adapter.settings import Settings

LESION_COUNTS = (1, 5, 20, 100)
REFERENCE_LESIONS = 5


@dataclass(frozen=True, slots=True)
class Plan:
    """How much of each measurement a run does (``--quick`` vs full).

    Broker counts are upper bounds: each drain also stops after ``drain_seconds`` and the
    latency and memory streams are sized from the measured rate, so a slow worker does not
    stretch the run.
    """

    name: str
    compute_budget_s: float
    profile_s: float
    drain_messages: int
    drain_seconds: float
    latency_messages: int
    latency_seconds: float
    broker_lesions: tuple[int, ...]
    memory_first: int
    memory_total: int
    memory_broker_seconds: float
    workers: tuple[int, ...]
    http_seconds: float
    http_concurrency: int
    latency_rounds: int = 1
    """Latency measurements per subject and message, alternating worker and echo loop."""


QUICK = Plan("quick", compute_budget_s=0.3, profile_s=0.5, drain_messages=600, drain_seconds=6,
             latency_messages=300, latency_seconds=3, broker_lesions=(REFERENCE_LESIONS,),
             memory_first=200, memory_total=2000, memory_broker_seconds=4, workers=(1, 2),
             http_seconds=1.5, http_concurrency=8, latency_rounds=1)
FULL = Plan("full", compute_budget_s=2.0, profile_s=5.0, drain_messages=20_000,
            drain_seconds=20, latency_messages=10_000, latency_seconds=8,
            broker_lesions=LESION_COUNTS, memory_first=1000, memory_total=100_000,
            memory_broker_seconds=60, workers=(1, 2, 4), http_seconds=10, http_concurrency=16,
            latency_rounds=3)


class MeasurementPendingError(Exception):
    """A measurement cannot run yet."""


_NOT_YET = (MeasurementPendingError, MessageUnavailableError, compute.PipelineRejectedError)


class BenchRun:
    """Collects raw measurements under ``raw[name]`` and their states under ``status``."""

    def __init__(self, plan: Plan, settings: Settings, amqp_url: str, out_dir: Path) -> None:
        self.plan = plan
        self.settings = settings
        self.amqp_url = amqp_url
        self.out_dir = out_dir
        self.raw: dict[str, Any] = {}
        self.status: dict[str, dict[str, str]] = {}
        self.processor = build_processor(settings)
        self._workdir = Path(tempfile.mkdtemp(prefix="sstr-bench-"))
        self.broker = BrokerBench(settings, amqp_url, self._workdir, self.processor)

    def measure(self, name: str, action: Callable[[], Any], attempts: int = 3) -> None:
        """Run one measurement, recording its result or why there is none.

        A failure is retried (up to ``attempts`` in all) once the broker answers again:
        the broker is shared with fault tests that stop it or close every connection.
        """
        started = time.perf_counter()
        state: dict[str, str] = {}
        for attempt in range(1, attempts + 1):
            try:
                self.raw[name] = action()
                state = {"status": "ok"}
            except _NOT_YET as exc:
                state = {"status": "pending", "reason": str(exc)}
            except Exception as exc:
                state = {"status": "error", "reason": f"{type(exc).__name__}: {exc}",
                         "trace": traceback.format_exc(limit=4)}
                if attempt < attempts:
                    print(f"bench: {name}: attempt {attempt} failed ({state['reason'][:120]}); "
                          "waiting for the broker", flush=True)
                    wait_for_broker(self.amqp_url, 180.0)
                    continue
            if attempt > 1:
                state["attempts"] = str(attempt)
            break
        state["seconds"] = f"{time.perf_counter() - started:.1f}"
        self.status[name] = state
        print(f"bench: {name}: {state['status']} ({state['seconds']} s)"
              + (f" {state.get('reason', '')}" if state["status"] != "ok" else ""), flush=True)

    # --- the measurements ------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        started = dt.datetime.now(dt.UTC)
        t0 = time.perf_counter()
        machine = describe_machine()
        plan = self.plan
        self.measure("compute", lambda: compute.compute_cost(
            self.processor, reference_message(), plan.compute_budget_s))
        for n in LESION_COUNTS:
            self.measure(f"compute_{n}", partial(self._compute_synthetic, n))
        self.measure("scaling", self._scaling)
        self.measure("profile", lambda: profile_pipeline(
            self.processor, reference_message(), plan.profile_s, self.out_dir / "profile.txt"))
        self.measure("echo_drain", lambda: self._drain(Subject.ECHO, reference_message()))
        self.measure("worker_drain", lambda: self._drain(Subject.WORKER, reference_message()))
        self._latency("reference", reference_message)
        for n in plan.broker_lesions:
            self._broker_scaling(n)
        self.measure("memory", lambda: self._worker(lambda: self.broker.memory(
            reference_message(), plan.memory_first, self._memory_broker_total())))
        self.measure("memory_pipeline", lambda: pipeline_memory(
            plan.memory_first, plan.memory_total))
        for k in plan.workers:
            self.measure(f"workers_{k}", partial(self._workers, k))
        self.measure("http_bare", lambda: self._http(bare=True))
        self.measure("http_serve", lambda: self._http(bare=False))
        return {
            "schema": 1,
            "mode": plan.name,
            "started": started.isoformat(timespec="seconds"),
            "duration_s": round(time.perf_counter() - t0, 1),
            "machine": machine | {"load_average_end_1m": round(os.getloadavg()[0], 2)},
            "plan": {k: getattr(plan, k) for k in plan.__slots__},
            "figures": build_figures(self.raw, self.status),
            "scaling": self._scaling_rows(),
            "raw": self.raw,
            "status": self.status,
        }

    def _compute_synthetic(self, lesions: int) -> dict[str, float]:
        return compute.compute_cost(
            self.processor, synthetic_message(lesions), self.plan.compute_budget_s)

    def _workers(self, processes: int) -> Any:
        return self._drain(Subject.WORKER, reference_message(), processes)

    def _drain(self, subject: Subject, body: bytes, processes: int = 1, share: float = 1.0) -> Any:
        def action() -> Any:
            return self.broker.drain(subject, body, int(self.plan.drain_messages * share),
                                     processes, max_seconds=self.plan.drain_seconds * share)

        return self._worker(action) if subject is Subject.WORKER else action()

    def _memory_broker_total(self) -> int:
        drained = self.raw.get("worker_drain")
        if drained is None:
            raise MeasurementPendingError("no worker throughput to size the memory run")
        fits = int(drained["rate"] * self.plan.memory_broker_seconds)
        return max(2 * self.plan.memory_first, min(self.plan.memory_total, fits))

    def _worker(self, action: Callable[[], Any]) -> Any:
        if importlib.util.find_spec("adapter.cli.run") is None:
            raise MeasurementPendingError("the worker command (adapter/cli/run.py) has not landed")
        return action()

    def _scaling(self) -> dict[str, float]:
        missing = [n for n in LESION_COUNTS if f"compute_{n}" not in self.raw]
        if missing:
            raise MeasurementPendingError(f"no compute figure for {missing} lesions")
        costs = [self.raw[f"compute_{n}"]["pipeline_us"] for n in LESION_COUNTS]
        return compute.scaling_fit(LESION_COUNTS, costs)

    def _latency(self, label: str, message: Callable[[], bytes]) -> None:
        def rate() -> float:
            drained = self.raw.get("worker_drain" if label == "reference" else f"drain_{label}")
            if drained is None:
                raise MeasurementPendingError("no worker throughput to halve")
            return float(drained["rate"]) / 2

        def count() -> int:
            fits = int(rate() * self.plan.latency_seconds)
            return max(200, min(self.plan.latency_messages, fits))

        def warmup() -> int:
            return max(WARMUP_MIN, int(rate() * WARMUP_S))

        # Worker and echo loop alternate, so that both see the same spells of noise.
        for i in range(self.plan.latency_rounds):
            self.measure(f"latency_{label}_worker_{i}", lambda: self._worker(
                lambda: self.broker.latency(Subject.WORKER, message(), count(), rate(),
                                            warmup(), trace=True)))
            self.measure(f"latency_{label}_echo_{i}", lambda: self.broker.latency(
                Subject.ECHO, message(), count(), rate(), warmup()))
        rounds = self.plan.latency_rounds
        for subject in ("worker", "echo"):
            found = [self.raw[f"latency_{label}_{subject}_{i}"] for i in range(rounds)
                     if f"latency_{label}_{subject}_{i}" in self.raw]
            if found:
                self.raw[f"latency_{label}_{subject}"] = combine_rounds(found)
        pairs = [(self.raw[f"latency_{label}_worker_{i}"], self.raw[f"latency_{label}_echo_{i}"])
                 for i in range(rounds) if f"latency_{label}_worker_{i}" in self.raw
                 and f"latency_{label}_echo_{i}" in self.raw]
        kept = [(w, e) for w, e in pairs if w.get("kept_up", True) and e.get("kept_up", True)]
        pairs = kept or pairs
        if pairs:
            ratios = [w["p99_ms"] / e["p99_ms"] for w, e in pairs]
            self.raw[f"latency_{label}_ratio"] = {
                "median": statistics.median(ratios), "min": min(ratios), "max": max(ratios),
                "rounds": ratios, "pairs_kept_up": len(kept)}

    def _broker_scaling(self, n: int) -> None:
        if n == REFERENCE_LESIONS and self.plan.broker_lesions == (REFERENCE_LESIONS,):
            return  # the reference figures stand in (same lesion count) in a quick run
        self.measure(f"drain_{n}", lambda: self._drain(
            Subject.WORKER, synthetic_message(n), share=0.5))
        self.measure(f"echo_drain_{n}", lambda: self._drain(
            Subject.ECHO, synthetic_message(n), share=0.5))
        self._latency(str(n), lambda: synthetic_message(n))

    def _http(self, bare: bool) -> dict[str, Any]:
        body = reference_message()
        outcome = compute.require_processed(self.processor, body)
        workdir = self._workdir / ("http-bare" if bare else "http-serve")
        workdir.mkdir(parents=True, exist_ok=True)
        if bare:
            response = workdir / "response.json"
            response.write_bytes(_http_response_body(outcome))
            command = http_bench.bare_command(response)
        else:
            command = http_bench.serve_command()
        return http_bench.requests_per_second(
            command, body, self.plan.http_seconds, self.plan.http_concurrency, workdir)

    def _scaling_rows(self) -> list[dict[str, Any]]:
        rows = []
        for n in LESION_COUNTS:
            key = "reference" if n == REFERENCE_LESIONS and "drain_5" not in self.raw else str(n)
            drain = self.raw.get("worker_drain" if key == "reference" else f"drain_{n}")
            echo = self.raw.get("echo_drain" if key == "reference" else f"echo_drain_{n}")
            worker_latency = self.raw.get(f"latency_{key}_worker")
            echo_latency = self.raw.get(f"latency_{key}_echo")
            comp = self.raw.get(f"compute_{n}")
            rows.append({
                "lesions": n,
                "message_bytes": comp["message_bytes"] if comp else None,
                "compute_us": comp["pipeline_us"] if comp else None,
                "orjson_us": comp["orjson_us"] if comp else None,
                "worker_rate": drain["rate"] if drain else None,
                "echo_rate": echo["rate"] if echo else None,
                "worker_p50_ms": worker_latency["p50_ms"] if worker_latency else None,
                "worker_p99_ms": worker_latency["p99_ms"] if worker_latency else None,
                "echo_p99_ms": echo_latency["p99_ms"] if echo_latency else None,
                "worker_p99_spread_ms": worker_latency["p99_spread_ms"] if worker_latency
                else None,
                "echo_p99_spread_ms": echo_latency["p99_spread_ms"] if echo_latency else None,
                "p99_ratio": self.raw.get(f"latency_{key}_ratio"),
                "per_worker_cpu_s": drain.get("per_consumer_cpu_s") if drain else None,
            })
        return rows


WARMUP_S = 1.0
WARMUP_MIN = 50
"""Inputs streamed at the measured rate and left out before a latency measurement."""


def combine_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over rounds of each latency figure, the p99's spread, and the median round.

    Rounds whose consumer fell behind the offered rate (``kept_up`` false: the shared cores
    were taken away and a backlog grew) count only when no round kept up.
    """
    kept = [r for r in rounds if r.get("kept_up", True)]
    counted = kept or rounds
    by_p99 = sorted(counted, key=lambda r: r["p99_ms"])
    median_round = by_p99[(len(by_p99) - 1) // 2]
    combined: dict[str, Any] = {
        key: statistics.median(r[key] for r in counted)
        for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "rate_achieved", "rate_requested")
    }
    combined |= {
        "rounds": len(rounds),
        "rounds_kept_up": len(kept),
        "samples": sum(r["samples"] for r in counted),
        "p99_rounds_ms": [r["p99_ms"] for r in rounds],
        "p99_spread_ms": [by_p99[0]["p99_ms"], by_p99[-1]["p99_ms"]],
        "cpu": median_round["cpu"],
    }
    if "breakdown" in median_round:
        combined["breakdown"] = median_round["breakdown"]
    return combined


def _http_response_body(outcome: Processed) -> bytes:
    # The real $process-message answers with the report output's body: the bare endpoint
    # answers with those very bytes.
    return next(o.body for o in outcome.outputs if o.kind is OutputKind.REPORT)


__all__ = ["FIGURES", "FULL", "QUICK", "BenchRun", "Plan"]
