"""CPU time per process (Linux ``/proc``): the worker, the broker and the load generator.

Two cores are shared by everything a broker figure involves, so a rate alone does not say
where the cores went; CPU-seconds per process do, and messages per worker CPU-second do not
depend on how many cores the machine has.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds a process (all its threads) has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14, 15)


def listening_pid(port: int) -> int | None:
    """The process listening on TCP ``port`` on this machine (the local broker), if visible."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(parts[9])
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in targets:
                    return int(entry.name)
        except OSError:
            continue
    return None


class CpuMeter:
    """CPU seconds used by named processes (and this one) between :meth:`start` and :meth:`stop`."""

    def __init__(self, pids: Mapping[str, Iterable[int]]) -> None:
        self._pids = {name: list(group) for name, group in pids.items()}
        self._start: dict[str, float] = {}
        self._wall = 0.0
        self.used: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        now = {"load_generator": time.process_time()}
        for name, group in self._pids.items():
            total = 0.0
            for pid in group:
                with suppress(OSError):  # the process has gone: its share is lost
                    total += process_cpu_s(pid)
            now[name] = total
        return now

    def start(self) -> None:
        self._start = self._read()
        self._wall = time.perf_counter()

    def stop(self) -> dict[str, float]:
        end = self._read()
        wall = time.perf_counter() - self._wall
        self.used = {f"{name}_cpu_s": round(end[name] - self._start[name], 3) for name in end}
        self.used["wall_s"] = round(wall, 3)
        return self.used


@contextmanager
def metered(pids: Mapping[str, Iterable[int]]) -> Iterator[CpuMeter]:
    """``with metered({...}) as meter:`` ... then ``meter.used``."""
    meter = CpuMeter(pids)
    meter.start()
    try:
        yield meter
    finally:
        meter.stop()
