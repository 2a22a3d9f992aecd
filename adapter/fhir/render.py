"""StudyAssessment -> the response message Bundle (profile SstrReportMessage) as plain dicts.

Entry order: MessageHeader, DiagnosticReport, overall assessment, lesion assessments,
[Task, Flag], Provenance, Device, then the Patient, ImagingStudy and lesion BodyStructures
(same fullUrls, rebuilt by the parser from what it validated) so the Bundle is
self-contained. Every id is a UUIDv5 of the input (:mod:`adapter.fhir.ids`); dates come
from the input: same input, same bytes.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from adapter import __version__
from adapter.domain import RULES_VERSION, Category, StudyAssessment
from adapter.fhir import codes
from adapter.fhir.conclusion import lesion_label
from adapter.fhir.ids import OutputIds
from adapter.fhir.message import ParsedMessage
from adapter.fhir.narrative import render_report
from adapter.fhir.render_observations import (
    category_concept,
    lesion_assessment,
    overall_assessment,
)
from adapter.fhir.report_model import report_model
from adapter.fhir.tumour_board import flag, task, tumour_board_message

Json = dict[str, Any]
ENDPOINT = "urn:sstr-adapter"
RULES_POLICY = f"{codes.CANONICAL_BASE}/rules/" + re.sub(
    r"[^a-z0-9.]+", "-", RULES_VERSION.lower()).strip("-")
# A correction outranks an amendment; preliminary findings do not lower the report status
# (ValueSet sstr-report-status: final | amended | corrected).
_STATUS_ORDER = ("corrected", "amended", "final")


# Fragments that never vary: built once, shared by every answer, only ever serialised.
_SOURCE: Json = {"name": "sstr-adapter", "software": "sstr-adapter", "version": __version__,
                 "endpoint": ENDPOINT}
_RESPONSE_EVENT: Json = {"system": codes.CS_MESSAGE_EVENT, "code": codes.EVENT_SCORE_RESPONSE}
_REPORT_META: Json = {"profile": [codes.PROFILE_REPORT]}
_REPORT_CATEGORY: list[Json] = [
    {"coding": [{"system": codes.LOINC, "code": codes.LOINC_RADIOLOGY, "display": "Radiology"}]},
    {"coding": [{"system": codes.V2_0074, "code": codes.V2_NUCLEAR_MEDICINE,
                 "display": "Nuclear Medicine Scan"}]},
]
_REPORT_CODE: Json = {"coding": [{"system": codes.LOINC, "code": codes.LOINC_PET_WHOLE_BODY,
                                  "display": "PET whole body"}],
                      "text": "SSTR-PET/CT, SSTR-RADS 1.0 assessment"}
_PROVENANCE_META: Json = {"profile": [codes.PROFILE_PROVENANCE]}
_PROVENANCE_POLICY = [RULES_POLICY]
_ASSEMBLER: Json = {"coding": [{"system": codes.PROVENANCE_AGENT_TYPE, "code": "assembler",
                                "display": "Assembler"}]}
_DEVICE_NAME = [{"name": "sstr-adapter", "type": "manufacturer-name"}]
_DEVICE_VERSION = [
    {"type": {"text": "software"}, "value": __version__},
    {"type": {"text": "rules"}, "value": RULES_VERSION},
]
_BUNDLE_META: Json = {"profile": [codes.PROFILE_REPORT_MESSAGE]}


@dataclass(frozen=True, slots=True)
class Rendered:
    """The response message, and the tumour-board message when one is triggered."""

    report: Json
    report_message_id: str
    tumour_board: Json | None
    tumour_board_message_id: str | None


def report_status(parsed: ParsedMessage) -> str:
    statuses = {s.status for s in parsed.lesions}
    return next(s for s in _STATUS_ORDER if s in statuses or s == "final")


def render(assessment: StudyAssessment, parsed: ParsedMessage) -> Rendered:
    ids = OutputIds(parsed.message_id, parsed.study_uid)
    status = report_status(parsed)
    sources = {s.lesion_id: s for s in parsed.lesions}
    lesions = [lesion_assessment(a, sources[a.lesion.lesion_id], parsed, ids)
               for a in assessment.lesions]
    # Each lesion assessment's URL is referenced three times: built once here.
    lesion_urls = [ids.url("lesion-assessment", a.lesion.lesion_id) for a in assessment.lesions]
    overall = overall_assessment(assessment, parsed, ids, status, lesion_urls)
    report = diagnostic_report(assessment, parsed, ids, status, lesion_urls)
    resources: list[tuple[str, Json]] = [
        (ids.url("report"), report),
        (ids.url("overall-assessment"), overall),
        *zip(lesion_urls, lesions, strict=True),
    ]
    board: Json | None = None
    if assessment.tumour_board:
        task_resource, flag_resource = task(assessment, parsed, ids), flag(assessment, parsed, ids)
        resources += [(ids.url("task"), task_resource), (ids.url("flag"), flag_resource)]
        board = tumour_board_message(task_resource, flag_resource, parsed, ids)
    targets = [url for url, _ in resources]
    resources += [(ids.url("provenance"), provenance(parsed, ids, targets)),
                  (ids.url("device"), device(ids))]
    copied = [c for c in (parsed.patient, parsed.imaging_study, *parsed.body_structures) if c]
    entries = [{"fullUrl": ids.url("header"), "resource": header(parsed, ids)},
               *({"fullUrl": url, "resource": r} for url, r in resources),
               *({"fullUrl": c.full_url, "resource": c.resource} for c in copied)]
    bundle = {
        "resourceType": "Bundle",
        "id": ids.id("bundle"),
        "meta": _BUNDLE_META,
        "identifier": {"system": codes.ID_ADAPTER_OUTPUT, "value": ids.url("bundle")},
        "type": "message",
        "timestamp": parsed.timestamp,
        "entry": entries,
    }
    return Rendered(bundle, ids.id("header"), board,
                    ids.id("tumour-board-header") if board else None)


def header(parsed: ParsedMessage, ids: OutputIds) -> Json:
    return {
        "resourceType": "MessageHeader",
        "id": ids.id("header"),
        "eventCoding": _RESPONSE_EVENT,
        "source": _SOURCE,
        "response": {"identifier": parsed.message_id, "code": "ok"},
        "focus": [{"reference": ids.url("report")}],
    }


def diagnostic_report(
    assessment: StudyAssessment, parsed: ParsedMessage, ids: OutputIds, status: str,
    lesion_urls: list[str],
) -> Json:
    model = report_model(assessment, parsed)
    div, page = render_report(model)
    lines, html = model.conclusion, page.encode()
    by_id = {a.lesion.lesion_id: a for a in assessment.lesions}
    work_up = [by_id[i] for i in assessment.work_up]
    return {
        "resourceType": "DiagnosticReport",
        "id": ids.id("report"),
        "meta": _REPORT_META,
        "text": {"status": "generated", "div": div},
        "identifier": [{"system": codes.ID_ADAPTER_OUTPUT, "value": ids.url("report")}],
        "status": status,
        "category": _REPORT_CATEGORY,
        "code": _REPORT_CODE,
        "subject": parsed.subject,
        "effectiveDateTime": parsed.started,
        "issued": parsed.timestamp,
        "imagingStudy": [{"reference": parsed.imaging_study.full_url}],
        "result": [{"reference": ids.url("overall-assessment")},
                   *[{"reference": url} for url in lesion_urls]],
        "conclusion": "\n".join(lines),
        "conclusionCode": [
            category_concept(assessment.overall, f"Overall {assessment.overall.label}"),
            *(category_concept(a.category, f"{a.category.label}: {lesion_label(a)}")
              for a in work_up if a.category in (Category.C3C, Category.C3D)),
        ],
        "presentedForm": [{"contentType": "text/html", "language": "en",
                           "data": base64.b64encode(html).decode("ascii"),
                           "title": "SSTR-RADS 1.0 report"}],
    }


def provenance(parsed: ParsedMessage, ids: OutputIds, targets: list[str]) -> Json:
    return {
        "resourceType": "Provenance",
        "id": ids.id("provenance"),
        "meta": _PROVENANCE_META,
        "target": [{"reference": url} for url in targets],
        "recorded": parsed.timestamp,
        "policy": _PROVENANCE_POLICY,
        "agent": [{"type": _ASSEMBLER, "who": {"reference": ids.url("device")}}],
        "entity": [{
            "role": "source",
            "what": {"identifier": {"system": codes.ID_INPUT_MESSAGE, "value": parsed.message_id},
                     "display": "SSTR-PET findings message"},
        }],
    }


def device(ids: OutputIds) -> Json:
    return {
        "resourceType": "Device",
        "id": ids.id("device"),
        "deviceName": _DEVICE_NAME,
        "version": _DEVICE_VERSION,
    }
