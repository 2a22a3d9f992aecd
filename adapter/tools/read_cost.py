"""Quick CPU-time figures of the read edge on the reference message, as ratios.

``python -m adapter.tools.read_cost [N]`` prints, best of N rounds of CPU time (process
time), the cost per message of the read edge's stages (decode, the typed message, all of
reading) and of the whole pipeline against ``orjson`` loads + dumps of the same bytes,
measured in the same run. It is the quick check
of the read side; ``sstr-adapter bench`` is the full benchmark.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import orjson

from adapter.bench.messages import reference_message
from adapter.fhir.json_input import decode
from adapter.fhir.parse import parse_message
from adapter.fhir.structure import read_bundle
from adapter.service.pipeline import ScoringPipeline


def best_of(call: Callable[[], object], rounds: int, per_round: int) -> float:
    """The smallest CPU seconds per call over ``rounds`` rounds of ``per_round`` calls."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(per_round):
            call()
        best = min(best, (time.process_time() - start) / per_round)
    return best


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 15
    body = reference_message()
    pipeline = ScoringPipeline()
    pipeline(body)
    doc = decode(body)
    base = best_of(lambda: orjson.dumps(orjson.loads(body)), rounds, 2000)
    stages = {
        "decode (JSON, duplicates)": best_of(lambda: decode(body), rounds, 1000),
        "typed message (declaration)": best_of(lambda: read_bundle(doc), rounds, 1000),
        "parse_message (all of reading)": best_of(lambda: parse_message(body), rounds, 200),
        "pipeline (read, score, render)": best_of(lambda: pipeline(body), rounds, 200),
    }
    print(f"reference message: {len(body)} bytes")
    print(f"{'orjson loads+dumps':32}{base * 1e6:8.1f} us")
    for name, cost in stages.items():
        print(f"{name:32}{cost * 1e6:8.1f} us  ratio {cost / base:5.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
