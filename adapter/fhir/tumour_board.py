"""The PRRT tumour-board request (ServiceRequest), its worklist Task, the chart Flag and the
self-contained tumour-board message Bundle.

FHIR workflow: the ServiceRequest is the request (reason the overall assessment, supporting
information the report), the Task asks the tumour board to act on it (focus the request,
owner and performer type the board, requester the adapter, priority, due date), the Flag is
the chart banner until the due date. Their ids belong to the study, not to the message
(:meth:`OutputIds.study_id`): every message about the same study carries the same three
ids, so a receiver that updates by id (``PUT``) keeps one request, one Task and one Flag
(upsert) however often the study is sent or corrected. The report and overall assessment
live in the report message: they are named by logical reference (their identifiers).
"""

from __future__ import annotations

from typing import Any

from adapter.domain import StudyAssessment
from adapter.fhir import codes
from adapter.fhir.conclusion import PRRT_TEXT
from adapter.fhir.ids import OutputIds
from adapter.fhir.message import ParsedMessage
from adapter.fhir.render_options import ReportOptions, add_days

Json = dict[str, Any]

# Fragments that never vary: built once, shared by every message, only ever serialised.
_REQUEST_META: Json = {"profile": [codes.PROFILE_TUMOUR_BOARD_REQUEST]}
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
_MESSAGE_META: Json = {"profile": [codes.PROFILE_TUMOUR_BOARD_MESSAGE]}


def _output_reference(rtype: str, ids: OutputIds, role: str) -> Json:
    """A logical Reference to a resource of the report message (by its identifier)."""
    return {"type": rtype, "identifier": {"system": codes.ID_ADAPTER_OUTPUT,
                                          "value": ids.url(role)}}


def tumour_board_resources(
    assessment: StudyAssessment, parsed: ParsedMessage, ids: OutputIds, options: ReportOptions
) -> list[tuple[str, Json]]:
    """(fullUrl, resource) of the ServiceRequest, the Task and the Flag."""
    due = add_days(parsed.timestamp, options.tumour_board_due_days)
    recommendation = (f"{PRRT_TEXT[assessment.prrt]} ({assessment.prrt_rule}). "
                      f"Caveat: {assessment.prrt_caveat}")
    board = options.tumour_board()
    device = {"reference": ids.url("device")}
    reason = _output_reference("Observation", ids, "overall-assessment")
    request = {
        "resourceType": "ServiceRequest",
        "id": ids.study_id("tumour-board-request"),
        "meta": _REQUEST_META,
        "identifier": [{"system": codes.ID_ADAPTER_OUTPUT,
                        "value": ids.study_url("tumour-board-request")}],
        "status": "active",
        "intent": "proposal",
        "priority": options.tumour_board_priority,
        "code": _TASK_CODE,
        "subject": parsed.subject,
        "occurrencePeriod": {"start": parsed.timestamp, "end": due},
        "authoredOn": parsed.timestamp,
        "requester": device,
        "performer": [board],
        "reasonReference": [reason],
        "supportingInfo": [_output_reference("DiagnosticReport", ids, "report")],
        "note": [{"text": recommendation}],
    }
    task = {
        "resourceType": "Task",
        "id": ids.study_id("task"),
        "meta": _TASK_META,
        "identifier": [{"system": codes.ID_ADAPTER_OUTPUT, "value": ids.study_url("task")}],
        "basedOn": [{"reference": ids.study_url("tumour-board-request")}],
        "status": "requested",
        "intent": "proposal",
        "priority": options.tumour_board_priority,
        "code": _TASK_CODE,
        "description": f"Review PRRT: overall {assessment.overall.label}, "
                       f"{PRRT_TEXT[assessment.prrt]}.",
        "focus": {"reference": ids.study_url("tumour-board-request")},
        "for": parsed.subject,
        "authoredOn": parsed.timestamp,
        "lastModified": parsed.timestamp,
        "requester": device,
        "performerType": [{"text": options.tumour_board_name}],
        "owner": board,
        "reasonReference": reason,
        "note": [{"text": recommendation}],
        "restriction": {"period": {"start": parsed.timestamp, "end": due}},
    }
    flag = {
        "resourceType": "Flag",
        "id": ids.study_id("flag"),
        "meta": _FLAG_META,
        "identifier": [{"system": codes.ID_ADAPTER_OUTPUT, "value": ids.study_url("flag")}],
        "status": "active",
        "category": _FLAG_CATEGORY,
        "code": {"text": f"{assessment.overall.label}: PRRT tumour-board review requested"},
        "subject": parsed.subject,
        # The banner ends at the review's due date; the worklist may end it earlier
        # (status inactive) once the board has decided.
        "period": {"start": parsed.timestamp, "end": due},
        "author": device,
    }
    return [(ids.study_url("tumour-board-request"), request),
            (ids.study_url("task"), task),
            (ids.study_url("flag"), flag)]


def tumour_board_message(
    resources: list[tuple[str, Json]], parsed: ParsedMessage, ids: OutputIds,
    options: ReportOptions,
) -> Json:
    """Message Bundle (event prrt-tumour-board-review): MessageHeader (focus the Task), the
    request, Task, Flag, their Provenance (entity: the input message id), the Device, the
    operating Organization and the Patient; every literal reference resolves inside it."""
    header = {
        "resourceType": "MessageHeader",
        "id": ids.id("tumour-board-header"),
        "eventCoding": _EVENT,
        "source": options.source(),
        "focus": [{"reference": ids.study_url("task")}],
    }
    entries = [{"fullUrl": ids.url("tumour-board-header"), "resource": header},
               *({"fullUrl": url, "resource": r} for url, r in resources)]
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
