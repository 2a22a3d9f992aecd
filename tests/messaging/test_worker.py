"""The consume logic on the in-memory broker: what is published, acked, requeued, dead-lettered."""

from __future__ import annotations

import orjson
import pytest
from amqp_fakes import FakeProcessor

from adapter.messaging.memory import InMemoryBroker, InMemoryChannel
from adapter.messaging.port import (
    ERROR_TYPE_HEADER,
    ORIGINAL_ID_HEADER,
    OUTCOME_HEADER,
    REASON_HEADER,
    Delivery,
    Publication,
)
from adapter.messaging.topology import Topology, topology_from
from adapter.messaging.worker import MessageHandler, Tally, dead_letter_for
from adapter.observability import Metrics
from adapter.settings import Settings

SETTINGS = Settings(delivery_limit=2)
TOPOLOGY = topology_from(SETTINGS)


def _setup(confirm_immediately: bool = True) -> tuple[InMemoryBroker, MessageHandler]:
    broker = InMemoryBroker(TOPOLOGY, confirm_immediately=confirm_immediately)
    handler = MessageHandler(FakeProcessor(), InMemoryChannel(broker), TOPOLOGY, Tally(),
                             Metrics())
    return broker, handler


def _send(broker: InMemoryBroker, payload: dict[str, object] | bytes, mid: str = "m1") -> None:
    body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    broker.publish(Publication(TOPOLOGY.input_exchange, TOPOLOGY.input_routing_key, body, mid))


def _consume_all(broker: InMemoryBroker, handler: MessageHandler) -> None:
    while (delivery := broker.get(TOPOLOGY.input_queue)) is not None:
        handler.handle(delivery)
        broker.settle()


def test_a_processed_input_is_acked_only_after_its_outputs_are_confirmed() -> None:
    broker, handler = _setup(confirm_immediately=False)
    _send(broker, {"id": "m1", "board": True})
    delivery = broker.get(TOPOLOGY.input_queue)
    assert delivery is not None

    handler.handle(delivery)
    unacked_before_confirms = broker.unacked
    broker.settle()

    assert (unacked_before_confirms, broker.unacked) == (1, 0)
    assert handler.tally["processed"] == 1


def test_outputs_carry_the_input_id_as_correlation_id_and_their_own_id() -> None:
    broker, handler = _setup()
    _send(broker, {"id": "m1", "board": True})

    _consume_all(broker, handler)

    [report] = broker.bodies(SETTINGS.report_queue)
    [flag] = broker.bodies(SETTINGS.tumour_board_queue)
    assert (report.correlation_id, flag.correlation_id) == ("m1", "m1")
    assert report.message_id != flag.message_id
    assert report.content_type == "application/fhir+json"


def test_a_rejected_input_is_dead_lettered_with_its_reason_and_outcome() -> None:
    broker, handler = _setup()
    _send(broker, b"not json", mid="bad-1")

    _consume_all(broker, handler)

    [dead] = broker.bodies(SETTINGS.dead_letter_queue)
    assert dead.body == b"not json"
    assert dead.message_id == "bad-1"
    assert dead.headers[REASON_HEADER] == "invalid-json"
    assert dead.headers[ORIGINAL_ID_HEADER] == "bad-1"
    assert orjson.loads(str(dead.headers[OUTCOME_HEADER]))["resourceType"] == "OperationOutcome"
    assert (broker.unacked, handler.tally["rejected"]) == (0, 1)


def test_a_processor_exception_is_retried_then_dead_lettered_with_its_type() -> None:
    broker, handler = _setup()
    _send(broker, {"id": "m1", "explode": True})

    _consume_all(broker, handler)

    [dead] = broker.bodies(SETTINGS.dead_letter_queue)
    assert dead.headers[REASON_HEADER] == "unexpected-error"
    assert dead.headers[ERROR_TYPE_HEADER] == "RuntimeError"
    assert handler.tally["requeued"] == SETTINGS.delivery_limit
    assert broker.bodies(SETTINGS.input_queue) == []


def test_an_unroutable_output_is_never_acked_and_ends_dead_lettered() -> None:
    broker, handler = _setup()
    broker.unbind(SETTINGS.output_exchange, SETTINGS.report_queue, SETTINGS.report_routing_key)
    _send(broker, {"id": "m1"})

    _consume_all(broker, handler)

    [dead] = broker.bodies(SETTINGS.dead_letter_queue)
    assert dead.headers[REASON_HEADER] == "unroutable"
    assert handler.tally["requeued"] == SETTINGS.delivery_limit
    assert handler.tally["processed"] == 0


def test_a_failed_dead_letter_is_requeued_and_the_broker_dead_letters_at_the_limit() -> None:
    broker, handler = _setup()
    broker.unbind(SETTINGS.dead_letter_exchange, SETTINGS.dead_letter_queue, "")
    _send(broker, b"not json")

    _consume_all(broker, handler)

    assert handler.tally["requeued"] == SETTINGS.delivery_limit + 1
    assert handler.tally["rejected"] == 0


def test_losing_the_channel_acks_nothing_and_the_broker_redelivers() -> None:
    broker, handler = _setup(confirm_immediately=False)
    _send(broker, {"id": "m1"})
    delivery = broker.get(TOPOLOGY.input_queue)
    assert delivery is not None
    handler.handle(delivery)

    broker.lose_channel()

    assert handler.tally["abandoned"] == 1
    assert handler.tally["processed"] == 0
    [again] = broker.bodies(SETTINGS.input_queue)
    assert again.message_id == "m1"


def test_the_same_input_twice_gives_byte_identical_outputs() -> None:
    broker, handler = _setup()
    _send(broker, {"id": "m1", "board": True})
    _send(broker, {"id": "m1", "board": True})

    _consume_all(broker, handler)

    first, second = broker.bodies(SETTINGS.report_queue)
    assert (first.body, first.message_id) == (second.body, second.message_id)


@pytest.mark.parametrize(("size", "kept"), [(100, True), (70_000, False)])
def test_only_outcomes_that_fit_a_header_travel_in_it(size: int, kept: bool) -> None:
    delivery = Delivery(1, b"{}", "m1", routing_key="k")

    dead = dead_letter_for(delivery, "invalid", TOPOLOGY, outcome=b"x" * size)

    assert (OUTCOME_HEADER in dead.headers) is kept
    assert dead.headers[REASON_HEADER] == "invalid"


def test_the_topology_dead_letters_at_least_once_from_a_quorum_queue() -> None:
    topology: Topology = topology_from(Settings(delivery_limit=5))

    [input_queue] = [q for q in topology.queues if q.name == topology.input_queue]

    assert input_queue.arguments == {
        "x-queue-type": "quorum", "x-delivery-limit": 5,
        "x-dead-letter-exchange": topology.dead_letter_exchange,
        "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish",
        "x-queue-leader-locator": "balanced",
    }
