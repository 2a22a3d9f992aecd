"""Fault tests against the real RabbitMQ: every input ends exactly once, as output or dead letter.

Workers run as subprocesses (``python -m adapter.cli run``) on unique queue names with the
real pipeline and real FHIR messages. Duplicates may only be byte-identical republishes;
they are counted and listed in the terminal summary. The broker restart runs last.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from amqp_inputs import Input, crashing_input, fhir_inputs, invalid_inputs
from amqp_support import (
    Collected,
    Names,
    Worker,
    connect,
    connection_pid,
    publish,
    queue_depth,
    rabbitmqctl,
)

pytestmark = [pytest.mark.broker, pytest.mark.slow]

StartWorker = Callable[..., Worker]


def _publish(names: Names, inputs: list[Input]) -> set[str]:
    publish(names, ((i.message_id, i.body) for i in inputs))
    return {i.message_id for i in inputs}


def _wait_for_outputs(names: Names, at_least: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while (depth := queue_depth(names.settings.report_queue)) < at_least:
        assert time.monotonic() < deadline, f"only {depth} outputs after {timeout} s"
        time.sleep(0.01)
    return depth


def _finish(names: Names, ids: set[str], workers: list[Worker], collected: Collected) -> int:
    """Wait until every input ended, stop the workers gracefully, collect the rest."""
    collected.wait_for(names, ids)
    _wait_for_empty(names.settings.input_queue)
    for worker in workers:
        if worker.process.poll() is None:
            assert worker.stop() == 0, worker.log()
    collected.drain(names)
    assert queue_depth(names.settings.input_queue) == 0
    return collected.assert_exactly_once(ids)


def _wait_for_empty(queue: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while queue_depth(queue):
        assert time.monotonic() < deadline, f"{queue} never emptied"
        time.sleep(0.1)


def _assert_outputs_are_the_pipelines(collected: Collected, inputs: list[Input]) -> None:
    for item in inputs:
        published = {(r.message_id, r.body) for r in collected.reports[item.message_id]}
        published |= {(r.message_id, r.body) for r in collected.boards.get(item.message_id, [])}
        assert published == set(item.outputs), item.message_id


def test_a_worker_killed_mid_stream_and_restarted_loses_and_changes_nothing(
    names: Names, start_worker: StartWorker, report_duplicates: Callable[[int], None],
) -> None:
    inputs = fhir_inputs(600, names.suffix)
    ids = _publish(names, inputs)
    first = start_worker()

    first.wait_consuming()
    done_before_kill = _wait_for_outputs(names, 100)
    first.kill()
    second = start_worker(1)
    collected = Collected()
    duplicates = _finish(names, ids, [second], collected)

    assert done_before_kill < len(inputs)
    _assert_outputs_are_the_pipelines(collected, inputs)
    assert not collected.dead
    report_duplicates(duplicates)


def test_a_connection_closed_by_the_broker_is_reopened_and_the_stream_completes(
    names: Names, start_worker: StartWorker, report_duplicates: Callable[[int], None],
) -> None:
    inputs = fhir_inputs(600, names.suffix)
    ids = _publish(names, inputs)
    worker = start_worker()
    worker.wait_consuming()
    _wait_for_outputs(names, 100)

    pid = connection_pid(worker.connection_name)
    assert pid is not None, "the worker's connection is listed by its name"
    rabbitmqctl("close_connection", pid, "fault test: close_connection")
    collected = Collected()
    worker.wait_consuming(times=2)
    duplicates = _finish(names, ids, [worker], collected)

    assert "connection lost" in worker.log()
    _assert_outputs_are_the_pipelines(collected, inputs)
    report_duplicates(duplicates)


def test_poison_messages_are_dead_lettered_and_the_rest_flow(
    names: Names, start_worker: StartWorker, report_duplicates: Callable[[int], None],
) -> None:
    valid = fhir_inputs(540, names.suffix)
    invalid = invalid_inputs(58, names.suffix)
    crashing = [crashing_input(valid[100], 1), crashing_input(valid[300], 2)]
    stream = [*valid[:100], crashing[0], *valid[100:300], *invalid, crashing[1], *valid[300:]]
    ids = _publish(names, stream)
    collected = Collected()

    restarts = _supervise_until_ended(names, ids, start_worker, collected)
    duplicates = _finish(names, ids, [], collected)

    reasons = collected.reasons()
    assert all(not reasons[i.message_id].startswith("broker:") for i in invalid)
    assert {reasons[c.message_id] for c in crashing} == {"broker:delivery_limit"}
    assert set(reasons) == {i.message_id for i in invalid + crashing}
    _assert_outputs_are_the_pipelines(collected, valid)
    assert restarts >= len(crashing) * (names.settings.delivery_limit + 1)
    report_duplicates(duplicates)


def _supervise_until_ended(names: Names, ids: set[str], start_worker: StartWorker,
                           collected: Collected, timeout: float = 150) -> int:
    """Restart the worker whenever it dies, until every input ended; returns the restarts."""
    deadline = time.monotonic() + timeout
    worker, crashes = start_worker(), 0
    while not ids <= collected.ended():
        assert time.monotonic() < deadline, f"{len(ids - collected.ended())} never ended"
        if worker.process.poll() is not None:
            crashes += 1
            worker = start_worker(crashes)
        time.sleep(0.2)
        collected.drain(names)
    assert worker.stop() == 0
    return crashes


def test_an_unbound_output_route_is_never_acked_and_ends_in_the_dead_letter_queue(
    names: Names, start_worker: StartWorker, report_duplicates: Callable[[int], None],
) -> None:
    s = names.settings
    worker = start_worker()
    worker.wait_consuming()
    conn = connect()
    conn.channel().queue_unbind(s.report_queue, s.output_exchange, s.report_routing_key)
    conn.close()
    inputs = fhir_inputs(500, names.suffix)

    ids = _publish(names, inputs)
    collected = Collected()
    duplicates = _finish(names, ids, [worker], collected)

    assert set(collected.reasons().values()) == {"unroutable"}
    assert set(collected.dead) == ids
    assert "processed=0 " in worker.summary()
    report_duplicates(duplicates)


@pytest.mark.parametrize("count", [2, 3])
def test_when_one_of_several_workers_is_killed_the_others_drain_the_queue(
    names: Names, start_worker: StartWorker, report_duplicates: Callable[[int], None],
    count: int,
) -> None:
    inputs = fhir_inputs(800, names.suffix)
    ids = _publish(names, inputs)
    workers = [start_worker(i) for i in range(count)]
    for worker in workers:
        worker.wait_consuming()

    _wait_for_outputs(names, 100)
    workers[0].kill()
    collected = Collected()
    duplicates = _finish(names, ids, workers[1:], collected)

    _assert_outputs_are_the_pipelines(collected, inputs)
    assert all("processed=0 " not in w.summary() for w in workers[1:])
    report_duplicates(duplicates)


def test_the_same_input_published_twice_gives_identical_outputs(
    names: Names, start_worker: StartWorker,
) -> None:
    inputs = fhir_inputs(300, names.suffix)
    ids = _publish(names, inputs + inputs)
    worker = start_worker()
    collected = Collected()

    duplicates = _finish(names, ids, [worker], collected)

    assert duplicates >= len(inputs)
    assert all(len(collected.reports[i]) == 2 for i in ids)
    _assert_outputs_are_the_pipelines(collected, inputs)


def test_a_broker_restart_mid_stream_loses_nothing(
    names: Names, start_worker: StartWorker, report_duplicates: Callable[[int], None],
) -> None:
    """Stops the shared broker app for a moment: runs last, always restores it."""
    inputs = fhir_inputs(600, names.suffix)
    ids = _publish(names, inputs)
    worker = start_worker()
    worker.wait_consuming()
    _wait_for_outputs(names, 100)

    try:
        rabbitmqctl("stop_app")
    finally:
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")
    collected = Collected()
    worker.wait_consuming(times=2, timeout=90)
    duplicates = _finish(names, ids, [worker], collected)

    assert "connection lost" in worker.log()
    _assert_outputs_are_the_pipelines(collected, inputs)
    report_duplicates(duplicates)
