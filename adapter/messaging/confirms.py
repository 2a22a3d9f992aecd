"""Bookkeeping of asynchronous publisher confirms for one channel (no pika here).

After ``confirm.select`` the broker numbers a channel's publishes 1, 2, 3, ... and answers
each with ``basic.ack`` or ``basic.nack``, possibly for many at once (``multiple``). A
``mandatory`` publish that no queue takes comes back as ``basic.return`` *before* its ack
(RabbitMQ guarantees the order), so a return marks the oldest unsettled publish of that
message id and the ack that follows settles it as unroutable.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict, deque
from dataclasses import dataclass

from adapter.messaging.port import OnSettled, Settlement


@dataclass(slots=True)
class _Pending:
    message_id: str | None
    on_settled: OnSettled
    returned: bool = False


class ConfirmTracker:
    """Maps publish sequence numbers to their settlement callbacks."""

    def __init__(self) -> None:
        self._next_tag = 1
        self._pending: OrderedDict[int, _Pending] = OrderedDict()
        self._by_id: dict[str | None, deque[int]] = {}

    def __len__(self) -> int:
        return len(self._pending)

    def sent(self, message_id: str | None, on_settled: OnSettled) -> int:
        """Record one publish (call right after ``basic_publish``); returns its sequence."""
        tag = self._next_tag
        self._next_tag += 1
        self._pending[tag] = _Pending(message_id, on_settled)
        self._by_id.setdefault(message_id, deque()).append(tag)
        return tag

    def returned(self, message_id: str | None) -> None:
        """A ``basic.return`` for a publish with this message id."""
        for tag in self._by_id.get(message_id, ()):
            pending = self._pending[tag]
            if not pending.returned:
                pending.returned = True
                return

    def acked(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple, Settlement.CONFIRMED)

    def nacked(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple, Settlement.NACKED)

    def lose_all(self) -> None:
        """The channel closed: every unsettled publish has an unknown fate."""
        pending = list(self._pending.values())
        self._pending.clear()
        self._by_id.clear()
        for entry in pending:
            entry.on_settled(Settlement.CHANNEL_LOST)

    def _settle(self, tag: int, multiple: bool, settlement: Settlement) -> None:
        if multiple:
            # Sequence numbers are inserted in order: stop at the first one above ``tag``.
            tags = list(itertools.takewhile(lambda t: t <= tag, self._pending))
        else:
            tags = [tag] if tag in self._pending else []
        for t in tags:
            entry = self._pending.pop(t)
            ids = self._by_id[entry.message_id]
            ids.remove(t)
            if not ids:
                del self._by_id[entry.message_id]
            if settlement is Settlement.CONFIRMED and entry.returned:
                entry.on_settled(Settlement.UNROUTABLE)
            else:
                entry.on_settled(settlement)
