"""Problems found in an input message, and the OperationOutcome that reports them.

Every problem names the element by its FHIRPath (``Bundle.entry[3].resource.valueInteger``)
and says in words what is wrong, without quoting the message (no patient data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson


class IssueCode(StrEnum):
    """The subset of FHIR ``issue-type`` codes the adapter reports."""

    INVALID = "invalid"
    STRUCTURE = "structure"
    REQUIRED = "required"
    VALUE = "value"
    CODE_INVALID = "code-invalid"
    NOT_SUPPORTED = "not-supported"
    TOO_LONG = "too-long"
    NOT_FOUND = "not-found"
    BUSINESS_RULE = "business-rule"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: what kind, where (FHIRPath), and what a human should know."""

    code: IssueCode
    expression: str
    diagnostics: str
    severity: str = "error"


@dataclass(slots=True)
class Problems:
    """Collects every problem of one message, so the sender fixes them in one round."""

    issues: list[Issue] = field(default_factory=list)

    def add(self, code: IssueCode, expression: str, diagnostics: str) -> None:
        self.issues.append(Issue(code, expression, diagnostics))

    def __bool__(self) -> bool:
        return bool(self.issues)


class InvalidMessageError(ValueError):
    """The message cannot be scored: carries every issue found and a metrics-safe reason."""

    def __init__(self, issues: list[Issue], reason: str = "invalid", message_id: str | None = None):
        self.issues = tuple(issues)
        self.reason = reason
        self.message_id = message_id
        super().__init__(f"{reason}: {len(issues)} issue(s)")


def operation_outcome(issues: tuple[Issue, ...] | list[Issue]) -> dict[str, Any]:
    """The OperationOutcome resource (plain dict) with one issue per problem."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": i.severity,
                "code": str(i.code),
                "diagnostics": i.diagnostics,
                "expression": [i.expression],
            }
            for i in issues
        ],
    }


def encode_outcome(issues: tuple[Issue, ...] | list[Issue]) -> bytes:
    return orjson.dumps(operation_outcome(issues))
