"""HTTP requests/s: ``sstr-adapter serve`` against a bare FastAPI endpoint, same load.

Both servers run as subprocesses under the same uvicorn configuration; the load generator
is ``wrk`` (Debian package, installed by ``make bench-tools``) when installed, else an httpx
client with the same concurrency. Each run records the CPU seconds of the server and of the
load generator: a generator that keeps a core busy, or works harder than the server it
loads, is the bottleneck (``saturated``), and the HTTP ratio is then refused rather than
reported (an httpx client in Python saturates near the bare endpoint's rate).
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from adapter.bench.cpu import process_cpu_s
from adapter.bench.processes import Fleet

PATH = "/$process-message"
CONTENT_TYPE = "application/fhir+json"


def free_port() -> int:
    """A TCP port nobody listens on right now (bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_command() -> list[str]:
    """The real ``sstr-adapter serve`` entry point."""
    return [sys.executable, "-c", "import sys; from adapter.cli import main; sys.exit(main())",
            "serve"]


def bare_command(response_file: Path) -> list[str]:
    """The bare endpoint (see :mod:`adapter.bench.bare_http`)."""
    return [sys.executable, "-m", "adapter.bench.bare_http", str(response_file)]


def requests_per_second(
    command: list[str], body: bytes, seconds: float, concurrency: int, workdir: Path
) -> dict[str, Any]:
    """Start a server, check one request is answered 200, load it, stop it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSTR_")}
    env |= {"SSTR_HTTP_PORT": str(port), "SSTR_LOG_LEVEL": "WARNING", "SSTR_METRICS_PORT": "0",
            "SSTR_API_AUTH": "none"}  # loopback load, no token: stated explicitly
    fleet = Fleet([command], env, workdir)
    url = f"http://127.0.0.1:{port}{PATH}"
    try:
        _wait_until_served(url, body, fleet)
        server = fleet.procs[0].pid
        server_before, started = process_cpu_s(server), time.perf_counter()
        if shutil.which("wrk"):
            children = _children_cpu_s()
            result = _wrk(url, body, seconds, concurrency, workdir)
            generator_cpu = _children_cpu_s() - children
        else:
            own = time.process_time()
            result = asyncio.run(_httpx_load(url, body, seconds, concurrency))
            generator_cpu = time.process_time() - own
        wall = time.perf_counter() - started
        server_cpu = process_cpu_s(server) - server_before
    finally:
        fleet.stop()
    result |= {"server_cpu_s": round(server_cpu, 3), "generator_cpu_s": round(generator_cpu, 3),
               "wall_s": round(wall, 3)}
    result |= saturation(server_cpu / wall, generator_cpu / wall, _generator_threads(result))
    return result


SATURATED_SHARE = 0.9
"""Share of one core per generator thread above which the generator is the bottleneck."""


def saturation(server_busy: float, generator_busy: float, threads: int) -> dict[str, Any]:
    """Whether the load generator, not the server, limited the rate (see the module doc)."""
    reasons = []
    if generator_busy >= SATURATED_SHARE * threads:
        reasons.append(f"load generator busy {generator_busy:.2f} of {threads} core(s)")
    if generator_busy >= server_busy:
        reasons.append(f"load generator busier ({generator_busy:.2f}) than the server "
                       f"({server_busy:.2f})")
    return {"server_busy": round(server_busy, 3), "generator_busy": round(generator_busy, 3),
            "saturated": bool(reasons), "saturated_reason": "; ".join(reasons)}


def _generator_threads(result: dict[str, Any]) -> int:
    match = re.match(r"wrk -t(\d+)", str(result.get("tool", "")))
    return int(match.group(1)) if match else 1


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wait_until_served(url: str, body: bytes, fleet: Fleet, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        fleet.check_alive()
        try:
            answer = httpx.post(url, content=body, headers={"content-type": CONTENT_TYPE})
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
            continue
        if answer.status_code != 200:
            raise RuntimeError(f"{url} answered {answer.status_code} to the benchmark message")
        return


_WRK_SCRIPT = """
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "{content_type}"
"""


def _wrk(
    url: str, body: bytes, seconds: float, concurrency: int, workdir: Path
) -> dict[str, float | int | str]:
    body_file = workdir / "http-body.json"
    body_file.write_bytes(body)
    script = workdir / "post.lua"
    script.write_text(_WRK_SCRIPT.format(content_type=CONTENT_TYPE))
    done = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency",
         "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
        env={**os.environ, "BENCH_BODY_FILE": str(body_file)},
    )
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rate is None:
        raise RuntimeError(f"unexpected wrk output: {out[-300:]}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if bad or errors:
        raise RuntimeError(f"wrk saw failures: {(bad or errors).group(0)}")  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    return {
        "rate": float(rate.group(1)),
        "p99_ms": _to_ms(p99.group(1), p99.group(2)) if p99 else float("nan"),
        "tool": f"wrk -t1 -c{concurrency}",
    }


def _to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


async def _httpx_load(
    url: str, body: bytes, seconds: float, concurrency: int
) -> dict[str, float | int | str]:
    headers = {"content-type": CONTENT_TYPE}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    done = 0
    failures = 0
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        deadline = time.perf_counter() + seconds

        async def loop() -> None:
            nonlocal done, failures
            while time.perf_counter() < deadline:
                answer = await client.post(url, content=body, headers=headers)
                done += 1
                failures += answer.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{failures} requests failed under load")
    return {"rate": done / elapsed, "p99_ms": float("nan"), "tool": f"httpx c={concurrency}"}
