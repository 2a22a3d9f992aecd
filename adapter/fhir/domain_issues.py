"""Domain errors (:mod:`adapter.domain.errors`) -> OperationOutcome issues at the right element."""

from __future__ import annotations

from adapter.domain import (
    InvalidLesionError,
    ScoringPolicy,
    SstrRadsError,
    Study,
    score_study,
)
from adapter.fhir.message import ParsedMessage
from adapter.fhir.problems import Issue, IssueCode

_ITEM_TEXT = {
    "suv_max": "SUVmax",
    "size_mm": "the lesion size",
    "reader_level": "the uptake level",
    "uptake": "uptake",
    "benign": "benign evidence",
    "site_class": "the site class",
    "site": "the body site",
    "lesion_id": "the lesion tracking id",
}
_ITEM_CODE = {
    "suv_max": IssueCode.VALUE,
    "size_mm": IssueCode.VALUE,
    "reader_level": IssueCode.VALUE,
    "uptake": IssueCode.REQUIRED,
    "benign": IssueCode.BUSINESS_RULE,
    "site_class": IssueCode.BUSINESS_RULE,
}


def domain_issues(
    first: SstrRadsError, parsed: ParsedMessage, policy: ScoringPolicy
) -> list[Issue]:
    """Every domain problem of the message (the engine stops at the first; this rescans).

    Each lesion is scored alone with the study context, which finds each lesion's own
    error; study-level errors repeat and are reported once.
    """
    issues: dict[tuple[str, str], Issue] = {}
    study = parsed.study
    for lesion in study.lesions:
        try:
            score_study(Study((lesion,), study.context, study.reference), policy)
        except SstrRadsError as exc:
            issue = to_issue(exc, parsed)
            issues.setdefault((issue.expression, issue.diagnostics), issue)
    if not issues:  # e.g. an error that needs several lesions together
        issue = to_issue(first, parsed)
        issues[(issue.expression, issue.diagnostics)] = issue
    return list(issues.values())


def to_issue(error: SstrRadsError, parsed: ParsedMessage) -> Issue:
    if isinstance(error, InvalidLesionError):
        source = next((s for s in parsed.lesions if s.lesion_id == error.lesion_id), None)
        expression = (source.item_paths.get(error.item, source.path) if source
                      else "Bundle.entry")
        what = _ITEM_TEXT.get(error.item, error.item)
        return Issue(_ITEM_CODE.get(error.item, IssueCode.INVALID), expression,
                     f"lesion {error.lesion_id}: {what}: {error.reason}")
    expression = parsed.study_paths.get(error.item, "Bundle")
    return Issue(IssueCode.VALUE if "." in error.item else IssueCode.INVALID, expression,
                 f"{error.item}: {error.reason}")
