"""Where $process-message scores: small messages on the event loop, large ones in the pool."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from adapter.http.messaging import INLINE_MAX_BYTES
from adapter.service.results import Outcome
from tests.http.conftest import FHIR_JSON, ClientFactory
from tests.http.fakes import REPORT, processed


@dataclass
class ThreadRecordingProcessor:
    """Answers a fixed report and remembers the thread each call ran on."""

    threads: list[int] = field(default_factory=list)

    def __call__(self, body: bytes) -> Outcome:
        self.threads.append(threading.get_ident())
        return processed()


def _body(size: int) -> bytes:
    prefix = b'{"resourceType": "Bundle", "type": "message", "pad": "'
    return prefix + b"x" * (size - len(prefix) - 2) + b'"}'


def test_small_and_large_messages_get_the_same_answer_scored_in_different_places(
    client_for: ClientFactory,
) -> None:
    processor = ThreadRecordingProcessor()
    client = client_for(processor)
    loop_thread: list[int] = []

    @client.app.get("/thread-probe")  # type: ignore[attr-defined]
    async def probe() -> dict[str, int]:
        loop_thread.append(threading.get_ident())
        return {}

    with client:  # one event loop for every request
        client.get("/thread-probe")
        small = client.post("/$process-message", content=_body(INLINE_MAX_BYTES),
                            headers=FHIR_JSON)
        large = client.post("/$process-message", content=_body(INLINE_MAX_BYTES + 1),
                            headers=FHIR_JSON)

    assert (small.status_code, large.status_code) == (200, 200)
    assert small.content == large.content == REPORT
    on_loop, in_pool = processor.threads
    assert on_loop == loop_thread[0]
    assert in_pool != loop_thread[0]
