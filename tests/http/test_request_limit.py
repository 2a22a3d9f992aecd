"""Requests in flight are limited by the app: 503 OperationOutcome past it, probes exempt."""

from __future__ import annotations

import threading

import anyio
import orjson
from starlette.types import Message

from adapter.http import create_app
from adapter.http.messaging import INLINE_MAX_BYTES
from adapter.observability import Metrics
from adapter.service.results import Outcome
from tests.http.conftest import make_settings
from tests.http.fakes import processed


class BlockingProcessor:
    """Holds every call until released, so requests pile up in flight."""

    def __init__(self) -> None:
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()

    def __call__(self, body: bytes) -> Outcome:
        self.entered.release()
        self.release.wait(10)
        return processed()


def _scope(method: str, path: str) -> dict[str, object]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "server": ("test", 80), "client": ("c", 1),
        "headers": [(b"content-type", b"application/fhir+json"), (b"host", b"test")],
    }


# Larger than what is scored on the event loop itself, so the held calls wait in the thread
# pool and the requests pile up in flight (a small body would hold the loop instead).
BODY = b"{}" + b" " * (INLINE_MAX_BYTES + 1)


def test_past_the_limit_requests_get_503_throttled_and_probes_still_answer() -> None:
    processor = BlockingProcessor()
    app = create_app(make_settings(http_limit_concurrency=2), processor, metrics=Metrics())
    answers: dict[str, list[Message]] = {}

    async def call(name: str, method: str, path: str) -> None:
        answers[name] = []
        delivered = False

        async def receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": BODY, "more_body": False}
            await anyio.sleep(30)
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            answers[name].append(message)

        await app(_scope(method, path), receive, send)

    async def scenario() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(call, "first", "POST", "/$process-message")
            group.start_soon(call, "second", "POST", "/$process-message")
            for _ in range(2):  # both slots held inside the processor
                await anyio.to_thread.run_sync(processor.entered.acquire)
            await call("third", "POST", "/$process-message")
            await call("health", "GET", "/healthz")
            await call("ready", "HEAD", "/readyz")
            processor.release.set()

    anyio.run(scenario)

    third = answers["third"]
    assert third[0]["status"] == 503
    assert (b"retry-after", b"1") in third[0]["headers"]
    assert (b"content-type", b"application/fhir+json") in third[0]["headers"]
    assert orjson.loads(third[1]["body"])["issue"][0]["code"] == "throttled"
    assert answers["health"][0]["status"] == answers["ready"][0]["status"] == 200
    assert answers["first"][0]["status"] == answers["second"][0]["status"] == 200
