"""Reconnect policy: exponential backoff with full jitter, capped, reset after a good session."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class Backoff:
    """Delays between reconnect attempts: 0.5 s, 1 s, 2 s, ... up to ``cap_s``, each jittered.

    Full jitter (a uniform draw below the exponential bound) keeps several workers that lost
    the broker at the same moment from reconnecting in lockstep.
    """

    cap_s: float
    base_s: float = 0.5
    draw: Callable[[float, float], float] = random.uniform
    failures: int = field(default=0, init=False)

    def next_delay(self) -> float:
        """The delay before the next attempt; each call counts one more failure."""
        bound = min(self.cap_s, self.base_s * 2.0**self.failures)
        self.failures += 1
        return self.draw(bound / 2.0, bound)

    def reset(self) -> None:
        """Forget earlier failures (called once a connection is up and consuming)."""
        self.failures = 0


@dataclass(slots=True)
class Rotation:
    """Which broker address to try next: a random first one, then each in turn.

    Workers that start together thus spread over the nodes of a cluster. After a lost or
    failed connection the next address is tried at once; only when every address has failed
    since the last good session does the caller pause (:class:`Backoff`).
    """

    size: int
    draw: Callable[[int], int] = field(default=lambda size: random.randrange(size))
    index: int = field(default=0, init=False)
    failures: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.index = self.draw(self.size) % self.size

    def succeeded(self) -> None:
        """The current address gave a good session."""
        self.failures = 0

    def advance(self) -> bool:
        """Move to the next address after a loss or a failure; True: pause before it."""
        self.failures += 1
        self.index = (self.index + 1) % self.size
        return self.failures % self.size == 0
