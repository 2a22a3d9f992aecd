"""``POST /$process-message`` and ``POST /$validate``: the pipeline behind FHIR messaging."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from adapter.http.body import read_limited, require_fhir_json
from adapter.http.openapi import ANY_JSON_BODY, ERRORS, MESSAGE_BODY, OUTCOME, FhirResponse, fhir
from adapter.http.outcomes import all_ok_outcome, fhir_response
from adapter.observability import Metrics
from adapter.service.results import MessageProcessor, OutputKind, Processed, Rejected

log = logging.getLogger("adapter.http")

TRANSPORT = "http"

MessageValidator = Callable[[bytes], Rejected | None]
"""Checks an input message without scoring it: None when valid, else the Rejected."""


def validator_from(processor: MessageProcessor) -> MessageValidator:
    """A validator that runs the whole pipeline and keeps only the verdict.

    The fallback when no dedicated validator is wired: same verdicts, at scoring cost.
    """
    def validate(body: bytes) -> Rejected | None:
        outcome = processor(body)
        return outcome if isinstance(outcome, Rejected) else None
    return validate


def messaging_router(
    processor: MessageProcessor,
    validator: MessageValidator,
    metrics: Metrics,
    *,
    max_bytes: int,
    body_timeout_s: float,
) -> APIRouter:
    """The two operations, bound to one processor, validator and set of metrics."""
    router = APIRouter(default_response_class=FhirResponse, responses=ERRORS)

    @router.post(
        "/$process-message",
        summary="Score one SSTR-PET findings message",
        responses={200: fhir("Bundle", "The response message Bundle (SstrReportMessage)"),
                   422: fhir(OUTCOME, "The message is not valid: one issue per problem")},
        openapi_extra=MESSAGE_BODY,
    )
    async def process_message(request: Request) -> Response:
        require_fhir_json(request)
        body = await read_limited(request, max_bytes, body_timeout_s)
        metrics.messages_in.labels(TRANSPORT).inc()
        started = time.perf_counter()
        try:
            outcome = await _score(processor, body)
        except Exception:
            metrics.errors.labels(TRANSPORT).inc()
            raise
        metrics.record(TRANSPORT, outcome, time.perf_counter() - started)
        if isinstance(outcome, Rejected):
            log.info("message rejected", extra={
                "message_id": outcome.message_id, "outcome": "rejected",
                "reason": outcome.reason, "status": outcome.http_status})
            return fhir_response(outcome.outcome, outcome.http_status)
        log.info("message processed", extra={"message_id": outcome.message_id,
                                             "outcome": "processed"})
        return fhir_response(_report(outcome))

    @router.post(
        "/$validate",
        summary="Check one input message without scoring it",
        description="200 with the problems found, or one information issue when there are "
                    "none (FHIR $validate semantics); 4xx only when the check could not run.",
        responses={200: fhir(OUTCOME, "The result of the check")},
        openapi_extra=ANY_JSON_BODY,
    )
    async def validate(request: Request) -> Response:
        require_fhir_json(request)
        body = await read_limited(request, max_bytes, body_timeout_s)
        rejected = await run_in_threadpool(validator, body)
        if rejected is None:
            return fhir_response(all_ok_outcome("the message is valid"))
        log.info("message checked", extra={"message_id": rejected.message_id,
                                           "outcome": "invalid", "reason": rejected.reason})
        status = 413 if rejected.http_status == 413 else 200
        return fhir_response(rejected.outcome, status)

    return router


INLINE_MAX_BYTES = 64 * 1024
"""Messages up to this size (about 20 lesions, ~1.5 ms of CPU) are scored on the event loop.

Handing them to the thread pool costs more than scoring them: the pipeline holds the GIL
in the pool thread, and every system call of the event loop's thread (socket writes, random
ids) then waits for it to be released, so requests queue behind each other's GIL hand-offs
(measured: about a quarter of the throughput of scoring them in place). Larger messages
still go to the pool, so no single request holds the loop for long.
"""


async def _score(processor: MessageProcessor, body: bytes) -> Processed | Rejected:
    if len(body) <= INLINE_MAX_BYTES:
        return processor(body)
    return await run_in_threadpool(processor, body)


def _report(outcome: Processed) -> bytes:
    """The response Bundle; its Task and Flag carry the tumour-board request, so the
    separate tumour-board message is left to the queue transports."""
    for message in outcome.outputs:
        if message.kind is OutputKind.REPORT:
            return message.body
    raise LookupError("the pipeline produced no report")
