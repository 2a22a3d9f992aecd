"""The vocabulary of SSTR-RADS 1.0 as frozen values.

Inputs (:class:`Lesion`, :class:`StudyContext`, :class:`ReferenceUptake`) describe
what the reader saw; outputs (:class:`LesionAssessment`, :class:`StudyAssessment`)
what the rules decided and why. Enum values are the codes of the project's
CodeSystems (``fhir_profiles``), so the FHIR edge maps them one to one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum, IntEnum, StrEnum


class SiteClass(StrEnum):
    """Where a finding lies, in the paper's terms (Table 1, "Findings" column)."""

    PHYSIOLOGIC = "physiologic"
    """Normal physiological biodistribution of the tracer (SSTR-RADS-1 section, Fig. 1)."""
    TYPICAL_SOFT_TISSUE = "typical-soft-tissue"
    """Soft-tissue site typical for NET: liver, regional/mesenteric nodes, pancreas, bowel..."""
    ATYPICAL_SOFT_TISSUE = "atypical-soft-tissue"
    """Soft-tissue site atypical of metastatic NET, e.g. axillary nodes (Table 1, row 2)."""
    HIGHLY_ATYPICAL = "highly-atypical"
    """Site highly atypical for NET, e.g. breast, thyroid nodule (Table 1, row 3C)."""
    BONE_NOT_ATYPICAL = "bone-not-atypical"
    """Bone lesion not atypical for NET (Table 1, row 3B)."""
    BONE_ATYPICAL = "bone-atypical"
    """Bone lesion atypical for NET, e.g. strongly suspected degenerative (Table 1, row 2)."""

    @property
    def is_bone(self) -> bool:
        return self in (SiteClass.BONE_NOT_ATYPICAL, SiteClass.BONE_ATYPICAL)


class UptakeLevel(IntEnum):
    """Table 2 uptake level; 0 is the reader's "no uptake above background"."""

    NONE = 0
    BLOOD_POOL_OR_LESS = 1
    ABOVE_BLOOD_POOL = 2
    ABOVE_LIVER = 3


class UptakeSource(StrEnum):
    """Where the uptake level used for scoring came from."""

    READER = "reader"
    SUV = "suv"
    READER_OVER_SUV = "reader-over-suv"
    """Both given and they disagree: the reader's level is used (issue policy)."""


class AnatomicCorrelate(StrEnum):
    """The finding on CT/MRI at the site of the lesion."""

    NONE = "none"
    NON_SUSPICIOUS = "non-suspicious"
    CORRESPONDING = "corresponding"
    HIGHLY_SUSPICIOUS = "highly-suspicious"


class BenignEvidence(StrEnum):
    """Whether the finding is known benign (SSTR-RADS-1 section)."""

    NOT_KNOWN = "not-known"
    BIOPSY = "biopsy"
    PATHOGNOMONIC_IMAGING = "pathognomonic-imaging"

    @property
    def is_known_benign(self) -> bool:
        return self is not BenignEvidence.NOT_KNOWN


class Progression(StrEnum):
    """Change of the lesion since a prior study."""

    NOT_ASSESSED = "not-assessed"
    NEW = "new"
    STABLE = "stable"
    REGRESSED = "regressed"
    PROGRESSED = "progressed"


class Grade(StrEnum):
    """WHO grade of the neuroendocrine neoplasm."""

    G1 = "G1"
    G2 = "G2"
    G3 = "G3"


class Therapy(StrEnum):
    """Prior therapies Supplementary Table 1 asks for."""

    SSA = "ssa"
    PRRT = "prrt"
    CHEMOTHERAPY = "chemotherapy"
    SURGERY = "surgery"
    LOCOREGIONAL = "locoregional"
    TARGETED = "targeted"
    OTHER = "other"


class Category(Enum):
    """An SSTR-RADS 1.0 category. ``rank`` orders them for the overall score."""

    C1A = "1A"
    C1B = "1B"
    C2 = "2"
    C3A = "3A"
    C3B = "3B"
    C3C = "3C"
    C3D = "3D"
    C4 = "4"
    C5 = "5"

    # Read for every lesion: plain attributes of the member, set once when the class is made
    # (a property or Enum.value is Python code run on every read).
    code: str
    label: str
    """``SSTR-RADS-3A``."""
    level: int
    """The main level 1..5 (3 for 3A..3D)."""
    rank: int
    """The position in the order above (sub-categories of 3: 3A < 3B < 3C < 3D, AMB-3-ORDER)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.label = f"SSTR-RADS-{code}"
        self.level = int(code[0])

    # Members are singletons compared by identity: the identity hash is C code, Enum's
    # (the hash of the name) Python code run on every dict lookup.
    __hash__ = object.__hash__


for _rank, _category in enumerate(Category):
    _category.rank = _rank
del _rank, _category


class PrrtRecommendation(StrEnum):
    """Patient-level PRRT recommendation (Table 1 PRRT column and the Discussion)."""

    DEFINITELY_CONSIDER = "definitely-consider"
    CONSIDER = "consider"
    COMBINED_WITH_LOCOREGIONAL = "combined-prrt-locoregional"
    MAY_CONSIDER = "may-consider"
    LOCOREGIONAL = "locoregional"
    RULED_OUT = "ruled-out"
    NOT_CONSIDERED = "not-considered"


class ContextItem(StrEnum):
    """Supplementary Table 1: minimum required data in a clinical report."""

    PRIMARY_TUMOUR = "primary-tumour"
    BIOPSY_DATE = "biopsy-date"
    KI67_OR_GRADE = "ki67-or-grade"
    PRIMARY_DIAGNOSIS_DATE = "primary-diagnosis-date"
    SYMPTOMS = "symptoms"
    PREVIOUS_THERAPIES = "previous-therapies"
    PREVIOUS_IMAGING = "previous-imaging"
    OTHER_MALIGNANCIES = "other-malignancies"
    LABORATORY = "laboratory"
    INJECTED_ACTIVITY = "injected-activity"
    UPTAKE_TIME = "uptake-time"
    FIELD_OF_VIEW = "field-of-view"


@dataclass(frozen=True, slots=True)
class Lesion:
    """One finding as the reader describes it.

    ``lesion_id`` is the tracking identifier (not patient data). ``site`` is a
    human-readable anatomic description, ``organ_system`` (or, absent, the organ system of
    ``site_code``) groups lesions for the representative-lesion rule (Discussion, more than
    5 positive lesions).
    """

    lesion_id: str
    site: str
    site_class: SiteClass
    organ_system: str | None = None
    """As the sender gave it; ``None``: derived from the anatomy (:mod:`adapter.domain.anatomy`)."""
    reader_level: UptakeLevel | None = None
    suv_max: float | None = None
    benign: BenignEvidence = BenignEvidence.NOT_KNOWN
    correlate: AnatomicCorrelate = AnatomicCorrelate.NONE
    progression: Progression = Progression.NOT_ASSESSED
    size_mm: float | None = None
    site_code: str | None = None
    """The SNOMED CT code of the anatomic site, when given (organ system by anatomy)."""


@dataclass(frozen=True, slots=True)
class ReferenceUptake:
    """SUVmean of the reference regions of Table 2 (blood pool and liver)."""

    blood_pool_suv_mean: float
    liver_suv_mean: float


@dataclass(frozen=True, slots=True)
class StudyContext:
    """Clinical and acquisition context (Supplementary Table 1).

    ``None`` means "not reported"; an empty ``prior_therapies`` means "reported: none".
    """

    primary_tumour: str | None = None
    grade: Grade | None = None
    ki67_percent: float | None = None
    biopsy_date: dt.date | None = None
    primary_diagnosis_date: dt.date | None = None
    symptoms_reported: bool = False
    prior_therapies: frozenset[Therapy] | None = None
    previous_imaging_reported: bool = False
    other_malignancies_reported: bool = False
    laboratory_reported: bool = False
    injected_activity_mbq: float | None = None
    uptake_time_min: float | None = None
    field_of_view: str | None = None


@dataclass(frozen=True, slots=True)
class Study:
    """Everything the rules need for one SSTR-PET study."""

    lesions: tuple[Lesion, ...]
    context: StudyContext = field(default_factory=StudyContext)
    reference: ReferenceUptake | None = None


@dataclass(frozen=True, slots=True)
class Ambiguity:
    """A decision the paper does not dictate: the policy applied and why."""

    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class UptakeResult:
    """The Table 2 level used for scoring, its source, and the SUV-derived level if any."""

    level: UptakeLevel
    source: UptakeSource
    suv_level: UptakeLevel | None = None

    @property
    def far_apart(self) -> bool:
        """Reader and SUVs more than one level apart, or on two sides of level 3."""
        suv = self.suv_level
        if suv is None or self.source is not UptakeSource.READER_OVER_SUV:
            return False
        return abs(int(self.level) - int(suv)) > 1 or (self.level == 3) != (suv == 3)


@dataclass(frozen=True, slots=True)
class NextStep:
    """A work-up step the paper prescribes for a category."""

    text: str
    follow_up_months: tuple[int, int] | None = None
    rule: str = ""


@dataclass(frozen=True, slots=True)
class LesionAssessment:
    lesion: Lesion
    category: Category
    rule: str
    """Code of the deciding rule (see :mod:`adapter.domain.catalogue`)."""
    uptake: UptakeResult
    table1_prrt: str
    next_steps: tuple[NextStep, ...]
    ambiguities: tuple[Ambiguity, ...] = ()
    notes: tuple[str, ...] = ()
    representative: bool = False
    waived: bool = False
    suv_category: Category | None = None
    """When the reader's level overrules SUVs that give another category (or are far
    apart from it, see :attr:`UptakeResult.far_apart`): the category the SUV level gives."""

    @property
    def is_positive(self) -> bool:
        """SSTR-positive finding of suspected disease (Discussion: "positive lesions")."""
        return self.category in POSITIVE_CATEGORIES


POSITIVE_CATEGORIES: frozenset[Category] = frozenset(
    {Category.C3A, Category.C3B, Category.C3C, Category.C4, Category.C5}
)


@dataclass(frozen=True, slots=True)
class StudyAssessment:
    lesions: tuple[LesionAssessment, ...]
    overall: Category
    overall_rule: str
    carrying: tuple[str, ...]
    """Lesion ids whose category equals the overall score."""
    work_up: tuple[str, ...]
    """Lesion ids in 3C or 3D: reported whatever the overall score."""
    prrt: PrrtRecommendation
    prrt_rule: str
    prrt_caveat: str
    tumour_board: bool
    next_steps: tuple[NextStep, ...]
    missing: tuple[ContextItem, ...]
    ambiguities: tuple[Ambiguity, ...] = ()
    representatives_applied: bool = False
    proliferation_raised: bool | None = None
