"""Raw bytes -> :class:`ParsedMessage`: decode, check the envelope, read what the rules need.

The hot path: ``orjson`` plus hand validation of every element the rules and the output
read (full ``fhir.resources`` validation costs milliseconds; see :mod:`adapter.fhir.strict`).
Every problem found is collected, then raised together as :class:`InvalidMessageError`.
"""

from __future__ import annotations

from typing import Any

from adapter.domain import Study, StudyContext
from adapter.fhir import codes
from adapter.fhir.bundle_index import (
    BundleIndex,
    Entry,
    check_r5_elements,
    read_entries,
    resolve_reference,
)
from adapter.fhir.json_input import decode
from adapter.fhir.links import StudyLink, check_links
from adapter.fhir.message import CopiedEntry, LesionSource, ParsedMessage, ReportInputs
from adapter.fhir.parse_copies import patient_copy
from adapter.fhir.parse_lesion import read_lesion
from adapter.fhir.parse_order import order_inputs
from adapter.fhir.parse_study import (
    StudyFacts,
    component_code,
    read_context,
    read_imaging_study,
    read_reference_uptake,
)
from adapter.fhir.problems import InvalidMessageError, IssueCode, Problems
from adapter.fhir.r4 import R4_RESOURCE_TYPES, UNKNOWN_TYPE, check_modifiers
from adapter.fhir.reader import (
    FHIR_ID,
    JsonObject,
    get_code,
    get_date_time,
    get_object,
    get_objects,
    get_pattern,
    get_str,
)

BUNDLE_TYPES = frozenset({"message", "collection"})
OBSERVATION_KINDS = frozenset(
    {codes.OBS_LESION_FINDING, codes.OBS_REFERENCE_UPTAKE, codes.OBS_CLINICAL_CONTEXT}
)


def parse_message(body: bytes) -> ParsedMessage:
    """Decode and read one input message; raises :class:`InvalidMessageError` with every issue."""
    return parse_document(decode(body))


def parse_document(doc: Any) -> ParsedMessage:
    problems = Problems()
    if not isinstance(doc, dict) or doc.get("resourceType") != "Bundle":
        problems.add(IssueCode.INVALID, "Bundle",
                     "the message must be a FHIR Bundle (resourceType 'Bundle')")
        raise InvalidMessageError(problems.reported())
    check_r5_elements(doc, "Bundle", "Bundle", problems)
    check_modifiers(doc, "Bundle", problems)
    bundle_type = get_code(doc, "type", "Bundle", problems, BUNDLE_TYPES)
    bundle_id = get_pattern(doc, "id", "Bundle", problems, FHIR_ID, "a FHIR id")
    timestamp = get_date_time(doc, "timestamp", "Bundle", problems, instant=True)
    entries = read_entries(doc, problems)
    index = BundleIndex(entries)
    header_id = _read_header(entries, index, problems) if bundle_type == "message" else None
    _at_most_one(index.of_type("MessageHeader"), "MessageHeader", problems)
    message_id = header_id if bundle_type == "message" else bundle_id
    parsed = _read_content(index, problems)
    if problems or parsed is None or message_id is None or timestamp is None:
        raise InvalidMessageError(problems.reported(), message_id=message_id)
    return ParsedMessage(message_id=message_id, timestamp=timestamp, **parsed)


def _read_header(entries: list[Entry], index: BundleIndex, problems: Problems) -> str | None:
    """bdl-12: a message starts with its MessageHeader (the project's findings event)."""
    if not entries or entries[0].position != 0 or entries[0].resource_type != "MessageHeader":
        problems.add(IssueCode.STRUCTURE, "Bundle.entry[0].resource",
                     "a message Bundle must start with a MessageHeader")
        return None
    header, path = entries[0].resource, entries[0].path
    header_id = get_pattern(header, "id", path, problems, FHIR_ID, "a FHIR id")
    if "eventUri" in header and "eventCoding" not in header:
        problems.add(IssueCode.CODE_INVALID, f"{path}.eventUri",
                     f"the event must be eventCoding {codes.EVENT_SCORE_REQUEST}")
    else:
        _check_event(header, path, problems)
    source = get_object(header, "source", path, problems)
    if source is not None:
        check_modifiers(source, f"{path}.source", problems)
        get_str(source, "endpoint", f"{path}.source", problems)
    focus = header.get("focus")
    if not isinstance(focus, list) or not focus:
        problems.add(IssueCode.REQUIRED, f"{path}.focus",
                     "focus (the ImagingStudy to score) is required")
    else:
        resolve_reference({"focus[0]": focus[0]}, "focus[0]", path, index, problems,
                          "ImagingStudy")
    return header_id


def _check_event(header: JsonObject, path: str, problems: Problems) -> None:
    coding = get_object(header, "eventCoding", path, problems)
    if coding is None:
        return
    here = f"{path}.eventCoding"
    if coding.get("system") != codes.CS_MESSAGE_EVENT:
        problems.add(IssueCode.CODE_INVALID, f"{here}.system",
                     f"the event system must be {codes.CS_MESSAGE_EVENT}")
        return
    get_code(coding, "code", here, problems, {codes.EVENT_SCORE_REQUEST})


def _read_content(index: BundleIndex, problems: Problems) -> dict[str, Any] | None:
    """ImagingStudy, Patient, reference SUVs, context and lesions -> the ParsedMessage fields."""
    imaging = _exactly_one(index, "ImagingStudy", problems)
    _at_most_one(index.of_type("Patient"), "Patient", problems)
    facts = read_imaging_study(imaging, index, problems) if imaging else StudyFacts()
    kinds = _observations(index, problems)
    reference, ref_paths = (read_reference_uptake(kinds[codes.OBS_REFERENCE_UPTAKE][0], problems)
                            if kinds[codes.OBS_REFERENCE_UPTAKE] else (None, {}))
    context, ctx_paths, history = (read_context(kinds[codes.OBS_CLINICAL_CONTEXT][0], problems)
                                   if kinds[codes.OBS_CLINICAL_CONTEXT] else ({}, {}, {}))
    if not kinds[codes.OBS_LESION_FINDING]:
        problems.add(IssueCode.REQUIRED, "Bundle.entry",
                     "the message has no lesion finding Observation (code lesion-finding)")
    if imaging is None:
        return None
    link = StudyLink.of(imaging, facts.subject, index)
    for entry in kinds[codes.OBS_REFERENCE_UPTAKE][:1]:
        check_links(entry.resource, entry.path, index, link, problems,
                    what="the reference uptake", subject_required=False)
    for entry in kinds[codes.OBS_CLINICAL_CONTEXT][:1]:
        check_links(entry.resource, entry.path, index, link, problems,
                    what="the clinical context", subject_required=False, derived_required=False)
    read = [read_lesion(e, index, link, problems) for e in kinds[codes.OBS_LESION_FINDING]]
    lesions = [r for r in read if r is not None]
    _check_unique([s for _, s, _ in lesions], problems)
    patient = patient_copy(facts.patient, problems) if facts.patient is not None else None
    if problems or facts.uid is None or facts.subject is None or facts.started is None:
        return None
    study = Study(
        lesions=tuple(lesion for lesion, _, _ in lesions),
        context=StudyContext(injected_activity_mbq=facts.injected_activity_mbq,
                             uptake_time_min=facts.uptake_time_min,
                             field_of_view=facts.field_of_view, **context),
        reference=reference,
    )
    orders = order_inputs(index, (r for _, _, x in lesions for r in x.performers),
                          [*facts.based_on, *(r for _, _, x in lesions for r in x.based_on)])
    return {
        "study_uid": facts.uid, "subject": facts.subject, "started": facts.started,
        "imaging_study": CopiedEntry(imaging.full_url, facts.copy),
        "patient": patient,
        "body_structures": tuple(s.body_structure for _, s, _ in lesions),
        "lesions": tuple(s for _, s, _ in lesions),
        "study": study,
        "study_paths": {**facts.paths, **ref_paths, **ctx_paths,
                        "lesions": "Bundle.entry"},
        "report_inputs": ReportInputs(
            # Checked by the reader; repeated as logical references (parse_order), since the
            # answer does not carry the Practitioner or the ServiceRequest.
            interpreters=orders.interpreters,
            based_on=orders.based_on,
            order_code=orders.order_code,
            radiopharmaceutical=facts.radiopharmaceutical,
            radiopharmaceutical_label=facts.radiopharmaceutical_label,
            history=history,
            lesion_suv_mean={s.lesion_id: x.suv_mean for _, s, x in lesions
                             if x.suv_mean is not None},
        ),
    }


def _exactly_one(index: BundleIndex, rtype: str, problems: Problems) -> Entry | None:
    found = index.of_type(rtype)
    if not found:
        problems.add(IssueCode.REQUIRED, "Bundle.entry", f"the message has no {rtype}")
        return None
    _at_most_one(found, rtype, problems)
    return found[0]


def _at_most_one(found: list[Entry], rtype: str, problems: Problems) -> None:
    for extra in found[1:]:
        problems.add(IssueCode.INVALID, extra.path, f"only one {rtype} is allowed per message")


def _observations(index: BundleIndex, problems: Problems) -> dict[str, list[Entry]]:
    kinds: dict[str, list[Entry]] = {k: [] for k in OBSERVATION_KINDS}
    for entry in index.entries:
        if (entry.resource_type != "Observation"
                and component_code(entry.resource, codes.CS_OBSERVATION) in OBSERVATION_KINDS):
            # A finding carried by another type (a Basic, a DiagnosticReport) is not skipped.
            problems.add(IssueCode.INVALID, f"{entry.path}.resourceType",
                         "a lesion-finding, reference-uptake or clinical-context must be an "
                         "Observation")
        if "contained" in entry.resource:
            _check_contained(entry, problems)
    for entry in index.of_type("Observation"):
        code = component_code(entry.resource, codes.CS_OBSERVATION)
        if code not in OBSERVATION_KINDS:
            problems.add(IssueCode.CODE_INVALID, f"{entry.path}.code",
                         "an Observation must be a lesion-finding, reference-uptake or "
                         "clinical-context (CodeSystem sstr-observation-code)")
            continue
        kinds[code].append(entry)
    for kind in (codes.OBS_REFERENCE_UPTAKE, codes.OBS_CLINICAL_CONTEXT):
        _at_most_one(kinds[kind], f"{kind} Observation", problems)
    return kinds


def _check_contained(entry: Entry, problems: Problems) -> None:
    """Contained resources are not read: one of an unknown type, or a finding hidden there
    (it would not be scored), is rejected rather than skipped."""
    for c_path, contained in get_objects(entry.resource, "contained", entry.path, problems):
        rtype = contained.get("resourceType")
        if not isinstance(rtype, str) or rtype not in R4_RESOURCE_TYPES:
            problems.add(IssueCode.CODE_INVALID, f"{c_path}.resourceType",
                         UNKNOWN_TYPE)
        elif component_code(contained, codes.CS_OBSERVATION) in OBSERVATION_KINDS:
            problems.add(IssueCode.NOT_SUPPORTED, c_path,
                         "a lesion-finding, reference-uptake or clinical-context must be an "
                         "entry of the Bundle, not a contained resource")


def _check_unique(sources: list[LesionSource], problems: Problems) -> None:
    seen: set[str] = set()
    for source in sources:
        if source.lesion_id in seen:
            problems.add(IssueCode.INVALID, source.item_paths["lesion_id"],
                         "the lesion tracking id appears on more than one lesion finding")
        seen.add(source.lesion_id)
