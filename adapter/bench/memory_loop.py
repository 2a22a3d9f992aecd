"""The pipeline alone in a fresh process, for the long memory figure (100k messages).

Run as ``python -m adapter.bench.memory_loop FIRST TOTAL``: scores distinct copies of the
reference message (each with its own message id, as the broker would deliver them) and
prints the RSS after FIRST and after TOTAL messages as JSON. It stands in for the worker
when streaming TOTAL messages through the broker would take too long; the broker figure
covers the transport's own memory over a shorter run.
"""

from __future__ import annotations

import os
import sys

import orjson

from adapter.bench.machine import rss_mb
from adapter.bench.messages import reference_message, unique_ids
from adapter.bootstrap import build_processor
from adapter.settings import Settings


def main(argv: list[str] | None = None) -> int:
    """Score TOTAL messages; print RSS after FIRST and TOTAL."""
    first, total = (int(arg) for arg in (sys.argv[1:] if argv is None else argv))
    processor = build_processor(Settings())
    source = unique_ids(reference_message(), "memory-loop")
    start = rss_mb(os.getpid())
    after_first = start
    for index in range(total):
        processor(source(index)[1])
        if index + 1 == first:
            after_first = rss_mb(os.getpid())
    after_total = rss_mb(os.getpid())
    print(orjson.dumps({"rss_start_mb": start, "rss_first_mb": after_first,
                        "rss_total_mb": after_total, "first_messages": first,
                        "total_messages": total}).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
