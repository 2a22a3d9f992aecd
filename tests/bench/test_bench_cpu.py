"""CPU seconds per process and the process behind a listening port (Linux /proc)."""

from __future__ import annotations

import os
import socket
import time

from adapter.bench.cpu import listening_pid, metered, process_cpu_s


def _burn(seconds: float) -> None:
    deadline = time.process_time() + seconds
    while time.process_time() < deadline:
        pass


def test_a_process_cpu_time_grows_with_the_work_it_does() -> None:
    before = process_cpu_s(os.getpid())

    _burn(0.2)

    assert process_cpu_s(os.getpid()) - before >= 0.15


def test_the_process_listening_on_a_port_is_found() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()

        assert listening_pid(server.getsockname()[1]) == os.getpid()


def test_a_port_nobody_listens_on_has_no_process() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening

        assert listening_pid(port) is None


def test_the_meter_reports_each_group_and_the_wall_time() -> None:
    with metered({"this": [os.getpid()], "gone": [2**22 + 7]}) as meter:
        _burn(0.2)

    assert meter.used["this_cpu_s"] >= 0.15
    assert meter.used["gone_cpu_s"] == 0.0
    assert meter.used["load_generator_cpu_s"] >= 0.15
    assert meter.used["wall_s"] >= 0.15
