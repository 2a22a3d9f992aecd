"""The statistics behind the benchmark figures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapter.bench.compute import scaling_fit
from adapter.bench.http_bench import saturation
from adapter.bench.runner import combine_rounds
from adapter.bench.stats import fit_line, percentile


@pytest.mark.parametrize(
    ("q", "expected"),
    [(0, 1.0), (50, 3.0), (100, 5.0), (25, 2.0), (99, 4.96)],
)
def test_percentiles_interpolate_between_closest_ranks(q: float, expected: float) -> None:
    assert percentile([5.0, 1.0, 4.0, 2.0, 3.0], q) == pytest.approx(expected)


@given(st.floats(0.01, 1e3), st.floats(-1e3, 1e3))
def test_a_line_through_exact_points_is_recovered_with_r_squared_one(
    slope: float, intercept: float,
) -> None:
    xs = [1.0, 5.0, 20.0, 100.0]

    fit = fit_line(xs, [intercept + slope * x for x in xs])

    assert fit.slope == pytest.approx(slope, abs=1e-6)
    assert fit.intercept == pytest.approx(intercept, abs=1e-6)
    assert fit.r_squared == pytest.approx(1.0)


def test_linear_cost_has_a_marginal_ratio_of_one() -> None:
    fit = scaling_fit([1, 5, 20, 100], [100 + 30 * n for n in (1, 5, 20, 100)])

    assert fit["marginal_ratio"] == pytest.approx(1.0)
    assert fit["slope_us_per_lesion"] == pytest.approx(30.0)


def test_quadratic_cost_shows_as_a_marginal_ratio_well_above_one() -> None:
    fit = scaling_fit([1, 5, 20, 100], [100 + n * n for n in (1, 5, 20, 100)])

    assert fit["marginal_ratio"] > 3


def _round(p99: float, kept_up: bool = True) -> dict[str, object]:
    return {"p50_ms": p99 / 4, "p95_ms": p99 / 2, "p99_ms": p99, "max_ms": p99 * 1.1,
            "rate_achieved": 100.0, "rate_requested": 100.0, "samples": 1000,
            "kept_up": kept_up, "cpu": {"wall_s": 1.0, "p99": p99}}


def test_rounds_combine_to_their_median_with_the_spread_and_the_median_rounds_cpu() -> None:
    combined = combine_rounds([_round(30.0), _round(10.0), _round(20.0)])

    assert combined["p99_ms"] == 20.0
    assert combined["p99_spread_ms"] == [10.0, 30.0]
    assert combined["cpu"]["p99"] == 20.0
    assert combined["rounds"] == combined["rounds_kept_up"] == 3


def test_a_round_whose_consumer_fell_behind_counts_only_when_none_kept_up() -> None:
    mixed = combine_rounds([_round(10.0), _round(900.0, kept_up=False), _round(12.0)])
    behind = combine_rounds([_round(900.0, kept_up=False), _round(700.0, kept_up=False)])

    assert (mixed["p99_ms"], mixed["rounds_kept_up"]) == (11.0, 2)
    assert (behind["p99_ms"], behind["rounds_kept_up"]) == (800.0, 0)


@pytest.mark.parametrize(("server", "generator", "threads", "saturated"), [
    (0.95, 0.15, 1, False),   # wrk next to a busy server
    (0.60, 0.92, 1, True),    # a generator at a full core
    (0.45, 0.50, 1, True),    # a generator working harder than the server it loads
    (0.90, 1.20, 2, True),    # two generator threads below a full core, busier than the server
    (0.95, 0.80, 2, False),   # two generator threads below a full core, server the busier
])
def test_the_load_generator_is_saturated_when_it_is_the_busier_or_at_a_full_core(
    server: float, generator: float, threads: int, saturated: bool,
) -> None:
    assert saturation(server, generator, threads)["saturated"] is saturated
