"""Raw bytes -> :class:`ParsedMessage`, in a straight line.

bytes -> JSON (:mod:`adapter.fhir.json_input`: duplicate member names refused) -> the typed
message (:mod:`adapter.fhir.structure`, on the declaration of :mod:`adapter.fhir.schema`) ->
semantic checks on the typed message (entries and references, codes, the same patient and
study: this module and the ``parse_*`` ones) -> the domain :class:`Study` and what the answer
repeats. Every problem of a stage is collected, then raised together as
:class:`InvalidMessageError`. (Full ``fhir.resources`` validation costs milliseconds; see
:mod:`adapter.fhir.strict`.)
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from adapter.domain import Study, StudyContext
from adapter.fhir import codes, schema
from adapter.fhir.bundle_index import BundleIndex, Entry, read_entries, resolve_reference
from adapter.fhir.datatypes import code_in, coding_code, required, text
from adapter.fhir.json_input import decode
from adapter.fhir.links import StudyLink, check_links
from adapter.fhir.message import CopiedEntry, LesionSource, ParsedMessage, ReportInputs
from adapter.fhir.parse_copies import patient_copy
from adapter.fhir.parse_lesion import read_lesion
from adapter.fhir.parse_order import order_inputs
from adapter.fhir.parse_study import (
    StudyFacts,
    read_context,
    read_imaging_study,
    read_reference_uptake,
)
from adapter.fhir.problems import InvalidMessageError, IssueCode, Problems
from adapter.fhir.structure import read_bundle

OBSERVATION_KINDS = frozenset(
    {codes.OBS_LESION_FINDING, codes.OBS_REFERENCE_UPTAKE, codes.OBS_CLINICAL_CONTEXT}
)


def parse_message(body: bytes) -> ParsedMessage:
    """Decode and read one input message; raises :class:`InvalidMessageError` with every issue."""
    return parse_document(decode(body))


def parse_document(doc: Any) -> ParsedMessage:
    """Read a decoded message (see :func:`parse_message`)."""
    typed = read_bundle(doc)
    problems = typed.problems  # the declaration's, if any: the semantic checks add theirs
    entries = read_entries(typed, problems)
    index = BundleIndex(entries, typed.broken)
    message = typed.bundle_type == "message"
    header_id = _read_header(entries, index, problems) if message else None
    _at_most_one(index.of_type("MessageHeader"), "MessageHeader", problems)
    message_id = header_id if message else typed.bundle_id
    parsed = _read_content(index, problems)
    if problems or parsed is None or message_id is None or typed.timestamp is None:
        raise InvalidMessageError(problems.reported(), message_id=message_id or typed.message_id)
    return ParsedMessage(message_id=message_id, timestamp=typed.timestamp, **parsed)


def _read_header(entries: list[Entry], index: BundleIndex, problems: Problems) -> str | None:
    """bdl-12: a message starts with its MessageHeader (the project's findings event)."""
    if not entries or entries[0].position != 0 or entries[0].resource_type != "MessageHeader":
        if index.broken and index.broken[0].position == 0:
            return None  # the first entry was refused by the declaration: reported
        problems.add(IssueCode.STRUCTURE, "Bundle.entry[0].resource",
                     "a message Bundle must start with a MessageHeader")
        return None
    header: schema.MessageHeader = entries[0].resource
    path = entries[0].path
    header_id = header.id if required(header.id, f"{path}.id", "id", problems) else None
    if header.eventUri is not UNSET and header.eventCoding is UNSET:
        problems.add(IssueCode.CODE_INVALID, f"{path}.eventUri",
                     f"the event must be eventCoding {codes.EVENT_SCORE_REQUEST}")
    elif required(header.eventCoding, f"{path}.eventCoding", "eventCoding", problems):
        _check_event(header.eventCoding, f"{path}.eventCoding", problems)
    if required(header.source, f"{path}.source", "source", problems):
        text(header.source.endpoint, f"{path}.source.endpoint", "endpoint", problems)
    if header.focus is UNSET:
        problems.add(IssueCode.REQUIRED, f"{path}.focus",
                     "focus (the ImagingStudy to score) is required")
    else:
        resolve_reference(header.focus[0], f"{path}.focus[0]", "focus[0]", index, problems,
                          "ImagingStudy")
    return header_id


def _check_event(coding: schema.Coding, here: str, problems: Problems) -> None:
    if coding.system != codes.CS_MESSAGE_EVENT:
        problems.add(IssueCode.CODE_INVALID, f"{here}.system",
                     f"the event system must be {codes.CS_MESSAGE_EVENT}")
        return
    code_in(coding.code, f"{here}.code", "code", problems, {codes.EVENT_SCORE_REQUEST})


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
    if not kinds[codes.OBS_LESION_FINDING] and not any(
            b.kind == codes.OBS_LESION_FINDING for b in index.broken):
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
        if not index.broken_of_type(rtype):  # a refused one is reported already
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
        resource = entry.resource
        if (entry.resource_type != "Observation"
                and _lenient_code(getattr(resource, "code", None), codes.CS_OBSERVATION)
                in OBSERVATION_KINDS):
            # A finding carried by another type (a Basic, a DiagnosticReport) is not skipped.
            problems.add(IssueCode.INVALID, f"{entry.path}.resourceType",
                         "a lesion-finding, reference-uptake or clinical-context must be an "
                         "Observation")
        contained = getattr(resource, "contained", UNSET)
        if contained is not UNSET:
            _check_contained(contained, entry.path, problems)
    for entry in index.of_type("Observation"):
        code = coding_code(entry.resource.code, codes.CS_OBSERVATION)
        if code not in OBSERVATION_KINDS:
            problems.add(IssueCode.CODE_INVALID, f"{entry.path}.code",
                         "an Observation must be a lesion-finding, reference-uptake or "
                         "clinical-context (CodeSystem sstr-observation-code)")
            continue
        kinds[code].append(entry)
    for kind in (codes.OBS_REFERENCE_UPTAKE, codes.OBS_CLINICAL_CONTEXT):
        _at_most_one(kinds[kind], f"{kind} Observation", problems)
    return kinds


def _lenient_code(concept: Any, system: str) -> str | None:
    """The code from ``system`` of a ``code`` no rule reads (a resource that is not declared
    element by element: raw JSON) or of a typed CodeableConcept."""
    if isinstance(concept, schema.CodeableConcept):
        return coding_code(concept, system)
    codings = concept.get("coding") if type(concept) is dict else None
    if type(codings) is list:
        for coding in codings:
            if type(coding) is dict and coding.get("system") == system:
                code = coding.get("code")
                return code if type(code) is str else None
    return None


def _check_contained(contained: list[Any], path: str, problems: Problems) -> None:
    """Contained resources are not read (their types are checked by the declaration): a
    finding hidden there would not be scored, so it is rejected rather than skipped."""
    for i, resource in enumerate(contained):
        if _lenient_code(resource.code, codes.CS_OBSERVATION) in OBSERVATION_KINDS:
            problems.add(IssueCode.NOT_SUPPORTED, f"{path}.contained[{i}]",
                         "a lesion-finding, reference-uptake or clinical-context must be an "
                         "entry of the Bundle, not a contained resource")


def _check_unique(sources: list[LesionSource], problems: Problems) -> None:
    seen: set[str] = set()
    for source in sources:
        if source.lesion_id in seen:
            problems.add(IssueCode.INVALID, source.item_paths["lesion_id"],
                         "the lesion tracking id appears on more than one lesion finding")
        seen.add(source.lesion_id)
