"""Same patient, same study: what every read resource must belong to.

The ImagingStudy of the message names the patient (``subject``) and is the study scored; a
lesion finding, the reference uptake, the clinical context and each BodyStructure must belong
to that patient, and what derives from a study must derive from this one. A resource of
another patient or study is rejected, never scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from msgspec import UNSET

from adapter.fhir.bundle_index import BundleIndex, Entry
from adapter.fhir.datatypes import JsonObject
from adapter.fhir.parse_copies import read_same_patient
from adapter.fhir.problems import IssueCode, Problems


@dataclass(frozen=True, slots=True)
class StudyLink:
    """What every lesion must point at: the ImagingStudy and the study's subject."""

    imaging_study: Entry
    subject: JsonObject | None
    subject_target: str | None = None
    """What ``subject`` points at (see :meth:`of`), resolved once for every lesion."""

    @classmethod
    def of(cls, imaging_study: Entry, subject: JsonObject | None, index: BundleIndex) -> StudyLink:
        target = index.target(subject["reference"]) if subject is not None else None
        return cls(imaging_study, subject, target)


def check_links(
    res: Any, path: str, index: BundleIndex, link: StudyLink, problems: Problems,
    *, what: str = "a lesion finding", subject_required: bool = True,
    derived_required: bool = True,
) -> None:
    """``subject`` is the study's patient; ``derivedFrom`` holds the message's ImagingStudy
    and no other ImagingStudy. ``res`` is a typed Observation (:mod:`adapter.fhir.schema`)."""
    if subject_required or res.subject is not UNSET:
        read_same_patient(res.subject, "subject", path, index, problems, link.subject,
                          link.subject_target, f"the subject of {what}")
    derived = res.derivedFrom
    if derived is UNSET:
        if derived_required:
            problems.add(IssueCode.REQUIRED, f"{path}.derivedFrom", "derivedFrom is required")
        return
    targets = [index.resolve(d.reference) if d.reference is not UNSET else None
               for d in derived]
    for i, target in enumerate(targets):
        d_path = f"{path}.derivedFrom[{i}]"
        if target is None:
            if derived[i].reference is UNSET or not index.is_broken(derived[i].reference):
                problems.add(IssueCode.NOT_FOUND, f"{d_path}.reference",
                             "derivedFrom does not resolve to an entry of the Bundle")
        elif target.resource_type == "ImagingStudy" and target is not link.imaging_study:
            problems.add(IssueCode.INVALID, f"{d_path}.reference",
                         f"{what} derives from another ImagingStudy than the message's")
    if derived_required and link.imaging_study not in targets and (
            not index.broken or None not in targets):
        problems.add(IssueCode.INVALID, f"{path}.derivedFrom",
                     f"{what} must be derivedFrom the message's ImagingStudy")
