"""The PRRT tumour-board Task and chart Flag, and the tumour-board message Bundle."""

from __future__ import annotations

from typing import Any

from adapter import __version__
from adapter.domain import StudyAssessment
from adapter.fhir import codes
from adapter.fhir.conclusion import PRRT_TEXT
from adapter.fhir.ids import OutputIds
from adapter.fhir.message import ParsedMessage

Json = dict[str, Any]

# Fragments that never vary: built once, shared by every message, only ever serialised.
_TASK_META: Json = {"profile": [codes.PROFILE_TUMOUR_BOARD_TASK]}
_TASK_CODE: Json = {"coding": [
    {"system": codes.CS_TASK, "code": codes.TASK_TUMOUR_BOARD,
     "display": "PRRT tumour-board review"},
    {"system": codes.NCIT, "code": codes.NCIT_TUMOR_BOARD_REVIEW,
     "display": "Tumor Board Review"},
], "text": "PRRT tumour-board review"}
_FLAG_META: Json = {"profile": [codes.PROFILE_TUMOUR_BOARD_FLAG]}
_FLAG_CATEGORY: list[Json] = [{"coding": [{"system": codes.FLAG_CATEGORY, "code": "clinical",
                                           "display": "Clinical"}]}]
_EVENT: Json = {"system": codes.CS_MESSAGE_EVENT, "code": codes.EVENT_TUMOUR_BOARD}
_SOURCE: Json = {"name": "sstr-adapter", "software": "sstr-adapter", "version": __version__,
                 "endpoint": "urn:sstr-adapter"}
_MESSAGE_META: Json = {"profile": [codes.PROFILE_TUMOUR_BOARD_MESSAGE]}


def task(assessment: StudyAssessment, parsed: ParsedMessage, ids: OutputIds) -> Json:
    """A proposal to review PRRT at the tumour board, focused on the DiagnosticReport."""
    return {
        "resourceType": "Task",
        "id": ids.id("task"),
        "meta": _TASK_META,
        "identifier": [{"system": codes.ID_ADAPTER_OUTPUT, "value": ids.url("task")}],
        "status": "requested",
        "intent": "proposal",
        "code": _TASK_CODE,
        "description": f"Review PRRT: overall {assessment.overall.label}, "
                       f"{PRRT_TEXT[assessment.prrt]}.",
        "focus": {"reference": ids.url("report")},
        "for": parsed.subject,
        "authoredOn": parsed.timestamp,
        "reasonReference": {"reference": ids.url("overall-assessment")},
        "note": [{"text": f"{PRRT_TEXT[assessment.prrt]} ({assessment.prrt_rule}). "
                          f"Caveat: {assessment.prrt_caveat}"}],
    }


def flag(assessment: StudyAssessment, parsed: ParsedMessage, ids: OutputIds) -> Json:
    """A chart banner while the review is pending."""
    return {
        "resourceType": "Flag",
        "id": ids.id("flag"),
        "meta": _FLAG_META,
        "identifier": [{"system": codes.ID_ADAPTER_OUTPUT, "value": ids.url("flag")}],
        "status": "active",
        "category": _FLAG_CATEGORY,
        "code": {"text": f"{assessment.overall.label}: PRRT tumour-board review requested"},
        "subject": parsed.subject,
        "period": {"start": parsed.timestamp},
        "author": {"reference": ids.url("device")},
    }


def tumour_board_message(
    task_resource: Json, flag_resource: Json, parsed: ParsedMessage, ids: OutputIds
) -> Json:
    """Message Bundle (event prrt-tumour-board-review): MessageHeader, Task, Flag, Patient."""
    header = {
        "resourceType": "MessageHeader",
        "id": ids.id("tumour-board-header"),
        "eventCoding": _EVENT,
        "source": _SOURCE,
        "focus": [{"reference": ids.url("task")}],
    }
    entries = [
        {"fullUrl": ids.url("tumour-board-header"), "resource": header},
        {"fullUrl": ids.url("task"), "resource": task_resource},
        {"fullUrl": ids.url("flag"), "resource": flag_resource},
    ]
    if parsed.patient is not None:
        entries.append({"fullUrl": parsed.patient.full_url, "resource": parsed.patient.resource})
    return {
        "resourceType": "Bundle",
        "id": ids.id("tumour-board-bundle"),
        "meta": _MESSAGE_META,
        "identifier": {"system": codes.ID_ADAPTER_OUTPUT,
                       "value": ids.url("tumour-board-bundle")},
        "type": "message",
        "timestamp": parsed.timestamp,
        "entry": entries,
    }
