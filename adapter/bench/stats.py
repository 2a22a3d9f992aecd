"""Small statistics for benchmark samples: percentiles, a least-squares line, timed loops."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True, slots=True)
class LineFit:
    """``y = intercept + slope * x`` by least squares, with the coefficient of determination."""

    slope: float
    intercept: float
    r_squared: float


def fit_line(xs: Sequence[float], ys: Sequence[float]) -> LineFit:
    """Least-squares line through the points (needs at least two distinct ``xs``)."""
    n = len(xs)
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    ss_tot = sum((y - mean_y) ** 2 for y in ys)
    ss_res = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    r_squared = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return LineFit(slope, intercept, r_squared)


def seconds_per_call(
    func: Callable[[], object], budget_s: float, repeats: int = 5, warmup: int = 20
) -> float:
    """Median over ``repeats`` rounds of the mean CPU seconds per call, within about ``budget_s``.

    CPU time of this process (``time.process_time``), not wall time: on a shared two-core
    machine other people's tests take the CPU away for whole rounds, which wall time
    would count as the pipeline's cost. The median of several rounds shrugs off what
    remains (caches evicted by neighbours); each round is long enough to swamp the clock's
    resolution.
    """
    for _ in range(warmup):
        func()
    start = time.process_time()
    calls = 0
    while time.process_time() - start < 0.02:
        func()
        calls += 1
    once = max((time.process_time() - start) / calls, 1e-7)
    per_round = max(1, int(budget_s / repeats / once))
    rounds: list[float] = []
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(per_round):
            func()
        rounds.append((time.process_time() - start) / per_round)
    return sorted(rounds)[len(rounds) // 2]
