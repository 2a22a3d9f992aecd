"""Transports: RabbitMQ (``consumer``, ``rabbitmq``, ``dlq``: the only modules importing pika),
the file drop (``filedrop``) and an in-memory broker for tests (``memory``).

Importing this package imports no transport: entry points import the one they run.
The transport-independent pieces are re-exported here.
"""

from __future__ import annotations

from adapter.messaging.decision import Action, Decision, PublishFailed, decide
from adapter.messaging.port import AmqpChannel, Delivery, Publication, Settlement
from adapter.messaging.topology import Topology, topology_from
from adapter.messaging.worker import Intake, MessageHandler, Tally

__all__ = [
    "Action",
    "AmqpChannel",
    "Decision",
    "Delivery",
    "Intake",
    "MessageHandler",
    "Publication",
    "PublishFailed",
    "Settlement",
    "Tally",
    "Topology",
    "decide",
    "topology_from",
]
