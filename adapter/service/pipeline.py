"""Processing one input message: bytes in, :class:`Processed` or :class:`Rejected` out.

decode -> size check -> parse/validate (adapter.fhir) -> score (adapter.domain) ->
render -> encode. Permanent input problems become :class:`Rejected` with an
OperationOutcome; anything unexpected propagates (the transport decides).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from adapter.domain import (
    DEFAULT_POLICY,
    ScoringPolicy,
    SstrRadsError,
    StudyAssessment,
    score_study,
)
from adapter.fhir.domain_issues import domain_issues
from adapter.fhir.json_input import decode
from adapter.fhir.message import ParsedMessage
from adapter.fhir.parse import parse_document
from adapter.fhir.problems import InvalidMessageError, Issue, IssueCode, encode_outcome
from adapter.fhir.render import render
from adapter.service.results import OutboundMessage, Outcome, OutputKind, Processed, Rejected

REJECT_STATUS: dict[str, int] = {
    "too-large": 413,
    "not-json": 400,
    "malformed-json": 400,
    "invalid": 422,
}
"""Every ``Rejected.reason`` the pipeline produces (metric label values) and its HTTP status."""


@dataclass(frozen=True, slots=True)
class Assessed:
    """A scored message before rendering (the CLI summary reads it)."""

    parsed: ParsedMessage
    assessment: StudyAssessment


class ScoringPipeline:
    """Callable ``bytes -> Processed | Rejected`` (the :class:`MessageProcessor` protocol)."""

    def __init__(
        self,
        policy: ScoringPolicy = DEFAULT_POLICY,
        max_message_bytes: int = 2_000_000,
        strict_validation: bool = False,
    ) -> None:
        self.policy = policy
        self.max_message_bytes = max_message_bytes
        self.strict_validation = strict_validation

    def __call__(self, body: bytes) -> Outcome:
        assessed = self.assess(body)
        if isinstance(assessed, Rejected):
            return assessed
        return self.publishable(assessed)

    def assess(self, body: bytes) -> Assessed | Rejected:
        """Validate and score; :class:`Rejected` for any problem of the input."""
        if len(body) > self.max_message_bytes:
            issue = Issue(IssueCode.TOO_LONG, "Bundle",
                          f"the message is larger than the limit of {self.max_message_bytes} "
                          "bytes (setting SSTR_MAX_MESSAGE_BYTES)")
            return _rejected(InvalidMessageError([issue], "too-large"))
        try:
            doc = decode(body)
            # The read edge first: it costs microseconds and bounds a hostile message's answer;
            # the model validator (milliseconds to seconds) runs only on what it accepted.
            parsed = parse_document(doc)
            if self.strict_validation:
                _strict_check(doc)
        except InvalidMessageError as exc:
            return _rejected(exc)
        try:
            assessment = score_study(parsed.study, self.policy)
        except SstrRadsError as exc:
            issues = domain_issues(exc, parsed, self.policy)
            return _rejected(InvalidMessageError(issues, "invalid", parsed.message_id))
        return Assessed(parsed, assessment)

    def publishable(self, assessed: Assessed) -> Processed:
        """Render and encode the outputs of a scored message."""
        assessment = assessed.assessment
        rendered = render(assessment, assessed.parsed)
        outputs = [OutboundMessage(OutputKind.REPORT, rendered.report_message_id,
                                   orjson.dumps(rendered.report))]
        if rendered.tumour_board is not None and rendered.tumour_board_message_id:
            outputs.append(OutboundMessage(OutputKind.TUMOUR_BOARD,
                                           rendered.tumour_board_message_id,
                                           orjson.dumps(rendered.tumour_board)))
        return Processed(
            message_id=assessed.parsed.message_id,
            outputs=tuple(outputs),
            overall_category=assessment.overall.code,
            prrt_recommendation=assessment.prrt.value,
            lesion_categories=tuple(a.category.code for a in assessment.lesions),
            tumour_board=assessment.tumour_board,
        )


def _strict_check(doc: object) -> None:
    # Imported here: fhir.resources costs ~0.3 s to import, paid only in strict mode.
    from adapter.fhir.strict import structure_issues

    issues = structure_issues(doc)
    if issues:
        raise InvalidMessageError(issues, "invalid")


def _rejected(error: InvalidMessageError) -> Rejected:
    return Rejected(error.message_id, error.reason, encode_outcome(error.issues),
                    REJECT_STATUS[error.reason])
