"""The statistics behind the benchmark figures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapter.bench.compute import scaling_fit
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
