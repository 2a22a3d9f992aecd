"""The ImagingStudy (acquisition data), reference-region SUVs and clinical context."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from adapter.domain import Grade, ReferenceUptake, Therapy
from adapter.fhir import codes
from adapter.fhir.bundle_index import BundleIndex, Entry
from adapter.fhir.parse_copies import copy_id, read_patient_reference
from adapter.fhir.problems import IssueCode, Problems
from adapter.fhir.r4 import VALUE_X, check_element, check_one_value
from adapter.fhir.reader import (
    JsonObject,
    coding_code,
    concept_label,
    date_of,
    get_code,
    get_coded,
    get_concept,
    get_date_time,
    get_objects,
    get_pattern,
    get_quantity,
    get_str,
    is_uri,
    read_coding,
)
from adapter.fhir.report_inputs import ORDER_TYPES, read_references

DICOM_UID = re.compile(r"urn:oid:[0-2](\.(0|[1-9][0-9]*))+")
IMAGING_STATUSES = frozenset({"registered", "available"})
TRACERS = frozenset(codes.TRACER_SYSTEMS.items())
"""(code, system) of every radiopharmaceutical of ValueSet sstr-radiopharmaceutical."""
RETIRED_TRACERS = {"ga68-dotatoc": f"{codes.UMLS}#{codes.UMLS_GA68_DOTATOC}",
                   "ga68-dotatate": f"{codes.SNOMED}#{codes.SNOMED_GA68_DOTATATE}"}
"""Former project codes that duplicated a DICOM CID 4021 code, with the code to send."""


@dataclass(slots=True)
class StudyFacts:
    """What the ImagingStudy gives: identity, timing and the acquisition items of Suppl. Table 1."""

    uid: str | None = None
    subject: JsonObject | None = None
    """The Reference to the patient (``reference`` only)."""
    patient: Entry | None = None
    started: str | None = None
    injected_activity_mbq: float | None = None
    uptake_time_min: float | None = None
    field_of_view: str | None = None
    based_on: list[JsonObject] = field(default_factory=list)
    """The ImagingStudy's ``basedOn`` References (the order), checked."""
    radiopharmaceutical: JsonObject | None = None
    """The radiopharmaceutical Coding that matched the value set (None for one outside it)."""
    radiopharmaceutical_label: str | None = None
    """How the report names the radiopharmaceutical: the value set's label, else the
    sender's text or display as given (extensible binding)."""
    paths: dict[str, str] = field(default_factory=dict)
    copy: JsonObject = field(default_factory=dict)
    """The ImagingStudy as the output repeats it: only what is validated here."""


def read_imaging_study(entry: Entry, index: BundleIndex, problems: Problems) -> StudyFacts:
    res, path = entry.resource, entry.path
    facts = StudyFacts()
    facts.uid = _study_uid(res, path, problems)
    status = get_code(res, "status", path, problems, IMAGING_STATUSES)
    facts.subject, facts.patient = read_patient_reference(res, "subject", path, index, problems)
    facts.started = get_date_time(res, "started", path, problems)
    facts.based_on = read_references(res, "basedOn", path, index, problems, ORDER_TYPES)
    modalities = _modalities(res, path, problems)
    seen: set[str] = set()
    extensions = [_read_extension(ext, ext_path, facts, seen, problems)
                  for ext_path, ext in get_objects(res, "extension", path, problems,
                                                   required=False)]
    # The copy, in FHIR's element order. It is only used when no problem was found, so
    # every value below is then a validated one.
    out = facts.copy
    out["resourceType"] = "ImagingStudy"
    copy_id(res, path, out, problems)
    kept = [e for e in extensions if e is not None]
    if kept:
        out["extension"] = kept
    out["identifier"] = [{"system": codes.DICOM_UID, "value": f"urn:oid:{facts.uid}"}]
    out["status"] = status
    out["modality"] = modalities
    out["subject"] = facts.subject
    out["started"] = facts.started
    return facts


def _study_uid(res: JsonObject, path: str, problems: Problems) -> str | None:
    for id_path, ident in get_objects(res, "identifier", path, problems):
        if ident.get("system") == codes.DICOM_UID:
            value = get_pattern(ident, "value", id_path, problems, DICOM_UID,
                                "urn:oid: followed by a DICOM Study Instance UID")
            return value.removeprefix("urn:oid:") if value else None
    problems.add(IssueCode.REQUIRED, f"{path}.identifier",
                 f"an identifier with system {codes.DICOM_UID} (Study Instance UID) is required")
    return None


def _modalities(res: JsonObject, path: str, problems: Problems) -> list[JsonObject]:
    """Every modality Coding (checked, copied); DCM PT and CT must be among them."""
    found: set[str] = set()
    out: list[JsonObject] = []
    for m_path, modality in get_objects(res, "modality", path, problems):
        if "coding" in modality:
            problems.add(IssueCode.NOT_SUPPORTED, m_path,
                         "modality is a Coding in FHIR R4 (a CodeableConcept only in R5)")
            continue
        coding = read_coding(modality, m_path, problems)
        if coding is not None:
            out.append(coding)
            if coding["system"] == codes.DCM:
                found.add(coding["code"])
    if res.get("modality") and not {codes.DICOM_MODALITY_PT, codes.DICOM_MODALITY_CT} <= found:
        problems.add(IssueCode.VALUE, f"{path}.modality",
                     "modality must include DCM#PT and DCM#CT (an SSTR-PET/CT study)")
    return out


_EXTENSIONS = frozenset({codes.EXT_RADIOPHARMACEUTICAL, codes.EXT_INJECTED_ACTIVITY,
                         codes.EXT_UPTAKE_TIME, codes.EXT_FIELD_OF_VIEW})


def _read_extension(
    ext: JsonObject, path: str, facts: StudyFacts, seen: set[str], problems: Problems
) -> JsonObject | None:
    """One extension: the project's are read and copied, any other is only checked for a url."""
    check_one_value(ext, path, problems)
    url = ext.get("url")
    if not is_uri(url):
        problems.add(IssueCode.REQUIRED, f"{path}.url",
                     "an extension needs a url (a uri without whitespace)")
        return None
    if url not in _EXTENSIONS:
        return None  # not read, so not repeated in the output
    if url in seen:
        problems.add(IssueCode.INVALID, path, "this extension may appear only once")
        return None
    seen.add(url)
    if url == codes.EXT_RADIOPHARMACEUTICAL:
        concept = get_concept(ext, "valueCodeableConcept", path, problems)
        tracer = (_tracer(concept, f"{path}.valueCodeableConcept", problems)
                  if concept is not None else None)
        if concept is None or tracer is None:
            return None
        facts.radiopharmaceutical, facts.radiopharmaceutical_label = tracer
        return {"url": url, "valueCodeableConcept": concept}
    if url == codes.EXT_FIELD_OF_VIEW:
        facts.field_of_view = get_str(ext, "valueString", path, problems)
        return {"url": url, "valueString": facts.field_of_view} if facts.field_of_view else None
    unit = codes.UCUM_MBQ if url == codes.EXT_INJECTED_ACTIVITY else codes.UCUM_MIN
    value = get_quantity(ext, "valueQuantity", path, problems, unit)
    if url == codes.EXT_INJECTED_ACTIVITY:
        facts.injected_activity_mbq = value
        facts.paths["context.injected_activity_mbq"] = f"{path}.valueQuantity.value"
    else:
        facts.uptake_time_min = value
        facts.paths["context.uptake_time_min"] = f"{path}.valueQuantity.value"
    if value is None:
        return None
    return {"url": url, "valueQuantity": _quantity_copy(ext["valueQuantity"], unit)}


def _quantity_copy(quantity: JsonObject, unit: str) -> JsonObject:
    """A Quantity :func:`get_quantity` accepted: value, unit (if given), UCUM system and code."""
    out: JsonObject = {"value": quantity["value"]}
    if quantity.get("unit") is not None:
        out["unit"] = quantity["unit"]
    out["system"] = codes.UCUM
    out["code"] = unit
    return out


def _tracer(
    concept: JsonObject, path: str, problems: Problems
) -> tuple[JsonObject | None, str] | None:
    """The radiopharmaceutical of a validated CodeableConcept: the Coding of the value set
    (copied) and its label; for a concept outside the value set (the binding is extensible)
    no Coding and the sender's text or display. None after a problem.

    The tracer is no rule input (the report only names it), so a code outside the value set
    is accepted when the concept names it; a code of the project's own CodeSystem must be one
    it defines (the CodeSystem is complete)."""
    codings: list[JsonObject] = concept.get("coding", [])
    for coding in codings:
        if (coding["code"], coding["system"]) in TRACERS:
            return dict(coding), codes.TRACER_LABELS[coding["code"]]
    for i, coding in enumerate(codings):
        if coding["system"] == codes.CS_TRACER:
            retired = RETIRED_TRACERS.get(coding["code"])
            hint = f"; send {retired} instead" if retired else ""
            problems.add(IssueCode.CODE_INVALID, f"{path}.coding[{i}].code",
                         "not a code of CodeSystem sstr-radiopharmaceutical (ga68-dotanoc, "
                         f"ga68-nodaga-jr11){hint}")
            return None
    label = _stated_name(concept)
    if label is None:
        problems.add(IssueCode.REQUIRED, path,
                     "a radiopharmaceutical outside ValueSet sstr-radiopharmaceutical (DICOM CID "
                     "4021: SNOMED CT 724025002 68Ga-DOTATATE, UMLS C2713594 68Ga-DOTATOC; "
                     "project codes for DOTANOC, NODAGA-JR11) needs a text or display naming it")
        return None
    return None, label


def _stated_name(concept: JsonObject) -> str | None:
    """The concept's text, else its first display, when not blank (a bare code names nothing)."""
    names = [concept.get("text"), *(c.get("display") for c in concept.get("coding", []))]
    return next((n for n in names if isinstance(n, str) and n.strip()), None)


def read_reference_uptake(
    entry: Entry, problems: Problems
) -> tuple[ReferenceUptake | None, dict[str, str]]:
    """Table 2 reference regions: SUVmean of liver and blood pool (components)."""
    values: dict[str, float | None] = {}
    paths: dict[str, str] = {"reference": entry.path}
    wanted = {codes.OBS_REFERENCE_LIVER: "reference.liver_suv_mean",
              codes.OBS_REFERENCE_BLOOD_POOL: "reference.blood_pool_suv_mean"}
    check_one_value(entry.resource, entry.path, problems)
    for c_path, comp in get_objects(entry.resource, "component", entry.path, problems):
        if "modifierExtension" in comp or (len(comp) > 1
                                            and len(VALUE_X.intersection(comp)) > 1):
            check_element(comp, c_path, problems)  # inline test: this runs per component
        code = component_code(comp, codes.CS_OBSERVATION)
        if code not in wanted:
            problems.add(IssueCode.CODE_INVALID, f"{c_path}.code",
                         "reference-uptake components are reference-liver-suvmean and "
                         "reference-blood-pool-suvmean")
            continue
        values[code] = get_quantity(comp, "valueQuantity", c_path, problems, codes.UCUM_SUVBW)
        paths[wanted[code]] = f"{c_path}.valueQuantity.value"
    liver = values.get(codes.OBS_REFERENCE_LIVER)
    blood = values.get(codes.OBS_REFERENCE_BLOOD_POOL)
    for code in wanted:
        if code not in values:
            problems.add(IssueCode.REQUIRED, f"{entry.path}.component",
                         f"the reference-uptake Observation needs a {code} component")
    if liver is None or blood is None:
        return None, paths
    return ReferenceUptake(blood_pool_suv_mean=blood, liver_suv_mean=liver), paths


def component_code(comp: JsonObject, system: str) -> str | None:
    """The code (from ``system``) of a component, or of any element with a ``code`` concept."""
    concept = comp.get("code")
    if not isinstance(concept, dict):
        return None
    return coding_code(concept, system)


_STRING_ITEMS = {"symptoms": "symptoms_reported", "previous-imaging": "previous_imaging_reported",
                 "other-malignancies": "other_malignancies_reported",
                 "laboratory": "laboratory_reported"}
_DATE_ITEMS = {"biopsy-date": "biopsy_date", "primary-diagnosis-date": "primary_diagnosis_date"}
CONTEXT_CODES = frozenset(
    {"primary-tumour", codes.CONTEXT_GRADE, codes.CONTEXT_KI67, "previous-therapies",
     *_STRING_ITEMS, *_DATE_ITEMS}
)
THERAPIES = frozenset({*(t.value for t in Therapy), codes.THERAPY_NONE})
# Members by code: a dict lookup instead of calling the enum (several times slower).
_GRADES: dict[str, Grade] = {g.value: g for g in Grade}
_THERAPIES: dict[str, Therapy] = {t.value: t for t in Therapy}


def read_context(
    entry: Entry, problems: Problems
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Supplementary Table 1 history items as keyword arguments of ``StudyContext``, their
    FHIRPaths, and the history texts as given (symptoms, previous imaging, ...) by item code."""
    out: dict[str, Any] = {}
    paths: dict[str, str] = {}
    history: dict[str, str] = {}
    therapies: set[Therapy] = set()
    therapies_given = False
    check_one_value(entry.resource, entry.path, problems)
    for c_path, comp in get_objects(entry.resource, "component", entry.path, problems):
        if "modifierExtension" in comp or (len(comp) > 1
                                            and len(VALUE_X.intersection(comp)) > 1):
            check_element(comp, c_path, problems)  # inline test: this runs per component
        code = component_code(comp, codes.CS_CONTEXT)
        if code not in CONTEXT_CODES:
            problems.add(IssueCode.CODE_INVALID, f"{c_path}.code",
                         "component code must come from CodeSystem sstr-context-item")
            continue
        if code == "primary-tumour":
            # Checked strictly (codings, text): the report repeats its label.
            concept = get_concept(comp, "valueCodeableConcept", c_path, problems)
            out["primary_tumour"] = (concept_label(concept) or None) if concept else None
        elif code == codes.CONTEXT_GRADE:
            grade = get_coded(comp, "valueCodeableConcept", c_path, problems, codes.CS_GRADE,
                              _GRADES)
            out["grade"] = _GRADES[grade] if grade else None
        elif code == codes.CONTEXT_KI67:
            out["ki67_percent"] = get_quantity(comp, "valueQuantity", c_path, problems,
                                               codes.UCUM_PERCENT)
            paths["context.ki67_percent"] = f"{c_path}.valueQuantity.value"
        elif code in _DATE_ITEMS:
            value = get_date_time(comp, "valueDateTime", c_path, problems)
            out[_DATE_ITEMS[code]] = date_of(value) if value else None
        elif code in _STRING_ITEMS:
            text = get_str(comp, "valueString", c_path, problems)
            out[_STRING_ITEMS[code]] = text is not None
            if text is not None:
                history[code] = text
        else:
            therapies_given = True
            therapy = get_coded(comp, "valueCodeableConcept", c_path, problems, codes.CS_THERAPY,
                                THERAPIES)
            if therapy and therapy != codes.THERAPY_NONE:
                therapies.add(_THERAPIES[therapy])
    if therapies_given:
        out["prior_therapies"] = frozenset(therapies)
    return out, paths, history
