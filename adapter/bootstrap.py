"""The one place that wires the pipeline: settings in, a :class:`MessageProcessor` out."""

from __future__ import annotations

from adapter.service.pipeline import ScoringPipeline
from adapter.service.results import MessageProcessor
from adapter.settings import Settings


def build_processor(settings: Settings) -> MessageProcessor:
    """The message processor every transport (AMQP, file drop, HTTP, CLI) calls with raw bytes."""
    return ScoringPipeline(
        policy=settings.policy(),
        max_message_bytes=settings.max_message_bytes,
        strict_validation=settings.strict_validation,
    )
