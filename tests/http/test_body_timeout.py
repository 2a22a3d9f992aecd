"""A client that stalls while sending its body gets 408 instead of holding a worker; one
that hangs up mid-body gets 400 ``incomplete``, not an internal error."""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import orjson
from starlette.types import Message

from adapter.http import create_app
from adapter.observability import Metrics
from tests.http.conftest import make_settings
from tests.http.fakes import RecordingProcessor

SCOPE = {
    "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
    "scheme": "http", "path": "/$process-message", "raw_path": b"/$process-message",
    "root_path": "", "query_string": b"", "server": ("test", 80), "client": ("c", 1),
    "headers": [(b"content-type", b"application/fhir+json"), (b"host", b"test")],
}


def _answer(processor: RecordingProcessor, chunks: Iterator[Message],
            body_timeout_s: float = 30.0) -> list[Message]:
    """Run one request whose body arrives as ``chunks``, then nothing more for 30 s."""
    app = create_app(make_settings(), processor, metrics=Metrics(),
                     body_timeout_s=body_timeout_s)
    sent: list[Message] = []

    async def receive() -> Message:
        chunk = next(chunks, None)
        if chunk is None:
            await anyio.sleep(30)  # the client never sends the rest
            return {"type": "http.disconnect"}
        return chunk

    async def send(message: Message) -> None:
        sent.append(message)

    anyio.run(app, dict(SCOPE), receive, send)
    return sent


def test_a_stalled_body_upload_gets_408_and_is_not_processed() -> None:
    processor = RecordingProcessor()

    sent = _answer(processor, iter([{"type": "http.request", "body": b"{", "more_body": True}]),
                   body_timeout_s=0.05)

    assert sent[0]["status"] == 408
    assert orjson.loads(sent[1]["body"])["issue"][0]["code"] == "timeout"
    assert processor.calls == []


def test_a_client_hanging_up_mid_body_gets_400_incomplete_not_an_internal_error() -> None:
    processor = RecordingProcessor()

    sent = _answer(processor, iter([{"type": "http.request", "body": b"{", "more_body": True},
                                    {"type": "http.disconnect"}]))

    assert sent[0]["status"] == 400
    assert orjson.loads(sent[1]["body"])["issue"][0]["code"] == "incomplete"
    assert processor.calls == []
