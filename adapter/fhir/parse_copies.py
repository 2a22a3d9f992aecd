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

from adapter.fhir import codes
from adapter.fhir.bundle_index import BundleIndex, Entry
from adapter.fhir.message import CopiedEntry
from adapter.fhir.problems import IssueCode, Problems
from adapter.fhir.reader import (
    FHIR_ID,
    STRING_RULE,
    JsonObject,
    as_list,
    get_concept,
    get_object,
    get_objects,
    is_fhir_string,
    is_uri,
)


def copy_id(res: JsonObject, path: str, out: JsonObject, problems: Problems) -> None:
    """``out["id"]`` = the resource's id when it has one; a problem when it is not a FHIR id."""
    rid = res.get("id")
    if rid is None:
        return
    if isinstance(rid, str) and FHIR_ID.fullmatch(rid):
        out["id"] = rid
    else:
        problems.add(IssueCode.VALUE, f"{path}.id",
                     "id must be a FHIR id (1 to 64 letters, digits, '-' or '.')")


def read_patient_reference(
    res: JsonObject, key: str, path: str, index: BundleIndex, problems: Problems
) -> tuple[JsonObject | None, Entry | None]:
    """``res[key]``: a Patient in the Bundle, or a literal ``Patient/id`` the receiver knows.

    Returns the Reference the output repeats (``reference`` only) and the Patient entry
    (``None`` for a literal reference outside the Bundle). See :func:`patient_target`.
    """
    holder = get_object(res, key, path, problems)
    if holder is None:
        return None, None
    ref = holder.get("reference")
    if not is_fhir_string(ref):
        problems.add(IssueCode.STRUCTURE, f"{path}.{key}",
                     f"{key} must be a Reference with a reference")
        return None, None
    entry = index.resolve(ref)
    if entry is None:
        if _is_relative_patient(ref):
            return {"reference": ref}, None
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
    res: JsonObject, key: str, path: str, index: BundleIndex, problems: Problems,
    subject: JsonObject | None, subject_target: str | None, what: str,
) -> JsonObject | None:
    """``res[key]`` must point at the study's patient: ``subject`` (the ImagingStudy's
    Reference, see :func:`read_patient_reference`) whose target is ``subject_target``.
    Returns the Reference to repeat; ``what`` names the element in the diagnostics."""
    holder = res.get(key)
    if (subject is not None and type(holder) is dict
            and holder.get("reference") == subject["reference"]):
        return subject  # the usual case: the very reference the study has, already checked
    ref, entry = read_patient_reference(res, key, path, index, problems)
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
    res, path = entry.resource, entry.path
    before = problems.count
    out: JsonObject = {"resourceType": "Patient"}
    copy_id(res, path, out, problems)
    identifiers: list[JsonObject] = []
    for i_path, ident in get_objects(res, "identifier", path, problems, required=False):
        kept: JsonObject = {}
        system, value = ident.get("system"), ident.get("value")
        if system is not None:
            if is_uri(system):
                kept["system"] = system
            else:
                problems.add(IssueCode.VALUE, f"{i_path}.system",
                             "system must be a uri (a string without whitespace)")
        if value is not None:
            if is_fhir_string(value):
                kept["value"] = value
            else:
                problems.add(IssueCode.VALUE, f"{i_path}.value",
                             f"value {STRING_RULE}")
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
    res, path = entry.resource, entry.path
    before = problems.count
    out: JsonObject = {"resourceType": "BodyStructure"}
    copy_id(res, path, out, problems)
    lesion_id = _tracking_id(res, path, problems)
    if lesion_id is not None:
        out["identifier"] = [{"system": codes.ID_LESION_TRACKING, "value": lesion_id}]
    location = get_concept(res, "location", path, problems, required=False)
    if location is not None:
        out["location"] = location
    patient = read_same_patient(res, "patient", path, index, problems, subject, subject_target,
                                "the BodyStructure's patient")
    if patient is not None:
        out["patient"] = patient
    if problems.count > before or lesion_id is None:
        return None, None
    return lesion_id, CopiedEntry(entry.full_url, out)


def _tracking_id(res: JsonObject, path: str, problems: Problems) -> str | None:
    for ident in as_list(res.get("identifier")):
        if isinstance(ident, dict) and ident.get("system") == codes.ID_LESION_TRACKING:
            value = ident.get("value")
            if is_fhir_string(value):
                return value
    problems.add(IssueCode.REQUIRED, f"{path}.identifier",
                 f"the lesion's BodyStructure needs an identifier with system "
                 f"{codes.ID_LESION_TRACKING} (lesion tracking id)")
    return None
