"""References no rule reads and the answer shows: who read the study, which order it answers.

``Observation.performer`` of the lesion findings (the interpreting physician) and ``basedOn``
of the ImagingStudy and the findings (the order, often only its accession number). Both are
optional; when given they are checked strictly and copied with ``reference``, ``type``,
``identifier`` and ``display`` only (see :class:`adapter.fhir.message.ReportInputs`).
"""

from __future__ import annotations

from collections.abc import Collection

from adapter.fhir.bundle_index import BundleIndex
from adapter.fhir.problems import IssueCode, Problems
from adapter.fhir.reader import (
    STRING_RULE,
    JsonObject,
    get_concept,
    get_objects,
    is_fhir_string,
    is_uri,
)

INTERPRETER_TYPES = frozenset({"Practitioner", "PractitionerRole"})
ORDER_TYPES = frozenset({"ServiceRequest"})


def read_references(
    res: JsonObject, key: str, path: str, index: BundleIndex, problems: Problems,
    allowed: Collection[str],
) -> list[JsonObject]:
    """The copies of the References in ``res[key]`` (absent: none). A Reference needs a
    ``reference``, an ``identifier`` or a ``display``; a type it names (its ``type``, the
    ``Type/id`` of its reference, the entry it resolves to) must be one of ``allowed``."""
    if key not in res:
        return []
    out: list[JsonObject] = []
    for r_path, ref in get_objects(res, key, path, problems):
        copy = _reference_copy(ref, r_path, index, problems, allowed)
        if copy is not None:
            out.append(copy)
    return out


def _reference_copy(
    ref: JsonObject, path: str, index: BundleIndex, problems: Problems, allowed: Collection[str],
) -> JsonObject | None:
    before = problems.count
    names = " or ".join(sorted(allowed))
    out: JsonObject = {}
    types: set[str] = set()
    target = ref.get("reference")
    if target is not None:
        if not is_fhir_string(target) or any(c.isspace() for c in target):
            problems.add(IssueCode.VALUE, f"{path}.reference",
                         "reference must be a literal reference (Type/id or a URL)")
        else:
            out["reference"] = target
            entry = index.resolve(target)
            if entry is not None:
                types.add(entry.resource_type)
            else:
                parts = target.rsplit("/", 2)
                if len(parts) >= 2 and parts[-2][:1].isupper():
                    types.add(parts[-2])
    rtype = ref.get("type")
    if rtype is not None:
        if is_uri(rtype):
            out["type"] = rtype
            types.add(rtype.rsplit("/", 1)[-1])
        else:
            problems.add(IssueCode.VALUE, f"{path}.type", "type must be a resource type (a uri)")
    identifier = ref.get("identifier")
    if identifier is not None:
        copy = _identifier_copy(ref, path, problems)
        if copy is not None:
            out["identifier"] = copy
    display = ref.get("display")
    if display is not None:
        if is_fhir_string(display):
            out["display"] = display
        else:
            problems.add(IssueCode.VALUE, f"{path}.display", f"display {STRING_RULE}")
    if not types <= set(allowed):
        problems.add(IssueCode.INVALID, path, f"this reference must point at a {names}")
    if problems.count == before and not out:
        problems.add(IssueCode.REQUIRED, path,
                     "a Reference needs a reference, an identifier or a display")
    return out if problems.count == before else None


def _identifier_copy(ref: JsonObject, path: str, problems: Problems) -> JsonObject | None:
    before = problems.count
    identifier = ref["identifier"]
    here = f"{path}.identifier"
    if not isinstance(identifier, dict):
        problems.add(IssueCode.STRUCTURE, here, "identifier must be a JSON object")
        return None
    out: JsonObject = {}
    if "type" in identifier:
        concept = get_concept(identifier, "type", here, problems)
        if concept is not None:
            out["type"] = concept
    system = identifier.get("system")
    if system is not None:
        if is_uri(system):
            out["system"] = system
        else:
            problems.add(IssueCode.VALUE, f"{here}.system",
                         "system must be a uri (a string without whitespace)")
    value = identifier.get("value")
    if is_fhir_string(value):
        out["value"] = value
    else:
        problems.add(IssueCode.VALUE, f"{here}.value", f"an identifier's value {STRING_RULE}")
    return out if problems.count == before else None
