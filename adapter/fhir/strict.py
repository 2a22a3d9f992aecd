"""Strict mode: full structural validation with the ``fhir.resources`` R4B models.

``fhir.resources`` 8.x has no R4 package; for the resources of this contract R4B has R4's
elements, cardinalities and types (only some reference targets and the R4B-only resource
types are wider), so this checks R4 structure bar those additions
(fhir_profiles/README.md, "FHIR version"). CI checks R4 exactly with the R4 JSON schema.

Costs milliseconds per message (fhir-notes.md), so it runs only when
``Settings.strict_validation`` is on, and in tests. It catches what the hand parser
does not read: unknown elements, wrong types anywhere, missing required elements.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from adapter.fhir.problems import Issue, IssueCode


def structure_issues(doc: Any) -> list[Issue]:
    """One issue per structural error of ``doc`` as an R4 Bundle; [] when it is valid."""
    try:
        Bundle.model_validate(doc)
    except ValidationError as exc:
        return [Issue(IssueCode.STRUCTURE, fhirpath(err["loc"]), _text(err))
                for err in exc.errors(include_input=False, include_url=False)]
    return []


def fhirpath(loc: tuple[int | str, ...]) -> str:
    """pydantic's error location -> a FHIRPath (``('entry', 3, 'resource')`` -> ``entry[3]``)."""
    path = "Bundle"
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not part.startswith(("function-", "__")):
            path += f".{part}"
    return path


def _text(err: Any) -> str:
    # pydantic's message names the expected type or the rule, never the input value
    # (include_input=False): safe for logs.
    return f"structure (FHIR R4): {err['msg']}"
