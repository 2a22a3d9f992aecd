"""References no rule reads and the answer shows: who read the study, which order it answers.

``Observation.performer`` of the lesion findings (the interpreting physician) and ``basedOn``
of the ImagingStudy and the findings (the order, often only its accession number). Both are
optional; when given they are checked strictly and copied with ``reference``, ``type``,
``identifier`` and ``display`` only (see :class:`adapter.fhir.message.ReportInputs`).
"""

from __future__ import annotations

from collections.abc import Collection

from msgspec import UNSET, UnsetType

from adapter.fhir import schema
from adapter.fhir.bundle_index import BundleIndex
from adapter.fhir.datatypes import JsonObject, identifier_copy, text
from adapter.fhir.primitives import is_fhir_string, is_uri
from adapter.fhir.problems import IssueCode, Problems

INTERPRETER_TYPES = frozenset({"Practitioner", "PractitionerRole"})
ORDER_TYPES = frozenset({"ServiceRequest"})


def read_references(
    refs: list[schema.Reference] | UnsetType, key: str, path: str, index: BundleIndex,
    problems: Problems, allowed: Collection[str],
) -> list[JsonObject]:
    """The copies of the References ``refs`` (element ``key``; absent: none). A Reference needs
    a ``reference``, an ``identifier`` or a ``display``; a type it names (its ``type``, the
    ``Type/id`` of its reference, the entry it resolves to) must be one of ``allowed``."""
    if refs is UNSET:
        return []
    out: list[JsonObject] = []
    for i, ref in enumerate(refs):
        copy = _reference_copy(ref, f"{path}.{key}[{i}]", index, problems, allowed)
        if copy is not None:
            out.append(copy)
    return out


def _reference_copy(
    ref: schema.Reference, path: str, index: BundleIndex, problems: Problems,
    allowed: Collection[str],
) -> JsonObject | None:
    before = problems.count
    names = " or ".join(sorted(allowed))
    out: JsonObject = {}
    types: set[str] = set()
    target = ref.reference
    if target is not UNSET:
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
    if ref.type is not UNSET:
        if is_uri(ref.type):
            out["type"] = ref.type
            types.add(ref.type.rsplit("/", 1)[-1])
        else:
            problems.add(IssueCode.VALUE, f"{path}.type", "type must be a resource type (a uri)")
    if ref.identifier is not UNSET:
        copy = identifier_copy(ref.identifier, f"{path}.identifier", problems)
        if copy is not None:
            out["identifier"] = copy
    display = text(ref.display, f"{path}.display", "display", problems, needed=False)
    if display is not None:
        out["display"] = display
    if not types <= set(allowed):
        problems.add(IssueCode.INVALID, path, f"this reference must point at a {names}")
    if problems.count == before and not out:
        problems.add(IssueCode.REQUIRED, path,
                     "a Reference needs a reference, an identifier or a display")
    return out if problems.count == before else None
