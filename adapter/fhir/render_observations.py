"""Assessment Observations: one per lesion (SstrLesionAssessment) and the overall one.

Every fragment that depends only on a code (component codes, category concepts, rule
components, boolean and level components) is built once at import. The fragments are
shared between messages and only ever serialised, never mutated.
"""

from __future__ import annotations

from typing import Any

from adapter.domain import (
    RULES,
    TABLE1_PRRT,
    Ambiguity,
    Category,
    LesionAssessment,
    StudyAssessment,
    UptakeLevel,
    UptakeSource,
)
from adapter.fhir import codes
from adapter.fhir.conclusion import CONTEXT_TEXT, PRRT_TEXT
from adapter.fhir.ids import OutputIds
from adapter.fhir.message import LesionSource, ParsedMessage

Json = dict[str, Any]
IMAGING_CATEGORY: Json = {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "imaging",
                                      "display": "Imaging"}]}


def coded(system: str, code: str, text: str | None = None) -> Json:
    concept: Json = {"coding": [{"system": system, "code": code}]}
    if text is not None:
        concept["text"] = text
    return concept


_CATEGORY_CODING: dict[Category, list[Json]] = {
    c: [{"system": codes.CS_CATEGORY, "code": c.code, "display": c.label}] for c in Category
}
_CATEGORY_CONCEPT: dict[Category, Json] = {
    c: {"coding": _CATEGORY_CODING[c], "text": c.label} for c in Category
}


def category_concept(category: Category, text: str | None = None) -> Json:
    if not text:
        return _CATEGORY_CONCEPT[category]
    return {"coding": _CATEGORY_CODING[category], "text": text}


_COMPONENT_CODE: dict[str, Json] = {
    code: coded(codes.CS_OBSERVATION, code)
    for code in (codes.OBS_DECIDING_RULE, codes.OBS_UPTAKE_LEVEL, codes.OBS_UPTAKE_SOURCE,
                 codes.OBS_TABLE1_PRRT, codes.OBS_NEXT_STEP, codes.OBS_REPRESENTATIVE,
                 codes.OBS_WAIVED, codes.OBS_AMBIGUITY, codes.OBS_PRRT, codes.OBS_MISSING_ITEM)
}


def _component(code: str, value_key: str, value: Any) -> Json:
    return {"code": _COMPONENT_CODE[code], value_key: value}


def _new_rule_component(rule: str) -> Json:
    source = RULES[rule].source if rule in RULES else rule
    return _component(codes.OBS_DECIDING_RULE, "valueCodeableConcept",
                      coded(codes.CS_RULE, rule, source))


_RULE_COMPONENT: dict[str, Json] = {rule: _new_rule_component(rule) for rule in RULES}
_LEVEL_COMPONENT: dict[int, Json] = {
    int(level): _component(codes.OBS_UPTAKE_LEVEL, "valueInteger", int(level))
    for level in UptakeLevel
}
_SOURCE_COMPONENT: dict[str, Json] = {
    source.value: _component(codes.OBS_UPTAKE_SOURCE, "valueCodeableConcept",
                             coded(codes.CS_UPTAKE_SOURCE, source.value))
    for source in UptakeSource
}
_TABLE1_COMPONENT: dict[str, Json] = {
    text: _component(codes.OBS_TABLE1_PRRT, "valueString", text) for text in TABLE1_PRRT.values()
}
_REPRESENTATIVE: dict[bool, Json] = {
    flag: _component(codes.OBS_REPRESENTATIVE, "valueBoolean", flag) for flag in (False, True)
}
_WAIVED: dict[bool, Json] = {
    flag: _component(codes.OBS_WAIVED, "valueBoolean", flag) for flag in (False, True)
}
_IMAGING_CATEGORIES = [IMAGING_CATEGORY]
_LESION_META: Json = {"profile": [codes.PROFILE_LESION_ASSESSMENT]}
_LESION_CODE = coded(codes.CS_OBSERVATION, codes.OBS_LESION_ASSESSMENT,
                     "SSTR-RADS 1.0 lesion assessment")
_OVERALL_META: Json = {"profile": [codes.PROFILE_OVERALL_ASSESSMENT]}
_OVERALL_CODE = coded(codes.CS_OBSERVATION, codes.OBS_OVERALL_ASSESSMENT,
                      "SSTR-RADS 1.0 overall assessment")


def _rule_component(rule: str) -> Json:
    return _RULE_COMPONENT.get(rule) or _new_rule_component(rule)


def _ambiguity_components(ambiguities: tuple[Ambiguity, ...]) -> list[Json]:
    return [_component(codes.OBS_AMBIGUITY, "valueCodeableConcept",
                       coded(codes.CS_RULE, a.code, a.reason)) for a in ambiguities]


def finding_reference(source: LesionSource) -> Json:
    """A logical Reference to the input finding: the answer does not carry it, so its
    fullUrl (a URI, globally unique) is the identifier (system urn:ietf:rfc:3986)."""
    return {"type": "Observation",
            "identifier": {"system": codes.IETF_UUID, "value": source.full_url}}


def _next_step(text: str, request_url: str | None) -> Json:
    if request_url is None:
        return _component(codes.OBS_NEXT_STEP, "valueString", text)
    return {"extension": [{"url": codes.EXT_NEXT_STEP_REQUEST,
                           "valueReference": {"reference": request_url}}],
            "code": _COMPONENT_CODE[codes.OBS_NEXT_STEP], "valueString": text}


def lesion_assessment(
    a: LesionAssessment, source: LesionSource, parsed: ParsedMessage, ids: OutputIds,
    report_status: str = "final", step_requests: dict[tuple[str, int], str] | None = None,
) -> Json:
    """value = the lesion's category; derivedFrom the study (literal) and the finding
    (logical); focus/bodySite carried over; preliminary when the report is; each next step
    that has a request (``step_requests``) names it (extension next-step-request)."""
    uptake, lesion_id, requests = a.uptake, a.lesion.lesion_id, step_requests or {}
    table1 = _TABLE1_COMPONENT.get(a.table1_prrt) or _component(
        codes.OBS_TABLE1_PRRT, "valueString", a.table1_prrt)
    components = [
        _rule_component(a.rule),
        # Enum-valued: the tables cover every member (IntEnum/StrEnum hash as int/str).
        _LEVEL_COMPONENT[uptake.level],
        _SOURCE_COMPONENT[uptake.source],
        table1,
        *[_next_step(s.text, requests.get((lesion_id, i))) for i, s in enumerate(a.next_steps)],
        _REPRESENTATIVE[a.representative],
        _WAIVED[a.waived],
    ]
    if a.ambiguities:
        components += _ambiguity_components(a.ambiguities)
    resource: Json = {
        "resourceType": "Observation",
        "id": ids.id("lesion-assessment", lesion_id),
        "meta": _LESION_META,
        "identifier": [{"system": codes.ID_ADAPTER_OUTPUT,
                        "value": ids.url("lesion-assessment", lesion_id)}],
        "status": "preliminary" if report_status == "preliminary" else source.status,
        "category": _IMAGING_CATEGORIES,
        "code": _LESION_CODE,
        "subject": parsed.subject,
        "focus": [source.focus],
        "effectiveDateTime": parsed.started,
        "issued": parsed.timestamp,
        "valueCodeableConcept": _CATEGORY_CONCEPT[a.category],
        "bodySite": source.body_site,
        "derivedFrom": [{"reference": parsed.imaging_study.full_url}, finding_reference(source)],
        "component": components,
    }
    if a.notes:
        resource["note"] = [{"text": note} for note in a.notes]
    return resource


def overall_assessment(
    assessment: StudyAssessment, parsed: ParsedMessage, ids: OutputIds, status: str,
    lesion_urls: list[str],
) -> Json:
    """value = the overall category; hasMember every lesion assessment (``lesion_urls``)."""
    prrt = coded(codes.CS_PRRT, assessment.prrt.value,
                 f"{PRRT_TEXT[assessment.prrt]} ({assessment.prrt_rule})")
    components = [
        _rule_component(assessment.overall_rule),
        _component(codes.OBS_PRRT, "valueCodeableConcept", prrt),
        *(_component(codes.OBS_MISSING_ITEM, "valueCodeableConcept",
                     coded(codes.CS_CONTEXT, m.value, CONTEXT_TEXT[m]))
          for m in assessment.missing),
        *_ambiguity_components(assessment.ambiguities),
    ]
    return {
        "resourceType": "Observation",
        "id": ids.id("overall-assessment"),
        "meta": _OVERALL_META,
        "identifier": [{"system": codes.ID_ADAPTER_OUTPUT, "value": ids.url("overall-assessment")}],
        "status": status,
        "category": _IMAGING_CATEGORIES,
        "code": _OVERALL_CODE,
        "subject": parsed.subject,
        "effectiveDateTime": parsed.started,
        "issued": parsed.timestamp,
        "valueCodeableConcept": _CATEGORY_CONCEPT[assessment.overall],
        "note": [{"text": f"PRRT caveat: {assessment.prrt_caveat}"}],
        "hasMember": [{"reference": url} for url in lesion_urls],
        "derivedFrom": [{"reference": parsed.imaging_study.full_url}],
        "component": components,
    }
