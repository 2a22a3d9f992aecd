"""``sstr-adapter bench``: measure the adapter against baselines in one run (see README)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from adapter.cli import EXIT_OK, EXIT_UNAVAILABLE

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
README = Path("README.md")
COMMITTED_DIR = Path("docs/bench")


def register(subparsers: Any) -> None:
    """Add the ``bench`` sub-command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "bench",
        help="benchmark throughput, latency, memory and HTTP against baselines",
        description="Run every benchmark against the RabbitMQ of SSTR_AMQP_URL (default "
                    "127.0.0.1:5672 guest/guest) and write results.json, results.md and "
                    "throughput-latency.png. A full run into docs/bench also updates README.md.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="small counts (CI smoke run, well under a minute or two)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default docs/bench, or var/bench-quick with --quick)")
    parser.add_argument("--no-readme", action="store_true",
                        help="do not rewrite the README's benchmark table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the benchmarks; exit 4 when the broker cannot be reached, 1 on a failed figure."""
    from adapter.bench import plot, report
    from adapter.bench.runner import FULL, QUICK, BenchRun
    from adapter.settings import load_settings

    settings = load_settings()
    url = settings.amqp_url or DEFAULT_URL
    plan = QUICK if args.quick else FULL
    out: Path = args.out or (Path("var/bench-quick") if args.quick else COMMITTED_DIR)
    out.mkdir(parents=True, exist_ok=True)
    try:
        bench = BenchRun(plan, settings, url, out)
    except OSError as exc:
        print(f"bench: cannot start: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    results = bench.run()
    report.write_json(results, out / "results.json")
    (out / "results.md").write_text(report.markdown(results))
    plot.plot_scaling(results, out / "throughput-latency.png")
    if (not args.quick and not args.no_readme and out.resolve() == COMMITTED_DIR.resolve()
            and README.exists()):
        report.update_readme(README, report.readme_block(results, "throughput-latency.png"))
    print(report.figures_table(results))
    print(f"bench: results in {out}/results.json, results.md, throughput-latency.png")
    failed = [row["id"] for row in results["figures"] if row["status"] == "error"]
    return 1 if failed else EXIT_OK
