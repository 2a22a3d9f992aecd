"""The one place that wires the pipeline: settings in, a processor (and a validator) out."""

from __future__ import annotations

from collections.abc import Callable

from adapter.service.pipeline import ScoringPipeline
from adapter.service.results import MessageProcessor, Rejected
from adapter.settings import Settings


def build_processor(settings: Settings) -> MessageProcessor:
    """The message processor every transport (AMQP, file drop, HTTP, CLI) calls with raw bytes."""
    return ScoringPipeline(
        policy=settings.policy(),
        max_message_bytes=settings.max_message_bytes,
        strict_validation=settings.strict_validation,
        report_options=settings.report_options(),
    )


def build_validator(settings: Settings) -> Callable[[bytes], Rejected | None]:
    """``$validate``: strict checks and scoring (domain errors are input errors), no rendering.

    Full fhir.resources model validation is always on here: this is where its cost is
    worth paying; the processing path stays lean.
    """
    strict = ScoringPipeline(
        policy=settings.policy(),
        max_message_bytes=settings.max_message_bytes,
        strict_validation=True,
    )

    def validate(body: bytes) -> Rejected | None:
        assessed = strict.assess(body)
        return assessed if isinstance(assessed, Rejected) else None

    return validate
