"""The ImagingStudy (acquisition data), reference-region SUVs and clinical context."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from msgspec import UNSET

from adapter.domain import Grade, ReferenceUptake, Therapy
from adapter.fhir import codes, schema
from adapter.fhir.bundle_index import BundleIndex, Entry
from adapter.fhir.datatypes import (
    JsonObject,
    check_one_value,
    code_in,
    coded,
    coding_code,
    components,
    concept_copy,
    concept_label,
    quantity_copy,
    quantity_value,
    read_coding,
    required,
    text,
)
from adapter.fhir.parse_copies import copy_id, read_patient_reference
from adapter.fhir.primitives import date_of, is_uri
from adapter.fhir.problems import IssueCode, Problems
from adapter.fhir.report_inputs import ORDER_TYPES, read_references
from adapter.fhir.schema import items

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
    res: schema.ImagingStudy = entry.resource
    path = entry.path
    facts = StudyFacts()
    facts.uid = _study_uid(res, path, problems)
    status = code_in(res.status, f"{path}.status", "status", problems, IMAGING_STATUSES)
    facts.subject, facts.patient = read_patient_reference(res.subject, "subject", path, index,
                                                          problems)
    facts.started = res.started  # a dateTime that exists in the calendar: the declaration's
    facts.based_on = read_references(res.basedOn, "basedOn", path, index, problems, ORDER_TYPES)
    modalities = _modalities(res, path, problems)
    seen: set[str] = set()
    extensions = [_read_extension(ext, f"{path}.extension[{i}]", facts, seen, problems)
                  for i, ext in enumerate(items(res.extension))]
    # The copy, in FHIR's element order. It is only used when no problem was found, so
    # every value below is then a validated one.
    out = facts.copy
    out["resourceType"] = "ImagingStudy"
    copy_id(res, out)
    kept = [e for e in extensions if e is not None]
    if kept:
        out["extension"] = kept
    out["identifier"] = [{"system": codes.DICOM_UID, "value": f"urn:oid:{facts.uid}"}]
    out["status"] = status
    out["modality"] = modalities
    out["subject"] = facts.subject
    out["started"] = facts.started
    return facts


def _study_uid(res: schema.ImagingStudy, path: str, problems: Problems) -> str | None:
    for i, ident in enumerate(res.identifier):
        if ident.system == codes.DICOM_UID:
            here = f"{path}.identifier[{i}].value"
            if not required(ident.value, here, "value", problems):
                return None
            if type(ident.value) is not str or DICOM_UID.fullmatch(ident.value) is None:
                problems.add(IssueCode.VALUE, here,
                             "value must be urn:oid: followed by a DICOM Study Instance UID")
                return None
            return ident.value.removeprefix("urn:oid:")
    problems.add(IssueCode.REQUIRED, f"{path}.identifier",
                 f"an identifier with system {codes.DICOM_UID} (Study Instance UID) is required")
    return None


def _modalities(res: schema.ImagingStudy, path: str, problems: Problems) -> list[JsonObject]:
    """Every modality Coding (checked, copied); DCM PT and CT must be among them."""
    found: set[str] = set()
    out: list[JsonObject] = []
    for i, modality in enumerate(res.modality):
        coding = read_coding(modality, f"{path}.modality[{i}]", problems)
        if coding is not None:
            out.append(coding)
            if coding["system"] == codes.DCM:
                found.add(coding["code"])
    if not {codes.DICOM_MODALITY_PT, codes.DICOM_MODALITY_CT} <= found:
        problems.add(IssueCode.VALUE, f"{path}.modality",
                     "modality must include DCM#PT and DCM#CT (an SSTR-PET/CT study)")
    return out


_EXTENSIONS = frozenset({codes.EXT_RADIOPHARMACEUTICAL, codes.EXT_INJECTED_ACTIVITY,
                         codes.EXT_UPTAKE_TIME, codes.EXT_FIELD_OF_VIEW})


def _read_extension(
    ext: schema.Extension, path: str, facts: StudyFacts, seen: set[str], problems: Problems
) -> JsonObject | None:
    """One extension: the project's are read and copied, any other is only checked for a url."""
    check_one_value(ext, path, problems)
    url = ext.url
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
        concept = concept_copy(ext.valueCodeableConcept, f"{path}.valueCodeableConcept",
                               "valueCodeableConcept", problems)
        tracer = (_tracer(concept, f"{path}.valueCodeableConcept", problems)
                  if concept is not None else None)
        if concept is None or tracer is None:
            return None
        facts.radiopharmaceutical, facts.radiopharmaceutical_label = tracer
        return {"url": url, "valueCodeableConcept": concept}
    if url == codes.EXT_FIELD_OF_VIEW:
        facts.field_of_view = text(ext.valueString, f"{path}.valueString", "valueString",
                                   problems)
        return {"url": url, "valueString": facts.field_of_view} if facts.field_of_view else None
    unit = codes.UCUM_MBQ if url == codes.EXT_INJECTED_ACTIVITY else codes.UCUM_MIN
    value = quantity_value(ext.valueQuantity, f"{path}.valueQuantity", "valueQuantity",
                           problems, unit)
    if url == codes.EXT_INJECTED_ACTIVITY:
        facts.injected_activity_mbq = value
        facts.paths["context.injected_activity_mbq"] = f"{path}.valueQuantity.value"
    else:
        facts.uptake_time_min = value
        facts.paths["context.uptake_time_min"] = f"{path}.valueQuantity.value"
    if value is None or ext.valueQuantity is UNSET:
        return None
    return {"url": url, "valueQuantity": quantity_copy(ext.valueQuantity, unit)}


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
    res: schema.Observation = entry.resource
    values: dict[str, float | None] = {}
    paths: dict[str, str] = {"reference": entry.path}
    wanted = {codes.OBS_REFERENCE_LIVER: "reference.liver_suv_mean",
              codes.OBS_REFERENCE_BLOOD_POOL: "reference.blood_pool_suv_mean"}
    for c_path, comp in components(res, entry.path, problems):
        code = coding_code(comp.code, codes.CS_OBSERVATION)
        if code not in wanted:
            problems.add(IssueCode.CODE_INVALID, f"{c_path}.code",
                         "reference-uptake components are reference-liver-suvmean and "
                         "reference-blood-pool-suvmean")
            continue
        values[code] = quantity_value(comp.valueQuantity, f"{c_path}.valueQuantity",
                                      "valueQuantity", problems, codes.UCUM_SUVBW)
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
    res: schema.Observation = entry.resource
    out: dict[str, Any] = {}
    paths: dict[str, str] = {}
    history: dict[str, str] = {}
    therapies: set[Therapy] = set()
    therapies_given = False
    for c_path, comp in components(res, entry.path, problems):
        code = coding_code(comp.code, codes.CS_CONTEXT)
        if code not in CONTEXT_CODES:
            problems.add(IssueCode.CODE_INVALID, f"{c_path}.code",
                         "component code must come from CodeSystem sstr-context-item")
            continue
        value_path = f"{c_path}.valueCodeableConcept"
        if code == "primary-tumour":
            # Checked strictly (codings, text): the report repeats its label.
            concept = concept_copy(comp.valueCodeableConcept, value_path,
                                   "valueCodeableConcept", problems)
            out["primary_tumour"] = (
                (concept_label(comp.valueCodeableConcept) or None)
                if concept is not None and comp.valueCodeableConcept is not UNSET else None)
        elif code == codes.CONTEXT_GRADE:
            grade = coded(comp.valueCodeableConcept, value_path, "valueCodeableConcept",
                          problems, codes.CS_GRADE, _GRADES)
            out["grade"] = _GRADES[grade] if grade else None
        elif code == codes.CONTEXT_KI67:
            out["ki67_percent"] = quantity_value(comp.valueQuantity, f"{c_path}.valueQuantity",
                                                 "valueQuantity", problems, codes.UCUM_PERCENT)
            paths["context.ki67_percent"] = f"{c_path}.valueQuantity.value"
        elif code in _DATE_ITEMS:
            value = comp.valueDateTime  # a dateTime in the calendar: the declaration's
            if required(value, f"{c_path}.valueDateTime", "valueDateTime", problems):
                out[_DATE_ITEMS[code]] = date_of(value)
            else:
                out[_DATE_ITEMS[code]] = None
        elif code in _STRING_ITEMS:
            given = text(comp.valueString, f"{c_path}.valueString", "valueString", problems)
            out[_STRING_ITEMS[code]] = given is not None
            if given is not None:
                history[code] = given
        else:
            therapies_given = True
            therapy = coded(comp.valueCodeableConcept, value_path, "valueCodeableConcept",
                            problems, codes.CS_THERAPY, THERAPIES)
            if therapy and therapy != codes.THERAPY_NONE:
                therapies.add(_THERAPIES[therapy])
    if therapies_given:
        out["prior_therapies"] = frozenset(therapies)
    return out, paths, history
