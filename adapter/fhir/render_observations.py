"""Assessment Observations: one per lesion (SstrLesionAssessment) and the overall one."""

from __future__ import annotations

from typing import Any

from adapter.domain import RULES, Ambiguity, Category, LesionAssessment, StudyAssessment
from adapter.fhir import codes
from adapter.fhir.ids import OutputIds
from adapter.fhir.message import LesionSource, ParsedMessage
from adapter.fhir.narrative import CONTEXT_TEXT, PRRT_TEXT

Json = dict[str, Any]
IMAGING_CATEGORY: Json = {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "imaging",
                                      "display": "Imaging"}]}


def coded(system: str, code: str, text: str | None = None) -> Json:
    concept: Json = {"coding": [{"system": system, "code": code}]}
    if text is not None:
        concept["text"] = text
    return concept


def category_concept(category: Category, text: str | None = None) -> Json:
    return {"coding": [{"system": codes.CS_CATEGORY, "code": category.code,
                        "display": category.label}],
            "text": text or category.label}


def _component(code: str, value_key: str, value: Any) -> Json:
    return {"code": coded(codes.CS_OBSERVATION, code), value_key: value}


def _rule_component(rule: str) -> Json:
    source = RULES[rule].source if rule in RULES else rule
    return _component(codes.OBS_DECIDING_RULE, "valueCodeableConcept",
                      coded(codes.CS_RULE, rule, source))


def _ambiguity_components(ambiguities: tuple[Ambiguity, ...]) -> list[Json]:
    return [_component(codes.OBS_AMBIGUITY, "valueCodeableConcept",
                       coded(codes.CS_RULE, a.code, a.reason)) for a in ambiguities]


def lesion_assessment(
    a: LesionAssessment, source: LesionSource, parsed: ParsedMessage, ids: OutputIds
) -> Json:
    """value = the lesion's category; derivedFrom the finding; focus/bodySite carried over."""
    components = [
        _rule_component(a.rule),
        _component(codes.OBS_UPTAKE_LEVEL, "valueInteger", int(a.uptake.level)),
        _component(codes.OBS_UPTAKE_SOURCE, "valueCodeableConcept",
                   coded(codes.CS_UPTAKE_SOURCE, a.uptake.source.value)),
        _component(codes.OBS_TABLE1_PRRT, "valueString", a.table1_prrt),
        *(_component(codes.OBS_NEXT_STEP, "valueString", s.text) for s in a.next_steps),
        _component(codes.OBS_REPRESENTATIVE, "valueBoolean", a.representative),
        _component(codes.OBS_WAIVED, "valueBoolean", a.waived),
        *_ambiguity_components(a.ambiguities),
    ]
    resource: Json = {
        "resourceType": "Observation",
        "id": ids.id("lesion-assessment", a.lesion.lesion_id),
        "meta": {"profile": [codes.PROFILE_LESION_ASSESSMENT]},
        "status": source.status,
        "category": [IMAGING_CATEGORY],
        "code": coded(codes.CS_OBSERVATION, codes.OBS_LESION_ASSESSMENT,
                      "SSTR-RADS 1.0 lesion assessment"),
        "subject": parsed.subject,
        "focus": [source.focus],
        "effectiveDateTime": parsed.started,
        "issued": parsed.timestamp,
        "valueCodeableConcept": category_concept(a.category),
        "bodySite": source.body_site,
        "derivedFrom": [{"reference": source.full_url}],
        "component": components,
    }
    if a.notes:
        resource["note"] = [{"text": note} for note in a.notes]
    return resource


def overall_assessment(
    assessment: StudyAssessment, parsed: ParsedMessage, ids: OutputIds, status: str
) -> Json:
    """value = the overall category; hasMember every lesion assessment; PRRT and gaps."""
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
        "meta": {"profile": [codes.PROFILE_OVERALL_ASSESSMENT]},
        "status": status,
        "category": [IMAGING_CATEGORY],
        "code": coded(codes.CS_OBSERVATION, codes.OBS_OVERALL_ASSESSMENT,
                      "SSTR-RADS 1.0 overall assessment"),
        "subject": parsed.subject,
        "effectiveDateTime": parsed.started,
        "issued": parsed.timestamp,
        "valueCodeableConcept": category_concept(assessment.overall),
        "note": [{"text": f"PRRT caveat: {assessment.prrt_caveat}"}],
        "hasMember": [{"reference": ids.url("lesion-assessment", a.lesion.lesion_id)}
                      for a in assessment.lesions],
        "derivedFrom": [{"reference": parsed.imaging_study.full_url}],
        "component": components,
    }
