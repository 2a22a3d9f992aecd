"""Same patient, same study: what every read resource must belong to.

The ImagingStudy of the message names the patient (``subject``) and is the study scored; a
lesion finding, the reference uptake, the clinical context and each BodyStructure must belong
to that patient, and what derives from a study must derive from this one. A resource of
another patient or study is rejected, never scored.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapter.fhir.bundle_index import BundleIndex, Entry
from adapter.fhir.parse_copies import read_same_patient
from adapter.fhir.problems import IssueCode, Problems
from adapter.fhir.reader import JsonObject, get_objects


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
    res: JsonObject, path: str, index: BundleIndex, link: StudyLink, problems: Problems,
    *, what: str = "a lesion finding", subject_required: bool = True,
    derived_required: bool = True,
) -> None:
    """``subject`` is the study's patient; ``derivedFrom`` holds the message's ImagingStudy
    and no other ImagingStudy."""
    if subject_required or "subject" in res:
        read_same_patient(res, "subject", path, index, problems, link.subject,
                          link.subject_target, f"the subject of {what}")
    if not derived_required and "derivedFrom" not in res:
        return
    derived = get_objects(res, "derivedFrom", path, problems)
    targets = [index.resolve(str(d.get("reference"))) for _, d in derived]
    for (d_path, _), target in zip(derived, targets, strict=True):
        if target is None:
            problems.add(IssueCode.NOT_FOUND, f"{d_path}.reference",
                         "derivedFrom does not resolve to an entry of the Bundle")
        elif target.resource_type == "ImagingStudy" and target is not link.imaging_study:
            problems.add(IssueCode.INVALID, f"{d_path}.reference",
                         f"{what} derives from another ImagingStudy than the message's")
    if derived and derived_required and link.imaging_study not in targets:
        problems.add(IssueCode.INVALID, f"{path}.derivedFrom",
                     f"{what} must be derivedFrom the message's ImagingStudy")
