"""The study as a whole: overall score, PRRT recommendation, tumour board, completeness."""

from __future__ import annotations

import math
from dataclasses import replace

from adapter.domain.anatomy import OrganSystem, SystemSource, organ_system_of
from adapter.domain.errors import InvalidLesionError, InvalidStudyError
from adapter.domain.lesion import score_lesion
from adapter.domain.model import (
    Ambiguity,
    Category,
    ContextItem,
    LesionAssessment,
    NextStep,
    PrrtRecommendation,
    Study,
    StudyAssessment,
    StudyContext,
)
from adapter.domain.policy import DEFAULT_POLICY, ScoringPolicy
from adapter.domain.uptake import check_reference

PRRT_CAVEAT = (
    "Inclusion and exclusion criteria of the Joint IAEA, EANM and SNMMI practical guidance and "
    "the ENETS consensus guidelines still apply, including kidney and bone-marrow function "
    "(Table 1, footnote 2)."
)

_HIGH = (Category.C4, Category.C5)
_WAIVABLE = (Category.C3A, Category.C3B)
_WORK_UP = (Category.C3C, Category.C3D)
_THREES = (Category.C3A, Category.C3B, Category.C3C, Category.C3D)
"""The sub-categories of 3 in rank order (AMB-3-ORDER)."""


def score_study(study: Study, policy: ScoringPolicy = DEFAULT_POLICY) -> StudyAssessment:
    """Score every lesion, then the study (Discussion; Table 1 PRRT column).

    Pure and deterministic: the same study and policy give an equal result.
    """
    if not study.lesions:
        raise InvalidStudyError("lesions", "at least one lesion (finding) is required")
    _check_unique_ids(study)
    _check_context(study.context)
    if study.reference is not None:
        check_reference(study.reference)
    raised = proliferation_raised(study.context, policy)
    scored = tuple(
        score_lesion(lesion, study.reference, proliferation_raised=raised)
        for lesion in study.lesions
    )
    overall = max((a.category for a in scored), key=lambda c: c.rank)
    scored = _mark_waived(scored, overall)
    scored, systems = _mark_representatives(scored, policy)
    representatives = systems is not None
    prrt, prrt_rule, prrt_ambiguities = prrt_recommendation(scored, overall, policy)
    ambiguities = (
        _overall_ambiguities(scored, overall)
        + prrt_ambiguities
        + _proliferation_ambiguities(scored, raised, policy)
        + _representative_ambiguities(systems, policy)
    )
    return StudyAssessment(
        lesions=scored,
        overall=overall,
        overall_rule="DISC-OVERALL",
        carrying=tuple(a.lesion.lesion_id for a in scored if a.category is overall),
        work_up=tuple(a.lesion.lesion_id for a in scored if a.category in _WORK_UP),
        prrt=prrt,
        prrt_rule=prrt_rule,
        prrt_caveat=PRRT_CAVEAT,
        tumour_board=tumour_board_triggered(overall, prrt),
        next_steps=_study_next_steps(scored),
        missing=missing_items(study.context),
        ambiguities=ambiguities,
        representatives_applied=representatives,
        proliferation_raised=raised,
    )


def _check_unique_ids(study: Study) -> None:
    seen: set[str] = set()
    for lesion in study.lesions:
        if lesion.lesion_id in seen:
            raise InvalidLesionError(lesion.lesion_id, "lesion_id", "appears more than once")
        seen.add(lesion.lesion_id)


def _check_context(context: StudyContext) -> None:
    ki67 = context.ki67_percent
    if ki67 is not None and not 0 <= ki67 <= 100:
        raise InvalidStudyError("context.ki67_percent", "must be between 0 and 100")
    for item, value in (
        ("context.injected_activity_mbq", context.injected_activity_mbq),
        ("context.uptake_time_min", context.uptake_time_min),
    ):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise InvalidStudyError(item, "must be a finite number greater than 0")


def proliferation_raised(context: StudyContext, policy: ScoringPolicy) -> bool | None:
    """SSTR-RADS-3 section: an increased proliferation index (Ki-67 or grade); None if unknown."""
    if context.grade is None and context.ki67_percent is None:
        return None
    by_grade = context.grade in policy.raised_grades if context.grade else False
    by_ki67 = (
        context.ki67_percent >= policy.ki67_raised_percent
        if context.ki67_percent is not None
        else False
    )
    return by_grade or by_ki67


def prrt_recommendation(
    scored: tuple[LesionAssessment, ...], overall: Category, policy: ScoringPolicy
) -> tuple[PrrtRecommendation, str, tuple[Ambiguity, ...]]:
    """Patient-level PRRT recommendation with its rule code (Table 1 PRRT column, Discussion)."""
    count_3b = sum(1 for a in scored if a.category is Category.C3B)
    count_3d = sum(1 for a in scored if a.category is Category.C3D)
    several = policy.several_lesions
    if count_3d >= several:
        ambiguities: tuple[Ambiguity, ...] = (_amb_several(several),)
        if overall in _HIGH:
            ambiguities += (Ambiguity("AMB-3D-AND-45", f"{count_3d} 3D lesions rule "
                                      f"PRRT out despite overall {overall.label}"),)
        return PrrtRecommendation.RULED_OUT, "PRRT-3D-SEVERAL", ambiguities
    # Fewer than "several" but more than one (possible when SSTR_SEVERAL_LESIONS > 2) is
    # treated as "single": the paper's two branches must cover every count.
    if count_3d >= 1 and overall in _HIGH:
        few = (_amb_several(several),) if count_3d > 1 else ()
        return PrrtRecommendation.COMBINED_WITH_LOCOREGIONAL, "PRRT-3D-SINGLE", few
    if overall is Category.C5:
        return PrrtRecommendation.DEFINITELY_CONSIDER, "PRRT-5", ()
    if overall is Category.C4:
        return PrrtRecommendation.CONSIDER, "PRRT-4", ()
    if count_3b >= several:
        return PrrtRecommendation.MAY_CONSIDER, "PRRT-3B-SEVERAL", (_amb_several(several),)
    if count_3b >= 1:
        few = (_amb_several(several),) if count_3b > 1 else ()
        return PrrtRecommendation.LOCOREGIONAL, "PRRT-3B-SINGLE", few
    return PrrtRecommendation.NOT_CONSIDERED, "PRRT-NONE", ()


def _amb_several(several: int) -> Ambiguity:
    return Ambiguity("AMB-SEVERAL", f"'several' taken as >= {several} lesions")


def tumour_board_triggered(overall: Category, prrt: PrrtRecommendation) -> bool:
    """A PRRT tumour-board review: overall 4/5, or PRRT otherwise to be considered."""
    return overall in _HIGH or prrt is PrrtRecommendation.MAY_CONSIDER


_STEP_POLICIES = frozenset({"AMB-PROLIFERATION-UNKNOWN", "AMB-FU-INTERVAL"})
"""Policies that only choose a follow-up interval: moot for a waived lesion."""


def _mark_waived(
    scored: tuple[LesionAssessment, ...], overall: Category
) -> tuple[LesionAssessment, ...]:
    """Discussion: 3A/3B findings can be waived when the overall score is 4 or 5.

    A waived lesion needs no work-up of its own: its next steps, and the policies that
    only chose their follow-up interval, are dropped (the overall score's steps apply).
    """
    if overall not in _HIGH:
        return scored
    return tuple(_waived(a) if a.category in _WAIVABLE else a for a in scored)


def _waived(a: LesionAssessment) -> LesionAssessment:
    # Spelled out rather than dataclasses.replace, which walks the fields and costs twice as
    # much: one call per waived lesion.
    return LesionAssessment(
        lesion=a.lesion, category=a.category, rule=a.rule, uptake=a.uptake,
        table1_prrt=a.table1_prrt, next_steps=(),
        ambiguities=tuple(x for x in a.ambiguities if x.code not in _STEP_POLICIES),
        notes=a.notes, representative=a.representative, waived=True,
        suv_category=a.suv_category,
    )


def _mark_representatives(
    scored: tuple[LesionAssessment, ...], policy: ScoringPolicy
) -> tuple[tuple[LesionAssessment, ...], dict[str, OrganSystem] | None]:
    """Discussion: >5 positive lesions, one representative (hottest, then largest) per system.

    Returns the lesions and, when the rule applied, the organ system of each positive
    lesion by id (given, else from the anatomy: :func:`organ_system_of`).
    """
    positive = [a for a in scored if a.is_positive]
    if len(positive) <= policy.representative_above:
        return scored, None
    systems = {a.lesion.lesion_id: organ_system_of(a.lesion) for a in positive}
    best: dict[str, LesionAssessment] = {}
    for a in positive:
        key = systems[a.lesion.lesion_id].key
        current = best.get(key)
        if current is None or _hotter(a, current):
            best[key] = a
    chosen = {id(a) for a in best.values()}
    marked = tuple(replace(a, representative=True) if id(a) in chosen else a for a in scored)
    return marked, systems


def _hotter(a: LesionAssessment, b: LesionAssessment) -> bool:
    """Hottest (uptake level, then SUVmax), then largest; first given wins a tie."""
    return _heat(a) > _heat(b)


def _heat(a: LesionAssessment) -> tuple[int, float, float]:
    # The level leads: SUVmax is optional, and a level-3 focus without SUVmax must not
    # lose to a level-1 focus that happens to carry one.
    suv = a.lesion.suv_max if a.lesion.suv_max is not None else -1.0
    size = a.lesion.size_mm if a.lesion.size_mm is not None else -1.0
    return (int(a.uptake.level), suv, size)


def _representative_ambiguities(
    systems: dict[str, OrganSystem] | None, policy: ScoringPolicy
) -> tuple[Ambiguity, ...]:
    if systems is None:
        return ()
    found: tuple[Ambiguity, ...] = (
        Ambiguity("AMB-REPRESENTATIVE", f"more than {policy.representative_above} positive "
                  "lesions: one per organ system marked, hottest (level, SUVmax) then largest"),
    )
    unmapped = [i for i, s in systems.items() if s.source is SystemSource.UNMAPPED]
    if unmapped:
        names = ", ".join(unmapped[:3]) + (f" and {len(unmapped) - 3} more"
                                           if len(unmapped) > 3 else "")
        found += (Ambiguity("AMB-ORGAN-SYSTEM-UNMAPPED", f"no organ system given and the "
                            f"anatomy code not in the organ-system table for {names}: each "
                            "code taken as its own system"),)
    return found


def _proliferation_ambiguities(
    scored: tuple[LesionAssessment, ...], raised: bool | None, policy: ScoringPolicy
) -> tuple[Ambiguity, ...]:
    """Name the threshold whenever it set a follow-up interval (a 3A/3B lesion not waived)."""
    if raised is None or not any(a.category in _WAIVABLE and not a.waived for a in scored):
        return ()
    grades = "/".join(sorted(g.value for g in policy.raised_grades))
    return (Ambiguity("AMB-KI67-RAISED", f"'increased proliferation index' taken as grade "
                      f"{grades} or Ki-67 >= {policy.ki67_raised_percent:g} %"),)


def _overall_ambiguities(
    scored: tuple[LesionAssessment, ...], overall: Category
) -> tuple[Ambiguity, ...]:
    if overall.level != 3:
        return ()
    threes = [c for c in _THREES if any(a.category is c for a in scored)]
    if len(threes) > 1:
        names = ", ".join(c.label for c in threes)
        return (Ambiguity("AMB-3-ORDER", f"several sub-categories of 3 ({names}): overall "
                          f"{overall.label} by the order 3A < 3B < 3C < 3D"),)
    return ()


def _study_next_steps(scored: tuple[LesionAssessment, ...]) -> tuple[NextStep, ...]:
    """Distinct next steps of the lesions that still need them (waived 3A/3B excluded)."""
    steps: dict[str, NextStep] = {}
    for a in sorted(scored, key=lambda x: -x.category.rank):
        if a.waived:
            continue
        for step in a.next_steps:
            steps.setdefault(step.text, step)
    return tuple(steps.values())


def missing_items(context: StudyContext) -> tuple[ContextItem, ...]:
    """Supplementary Table 1 items not supplied (laboratory results only 'if available')."""
    present = (
        (ContextItem.PRIMARY_TUMOUR, context.primary_tumour is not None),
        (ContextItem.BIOPSY_DATE, context.biopsy_date is not None),
        (ContextItem.KI67_OR_GRADE, context.grade is not None or context.ki67_percent is not None),
        (ContextItem.PRIMARY_DIAGNOSIS_DATE, context.primary_diagnosis_date is not None),
        (ContextItem.SYMPTOMS, context.symptoms_reported),
        (ContextItem.PREVIOUS_THERAPIES, context.prior_therapies is not None),
        (ContextItem.PREVIOUS_IMAGING, context.previous_imaging_reported),
        (ContextItem.OTHER_MALIGNANCIES, context.other_malignancies_reported),
        (ContextItem.INJECTED_ACTIVITY, context.injected_activity_mbq is not None),
        (ContextItem.UPTAKE_TIME, context.uptake_time_min is not None),
        (ContextItem.FIELD_OF_VIEW, context.field_of_view is not None),
    )
    return tuple(item for item, ok in present if not ok)
