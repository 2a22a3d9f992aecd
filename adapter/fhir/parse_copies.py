"""Input entries the output repeats, rebuilt from what is validated here.

The response Bundle carries the Patient and the lesions' BodyStructures (and the
ImagingStudy, :mod:`adapter.fhir.parse_study`) so that it is self-contained. They are never
copied verbatim: an element the parser does not read could make the answer invalid FHIR.
Each copy holds only elements checked here, strictly, with a FHIRPath-named issue for each
problem.

Data minimisation: the Patient keeps its id and identifiers, what a receiver needs to match
the report to its patient; names, birth date, gender, addresses and contacts are dropped.
References keep their ``reference`` only (a ``display`` may hold the patient's name).
"""

from __future__ import annotations

from msgspec import UNSET, UnsetType

from adapter.fhir import codes, schema
from adapter.fhir.bundle_index import BundleIndex, Entry
from adapter.fhir.datatypes import JsonObject, concept_copy, text, uri
from adapter.fhir.message import CopiedEntry
from adapter.fhir.primitives import is_fhir_string
from adapter.fhir.problems import IssueCode, Problems
from adapter.fhir.schema import items


def copy_id(resource: schema.Resource, out: JsonObject) -> None:
    """``out["id"]`` = the resource's id (a FHIR id: the declaration checked it), if any."""
    if resource.id is not UNSET:
        out["id"] = resource.id


def read_patient_reference(
    holder: schema.Link | UnsetType, key: str, path: str, index: BundleIndex,
    problems: Problems,
) -> tuple[JsonObject | None, Entry | None]:
    """``holder`` (element ``key`` of the resource at ``path``): a Patient in the Bundle, or a
    literal ``Patient/id`` the receiver knows.

    Returns the Reference the output repeats (``reference`` only) and the Patient entry
    (``None`` for a literal reference outside the Bundle). See :func:`patient_target`.
    """
    if holder is UNSET:
        problems.add(IssueCode.REQUIRED, f"{path}.{key}", f"{key} is required")
        return None, None
    ref = holder.reference
    if not is_fhir_string(ref):
        problems.add(IssueCode.STRUCTURE, f"{path}.{key}",
                     f"{key} must be a Reference with a reference")
        return None, None
    entry = index.resolve(ref)
    if entry is None:
        if _is_relative_patient(ref) and not index.is_broken(ref):
            return {"reference": ref}, None
        if index.is_broken(ref):
            return None, None
        problems.add(IssueCode.NOT_FOUND, f"{path}.{key}.reference",
                     f"{key} does not resolve to an entry of the Bundle")
        return None, None
    if entry.resource_type != "Patient":
        problems.add(IssueCode.INVALID, f"{path}.{key}.reference",
                     f"{key} must reference a Patient")
        return None, None
    return {"reference": ref}, entry


def patient_target(reference: JsonObject, entry: Entry | None) -> str:
    """What a :func:`read_patient_reference` result points at: the entry's fullUrl, else
    the literal reference (two references to one patient have the same target)."""
    return entry.full_url if entry is not None else str(reference["reference"])


def read_same_patient(
    holder: schema.Link | UnsetType, key: str, path: str, index: BundleIndex,
    problems: Problems, subject: JsonObject | None, subject_target: str | None, what: str,
) -> JsonObject | None:
    """``holder`` must point at the study's patient: ``subject`` (the ImagingStudy's
    Reference, see :func:`read_patient_reference`) whose target is ``subject_target``.
    Returns the Reference to repeat; ``what`` names the element in the diagnostics."""
    if (subject is not None and holder is not UNSET
            and holder.reference == subject["reference"]):
        return subject  # the usual case: the very reference the study has, already checked
    ref, entry = read_patient_reference(holder, key, path, index, problems)
    if ref is not None and subject_target is not None and (
            patient_target(ref, entry) != subject_target):
        problems.add(IssueCode.INVALID, f"{path}.{key}",
                     f"{what} differs from the ImagingStudy's subject")
        return None
    return ref


def _is_relative_patient(ref: str) -> bool:
    parts = ref.split("/")
    return len(parts) == 2 and parts[0] == "Patient" and bool(parts[1])


def patient_copy(entry: Entry, problems: Problems) -> CopiedEntry | None:
    """The Patient as the output repeats it: id and identifiers (system and value) only."""
    res: schema.Patient = entry.resource
    before = problems.count
    out: JsonObject = {"resourceType": "Patient"}
    copy_id(res, out)
    identifiers: list[JsonObject] = []
    for i, ident in enumerate(items(res.identifier)):
        i_path = f"{entry.path}.identifier[{i}]"
        kept: JsonObject = {}
        system = uri(ident.system, f"{i_path}.system", "system", problems)
        if system is not None:
            kept["system"] = system
        value = text(ident.value, f"{i_path}.value", "value", problems, needed=False)
        if value is not None:
            kept["value"] = value
        # An identifier without a value cannot match anyone: not repeated.
        if "value" in kept:
            identifiers.append(kept)
    if identifiers:
        out["identifier"] = identifiers
    if problems.count > before:
        return None
    return CopiedEntry(entry.full_url, out)


def body_structure_copy(
    entry: Entry, subject: JsonObject | None, subject_target: str | None, index: BundleIndex,
    problems: Problems,
) -> tuple[str | None, CopiedEntry | None]:
    """A lesion's BodyStructure: its tracking id and the copy (id, tracking identifier,
    location, patient). ``subject``/``subject_target``: see :func:`read_same_patient`."""
    res: schema.BodyStructure = entry.resource
    path = entry.path
    before = problems.count
    out: JsonObject = {"resourceType": "BodyStructure"}
    copy_id(res, out)
    lesion_id = _tracking_id(res, path, problems)
    if lesion_id is not None:
        out["identifier"] = [{"system": codes.ID_LESION_TRACKING, "value": lesion_id}]
    location = concept_copy(res.location, f"{path}.location", "location", problems, needed=False)
    if location is not None:
        out["location"] = location
    patient = read_same_patient(res.patient, "patient", path, index, problems, subject,
                                subject_target, "the BodyStructure's patient")
    if patient is not None:
        out["patient"] = patient
    if problems.count > before or lesion_id is None:
        return None, None
    return lesion_id, CopiedEntry(entry.full_url, out)


def _tracking_id(res: schema.BodyStructure, path: str, problems: Problems) -> str | None:
    for ident in items(res.identifier):
        if ident.system == codes.ID_LESION_TRACKING and is_fhir_string(ident.value):
            return ident.value
    problems.add(IssueCode.REQUIRED, f"{path}.identifier",
                 f"the lesion's BodyStructure needs an identifier with system "
                 f"{codes.ID_LESION_TRACKING} (lesion tracking id)")
    return None
