"""Metrics (Prometheus) and structured JSON logs shared by the worker and the HTTP API.

Labels carry only bounded, non-identifying values: transport, outcome, reason codes,
SSTR-RADS categories and PRRT recommendations. Never a message id, never patient data.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass, field
from typing import Any
from wsgiref.simple_server import WSGIServer

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

from adapter.service.results import Outcome, Processed

_LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass(frozen=True)
class Metrics:
    """One set of instruments on its own registry (tests build their own)."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    messages_in: Counter = field(init=False)
    messages_out: Counter = field(init=False)
    dead_lettered: Counter = field(init=False)
    retried: Counter = field(init=False)
    latency: Histogram = field(init=False)
    categories: Counter = field(init=False)
    prrt: Counter = field(init=False)
    errors: Counter = field(init=False)
    http_requests: Counter = field(init=False)
    _children: dict[tuple[int, tuple[str, ...]], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def child(self, metric: Counter | Histogram, *labels: str) -> Any:
        """``metric.labels(*labels)``, looked up once per label set (the per-message path)."""
        key = (id(metric), labels)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*labels)
        return found

    def __post_init__(self) -> None:
        r = self.registry
        put = object.__setattr__  # frozen dataclass: instruments are built once, here
        put(self, "messages_in", Counter(
            "sstr_messages_in", "Input messages received", ["transport"], registry=r))
        put(self, "messages_out", Counter(
            "sstr_messages_out", "Output messages published", ["transport", "kind"], registry=r))
        put(self, "dead_lettered", Counter(
            "sstr_messages_dead_lettered", "Inputs dead-lettered or rejected",
            ["transport", "reason"], registry=r))
        put(self, "retried", Counter(
            "sstr_messages_retried", "Inputs returned for redelivery", ["transport"], registry=r))
        put(self, "latency", Histogram(
            "sstr_processing_seconds", "Decode-validate-score-map time per message",
            ["transport"], buckets=_LATENCY_BUCKETS, registry=r))
        put(self, "categories", Counter(
            "sstr_lesion_categories", "Lesion categories issued", ["category"], registry=r))
        put(self, "prrt", Counter(
            "sstr_prrt_recommendations", "Study-level PRRT recommendations issued",
            ["recommendation", "overall"], registry=r))
        put(self, "errors", Counter(
            "sstr_processing_errors", "Unexpected exceptions while processing an input",
            ["transport"], registry=r))
        put(self, "http_requests", Counter(
            "sstr_http_requests", "HTTP requests by route template (never the raw path)",
            ["method", "route", "status"], registry=r))

    def record(self, transport: str, outcome: Outcome, seconds: float) -> None:
        """Count one processed input: latency, then outputs and categories, or the rejection.

        Shared by every transport so the worker and the HTTP API count alike. The caller
        counts ``messages_in`` on receipt and publishes before calling this for a
        :class:`~adapter.service.results.Processed`.
        """
        child = self.child
        child(self.latency, transport).observe(seconds)
        if not isinstance(outcome, Processed):
            child(self.dead_lettered, transport, outcome.reason).inc()
            return
        for message in outcome.outputs:
            child(self.messages_out, transport, message.kind.value).inc()
        for category in outcome.lesion_categories:
            child(self.categories, category).inc()
        child(self.prrt, outcome.prrt_recommendation, outcome.overall_category).inc()


def serve_metrics(
    metrics: Metrics, port: int, addr: str = "127.0.0.1"
) -> tuple[WSGIServer, threading.Thread] | None:
    """Expose ``metrics`` in Prometheus text format on ``addr:port`` from a daemon thread.

    For processes without the HTTP API (the worker): ``port`` is ``Settings.metrics_port``,
    0 turns it off (returns None). Loopback by default; bind ``0.0.0.0`` only where the
    network in front of it is trusted, since this endpoint has no authentication.
    Stop it with ``server.shutdown()`` on the returned server.
    """
    if port == 0:
        return None
    return start_http_server(port, addr=addr, registry=metrics.registry)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event and whitelisted extra fields."""

    FIELDS = ("message_id", "correlation_id", "outcome", "reason", "transport", "kind",
              "duration_ms", "count", "attempt", "status", "path", "method",
              "request_id", "route", "exc_type")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: messages and tracebacks may quote input data.
            entry["exc_type"] = record.exc_info[0].__name__
        return orjson.dumps(entry).decode()


def configure_logging(level: str = "INFO") -> None:
    """JSON logs on stderr for the whole process (entry points call this once)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
