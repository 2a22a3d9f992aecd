"""Small builders so each test states only what matters to its rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from adapter.domain import (
    Ambiguity,
    AnatomicCorrelate,
    BenignEvidence,
    Category,
    Grade,
    Lesion,
    Progression,
    ReferenceUptake,
    SiteClass,
    Study,
    StudyContext,
    Therapy,
    UptakeLevel,
)

REFERENCE = ReferenceUptake(blood_pool_suv_mean=2.0, liver_suv_mean=6.0)
"""Blood pool 2.0, liver 6.0: level 1 <= 2.0 < level 2 <= 6.0 < level 3."""

COMPLETE_CONTEXT = StudyContext(
    primary_tumour="ileum",
    grade=Grade.G1,
    ki67_percent=2.0,
    biopsy_date=dt.date(2024, 1, 15),
    primary_diagnosis_date=dt.date(2024, 1, 10),
    symptoms_reported=True,
    prior_therapies=frozenset({Therapy.SSA}),
    previous_imaging_reported=True,
    other_malignancies_reported=True,
    laboratory_reported=True,
    injected_activity_mbq=150.0,
    uptake_time_min=60.0,
    field_of_view="skull base to mid-thigh",
)


def lesion(
    lesion_id: str = "L1",
    *,
    site_class: SiteClass = SiteClass.TYPICAL_SOFT_TISSUE,
    level: int | None = None,
    suv: float | None = None,
    correlate: AnatomicCorrelate = AnatomicCorrelate.NONE,
    benign: BenignEvidence = BenignEvidence.NOT_KNOWN,
    progression: Progression = Progression.NOT_ASSESSED,
    site: str = "mesenteric lymph node",
    organ_system: str | None = "lymph nodes",
    size_mm: float | None = None,
    site_code: str | None = None,
) -> Lesion:
    """A lesion; ``level`` is the reader's Table 2 level (ints keep the tables short)."""
    valid = type(level) is int and 0 <= level <= 3
    reader_level = UptakeLevel(level) if valid else level
    return Lesion(
        lesion_id=lesion_id,
        site=site,
        site_class=site_class,
        organ_system=organ_system,
        reader_level=reader_level,  # type: ignore[arg-type]  # invalid levels are tested too
        suv_max=suv,
        benign=benign,
        correlate=correlate,
        progression=progression,
        size_mm=size_mm,
        site_code=site_code,
    )


_TYPICAL_FINDING: dict[Category, dict[str, object]] = {
    Category.C1A: {"site_class": SiteClass.PHYSIOLOGIC, "level": 2, "site": "uncinate process"},
    Category.C1B: {"site_class": SiteClass.HIGHLY_ATYPICAL, "level": 3,
                   "benign": BenignEvidence.BIOPSY, "site": "thyroid nodule"},
    Category.C2: {"site_class": SiteClass.ATYPICAL_SOFT_TISSUE, "level": 1,
                  "site": "axillary lymph node"},
    Category.C3A: {"level": 2},
    Category.C3B: {"site_class": SiteClass.BONE_NOT_ATYPICAL, "level": 2, "site": "rib"},
    Category.C3C: {"site_class": SiteClass.HIGHLY_ATYPICAL, "level": 3, "site": "breast"},
    Category.C3D: {"level": 0, "correlate": AnatomicCorrelate.HIGHLY_SUSPICIOUS,
                   "site": "liver segment VI"},
    Category.C4: {"level": 3, "correlate": AnatomicCorrelate.NON_SUSPICIOUS},
    Category.C5: {"level": 3, "correlate": AnatomicCorrelate.CORRESPONDING},
}


def lesion_in(category: Category, lesion_id: str = "L1", **overrides: object) -> Lesion:
    """The textbook finding of ``category`` (tests/domain checks it scores so)."""
    fields = {**_TYPICAL_FINDING[category], **overrides}
    return lesion(lesion_id, **fields)  # type: ignore[arg-type]


def study_of(
    *categories: Category,
    context: StudyContext = COMPLETE_CONTEXT,
    reference: ReferenceUptake | None = None,
) -> Study:
    """A study with one textbook lesion per category given, ids L1, L2, ..."""
    lesions = tuple(lesion_in(c, f"L{i}") for i, c in enumerate(categories, start=1))
    return Study(lesions=lesions, context=context, reference=reference)


def codes(ambiguities: Iterable[Ambiguity]) -> set[str]:
    """The policy codes of a tuple of :class:`Ambiguity`."""
    return {a.code for a in ambiguities}
