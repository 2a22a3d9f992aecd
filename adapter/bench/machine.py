"""What the figures were measured on: CPU, cores, memory, and the versions that matter."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

_PACKAGES = ("sstr-adapter", "pika", "orjson", "fhir.resources", "pydantic", "fastapi", "uvicorn",
             "uvloop", "httptools")


def describe_machine() -> dict[str, object]:
    """Facts about this machine and software stack, for the results table."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "rabbitmq": _rabbitmq_version(),
        "packages": {name: _version(name) for name in _PACKAGES},
        "note": "broker, workers and load generator share the same cores",
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _rabbitmq_version() -> str | None:
    # rabbitmqctl may be absent (remote broker); the AMQP handshake's server properties
    # are read by the harness instead when it connects (see amqp_admin.server_version).
    try:
        done = subprocess.run(
            ["rabbitmqctl", "version"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = done.stdout.strip()
    return text.splitlines()[-1] if done.returncode == 0 and text else None


def rss_mb(pid: int) -> float:
    """Resident set size of a process, in MB of 10^6 bytes (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise ProcessLookupError(pid)
