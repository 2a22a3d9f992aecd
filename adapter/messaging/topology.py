"""The broker objects the worker declares at start, as data (names from :class:`Settings`).

Declaring is idempotent: the same names and arguments again are a no-op; different arguments
on an existing queue fail with PRECONDITION_FAILED (exit code 3, see README).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from adapter.service.results import OutputKind
from adapter.settings import Settings


@dataclass(frozen=True, slots=True)
class Exchange:
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class Queue:
    name: str
    arguments: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Binding:
    exchange: str
    queue: str
    routing_key: str


@dataclass(frozen=True, slots=True)
class Topology:
    """Everything declared, in declaration order, plus where outputs and dead letters go."""

    exchanges: tuple[Exchange, ...]
    queues: tuple[Queue, ...]
    bindings: tuple[Binding, ...]
    input_queue: str
    input_exchange: str
    input_routing_key: str
    output_exchange: str
    output_routing_keys: dict[OutputKind, str]
    dead_letter_exchange: str
    dead_letter_queue: str
    delivery_limit: int


def topology_from(settings: Settings) -> Topology:
    """The topology of the README's table for these settings."""
    s = settings
    quorum: dict[str, object] = {"x-queue-type": "quorum"}
    if s.queue_leader_locator:
        # In a cluster, each queue's leader on the node with the fewest leaders, instead of
        # every leader on the node the worker happened to declare through (client-local).
        quorum["x-queue-leader-locator"] = s.queue_leader_locator
    input_args: dict[str, object] = {
        **quorum,
        "x-delivery-limit": s.delivery_limit,
        "x-dead-letter-exchange": s.dead_letter_exchange,
        # at-least-once dead-lettering needs a quorum source queue and reject-publish
        # overflow; the default (at-most-once) strategy can lose dead letters.
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    routes = {
        OutputKind.REPORT: s.report_routing_key,
        OutputKind.TUMOUR_BOARD: s.tumour_board_routing_key,
    }
    return Topology(
        exchanges=(
            Exchange(s.input_exchange, "direct"),
            Exchange(s.dead_letter_exchange, "fanout"),
            Exchange(s.output_exchange, "topic"),
        ),
        queues=(
            Queue(s.input_queue, input_args),
            Queue(s.dead_letter_queue, dict(quorum)),
            Queue(s.report_queue, dict(quorum)),
            Queue(s.tumour_board_queue, dict(quorum)),
        ),
        bindings=(
            Binding(s.input_exchange, s.input_queue, s.input_routing_key),
            Binding(s.dead_letter_exchange, s.dead_letter_queue, ""),
            Binding(s.output_exchange, s.report_queue, s.report_routing_key),
            Binding(s.output_exchange, s.tumour_board_queue, s.tumour_board_routing_key),
        ),
        input_queue=s.input_queue,
        input_exchange=s.input_exchange,
        input_routing_key=s.input_routing_key,
        output_exchange=s.output_exchange,
        output_routing_keys=routes,
        dead_letter_exchange=s.dead_letter_exchange,
        dead_letter_queue=s.dead_letter_queue,
        delivery_limit=s.delivery_limit,
    )
