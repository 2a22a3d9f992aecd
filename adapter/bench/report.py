"""Writing results: ``results.json``, ``results.md`` and the README's generated table."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import orjson

README_TABLE_START = "<!-- bench:table:start -->"
README_TABLE_END = "<!-- bench:table:end -->"


def write_json(results: dict[str, Any], path: Path) -> None:
    """The whole results document (NaN becomes null: JSON has no NaN)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(_clean(results), option=orjson.OPT_INDENT_2) + b"\n")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _num(value: Any, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if unit in ("msg/s", "req/s") or abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def figures_table(results: dict[str, Any]) -> str:
    """The headline table in Markdown."""
    lines = [
        "| # | figure | adapter | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for index, row in enumerate(results["figures"], start=1):
        if row["status"] != "ok":
            lines.append(f"| {index} | {row['title']} | {row['status']}: {row.get('reason', '')} "
                         f"| | | {row['target']} | |")
            continue
        met = {True: "yes", False: "**no**", None: "-"}[row["met"]]
        unit = row["unit"]
        baseline = f"{_num(row['baseline'], unit)} ({row['baseline_label']})"
        value = _num(row["value"], unit)
        if row.get("note"):
            value += f"<br><sub>{row['note']}</sub>"
        lines.append(f"| {index} | {row['title']} | {value} | {baseline} | "
                     f"{row['ratio']:.2f}x | {row['target']} | {met} |")
    return "\n".join(lines)


def _spread(values: Any) -> str:
    if not values:
        return ""
    return f"<br><sub>{_num(values[0])}-{_num(values[1])}</sub>"


def _ratio(ratio: Any) -> str:
    if not ratio:
        return "-"
    return f"{ratio['median']:.2f}x<br><sub>{ratio['min']:.2f}-{ratio['max']:.2f}</sub>"


def scaling_table(results: dict[str, Any]) -> str:
    """Per lesion count: message size, compute, broker throughput and latency with spread."""
    lines = [
        "| lesions | bytes | compute us/msg | orjson us/msg | worker msg/s | msg per worker "
        "CPU-s | echo msg/s | worker p50 / p99 ms | echo p99 ms | p99 ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["scaling"]:
        lines.append(
            f"| {row['lesions']} | {_num(row['message_bytes'])} | {_num(row['compute_us'])} "
            f"| {_num(row['orjson_us'])} | {_num(row['worker_rate'], 'msg/s')} "
            f"| {_num(row.get('per_worker_cpu_s'), 'msg/s')} "
            f"| {_num(row['echo_rate'], 'msg/s')} "
            f"| {_num(row['worker_p50_ms'])} / {_num(row['worker_p99_ms'])}"
            f"{_spread(row.get('worker_p99_spread_ms'))} "
            f"| {_num(row['echo_p99_ms'])}{_spread(row.get('echo_p99_spread_ms'))} "
            f"| {_ratio(row.get('p99_ratio'))} |".replace(" msg/s", "")
        )
    return "\n".join(lines)


def tail_table(results: dict[str, Any]) -> str:
    """Where the worker's p99 goes: segment means over the tail, medians over all (ms)."""
    from adapter.bench.tail import SEGMENTS

    head = " | ".join(SEGMENTS)
    lines = [f"| message | p99 ms | tail mean ms | {head} | confirm | GC (n, max ms, total ms) "
             "| tail max depth |", "|---|---|---|" + "---|" * len(SEGMENTS) + "---|---|---|"]
    for key, value in results["raw"].items():
        if not (key.startswith("latency_") and key.endswith("_worker")):
            continue
        parts = value.get("breakdown") or {}
        if not parts.get("traced"):
            continue
        label = key.removeprefix("latency_").removesuffix("_worker")
        tail, every = parts["tail_mean_ms"], parts["all_median_ms"]
        cells = " | ".join(f"{_num(tail.get(s))} <sub>({_num(every.get(s))})</sub>"
                           for s in (*SEGMENTS, "confirm"))
        gc = parts["gc"]
        lines.append(f"| {label} | {_num(value['p99_ms'])} | {_num(parts['tail_total_mean_ms'])} "
                     f"| {cells} | {gc['collections']}, {_num(gc['max_ms'])}, "
                     f"{_num(gc['total_ms'])} | {parts['tail_depth_median']} |")
    return "\n".join(lines)


def machine_line(results: dict[str, Any]) -> str:
    """One line naming the machine and the versions."""
    m = results["machine"]
    pkgs = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    load = ""
    if "load_average_1m" in m:
        # Other work on the machine shows here: a quiet machine sits near 0.
        load = f" Load average (1 min) at the start: {m['load_average_1m']}"
        if "load_average_end_1m" in m:
            load += f", at the end: {m['load_average_end_1m']}"
        load += "."
    return (f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}; Python "
            f"{m['python']}, RabbitMQ {m['rabbitmq']}; {pkgs}. {m['note']}.{load}")


def profile_table(results: dict[str, Any], top: int = 8) -> str:
    """The functions with the largest self time in the pipeline's profile."""
    rows = results["raw"].get("profile") or []
    lines = ["| self time | function | where |", "|---|---|---|"]
    for row in rows[:top]:
        lines.append(f"| {row['self_share']:.0%} | `{row['function']}` | `{row['where']}` |")
    return "\n".join(lines)


def markdown(results: dict[str, Any]) -> str:
    """The full results page."""
    return "\n\n".join([
        f"# Benchmark results ({results['mode']} run, {results['started']}, "
        f"{results['duration_s']} s)",
        machine_line(results),
        figures_table(results),
        "## Scaling with lesions per message",
        scaling_table(results),
        "## The worker's latency tail, traced (median round)",
        "Mean of each segment over the messages at or above the p99, and in brackets the "
        "median over all messages (adapter/bench/tail.py).",
        tail_table(results),
        "## Hot path (pyinstrument, self time)",
        profile_table(results),
    ]) + "\n"


def readme_block(results: dict[str, Any], plot_name: str | None) -> str:
    """What goes between the README's generated-table markers."""
    parts = [f"Last full run: {results['started']} ({results['duration_s']} s). "
             + machine_line(results), figures_table(results), scaling_table(results),
             tail_table(results)]
    if plot_name:
        parts.append(f"![throughput and latency vs lesions per message](docs/bench/{plot_name})")
    return "\n\n".join(parts)


def update_readme(readme: Path, block: str) -> None:
    """Replace the text between the generated-table markers (inside the bench section)."""
    text = readme.read_text()
    start = text.index(README_TABLE_START) + len(README_TABLE_START)
    end = text.index(README_TABLE_END)
    readme.write_text(text[:start] + "\n" + block + "\n" + text[end:])
