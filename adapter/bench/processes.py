"""Starting and stopping the processes under test: the real worker and the bare echo loop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from adapter.messaging.topology import Topology
from adapter.service.results import OutputKind
from adapter.settings import Settings

_NAME_SETTINGS = (
    "input_exchange", "input_queue", "input_routing_key", "output_exchange",
    "report_routing_key", "tumour_board_routing_key", "report_queue", "tumour_board_queue",
    "dead_letter_exchange", "dead_letter_queue",
)


def unique_settings(base: Settings, amqp_url: str, prefix: str) -> Settings:
    """``base`` with every broker name prefixed (the broker is shared) and this broker URL."""
    names = {name: f"{prefix}.{getattr(base, name)}" for name in _NAME_SETTINGS}
    return base.model_copy(update={**names, "amqp_url": amqp_url, "metrics_port": 0})


def worker_env(settings: Settings) -> dict[str, str]:
    """The environment that gives ``sstr-adapter run`` these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSTR_")}
    for name in (*_NAME_SETTINGS, "prefetch", "delivery_limit", "metrics_port", "burst_budget_ms"):
        env[f"SSTR_{name.upper()}"] = str(getattr(settings, name))
    env["SSTR_AMQP_URL"] = settings.amqp_url or ""
    env["SSTR_LOG_LEVEL"] = "WARNING"
    return env


class Fleet:
    """A group of consumer processes, stopped with SIGTERM (then SIGKILL) on exit."""

    def __init__(self, commands: Sequence[list[str]], env: dict[str, str], log_dir: Path) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self._logs = []
        log_dir.mkdir(parents=True, exist_ok=True)
        for index, command in enumerate(commands):
            log = (log_dir / f"proc-{index}.log").open("wb")
            self._logs.append(log)
            self.procs.append(
                subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
            )
        self._log_dir = log_dir

    def check_alive(self) -> None:
        """Raise if a process has died (with the tail of its log)."""
        for index, proc in enumerate(self.procs):
            if proc.poll() is not None:
                raise RuntimeError(
                    f"process {index} exited with {proc.returncode}: {self.log_tail(index)}"
                )

    def log_tail(self, index: int, chars: int = 600) -> str:
        """The end of one process's output, for error messages."""
        text = (self._log_dir / f"proc-{index}.log").read_text(errors="replace")
        return text[-chars:].strip()

    def stop(self, timeout_s: float = 15.0) -> list[int]:
        """SIGTERM every process, wait, SIGKILL stragglers; returns the exit codes."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(timeout_s))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait())
        for log in self._logs:
            log.close()
        return codes


def worker_command() -> list[str]:
    """The real ``sstr-adapter run`` entry point, with this interpreter."""
    return [sys.executable, "-c", "import sys; from adapter.cli import main; sys.exit(main())",
            "run"]


def echo_command(
    settings: Settings, topology: Topology, outputs: dict[OutputKind, Path]
) -> list[str]:
    """The bare echo loop with the worker's queues, prefetch and output bytes."""
    command = [
        sys.executable, "-m", "adapter.bench.amqp_echo",
        "--url", settings.amqp_url or "",
        "--queue", topology.input_queue,
        "--exchange", topology.output_exchange,
        "--prefetch", str(settings.prefetch),
    ]
    for kind, path in outputs.items():
        command += ["--output", f"{topology.output_routing_keys[kind]}={path}"]
    return command


def pipeline_memory(first: int, total: int) -> dict[str, float | int]:
    """RSS of a fresh process scoring ``total`` messages in-process (adapter.bench.memory_loop)."""
    done = subprocess.run(
        [sys.executable, "-m", "adapter.bench.memory_loop", str(first), str(total)],
        capture_output=True, text=True, timeout=1800, check=True,
    )
    figures: dict[str, float | int] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["growth"] = figures["rss_total_mb"] / figures["rss_first_mb"] - 1.0
    return figures
