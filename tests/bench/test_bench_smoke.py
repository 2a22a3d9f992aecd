"""``sstr-adapter bench --quick`` runs against the real broker and writes well-formed results.

No timing assertions: speed is what the benchmark reports, not what a test checks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapter.bench.amqp_admin import BrokerAdmin
from adapter.bench.figures import FIGURES
from adapter.bench.processes import unique_settings
from adapter.messaging.topology import topology_from
from adapter.settings import Settings

AMQP_URL = os.environ.get("SSTR_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")

pytestmark = pytest.mark.broker

QuickRun = tuple[subprocess.CompletedProcess[str], Path]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> QuickRun:
    out = tmp_path_factory.mktemp("bench")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSTR_")}
    env["SSTR_AMQP_URL"] = AMQP_URL
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from adapter.cli import main; sys.exit(main())",
         "bench", "--quick", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )
    return done, out


def test_the_quick_run_exits_cleanly(quick_run: QuickRun) -> None:
    done, _ = quick_run

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_every_figure_is_measured_with_its_baseline_and_ratio(
    quick_run: QuickRun,
) -> None:
    _, out = quick_run

    results = json.loads((out / "results.json").read_text())

    assert [row["id"] for row in results["figures"]] == list(FIGURES)
    for row in results["figures"]:
        assert row["status"] == "ok", row
        assert row["value"] > 0 and row["baseline"] > 0, row
        assert row["ratio"] == pytest.approx(row["value"] / row["baseline"])


def test_the_results_name_the_machine_and_versions(
    quick_run: QuickRun,
) -> None:
    _, out = quick_run

    results = json.loads((out / "results.json").read_text())

    assert results["mode"] == "quick"
    assert results["machine"]["cores"] >= 1
    assert results["machine"]["packages"]["pika"]
    assert [row["lesions"] for row in results["scaling"]] == [1, 5, 20, 100]


def test_the_markdown_table_and_the_plot_are_written(
    quick_run: QuickRun,
) -> None:
    _, out = quick_run

    markdown = (out / "results.md").read_text()
    png = (out / "throughput-latency.png").read_bytes()

    assert markdown.count("\n| ") >= len(FIGURES)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_run_leaves_no_queue_behind(
    quick_run: QuickRun,
) -> None:
    done, _ = quick_run
    prefixes = {line.split()[-1] for line in done.stdout.splitlines()
                if line.startswith("bench: session ")}

    queues = [queue.name for prefix in prefixes
              for queue in topology_from(unique_settings(Settings(), AMQP_URL, prefix)).queues]

    with BrokerAdmin(AMQP_URL) as admin:
        left = [name for name in queues if admin.queue_state(name) is not None]

    assert prefixes, "the run announced no broker session"
    assert left == []
