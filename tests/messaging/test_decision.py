"""The ack decision reads as a table: what happened x attempts left -> action."""

from __future__ import annotations

import pytest

from adapter.messaging.decision import Action, Decision, PublishFailed, decide
from adapter.messaging.port import Settlement
from adapter.service.results import Processed, Rejected

PROCESSED = Processed("m1", (), "3B", "prrt-recommended", ("3B",), False)
REJECTED = Rejected("m1", "invalid-reference", b"{}")
LIMIT = 3


@pytest.mark.parametrize(("happened", "attempt", "expected"), [
    (PROCESSED, 0, Decision(Action.PUBLISH_THEN_ACK)),
    (PROCESSED, LIMIT, Decision(Action.PUBLISH_THEN_ACK)),
    (REJECTED, 0, Decision(Action.DEAD_LETTER, "invalid-reference")),
    (REJECTED, LIMIT, Decision(Action.DEAD_LETTER, "invalid-reference")),
    (RuntimeError("x"), 0, Decision(Action.REQUEUE, "unexpected-error")),
    (RuntimeError("x"), LIMIT - 1, Decision(Action.REQUEUE, "unexpected-error")),
    (RuntimeError("x"), LIMIT, Decision(Action.DEAD_LETTER, "unexpected-error")),
    (PublishFailed(Settlement.UNROUTABLE), 0, Decision(Action.REQUEUE, "unroutable")),
    (PublishFailed(Settlement.UNROUTABLE), LIMIT, Decision(Action.DEAD_LETTER, "unroutable")),
    (PublishFailed(Settlement.NACKED), 1, Decision(Action.REQUEUE, "nacked")),
    (PublishFailed(Settlement.NACKED), LIMIT, Decision(Action.DEAD_LETTER, "nacked")),
    (PublishFailed(Settlement.UNROUTABLE, dead_letter=True), 0,
     Decision(Action.REQUEUE, "dead-letter-failed")),
    (PublishFailed(Settlement.NACKED, dead_letter=True), LIMIT,
     Decision(Action.REQUEUE, "dead-letter-failed")),
])
def test_each_happening_maps_to_one_action(
    happened: Processed | Rejected | PublishFailed | Exception, attempt: int, expected: Decision,
) -> None:
    assert decide(happened, attempt, LIMIT) == expected


def test_a_zero_delivery_limit_makes_the_first_delivery_the_last() -> None:
    assert decide(RuntimeError("x"), 0, 0).action is Action.DEAD_LETTER
