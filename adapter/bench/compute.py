"""In-process measurements: the pipeline's cost per message, its scaling, its profile."""

from __future__ import annotations

import gc
from collections.abc import Sequence

import orjson

from adapter.bench.stats import fit_line, seconds_per_call
from adapter.service.results import MessageProcessor, Processed


class PipelineRejectedError(RuntimeError):
    """The processor rejected a benchmark message: its cost would not be the real one."""


def require_processed(processor: MessageProcessor, body: bytes) -> Processed:
    """Run the processor once and insist that it scores the message."""
    outcome = processor(body)
    if not isinstance(outcome, Processed):
        raise PipelineRejectedError(f"the pipeline rejected the message ({outcome.reason})")
    return outcome


def compute_cost(processor: MessageProcessor, body: bytes, budget_s: float) -> dict[str, float]:
    """Seconds per message of ``processor(body)`` against orjson loads + dumps of it."""
    require_processed(processor, body)
    gc.collect()
    pipeline_s = seconds_per_call(lambda: processor(body), budget_s)
    orjson_s = seconds_per_call(lambda: orjson.dumps(orjson.loads(body)), budget_s / 4)
    return {
        "pipeline_us": pipeline_s * 1e6,
        "orjson_us": orjson_s * 1e6,
        "ratio": pipeline_s / orjson_s,
        "message_bytes": len(body),
    }


def scaling_fit(lesions: Sequence[int], pipeline_us: Sequence[float]) -> dict[str, float]:
    """How per-message cost grows with lesions: a line fit and the marginal cost per lesion.

    ``marginal_ratio`` compares the cost of one more lesion between the two largest sizes
    (20 -> 100) with that between the second and third (5 -> 20): about 1 is linear, well
    above 1 super-linear. The step from 1 to 5 lesions is left out of the ratio because the
    policy changes there (above ``representative_above`` = 5 positive lesions one
    representative per organ system is marked), so it is not the same code path.
    """
    line = fit_line([float(n) for n in lesions], list(pipeline_us))
    first = (pipeline_us[2] - pipeline_us[1]) / (lesions[2] - lesions[1])
    last = (pipeline_us[-1] - pipeline_us[-2]) / (lesions[-1] - lesions[-2])
    return {
        "slope_us_per_lesion": line.slope,
        "intercept_us": line.intercept,
        "r_squared": line.r_squared,
        "marginal_first_us": first,
        "marginal_last_us": last,
        "marginal_ratio": last / first if first > 0 else float("nan"),
    }
