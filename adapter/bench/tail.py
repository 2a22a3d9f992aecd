"""Where the latency tail goes: the load generator's timeline joined with the worker's trace.

The load generator stamps each input when it publishes it and when its output arrives; the
worker (``SSTR_TRACE_SAMPLE``, :mod:`adapter.messaging.trace`) stamps the same message id
on the way through. Both use the machine's monotonic clock, so one message's life splits
into consecutive segments that add up to its end-to-end latency:

``to_worker``      published by the load generator -> handed to the worker by pika
``in_worker_queue`` -> taken from the worker's intake (waiting behind earlier deliveries)
``processing``     -> the pipeline returned
``publishing``     -> its outputs passed to ``basic_publish``
``to_consumer``    -> its report arrived at the load generator (socket write, broker, delivery)

``confirm`` (publishing -> the broker's confirm) runs beside ``to_consumer``: not part of the
end-to-end time, but while inputs wait for their confirms to be acked they hold the prefetch
window, which shows up as ``to_worker`` of later messages.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

from adapter.bench.stats import percentile

SEGMENTS = ("to_worker", "in_worker_queue", "processing", "publishing", "to_consumer")
_BOUNDS = {"to_worker": ("sent", "delivered"), "in_worker_queue": ("delivered", "started"),
           "processing": ("started", "processed"), "publishing": ("processed", "published"),
           "to_consumer": ("published", "received"), "confirm": ("published", "confirmed")}
STALL_NS = 1_000_000
"""A collector pause at least this long counts as a stall (1 ms)."""


def measured(timeline: Sequence[tuple[str, int, int]], warmup: int) -> list[tuple[str, int, int]]:
    """The samples after the first ``warmup`` inputs (in publishing order)."""
    return sorted(timeline, key=lambda sample: sample[1])[warmup:]


def latency_figures(samples: Sequence[tuple[str, int, int]]) -> dict[str, float | int]:
    """Percentiles of the end-to-end latency, in ms."""
    millis = [(received - sent) / 1e6 for _, sent, received in samples]
    return {"p50_ms": percentile(millis, 50), "p95_ms": percentile(millis, 95),
            "p99_ms": percentile(millis, 99), "max_ms": max(millis, default=float("nan")),
            "samples": len(millis)}


Trace = tuple[dict[str, Any], dict[str, dict[str, Any]], list[dict[str, Any]]]


def read_trace(path: Path) -> Trace:
    """(summary, records by message id, events) of one worker trace file."""
    summary: dict[str, Any] = {}
    records: dict[str, dict[str, Any]] = {}
    events: list[dict[str, Any]] = []
    for line in path.read_bytes().splitlines():
        if not line:
            continue
        item = orjson.loads(line)
        if item.get("summary"):
            summary = item
        elif "event" in item:
            events.append(item)
        elif item.get("id"):
            records[item["id"]] = item
    return summary, records, events


def breakdown(samples: Sequence[tuple[str, int, int]], trace: Path) -> dict[str, Any]:
    """Each segment's median over all traced samples, and its mean over the tail (>= p99).

    Means for the tail, so that its segments add up to its mean end-to-end latency.
    """
    summary, records, events = read_trace(trace)
    joined = []
    for message_id, sent, received in samples:
        record = records.get(message_id)
        if record is not None and all(k in record for k in ("delivered", "started",
                                                            "processed", "published")):
            joined.append({**record, "sent": sent, "received": received})
    if not joined:
        return {"traced": 0, "summary": summary}
    total = [(r["received"] - r["sent"]) / 1e6 for r in joined]
    p99 = percentile(total, 99)
    tail = [r for r, t in zip(joined, total, strict=True) if t >= p99]
    first, last = min(r["sent"] for r in joined), max(r["received"] for r in joined)
    pauses = [e for e in events if e["event"] == "gc" and first <= e["at"] <= last]
    stalls = [e for e in pauses if e["ns"] >= STALL_NS]
    return {
        "traced": len(joined),
        "tail_messages": len(tail),
        "all_median_ms": _segments(joined, statistics.median),
        "tail_mean_ms": _segments(tail, statistics.fmean),
        "tail_total_mean_ms": round(statistics.fmean(
            (r["received"] - r["sent"]) / 1e6 for r in tail), 3),
        "depth_max": max(r.get("depth", 0) for r in joined),
        "tail_depth_median": statistics.median(r.get("depth", 0) for r in tail),
        "gc": {
            "collections": len(pauses),
            "total_ms": round(sum(e["ns"] for e in pauses) / 1e6, 3),
            "max_ms": round(max((e["ns"] for e in pauses), default=0) / 1e6, 3),
            "over_1ms": len(stalls),
            "tail_messages_overlapping_a_stall": sum(
                1 for r in tail if any(r["delivered"] <= e["at"] <= r["published"]
                                       for e in stalls)),
        },
        "prefetch_switches": sum(1 for e in events if e["event"] == "prefetch"),
        "log_records": summary.get("log_records"),
        "tcp_nodelay": summary.get("tcp_nodelay"),
    }


def _segments(
    records: Sequence[dict[str, Any]], average: Callable[[list[float]], float]
) -> dict[str, float]:
    out = {}
    for name, (start, end) in _BOUNDS.items():
        values = [(r[end] - r[start]) / 1e6 for r in records if start in r and end in r]
        if values:
            out[name] = round(average(values), 3)
    return out
