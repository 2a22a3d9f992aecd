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
