"""Strict mode: full structural validation with the ``fhir.resources`` R4B models.

Costs milliseconds per message (fhir-notes.md), so it runs only when
``Settings.strict_validation`` is on, and in tests. It catches what the hand parser
does not read: unknown elements, wrong types anywhere, missing required elements.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from adapter.fhir.problems import Issue, IssueCode, Problems, element_name
from adapter.fhir.r4 import R4_RESOURCE_TYPES

MAX_DEPTH = 64
"""Nesting depth (objects and arrays) beyond which strict mode refuses to run the recursive
model validator (which would otherwise exhaust the stack). FHIR resources nest far less."""


def structure_issues(doc: Any) -> list[Issue]:
    """Structural errors of ``doc`` as an R4 Bundle (at most MAX_ISSUES and a summary);
    [] when it is valid. Never raises: any input gives issues or none."""
    problems = Problems()
    _precheck(doc, problems)
    if problems:
        return problems.reported()
    try:
        Bundle.model_validate(doc)
    except ValidationError as exc:
        for err in exc.errors(include_input=False, include_url=False):
            problems.add(IssueCode.STRUCTURE, fhirpath(err["loc"]), _text(err))
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        # The models raise these on shapes the pre-check does not foresee; never a 500.
        problems.add(IssueCode.STRUCTURE, "Bundle",
                     "structure (FHIR R4): the message could not be checked "
                     f"({type(exc).__name__})")
    return problems.reported()


def _precheck(doc: Any, problems: Problems) -> None:
    """What would make the models raise instead of report: nesting beyond MAX_DEPTH, and a
    ``resourceType`` (of an entry, a contained or any nested resource) that is not a string
    naming a known resource type. Iterative: no recursion, whatever the depth."""
    if not isinstance(doc, dict):
        problems.add(IssueCode.STRUCTURE, "Bundle",
                     "structure (FHIR R4): a Bundle is a JSON object")
        return
    stack: list[tuple[Any, str, int]] = [(doc, "Bundle", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.add(IssueCode.STRUCTURE, path,
                         f"structure (FHIR R4): nested deeper than {MAX_DEPTH} levels")
            return
        if isinstance(value, dict):
            if path.endswith((".resource", "]")) and _holds_resources(path) and (
                    "resourceType" not in value):
                problems.add(IssueCode.STRUCTURE, path,
                             "structure (FHIR R4): a resource needs a resourceType")
            if "resourceType" in value:
                rtype = value["resourceType"]
                if not isinstance(rtype, str) or rtype not in R4_RESOURCE_TYPES:
                    problems.add(IssueCode.STRUCTURE, f"{path}.resourceType",
                                 "structure (FHIR R4): resourceType must name a FHIR R4 "
                                 "resource type")
                elif not _known_model(rtype):
                    problems.add(IssueCode.NOT_SUPPORTED, f"{path}.resourceType",
                                 "structure (FHIR R4): strict validation has no model for "
                                 "this resource type")
            stack.extend((v, f"{path}.{element_name(k)}", depth + 1) for k, v in value.items()
                         if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)
                         if isinstance(v, dict | list))


def _holds_resources(path: str) -> bool:
    """``path`` is a place where FHIR puts a whole resource (an entry's, a contained one)."""
    return path.endswith(".resource") or path.rsplit(".", 1)[-1].startswith("contained[")


def _known_model(rtype: str) -> bool:
    try:
        get_fhir_model_class(rtype)
    except (KeyError, ValueError, ImportError, AttributeError):
        return False
    return True


def fhirpath(loc: tuple[int | str, ...]) -> str:
    """pydantic's error location -> a FHIRPath (``('entry', 3, 'resource')`` -> ``entry[3]``)."""
    path = "Bundle"
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not part.startswith(("function-", "__")):
            path += f".{element_name(part)}"
    return path


def _text(err: Any) -> str:
    # pydantic's message names the expected type or the rule, never the input value
    # (include_input=False): safe for logs.
    return f"structure (FHIR R4): {err['msg']}"
