"""Building valid input messages from a compact description (examples, tests, benchmarks).

:func:`build_bundle` turns a :class:`MessageSpec` into the FHIR R4 message Bundle a
sender would post (profile SstrFindingsMessage); :func:`synthetic_message` makes one with
``n`` plausible lesions and :func:`build_message` its bytes. Patients are fictional.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson

from adapter.domain import AnatomicCorrelate, BenignEvidence, Grade, Progression, SiteClass
from adapter.fhir import codes

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{codes.CANONICAL_BASE}/synthetic")
TRACER_LABELS = codes.TRACER_LABELS


@dataclass(frozen=True, slots=True)
class LesionSpec:
    """One finding as a reader would report it."""

    tracking_id: str
    site: str
    snomed: str
    site_class: SiteClass
    correlate: AnatomicCorrelate
    level: int | None = None
    suv_max: float | None = None
    benign: BenignEvidence | None = None
    progression: Progression | None = None
    size_mm: float | None = None
    organ_system: str | None = None
    status: str = "final"
    suv_mean: float | None = None
    """Supporting data the report shows (Discussion: "mean/maximum SUV")."""


@dataclass(frozen=True, slots=True)
class MessageSpec:
    """A whole message: fictional patient, acquisition, reference SUVs, history, lesions."""

    key: str
    lesions: tuple[LesionSpec, ...]
    family: str = "Muster"
    given: str = "Alex"
    birth_date: str = "1961-04-12"
    gender: str = "unknown"
    tracer: str = codes.UMLS_GA68_DOTATOC
    started: str = "2024-03-05T09:30:00+01:00"
    timestamp: str = "2024-03-05T11:02:00+01:00"
    injected_mbq: float | None = 150.0
    uptake_min: float | None = 60.0
    field_of_view: str | None = "skull base to mid-thigh"
    reference: tuple[float, float] | None = (1.2, 7.5)
    """(blood-pool SUVmean, liver SUVmean)."""
    primary_tumour: tuple[str, str] | None = ("1290125003", "Malignant neuroendocrine tumour")
    grade: Grade | None = None
    ki67: float | None = None
    biopsy_date: str | None = None
    diagnosis_date: str | None = None
    symptoms: str | None = None
    therapies: tuple[str, ...] | None = None
    previous_imaging: str | None = None
    other_malignancies: str | None = None
    laboratory: str | None = None
    extra_context: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def uid_for(key: str) -> str:
    """A DICOM UID under the UUID arc 2.25 (ISO/IEC 9834-8), deterministic from ``key``."""
    return f"2.25.{uuid.uuid5(_NAMESPACE, 'study:' + key).int}"


def _urn(key: str, role: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{key}|{role}')}"


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(system: str, code: str, text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [_coding(system, code)]}
    if text:
        concept["text"] = text
    return concept


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": codes.UCUM, "code": unit}


def _component(code: str, **value: Any) -> dict[str, Any]:
    return {"code": _concept(codes.CS_OBSERVATION, code), **value}


def build_bundle(spec: MessageSpec) -> dict[str, Any]:
    """The input message Bundle for ``spec`` (plain dicts, ready for ``orjson.dumps``)."""
    key = spec.key
    urls = {role: _urn(key, role) for role in ("header", "patient", "study", "ref", "ctx")}
    patient_ref = {"reference": urls["patient"]}
    study_ref = {"reference": urls["study"]}
    entries = [
        _entry(urls["header"], _header(key, study_ref)),
        _entry(urls["patient"], _patient(spec)),
        _entry(urls["study"], _imaging_study(spec, patient_ref)),
    ]
    if spec.reference is not None:
        entries.append(_entry(urls["ref"], _reference(spec, patient_ref, study_ref)))
    context = _context(spec, patient_ref)
    if context is not None:
        entries.append(_entry(urls["ctx"], context))
    for lesion in spec.lesions:
        body_url = _urn(key, f"body:{lesion.tracking_id}")
        entries.append(_entry(body_url, _body_structure(lesion, patient_ref)))
        entries.append(_entry(_urn(key, f"lesion:{lesion.tracking_id}"),
                              _lesion(lesion, patient_ref, study_ref, body_url)))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(_NAMESPACE, f"{key}|bundle")),
        "meta": {"profile": [codes.PROFILE_FINDINGS_MESSAGE]},
        "type": "message",
        "timestamp": spec.timestamp,
        "entry": entries,
    }


def _entry(url: str, resource: dict[str, Any]) -> dict[str, Any]:
    resource = {"resourceType": resource.pop("resourceType"),
                "id": url.removeprefix("urn:uuid:"), **resource}
    return {"fullUrl": url, "resource": resource}


def _header(key: str, study_ref: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "MessageHeader",
        "eventCoding": _coding(codes.CS_MESSAGE_EVENT, codes.EVENT_SCORE_REQUEST),
        "source": {"name": "RIS", "endpoint": "urn:example:ris"},
        "focus": [study_ref],
    }


def _patient(spec: MessageSpec) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "identifier": [{"system": "urn:example:mrn", "value": f"MRN-{uid_for(spec.key)[-6:]}"}],
        "name": [{"family": spec.family, "given": [spec.given]}],
        "gender": spec.gender,
        "birthDate": spec.birth_date,
    }


def _imaging_study(spec: MessageSpec, patient_ref: dict[str, Any]) -> dict[str, Any]:
    system = codes.TRACER_SYSTEMS[spec.tracer]
    extensions: list[dict[str, Any]] = [{
        "url": codes.EXT_RADIOPHARMACEUTICAL,
        "valueCodeableConcept": _concept(system, spec.tracer, TRACER_LABELS[spec.tracer]),
    }]
    if spec.injected_mbq is not None:
        extensions.append({"url": codes.EXT_INJECTED_ACTIVITY,
                           "valueQuantity": _quantity(spec.injected_mbq, codes.UCUM_MBQ)})
    if spec.uptake_min is not None:
        extensions.append({"url": codes.EXT_UPTAKE_TIME,
                           "valueQuantity": _quantity(spec.uptake_min, codes.UCUM_MIN)})
    if spec.field_of_view is not None:
        extensions.append({"url": codes.EXT_FIELD_OF_VIEW, "valueString": spec.field_of_view})
    return {
        "resourceType": "ImagingStudy",
        "extension": extensions,
        "identifier": [{"system": codes.DICOM_UID, "value": f"urn:oid:{uid_for(spec.key)}"}],
        "status": "available",
        "modality": [_coding(codes.DCM, "PT"), _coding(codes.DCM, "CT")],
        "subject": patient_ref,
        "started": spec.started,
        "description": f"{TRACER_LABELS[spec.tracer]} PET/CT",
    }


def _reference(
    spec: MessageSpec, patient_ref: dict[str, Any], study_ref: dict[str, Any]
) -> dict[str, Any]:
    blood, liver = spec.reference or (0.0, 0.0)
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": _concept(codes.CS_OBSERVATION, codes.OBS_REFERENCE_UPTAKE),
        "subject": patient_ref,
        "derivedFrom": [study_ref],
        "component": [
            _component(codes.OBS_REFERENCE_LIVER,
                       valueQuantity=_quantity(liver, codes.UCUM_SUVBW)),
            _component(codes.OBS_REFERENCE_BLOOD_POOL,
                       valueQuantity=_quantity(blood, codes.UCUM_SUVBW)),
        ],
    }


def _context(spec: MessageSpec, patient_ref: dict[str, Any]) -> dict[str, Any] | None:
    def item(code: str, **value: Any) -> dict[str, Any]:
        return {"code": _concept(codes.CS_CONTEXT, code), **value}

    comps: list[dict[str, Any]] = []
    if spec.primary_tumour is not None:
        tumour_code, tumour_text = spec.primary_tumour
        comps.append(item("primary-tumour", valueCodeableConcept=_concept(
            codes.SNOMED, tumour_code, tumour_text)))
    if spec.grade is not None:
        comps.append(item(codes.CONTEXT_GRADE,
                          valueCodeableConcept=_concept(codes.CS_GRADE, spec.grade.value)))
    if spec.ki67 is not None:
        comps.append(item(codes.CONTEXT_KI67,
                          valueQuantity=_quantity(spec.ki67, codes.UCUM_PERCENT)))
    for code, date in (("biopsy-date", spec.biopsy_date),
                       ("primary-diagnosis-date", spec.diagnosis_date)):
        if date is not None:
            comps.append(item(code, valueDateTime=date))
    for item_code, note in (("symptoms", spec.symptoms),
                            ("previous-imaging", spec.previous_imaging),
                            ("other-malignancies", spec.other_malignancies),
                            ("laboratory", spec.laboratory)):
        if note is not None:
            comps.append(item(item_code, valueString=note))
    for therapy in spec.therapies or ():
        comps.append(item("previous-therapies",
                          valueCodeableConcept=_concept(codes.CS_THERAPY, therapy)))
    comps.extend(spec.extra_context)
    if not comps:
        return None
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": _concept(codes.CS_OBSERVATION, codes.OBS_CLINICAL_CONTEXT),
        "subject": patient_ref,
        "component": comps,
    }


def _body_structure(lesion: LesionSpec, patient_ref: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "BodyStructure",
        "identifier": [{"system": codes.ID_LESION_TRACKING, "value": lesion.tracking_id}],
        "location": _concept(codes.SNOMED, lesion.snomed, lesion.site),
        "patient": patient_ref,
    }


def _lesion(
    lesion: LesionSpec, patient_ref: dict[str, Any], study_ref: dict[str, Any], body_url: str
) -> dict[str, Any]:
    comps = [
        _component(codes.OBS_SITE_CLASS, valueCodeableConcept=_concept(
            codes.CS_SITE_CLASS, lesion.site_class.value)),
        _component(codes.OBS_CORRELATE, valueCodeableConcept=_concept(
            codes.CS_CORRELATE, lesion.correlate.value)),
    ]
    if lesion.level is not None:
        comps.append(_component(codes.OBS_UPTAKE_LEVEL, valueInteger=lesion.level))
    if lesion.suv_max is not None:
        comps.append({
            "extension": [{"url": codes.EXT_MEASUREMENT_DERIVATION,
                           "valueCodeableConcept": {"coding": [
                               _coding(codes.SNOMED, codes.SNOMED_MAXIMUM, "Maximum")]}}],
            "code": {"coding": [_coding(codes.DCM, codes.DCM_SUVBW, "SUVbw")], "text": "SUVmax"},
            "valueQuantity": _quantity(lesion.suv_max, codes.UCUM_SUVBW),
        })
    if lesion.suv_mean is not None:
        comps.append({
            "extension": [{"url": codes.EXT_MEASUREMENT_DERIVATION,
                           "valueCodeableConcept": _concept(codes.SNOMED, codes.SNOMED_MEAN,
                                                            "Mean")}],
            "code": {"coding": [_coding(codes.DCM, codes.DCM_SUVBW, "SUVbw")], "text": "SUVmean"},
            "valueQuantity": _quantity(lesion.suv_mean, codes.UCUM_SUVBW),
        })
    if lesion.benign is not None:
        comps.append(_component(codes.OBS_BENIGN, valueCodeableConcept=_concept(
            codes.CS_BENIGN, lesion.benign.value)))
    if lesion.progression is not None:
        comps.append(_component(codes.OBS_PROGRESSION, valueCodeableConcept=_concept(
            codes.CS_PROGRESSION, lesion.progression.value)))
    if lesion.size_mm is not None:
        comps.append(_component(codes.OBS_LESION_SIZE,
                                valueQuantity=_quantity(lesion.size_mm, codes.UCUM_MM)))
    if lesion.organ_system is not None:
        comps.append(_component(codes.OBS_ORGAN_SYSTEM, valueCodeableConcept=_concept(
            codes.CS_SITE_SYSTEM, lesion.organ_system)))
    return {
        "resourceType": "Observation",
        "status": lesion.status,
        "category": [_concept(codes.OBSERVATION_CATEGORY, "imaging")],
        "code": _concept(codes.CS_OBSERVATION, codes.OBS_LESION_FINDING, "SSTR-PET lesion"),
        "subject": patient_ref,
        "focus": [{"reference": body_url}],
        "derivedFrom": [study_ref],
        "bodySite": _concept(codes.SNOMED, lesion.snomed, lesion.site),
        "component": comps,
    }


_SITES = (
    ("liver", "10200004", SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.CORRESPONDING),
    ("mesenteric lymph node", "59441001", SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.NONE),
    ("thoracic vertebral body", "3138006", SiteClass.BONE_NOT_ATYPICAL, AnatomicCorrelate.NONE),
    ("pancreas", "15776009", SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.CORRESPONDING),
    ("left adrenal gland", "23451007", SiteClass.PHYSIOLOGIC, AnatomicCorrelate.NONE),
    ("axillary lymph node", "59441001", SiteClass.ATYPICAL_SOFT_TISSUE,
     AnatomicCorrelate.NON_SUSPICIOUS),
)


# SUVmax consistent with the reader's level against the default references (1.2 / 7.5).
_SUV_BY_LEVEL = {1: 1.0, 2: 3.0, 3: 9.0}


def synthetic_spec(n: int, key: str = "synthetic") -> MessageSpec:
    """A plausible study with ``n`` lesions cycling through sites and uptake levels."""
    lesions = []
    for i in range(n):
        site, snomed, site_class, correlate = _SITES[i % len(_SITES)]
        level = 3 - (i % 3)
        lesions.append(LesionSpec(
            tracking_id=f"L{i + 1}", site=site, snomed=snomed, site_class=site_class,
            correlate=correlate, level=level,
            suv_max=_SUV_BY_LEVEL[level] + (i % 5 if level == 3 else 0),
            size_mm=float(8 + i % 20),
        ))
    return MessageSpec(key=f"{key}-{n}", lesions=tuple(lesions), grade=Grade.G2, ki67=5.0,
                       biopsy_date="2023-11-20", diagnosis_date="2023-11-28",
                       symptoms="flushing", therapies=("ssa",),
                       previous_imaging="CT abdomen 2023-11", other_malignancies="none known",
                       laboratory="CgA raised")


def synthetic_message(n: int, key: str = "synthetic") -> dict[str, Any]:
    """A valid input message with ``n`` lesions (benchmarks and property tests)."""
    return build_bundle(synthetic_spec(n, key))


def build_message(lesions: int = 5, *, key: str = "synthetic") -> bytes:
    """The bytes of a valid input message with ``lesions`` lesions (benchmarks)."""
    return orjson.dumps(synthetic_message(lesions, key))
