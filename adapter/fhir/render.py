"""StudyAssessment -> the response message Bundle (profile SstrReportMessage) as plain dicts.

Entry order: MessageHeader, DiagnosticReport, overall assessment, lesion assessments,
[next-step ServiceRequests], [tumour-board ServiceRequest, Task, Flag], Provenance,
Device, the operating Organization, then the Patient, ImagingStudy and lesion
BodyStructures (same fullUrls, rebuilt by the parser from what it validated), so the
Bundle is self-contained: every literal reference resolves inside it; what lives
elsewhere (the input findings, the reading physician, the order) is a logical reference
(``Reference.identifier``). Every id is a UUIDv5 of the input (:mod:`adapter.fhir.ids`);
dates come from the input: same input, same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from adapter import __version__
from adapter.domain import RULES_VERSION, Category, StudyAssessment
from adapter.fhir import codes
from adapter.fhir.conclusion import lesion_label
from adapter.fhir.ids import OutputIds
from adapter.fhir.message import ParsedMessage
from adapter.fhir.narrative import page_base64, render_report
from adapter.fhir.next_steps import next_step_requests
from adapter.fhir.render_observations import (
    category_concept,
    lesion_assessment,
    overall_assessment,
)
from adapter.fhir.render_options import DEFAULT_REPORT_OPTIONS, ReportOptions
from adapter.fhir.report_model import report_model
from adapter.fhir.tracking import tracked_body_structures
from adapter.fhir.tumour_board import tumour_board_message, tumour_board_resources

Json = dict[str, Any]
RULES_POLICY = f"{codes.CANONICAL_BASE}/rules/" + re.sub(
    r"[^a-z0-9.]+", "-", RULES_VERSION.lower()).strip("-")
# A correction outranks an amendment (ValueSet sstr-report-status); a preliminary finding
# makes the whole report preliminary, whatever the setting.
_STATUS_ORDER = ("corrected", "amended", "final")


# Fragments that never vary: built once, shared by every answer, only ever serialised.
_RESPONSE_EVENT: Json = {"system": codes.CS_MESSAGE_EVENT, "code": codes.EVENT_SCORE_RESPONSE}
_REPORT_META: Json = {"profile": [codes.PROFILE_REPORT]}
_REPORT_CATEGORY: list[Json] = [
    {"coding": [{"system": codes.LOINC, "code": codes.LOINC_RADIOLOGY, "display": "Radiology"}]},
    {"coding": [{"system": codes.V2_0074, "code": codes.V2_NUCLEAR_MEDICINE,
                 "display": "Nuclear Medicine Scan"}]},
]
_REPORT_CODE: Json = {"coding": [{"system": codes.LOINC, "code": codes.LOINC_PET_WHOLE_BODY,
                                  "display": "PET whole body"}],
                      "text": "SSTR-PET/CT: SSTR-RADS 1.0 assessment computed from the "
                              "reader's findings"}
_PROVENANCE_META: Json = {"profile": [codes.PROFILE_PROVENANCE]}
_PROVENANCE_POLICY = [RULES_POLICY]
_AUTHOR: Json = {"coding": [{"system": codes.PROVENANCE_AGENT_TYPE, "code": "author",
                             "display": "Author"}]}
_CREATE: Json = {"coding": [{"system": codes.PROVENANCE_ACTIVITY, "code": "CREATE",
                             "display": "create"}],
                 "text": "SSTR-RADS 1.0 assessment computed from the reader's findings"}
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


def report_status(parsed: ParsedMessage, options: ReportOptions = DEFAULT_REPORT_OPTIONS) -> str:
    """Never above the least final finding: any preliminary finding, or the setting
    ``preliminary``, gives ``preliminary``; else corrected > amended > final."""
    statuses = {s.status for s in parsed.lesions}
    if "preliminary" in statuses or options.report_status == "preliminary":
        return "preliminary"
    return next(s for s in _STATUS_ORDER if s in statuses or s == "final")


def render(
    assessment: StudyAssessment, parsed: ParsedMessage,
    options: ReportOptions = DEFAULT_REPORT_OPTIONS,
) -> Rendered:
    ids = OutputIds(parsed.message_id, parsed.study_uid)
    status = report_status(parsed, options)
    sources = {s.lesion_id: s for s in parsed.lesions}
    steps = next_step_requests(assessment, parsed, ids, status)
    lesions = [lesion_assessment(a, sources[a.lesion.lesion_id], parsed, ids, status,
                                 steps.by_step)
               for a in assessment.lesions]
    # Each lesion assessment's URL is referenced three times: built once here.
    lesion_urls = [ids.url("lesion-assessment", a.lesion.lesion_id) for a in assessment.lesions]
    overall = overall_assessment(assessment, parsed, ids, status, lesion_urls)
    report = diagnostic_report(assessment, parsed, ids, status, lesion_urls,
                               [url for url, _ in steps.resources])
    resources: list[tuple[str, Json]] = [
        (ids.url("report"), report),
        (ids.url("overall-assessment"), overall),
        *zip(lesion_urls, lesions, strict=True),
        *steps.resources,
    ]
    board: Json | None = None
    shared = [(ids.url("device"), device(ids)), (ids.url("operator"), operator(ids, options))]
    if assessment.tumour_board:
        board_resources = tumour_board_resources(assessment, parsed, ids, options)
        resources += board_resources
        board_provenance = provenance(parsed, ids, [url for url, _ in board_resources],
                                      "tumour-board-provenance")
        board = tumour_board_message(
            [*board_resources, (ids.url("tumour-board-provenance"), board_provenance), *shared],
            parsed, ids, options)
    targets = [url for url, _ in resources]
    resources += [(ids.url("provenance"), provenance(parsed, ids, targets)), *shared]
    # Then the copies of the input: entries of the Bundle, not targets of the Provenance.
    resources += [(c.full_url, c.resource) for c in (parsed.patient, parsed.imaging_study) if c]
    resources += tracked_body_structures(parsed)
    entries = [{"fullUrl": ids.url("header"), "resource": header(parsed, ids, options)},
               *[{"fullUrl": url, "resource": r} for url, r in resources]]
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


def header(parsed: ParsedMessage, ids: OutputIds, options: ReportOptions) -> Json:
    return {
        "resourceType": "MessageHeader",
        "id": ids.id("header"),
        "eventCoding": _RESPONSE_EVENT,
        "source": options.source(),
        "response": {"identifier": parsed.message_id, "code": "ok"},
        "focus": [{"reference": ids.url("report")}],
    }


def diagnostic_report(
    assessment: StudyAssessment, parsed: ParsedMessage, ids: OutputIds, status: str,
    lesion_urls: list[str], step_urls: list[str] | None = None,
) -> Json:
    model = report_model(assessment, parsed)
    div, page = render_report(model)
    by_id = {a.lesion.lesion_id: a for a in assessment.lesions}
    work_up = [by_id[i] for i in assessment.work_up]
    inputs = parsed.report_inputs
    return {
        "resourceType": "DiagnosticReport",
        "id": ids.id("report"),
        "meta": _REPORT_META,
        "text": {"status": "generated", "div": div},
        **({"extension": [{"url": codes.EXT_NEXT_STEP_REQUEST,
                           "valueReference": {"reference": url}} for url in step_urls]}
           if step_urls else {}),
        "identifier": [{"system": codes.ID_ADAPTER_OUTPUT, "value": ids.url("report")}],
        **({"basedOn": list(inputs.based_on)} if inputs.based_on else {}),
        "status": status,
        "category": _REPORT_CATEGORY,
        "code": inputs.order_code or _REPORT_CODE,
        "subject": parsed.subject,
        "effectiveDateTime": parsed.started,
        "issued": parsed.timestamp,
        **({"resultsInterpreter": list(inputs.interpreters)} if inputs.interpreters else {}),
        "imagingStudy": [{"reference": parsed.imaging_study.full_url}],
        "result": [{"reference": ids.url("overall-assessment")},
                   *[{"reference": url} for url in lesion_urls]],
        "conclusion": "\n".join(model.conclusion),
        "conclusionCode": [
            category_concept(assessment.overall, f"Overall {assessment.overall.label}"),
            *(category_concept(a.category, f"{a.category.label}: {lesion_label(a)}")
              for a in work_up if a.category in (Category.C3C, Category.C3D)),
        ],
        "presentedForm": [{"contentType": "text/html", "language": "en",
                           "data": page_base64(page),
                           "title": "SSTR-RADS 1.0 report"}],
    }


def provenance(
    parsed: ParsedMessage, ids: OutputIds, targets: list[str], role: str = "provenance"
) -> Json:
    """The adapter (Device) authored the targets on behalf of the operating organisation,
    from the input message; ``recorded`` is the input's timestamp (README, "Timestamps")."""
    return {
        "resourceType": "Provenance",
        "id": ids.id(role),
        "meta": _PROVENANCE_META,
        "target": [{"reference": url} for url in targets],
        "recorded": parsed.timestamp,
        "policy": _PROVENANCE_POLICY,
        "activity": _CREATE,
        "agent": [{"type": _AUTHOR, "who": {"reference": ids.url("device")},
                   "onBehalfOf": {"reference": ids.url("operator")}}],
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


def operator(ids: OutputIds, options: ReportOptions) -> Json:
    """The organisation operating the adapter (settings SSTR_OPERATOR_NAME/_IDENTIFIER)."""
    return {"resourceType": "Organization", "id": ids.id("operator"), **options.operator()}
