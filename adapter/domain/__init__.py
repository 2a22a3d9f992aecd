"""SSTR-RADS 1.0 rules: pure functions over frozen values, standard library only.

Entry points: :func:`score_study` (a whole study) and :func:`score_lesion` (one lesion).
Every decision names a rule of :data:`RULES` or a policy of :data:`AMBIGUITIES`.
"""

from __future__ import annotations

from adapter.domain.catalogue import AMBIGUITIES, RULES, Rule
from adapter.domain.errors import InvalidLesionError, InvalidStudyError, SstrRadsError
from adapter.domain.lesion import TABLE1_PRRT, score_lesion
from adapter.domain.model import (
    Ambiguity,
    AnatomicCorrelate,
    BenignEvidence,
    Category,
    ContextItem,
    Grade,
    Lesion,
    LesionAssessment,
    NextStep,
    Progression,
    PrrtRecommendation,
    ReferenceUptake,
    SiteClass,
    Study,
    StudyAssessment,
    StudyContext,
    Therapy,
    UptakeLevel,
    UptakeResult,
    UptakeSource,
)
from adapter.domain.policy import DEFAULT_POLICY, ScoringPolicy
from adapter.domain.study import PRRT_CAVEAT, score_study
from adapter.domain.uptake import level_from_suv

RULES_VERSION = "SSTR-RADS 1.0 / rules 1.0.0"

__all__ = [
    "AMBIGUITIES",
    "DEFAULT_POLICY",
    "PRRT_CAVEAT",
    "RULES",
    "RULES_VERSION",
    "TABLE1_PRRT",
    "Ambiguity",
    "AnatomicCorrelate",
    "BenignEvidence",
    "Category",
    "ContextItem",
    "Grade",
    "InvalidLesionError",
    "InvalidStudyError",
    "Lesion",
    "LesionAssessment",
    "NextStep",
    "Progression",
    "PrrtRecommendation",
    "ReferenceUptake",
    "Rule",
    "ScoringPolicy",
    "SiteClass",
    "SstrRadsError",
    "Study",
    "StudyAssessment",
    "StudyContext",
    "Therapy",
    "UptakeLevel",
    "UptakeResult",
    "UptakeSource",
    "level_from_suv",
    "score_lesion",
    "score_study",
]
