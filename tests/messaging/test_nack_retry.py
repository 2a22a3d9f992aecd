"""Nacked publications (a quorum queue without a leader) are sent again while the input is held,
then a new session is asked for.

On the in-memory broker with a channel that nacks the first publishes, as a quorum queue does
for about a second after its leader's node is killed, and a scheduler the test runs by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from amqp_fakes import FakeProcessor

from adapter.messaging.memory import InMemoryBroker, InMemoryChannel
from adapter.messaging.port import REASON_HEADER, OnSettled, Publication, Settlement
from adapter.messaging.topology import topology_from
from adapter.messaging.worker import NACK_RETRY_DELAYS_S, MessageHandler, Tally
from adapter.observability import Metrics
from adapter.settings import Settings

SETTINGS = Settings(delivery_limit=2)
TOPOLOGY = topology_from(SETTINGS)


@dataclass
class NackingChannel(InMemoryChannel):
    """Nacks the first ``nacks`` publishes (nothing stored), then behaves."""

    nacks: int = 0

    def publish(self, publication: Publication, on_settled: OnSettled) -> None:
        if self.nacks > 0:
            self.nacks -= 1
            self.published.append(publication)
            self.broker.defer(on_settled, Settlement.NACKED)
            return
        super().publish(publication, on_settled)


@dataclass
class Later:
    """``call_later`` that keeps the callbacks until :meth:`run_all`."""

    pending: list[tuple[float, Callable[[], None]]] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)

    def __call__(self, delay: float, callback: Callable[[], None]) -> None:
        self.pending.append((delay, callback))
        self.delays.append(delay)

    def run_all(self) -> None:
        while self.pending:
            _delay, callback = self.pending.pop(0)
            callback()


def _handle_one(nacks: int, later: Later | None) -> tuple[InMemoryBroker, MessageHandler]:
    broker = InMemoryBroker(TOPOLOGY)
    channel = NackingChannel(broker, nacks=nacks)
    handler = MessageHandler(FakeProcessor(), channel, TOPOLOGY, Tally(), Metrics(),
                             call_later=later)
    _send_one(broker, handler)
    return broker, handler


def _send_one(broker: InMemoryBroker, handler: MessageHandler) -> None:
    body = orjson.dumps({"id": "m1", "board": True})
    broker.publish(Publication(TOPOLOGY.input_exchange, TOPOLOGY.input_routing_key, body, "m1"))
    delivery = broker.get(TOPOLOGY.input_queue)
    assert delivery is not None
    handler.handle(delivery)


def test_a_nacked_input_is_held_and_its_outputs_sent_again_until_confirmed() -> None:
    later = Later()
    broker, handler = _handle_one(nacks=3, later=later)
    held = (broker.unacked, handler.unsettled)

    later.run_all()

    assert held == (1, 1)
    assert (broker.unacked, handler.unsettled, handler.tally["processed"]) == (0, 0, 1)
    assert handler.tally["requeued"] == 0
    reports, boards = (broker.bodies(q) for q in (SETTINGS.report_queue,
                                                   SETTINGS.tumour_board_queue))
    assert len(reports) == 1  # the nacked copies were never stored
    assert len(boards) == 2 and boards[0] == boards[1]  # sent again: byte-identical
    assert later.delays == list(NACK_RETRY_DELAYS_S[:2])


def test_nacks_that_outlast_every_pause_requeue_the_input_as_before() -> None:
    later = Later()
    broker, handler = _handle_one(nacks=1_000, later=later)

    later.run_all()

    assert later.delays == list(NACK_RETRY_DELAYS_S)
    assert (broker.unacked, handler.tally["requeued"], handler.unsettled) == (0, 1, 0)
    assert broker.get(TOPOLOGY.input_queue) is not None  # back in the input queue


def test_nacks_that_outlast_every_pause_on_a_live_session_start_a_new_one() -> None:
    later, stuck = Later(), []
    broker = InMemoryBroker(TOPOLOGY)
    handler = MessageHandler(FakeProcessor(), NackingChannel(broker, nacks=1_000), TOPOLOGY,
                             Tally(), Metrics(), call_later=later,
                             on_stuck=lambda: stuck.append(True))
    _send_one(broker, handler)

    later.run_all()

    assert stuck == [True]
    assert (broker.unacked, handler.tally["requeued"], handler.tally["abandoned"]) == (1, 0, 1)


def test_without_a_scheduler_a_nack_requeues_at_once() -> None:
    broker, handler = _handle_one(nacks=1, later=None)

    assert (broker.unacked, handler.tally["requeued"]) == (0, 1)


def test_a_dead_letter_that_is_nacked_is_also_sent_again() -> None:
    later = Later()
    broker = InMemoryBroker(TOPOLOGY)
    handler = MessageHandler(FakeProcessor(), NackingChannel(broker, nacks=1), TOPOLOGY,
                             Tally(), Metrics(), call_later=later)
    broker.publish(Publication(TOPOLOGY.input_exchange, TOPOLOGY.input_routing_key,
                               b"{not json", "bad"))
    delivery = broker.get(TOPOLOGY.input_queue)
    assert delivery is not None

    handler.handle(delivery)
    later.run_all()

    (dead,) = broker.bodies(TOPOLOGY.dead_letter_queue)
    assert dead.headers[REASON_HEADER] != "nacked"
    assert (broker.unacked, handler.tally["rejected"]) == (0, 1)


def test_on_its_last_delivery_a_persistently_nacked_input_is_dead_lettered_not_retried() -> None:
    later, stuck = Later(), []
    broker = InMemoryBroker(TOPOLOGY)
    channel = NackingChannel(broker, nacks=len(NACK_RETRY_DELAYS_S) + 1)  # the output only
    handler = MessageHandler(FakeProcessor(), channel, TOPOLOGY, Tally(), Metrics(),
                             call_later=later, on_stuck=lambda: stuck.append(True))
    body = orjson.dumps({"id": "m1", "board": False})
    broker.publish(Publication(TOPOLOGY.input_exchange, TOPOLOGY.input_routing_key, body, "m1"))
    for _ in range(TOPOLOGY.delivery_limit):  # earlier deliveries lost with their channel
        lost = broker.get(TOPOLOGY.input_queue)
        assert lost is not None
        broker.requeue_tag(lost.tag)
    last = broker.get(TOPOLOGY.input_queue)
    assert last is not None and last.attempt == TOPOLOGY.delivery_limit

    handler.handle(last)
    later.run_all()

    (dead,) = broker.bodies(SETTINGS.dead_letter_queue)
    assert (stuck, dead.headers[REASON_HEADER], broker.unacked) == ([], "nacked", 0)
