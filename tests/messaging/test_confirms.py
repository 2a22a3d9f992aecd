"""Asynchronous confirms settle the right publishes, one by one or many at once."""

from __future__ import annotations

from adapter.messaging.confirms import ConfirmTracker
from adapter.messaging.port import Settlement


def _track(tracker: ConfirmTracker, ids: list[str]) -> dict[str, list[Settlement]]:
    settled: dict[str, list[Settlement]] = {i: [] for i in ids}
    for i in ids:
        tracker.sent(i, settled[i].append)
    return settled


def test_a_multiple_ack_settles_every_publish_up_to_its_tag() -> None:
    tracker = ConfirmTracker()
    settled = _track(tracker, ["a", "b", "c"])

    tracker.acked(2, multiple=True)

    assert settled == {"a": [Settlement.CONFIRMED], "b": [Settlement.CONFIRMED], "c": []}
    assert len(tracker) == 1


def test_a_returned_publish_is_settled_unroutable_by_the_ack_that_follows() -> None:
    tracker = ConfirmTracker()
    settled = _track(tracker, ["a", "b"])

    tracker.returned("b")
    tracker.acked(2, multiple=True)

    assert settled == {"a": [Settlement.CONFIRMED], "b": [Settlement.UNROUTABLE]}


def test_a_return_marks_the_oldest_unsettled_publish_of_the_same_id() -> None:
    tracker = ConfirmTracker()
    first: list[Settlement] = []
    second: list[Settlement] = []
    tracker.sent("same", first.append)
    tracker.sent("same", second.append)

    tracker.returned("same")
    tracker.acked(1, multiple=False)
    tracker.acked(2, multiple=False)

    assert (first, second) == ([Settlement.UNROUTABLE], [Settlement.CONFIRMED])


def test_a_nack_settles_as_nacked() -> None:
    tracker = ConfirmTracker()
    settled = _track(tracker, ["a", "b"])

    tracker.nacked(1, multiple=False)

    assert settled == {"a": [Settlement.NACKED], "b": []}


def test_losing_the_channel_settles_everything_pending_as_lost() -> None:
    tracker = ConfirmTracker()
    settled = _track(tracker, ["a", "b"])
    tracker.acked(1, multiple=False)

    tracker.lose_all()

    assert settled == {"a": [Settlement.CONFIRMED], "b": [Settlement.CHANNEL_LOST]}
    assert len(tracker) == 0


def test_an_ack_for_an_unknown_tag_changes_nothing() -> None:
    tracker = ConfirmTracker()
    settled = _track(tracker, ["a"])

    tracker.acked(7, multiple=False)

    assert settled == {"a": []}
