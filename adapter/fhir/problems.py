"""Problems found in an input message, and the OperationOutcome that reports them.

Every problem names the element by its FHIRPath (``Bundle.entry[3].resource.valueInteger``)
and says in words what is wrong, without quoting the message (no patient data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson

_ELEMENT_NAME = re.compile(r"_?[A-Za-z][A-Za-z0-9]{0,63}")


def element_name(key: str) -> str:
    """``key`` as a step of a FHIRPath: a FHIR element name (``_x`` for a primitive's
    extensions) as is, any other member name as ``*``, so a sender's arbitrary text (it may be
    patient data, a control character) is never echoed in an expression."""
    return key if _ELEMENT_NAME.fullmatch(key) else "*"


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
    TOO_COSTLY = "too-costly"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: what kind, where (FHIRPath), and what a human should know."""

    code: IssueCode
    expression: str
    diagnostics: str
    severity: str = "error"


MAX_ISSUES = 100
"""At most this many issues are reported for one message, then one more saying how many
were left out: a message of a million bad entries gets a small answer (HTTP body, the file
drop's ``.outcome.json`` and the dead-letter header alike)."""


@dataclass(slots=True)
class Problems:
    """Collects every problem of one message, so the sender fixes them in one round.

    Keeps the first :data:`MAX_ISSUES` and counts the rest (memory stays bounded)."""

    issues: list[Issue] = field(default_factory=list)
    more: int = 0
    """Problems found beyond :data:`MAX_ISSUES`, counted but not kept."""

    def add(self, code: IssueCode, expression: str, diagnostics: str) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(Issue(code, expression, diagnostics))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.issues)

    @property
    def count(self) -> int:
        """Every problem found so far, kept or not."""
        return len(self.issues) + self.more

    def reported(self) -> list[Issue]:
        """The issues to report: the kept ones and, if some were left out, one summary."""
        return bounded(self.issues, self.more)


def bounded(issues: tuple[Issue, ...] | list[Issue], more: int = 0) -> list[Issue]:
    """At most :data:`MAX_ISSUES` issues, plus one that counts the ones left out."""
    if not more and len(issues) == MAX_ISSUES + 1 and issues[-1].code is IssueCode.TOO_COSTLY:
        return list(issues)  # bounded already
    kept = list(issues[:MAX_ISSUES])
    left_out = more + max(0, len(issues) - MAX_ISSUES)
    if left_out:
        kept.append(Issue(IssueCode.TOO_COSTLY, "Bundle",
                          f"{left_out} more problem(s) found and not listed (at most "
                          f"{MAX_ISSUES} are reported): fix the ones above and resend"))
    return kept


class InvalidMessageError(ValueError):
    """The message cannot be scored: carries every issue found and a metrics-safe reason."""

    def __init__(self, issues: list[Issue], reason: str = "invalid", message_id: str | None = None):
        self.issues = tuple(issues)
        self.reason = reason
        self.message_id = message_id
        super().__init__(f"{reason}: {len(issues)} issue(s)")


def operation_outcome(issues: tuple[Issue, ...] | list[Issue]) -> dict[str, Any]:
    """The OperationOutcome resource (plain dict): one issue per problem, at most
    :data:`MAX_ISSUES` and a summary (see :func:`bounded`)."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": i.severity,
                "code": str(i.code),
                "diagnostics": i.diagnostics,
                "expression": [i.expression],
            }
            for i in bounded(issues)
        ],
    }


def encode_outcome(issues: tuple[Issue, ...] | list[Issue]) -> bytes:
    return orjson.dumps(operation_outcome(issues))
