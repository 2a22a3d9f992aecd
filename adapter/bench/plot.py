"""The PNG: throughput and latency against lesions per message (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_scaling(results: dict[str, Any], path: Path) -> None:
    """Two panels: messages/s (worker, echo, in-process compute) and latency (p50, p99)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt
    from matplotlib.ticker import ScalarFormatter

    rows = results["scaling"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))

    def series(key: str) -> tuple[list[int], list[float]]:
        points = [(r["lesions"], r[key]) for r in rows if r.get(key) is not None]
        return [p[0] for p in points], [p[1] for p in points]

    for key, label, style in (
        ("echo_rate", "bare pika echo loop (same bytes)", "s--"),
        ("worker_rate", "worker through RabbitMQ", "o-"),
    ):
        xs, ys = series(key)
        if xs:
            left.plot(xs, ys, style, label=label)
    xs, ys = series("compute_us")
    if xs:
        left.plot(xs, [1e6 / y for y in ys], "^:", label="pipeline in-process (1 / compute)")
    left.set_title("Throughput, one process")
    left.set_ylabel("messages / s")
    for key, label, style in (
        ("worker_p50_ms", "worker p50", "o-"),
        ("worker_p99_ms", "worker p99", "o--"),
        ("echo_p99_ms", "echo loop p99", "s:"),
    ):
        xs, ys = series(key)
        if xs:
            right.plot(xs, ys, style, label=label)
    for key, color in (("worker_p99_spread_ms", "C1"), ("echo_p99_spread_ms", "C2")):
        spans = [(r["lesions"], *r[key]) for r in rows if r.get(key)]
        if spans:
            right.vlines([s[0] for s in spans], [s[1] for s in spans], [s[2] for s in spans],
                         colors=color, alpha=0.4, linewidth=4)
    right.set_title("End-to-end latency at half the max rate (bars: spread over rounds)")
    right.set_ylabel("ms")
    for axis in (left, right):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xticks([r["lesions"] for r in rows], [str(r["lesions"]) for r in rows])
        axis.yaxis.set_major_formatter(ScalarFormatter())
        axis.yaxis.set_minor_formatter(ScalarFormatter())
        axis.tick_params(axis="y", which="minor", labelsize=7)
        axis.set_xlabel("lesions per message")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    fig.suptitle(f"sstr-adapter bench ({results['mode']} run, {results['started']})", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
