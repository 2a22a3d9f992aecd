"""Machine-readable next steps: one ServiceRequest (intent proposal) per step a scheduler acts on.

- 3A/3B follow-up (rule FU-3-6): one request "follow-up SSTR-PET or whole-body MRI" per
  interval for all the lesions that need it (one scan covers them all), occurrence window
  = study date + the interval in months (3-6, or 3 when Ki-67/grade is raised).
- 3D 18F-FDG PET (WU-3D): one request for the study.
- 3C/3D tissue confirmation (WU-3C, WU-3D): one request per lesion, with its body site.

The paper gives no interval for a work-up: its window opens at the report and has no end.
Lesions waived under an overall 4/5 (DISC-OVERALL) get no follow-up request. A request is
``draft`` while the report is preliminary and ``active`` once it files as final. The
lesion assessment's next-step component and the DiagnosticReport name each request with
the extension ``next-step-request`` (R4 has no element for a report's follow-on request).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from adapter.domain import LesionAssessment, NextStep, StudyAssessment
from adapter.fhir import codes
from adapter.fhir.ids import OutputIds
from adapter.fhir.message import ParsedMessage

Json = dict[str, Any]
_META: Json = {"profile": [codes.PROFILE_NEXT_STEP_REQUEST]}
_DISPLAY = {
    codes.NEXT_STEP_FOLLOW_UP: "Follow-up SSTR-PET or whole-body MRI",
    codes.NEXT_STEP_FDG_PET: "18F-FDG PET",
    codes.NEXT_STEP_TISSUE: "Tissue confirmation of tumour histology",
}


def step_kind(step: NextStep) -> str | None:
    """The sstr-next-step code of a step a scheduler acts on; None for advice only."""
    if step.rule == "FU-3-6":
        return codes.NEXT_STEP_FOLLOW_UP
    if step.rule == "WU-3C":
        return codes.NEXT_STEP_TISSUE
    if step.rule == "WU-3D":
        return codes.NEXT_STEP_FDG_PET if "FDG" in step.text else codes.NEXT_STEP_TISSUE
    return None


@dataclass(frozen=True, slots=True)
class NextStepRequests:
    resources: list[tuple[str, Json]]
    """(fullUrl, ServiceRequest), in lesion order."""
    by_step: dict[tuple[str, int], str]
    """(lesion id, index of the step in its next_steps) -> the request's fullUrl."""


def next_step_requests(
    assessment: StudyAssessment, parsed: ParsedMessage, ids: OutputIds, report_status: str
) -> NextStepRequests:
    groups: dict[str, tuple[NextStep, str, list[LesionAssessment]]] = {}
    by_step: dict[tuple[str, int], str] = {}
    for a in assessment.lesions:
        for i, step in enumerate(a.next_steps):
            kind = step_kind(step)
            if kind is None or (kind == codes.NEXT_STEP_FOLLOW_UP and a.waived):
                continue
            key = _key(kind, step, a)
            if key not in groups:
                groups[key] = (step, kind, [])
            groups[key][2].append(a)
            by_step[(a.lesion.lesion_id, i)] = ids.url("next-step", key)
    sites = {s.lesion_id: s.body_site for s in parsed.lesions}
    status = "draft" if report_status == "preliminary" else "active"
    resources = [
        (ids.url("next-step", key),
         _request(key, step, kind, lesions, parsed, ids, status, sites))
        for key, (step, kind, lesions) in groups.items()
    ]
    return NextStepRequests(resources, by_step)


def _key(kind: str, step: NextStep, a: LesionAssessment) -> str:
    if kind == codes.NEXT_STEP_FOLLOW_UP and step.follow_up_months:
        low, high = step.follow_up_months
        return f"{kind}|{low}-{high}"
    if kind == codes.NEXT_STEP_TISSUE:
        return f"{kind}|{a.lesion.lesion_id}"
    return kind


def _request(
    key: str, step: NextStep, kind: str, lesions: list[LesionAssessment],
    parsed: ParsedMessage, ids: OutputIds, status: str, sites: dict[str, Json],
) -> Json:
    names = ", ".join(a.lesion.lesion_id for a in lesions)
    request: Json = {
        "resourceType": "ServiceRequest",
        "id": ids.id("next-step", key),
        "meta": _META,
        "identifier": [{"system": codes.ID_ADAPTER_OUTPUT, "value": ids.url("next-step", key)}],
        "status": status,
        "intent": "proposal",
        "code": {"coding": [{"system": codes.CS_NEXT_STEP, "code": kind,
                             "display": _DISPLAY[kind]}],
                 "text": step.text},
        "subject": parsed.subject,
        "occurrencePeriod": _window(step, parsed),
        "authoredOn": parsed.timestamp,
        "requester": {"reference": ids.url("device")},
        "reasonReference": [{"reference": ids.url("lesion-assessment", a.lesion.lesion_id)}
                            for a in lesions],
        "note": [{"text": f"{step.text} ({step.rule}; {names})."}],
    }
    if kind == codes.NEXT_STEP_TISSUE:
        request["bodySite"] = [sites[lesions[0].lesion.lesion_id]]
    return request


def _window(step: NextStep, parsed: ParsedMessage) -> Json:
    if step.follow_up_months is None:
        return {"start": parsed.timestamp}
    low, high = step.follow_up_months
    # The study date (ImagingStudy.started); a partial date falls back to the message's.
    day = parsed.started if len(parsed.started) >= 10 else parsed.timestamp
    study_date = date.fromisoformat(day[:10])
    return {"start": _add_months(study_date, low).isoformat(),
            "end": _add_months(study_date, high).isoformat()}


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
