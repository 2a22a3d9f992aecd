"""The worker's optional per-message timing: stamps in order, sampling, events, off by default."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from amqp_fakes import FakeProcessor
from amqp_inputs import fhir_inputs
from amqp_support import Names, Worker, publish, queue_depth

from adapter.messaging.memory import InMemoryBroker, InMemoryChannel
from adapter.messaging.port import Publication
from adapter.messaging.topology import topology_from
from adapter.messaging.trace import STAMPS, Tracer, tracer_from
from adapter.messaging.worker import MessageHandler, Tally
from adapter.observability import Metrics
from adapter.settings import Settings

TOPOLOGY = topology_from(Settings())


def _lines(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line]


def _run_through(tracer: Tracer, count: int) -> InMemoryBroker:
    """``count`` inputs through a traced handler, the way the session drives it (confirms
    arrive after the handler returns, as from a broker)."""
    broker = InMemoryBroker(TOPOLOGY, confirm_immediately=False)
    handler = MessageHandler(tracer.wrap(FakeProcessor()), tracer.channel(InMemoryChannel(broker)),
                             TOPOLOGY, Tally(), Metrics())
    for index in range(count):
        body = orjson.dumps({"id": f"m{index}", "board": index % 2 == 0})
        broker.publish(Publication(TOPOLOGY.input_exchange, TOPOLOGY.input_routing_key, body,
                                   f"m{index}"))
    while (delivery := broker.get(TOPOLOGY.input_queue)) is not None:
        tracer.delivered(delivery)
        tracer.started(delivery, depth=0)
        handler.handle(delivery)
        tracer.handled()
        broker.settle()
    return broker


def test_a_traced_message_is_stamped_at_every_stage_in_order(tmp_path: Path) -> None:
    tracer = Tracer(1, tmp_path / "trace.jsonl")

    _run_through(tracer, 3)
    tracer.dump()

    summary, *rest = _lines(tmp_path / "trace.jsonl")
    records = [r for r in rest if "id" in r]
    assert summary["traced"] == 3 and summary["unfinished"] == 0
    assert [r["id"] for r in records] == ["m0", "m1", "m2"]
    for record in records:
        stamps = [record[name] for name in STAMPS]
        assert stamps == sorted(stamps), record


def test_one_delivery_in_n_is_traced(tmp_path: Path) -> None:
    tracer = Tracer(3, tmp_path / "trace.jsonl")

    _run_through(tracer, 9)
    tracer.dump()

    records = [r for r in _lines(tmp_path / "trace.jsonl") if "id" in r]
    assert [r["id"] for r in records] == ["m0", "m3", "m6"]


def test_collections_and_log_records_are_recorded_as_events(tmp_path: Path) -> None:
    tracer = tracer_from(1, tmp_path / "trace.jsonl")
    assert tracer is not None
    try:
        gc.collect()
        logging.getLogger("adapter.test").warning("a record")
        tracer.dump()
    finally:
        gc.callbacks.remove(tracer._on_gc)
        logging.getLogger().removeHandler(tracer._logs)

    lines = _lines(tmp_path / "trace.jsonl")
    assert lines[0]["log_records"] >= 1
    collections = [e for e in lines if e.get("event") == "gc"]
    assert collections and all(e["ns"] >= 0 and e["generation"] == 2 for e in collections)


@pytest.mark.parametrize(("every", "path"), [(0, Path("t.jsonl")), (1, None)])
def test_tracing_is_off_without_a_sample_rate_and_a_file(every: int, path: Path | None) -> None:
    assert tracer_from(every, path) is None


@pytest.mark.broker
def test_the_worker_writes_its_trace_when_it_stops(
    names: Names, start_worker: Callable[..., Worker], tmp_path: Path,
) -> None:
    trace = tmp_path / "worker-trace.jsonl"
    inputs = fhir_inputs(5, names.suffix)
    worker = start_worker(SSTR_TRACE_SAMPLE="1", SSTR_TRACE_FILE=str(trace))
    worker.wait_consuming()
    publish(names, [(i.message_id, i.body) for i in inputs])
    deadline = time.monotonic() + 60
    while queue_depth(names.settings.report_queue) < len(inputs):
        assert time.monotonic() < deadline, worker.log()
        time.sleep(0.1)

    assert worker.stop() == 0
    summary, *rest = _lines(trace)
    records = [r for r in rest if "id" in r]
    assert summary["traced"] == len(inputs)
    assert summary["tcp_nodelay"] == 1
    assert sorted(r["id"] for r in records) == sorted(i.message_id for i in inputs)
    assert all([r[s] for s in STAMPS] == sorted(r[s] for s in STAMPS) for r in records)
