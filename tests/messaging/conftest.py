"""Fixtures for the tests against the real RabbitMQ (marker ``broker``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from amqp_support import AMQP_URL, Names, Worker, broker_reachable

_DUPLICATES: list[tuple[str, int]] = []
_RESUMES: list[tuple[str, str, float]] = []


@pytest.fixture(scope="session")
def broker() -> str:
    """The test broker's URL; fails (never skips) when RabbitMQ is unreachable."""
    if not broker_reachable():
        pytest.fail(f"RabbitMQ is not reachable at {AMQP_URL.split('@')[-1]} "
                    "(start it: ./.ci/ensure-rabbitmq)")
    return AMQP_URL


@pytest.fixture
def names(broker: str) -> Iterator[Names]:
    """Unique exchange and queue names, deleted after the test."""
    created = Names()
    created.declare()
    yield created
    created.delete_all()


@pytest.fixture
def start_worker(names: Names, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start worker subprocesses (killed after the test if still running)."""
    started: list[Worker] = []

    def start(index: int = 0, **env: str) -> Worker:
        worker = Worker(names, tmp_path, index, **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()


@pytest.fixture
def report_duplicates(request: pytest.FixtureRequest) -> Callable[[int], None]:
    """Record byte-identical republishes, listed in the terminal summary."""
    def record(count: int) -> None:
        _DUPLICATES.append((request.node.name, count))
    return record


@pytest.fixture
def report_resume(request: pytest.FixtureRequest) -> Callable[[str, float], None]:
    """Record how long the worker took to resume after a broker node was killed."""
    def record(what: str, seconds: float) -> None:
        _RESUMES.append((request.node.name, what, seconds))
    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _RESUMES:
        terminalreporter.section("AMQP cluster tests: time to resume after kill -9 of a node")
        for name, what, seconds in _RESUMES:
            terminalreporter.write_line(f"{name}: {what}: {seconds:.2f} s")
    if _DUPLICATES:
        terminalreporter.section("AMQP fault tests: byte-identical republishes")
        for name, count in _DUPLICATES:
            terminalreporter.write_line(f"{name}: {count}")
