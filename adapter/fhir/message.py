"""What the parser hands on: the domain :class:`Study` plus the FHIR bits the output needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from adapter.domain import Study

JsonObject = dict[str, Any]

# LesionSource and CopiedEntry are NamedTuples rather than frozen dataclasses: several are
# built for every message, and a tuple is built three times faster.


class CopiedEntry(NamedTuple):
    """An input entry the output Bundle repeats (same fullUrl), rebuilt from what the
    parser validated: never the input's JSON, which may hold elements nobody checked."""

    full_url: str
    resource: JsonObject


class LesionSource(NamedTuple):
    """Where a lesion came from in the input, to link and locate its assessment.

    ``item_paths`` maps the domain's item names (``suv_max``, ``reader_level``, ...) to the
    FHIRPath of the element they were read from, so a domain error names the element.
    """

    lesion_id: str
    full_url: str
    status: str
    path: str
    focus: JsonObject
    """The Reference to the lesion's BodyStructure (``reference`` only)."""
    body_site: JsonObject
    """The validated ``bodySite`` (codings and text only)."""
    item_paths: dict[str, str]
    body_structure: CopiedEntry


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """Optional inputs that no rule reads and only the answer shows (report, provenance)."""

    interpreters: tuple[JsonObject, ...] = ()
    """References to the reading physician: the lesion findings' ``performer``
    (Practitioner or PractitionerRole), in input order, without duplicates."""
    based_on: tuple[JsonObject, ...] = ()
    """The order: ``basedOn`` References of the ImagingStudy and the findings (a
    ServiceRequest by ``reference`` and/or by ``identifier``, such as the accession number)."""
    order_code: JsonObject | None = None
    """The code of the ordered procedure (the ServiceRequest's ``code``, codings with system
    and code, and text), when the order is an entry of the message; it becomes the report's
    code (else LOINC 44139-4)."""
    radiopharmaceutical: JsonObject | None = None
    """The validated radiopharmaceutical Coding of the ImagingStudy, when it is one of ValueSet
    sstr-radiopharmaceutical (None for a radiopharmaceutical outside it)."""
    radiopharmaceutical_label: str | None = None
    """How the report names the radiopharmaceutical: the value set's label, else (extensible
    binding) the sender's text or display as given."""
    history: dict[str, str] = field(default_factory=dict)
    """Supplementary Table 1 history items given as text, by item code
    (``symptoms``, ``previous-imaging``, ``other-malignancies``, ``laboratory``)."""
    lesion_suv_mean: dict[str, float] = field(default_factory=dict)
    """SUVmean of a lesion by lesion id, when the finding gives one (not read by the rules)."""


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """A valid input message: the study to score and the envelope of the answer."""

    message_id: str
    timestamp: str
    study_uid: str
    subject: JsonObject
    """The Reference to the patient the ImagingStudy gives (``reference`` only)."""
    started: str
    imaging_study: CopiedEntry
    patient: CopiedEntry | None
    body_structures: tuple[CopiedEntry, ...]
    lesions: tuple[LesionSource, ...]
    study: Study
    study_paths: dict[str, str]
    """Domain study-level item names (``reference.liver_suv_mean``...) -> FHIRPath."""
    report_inputs: ReportInputs = field(default_factory=ReportInputs)
    """Optional inputs the answer repeats; empty when the sender gave none."""
