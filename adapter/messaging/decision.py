"""What to do with an input once its fate is known: a pure function with a table test.

================================  =====================  ===============================
what happened                     attempts left          action
================================  =====================  ===============================
Processed                         any                    publish outputs, then ack
Rejected (bad input)              any                    dead-letter with its reason
processor raised                  yes                    requeue
processor raised                  no (last delivery)     dead-letter ``unexpected-error``
an output unroutable / nacked     yes                    requeue
an output unroutable / nacked     no (last delivery)     dead-letter ``unroutable`` / ...
the dead letter itself failed     any                    requeue (the broker dead-letters
                                                         it at the delivery limit)
================================  =====================  ===============================

"Attempts left" comes from the quorum queue's ``x-delivery-count``: with
``x-delivery-limit`` L a message is delivered at most L + 1 times, so the delivery whose
count equals L is the last one. Dead-lettering it ourselves keeps the reason; letting the
broker do it would leave only ``x-death`` reason ``delivery_limit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from adapter.messaging.port import Settlement
from adapter.service.results import Processed, Rejected


class Action(StrEnum):
    PUBLISH_THEN_ACK = "publish-then-ack"
    DEAD_LETTER = "dead-letter"
    REQUEUE = "requeue"


@dataclass(frozen=True, slots=True)
class PublishFailed:
    """An output (or the dead letter, when ``dead_letter``) was not accepted by the broker."""

    settlement: Settlement
    dead_letter: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: str | None = None
    """Short, non-identifying reason for dead letters, logs and metric labels."""


Happening = Processed | Rejected | PublishFailed | Exception


def decide(happened: Happening, attempt: int, delivery_limit: int) -> Decision:
    """Map what happened to one delivery (its ``attempt``-th redelivery) to an action."""
    last = attempt >= delivery_limit
    match happened:
        case Processed():
            return Decision(Action.PUBLISH_THEN_ACK)
        case Rejected(reason=reason):
            return Decision(Action.DEAD_LETTER, reason)
        case PublishFailed(dead_letter=True):
            return Decision(Action.REQUEUE, "dead-letter-failed")
        case PublishFailed(settlement=settlement):
            reason = settlement.value
            return Decision(Action.DEAD_LETTER if last else Action.REQUEUE, reason)
        case Exception():
            return Decision(Action.DEAD_LETTER if last else Action.REQUEUE, "unexpected-error")
    raise TypeError(f"nothing to decide for {type(happened).__name__}")  # pragma: no cover
