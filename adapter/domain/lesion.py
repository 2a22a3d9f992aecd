"""Table 1: the SSTR-RADS category of one lesion."""

from __future__ import annotations

from adapter.domain.errors import InvalidLesionError
from adapter.domain.model import (
    Ambiguity,
    AnatomicCorrelate,
    Category,
    Lesion,
    LesionAssessment,
    NextStep,
    Progression,
    ReferenceUptake,
    SiteClass,
    UptakeLevel,
    UptakeResult,
    UptakeSource,
)
from adapter.domain.uptake import resolve_uptake

_Decision = tuple[Category, str, tuple[Ambiguity, ...]]

TABLE1_PRRT: dict[Category, str] = {
    Category.C1A: "Not to be considered.",
    Category.C1B: "Not to be considered.",
    Category.C2: "Not to be considered.",
    Category.C3A: "Not to be considered.",
    Category.C3B: "Single lesions: locoregional procedure; increased number of lesions: PRRT.",
    Category.C3C: "Not to be considered.",
    Category.C3D: "Not to be considered (depends on grading, overall tumour burden, kidney and "
    "bone marrow function and overall SSTR expression; Table 1 footnote 3).",
    Category.C4: "To be considered (SSTR-avid lesion in a typical distribution; Table 1 "
    "footnote 4).",
    Category.C5: "Definitely to be considered.",
}

_SUSPICIOUS = (AnatomicCorrelate.CORRESPONDING, AnatomicCorrelate.HIGHLY_SUSPICIOUS)


def score_lesion(
    lesion: Lesion,
    reference: ReferenceUptake | None = None,
    *,
    proliferation_raised: bool | None = None,
) -> LesionAssessment:
    """Score one lesion by Table 1 (levels from Table 2); pure and deterministic.

    ``proliferation_raised`` (from Ki-67/grade; ``None`` when unknown) sets the
    follow-up interval for 3A/3B.
    """
    _check_consistent(lesion)
    uptake = resolve_uptake(lesion, reference)
    category, rule, ambiguities = _decide(lesion, uptake.level)
    suv_category: Category | None = None
    if uptake.source is UptakeSource.READER_OVER_SUV and uptake.suv_level is not None:
        by_suv = _decide(lesion, uptake.suv_level)[0]
        if by_suv is not category or uptake.far_apart:
            suv_category = by_suv
        ambiguities += (_disagreement(uptake, category, suv_category),)
    steps, step_ambiguities = next_steps(category, proliferation_raised)
    return LesionAssessment(
        lesion=lesion,
        category=category,
        rule=rule,
        uptake=uptake,
        table1_prrt=TABLE1_PRRT[category],
        next_steps=steps,
        ambiguities=ambiguities + step_ambiguities,
        notes=_minimum_data_notes(lesion, uptake),
        suv_category=suv_category,
    )


def _decide(lesion: Lesion, level: UptakeLevel) -> _Decision:
    """Table 1 for ``level``, then the upgrade on progression."""
    category, rule, ambiguities = _categorise(lesion, level)
    return _apply_progression(lesion, category, rule, ambiguities)


def _disagreement(
    uptake: UptakeResult, category: Category, by_suv: Category | None
) -> Ambiguity:
    """AMB-SUV-READER-DISAGREE: the reader's level is used; the reason says what SUVs give."""
    reason = (f"reader's uptake level {int(uptake.level)} used; SUVs give level "
              f"{int(uptake.suv_level or 0)} by Table 2")
    if by_suv is not None and by_suv is not category:
        reason += f" ({by_suv.label} by the SUVs, {category.label} as read): confirm the level"
    elif by_suv is not None:
        reason += f" (levels far apart; {category.label} either way): confirm the level"
    return Ambiguity("AMB-SUV-READER-DISAGREE", reason)


def _check_consistent(lesion: Lesion) -> None:
    """Contradictory flags are an input error, never a guess."""
    if not lesion.lesion_id:
        raise InvalidLesionError("?", "lesion_id", "is empty")
    if not lesion.site.strip():
        raise InvalidLesionError(lesion.lesion_id, "site", "an anatomic description is required")
    if lesion.size_mm is not None and not (lesion.size_mm >= 0 and lesion.size_mm < 10_000):
        raise InvalidLesionError(lesion.lesion_id, "size_mm", "must be a number in [0, 10000) mm")
    suspicious = lesion.correlate is AnatomicCorrelate.HIGHLY_SUSPICIOUS
    if lesion.benign.is_known_benign and suspicious:
        raise InvalidLesionError(
            lesion.lesion_id,
            "benign",
            "known benign contradicts an anatomic correlate highly suspicious for malignancy",
        )
    if lesion.site_class is SiteClass.PHYSIOLOGIC and suspicious:
        raise InvalidLesionError(
            lesion.lesion_id,
            "site_class",
            "physiological biodistribution contradicts an anatomic correlate highly suspicious "
            "for malignancy",
        )


def _categorise(lesion: Lesion, level: UptakeLevel) -> _Decision:
    if lesion.site_class is SiteClass.PHYSIOLOGIC:
        return Category.C1A, "T1-1A", ()
    if lesion.benign.is_known_benign:
        return _known_benign(level)
    if level is UptakeLevel.NONE:
        return _no_uptake(lesion)
    category, rule, ambiguities = _by_site(lesion, level)
    if level is UptakeLevel.BLOOD_POOL_OR_LESS and lesion.correlate is (
        AnatomicCorrelate.HIGHLY_SUSPICIOUS
    ):
        return _suspicious_low_uptake(category, rule, ambiguities)
    return category, rule, ambiguities


def _suspicious_low_uptake(
    category: Category, rule: str, ambiguities: tuple[Ambiguity, ...]
) -> _Decision:
    """Level 1 uptake with a highly suspicious anatomic finding (policy AMB-SUSPICIOUS-LOW-UPTAKE).

    3A/3B already ask for work-up, so they stand and are flagged. Row 2 ("likely
    benign") would contradict an anatomic finding highly suspicious for malignancy, so
    such a lesion is scored 3D, whose work-up (18F-FDG PET, tissue) fits the finding.
    """
    if category is Category.C2:
        note = Ambiguity(
            "AMB-SUSPICIOUS-LOW-UPTAKE",
            "highly suspicious anatomic finding with uptake <= blood pool in a site atypical "
            "for NET: scored 3D instead of 2",
        )
        return Category.C3D, "T1-3D", (*ambiguities, note)
    note = Ambiguity(
        "AMB-SUSPICIOUS-LOW-UPTAKE",
        f"highly suspicious anatomic finding with uptake <= blood pool: kept {category.label} "
        "(Table 1 row); consider 3D",
    )
    return category, rule, (*ambiguities, note)


def _known_benign(level: UptakeLevel) -> _Decision:
    """Table 1, rows 1A/1B: benign by biopsy or pathognomonic anatomic imaging."""
    if level is UptakeLevel.NONE:
        return Category.C1A, "T1-1A", ()
    if level is UptakeLevel.BLOOD_POOL_OR_LESS:
        return Category.C1A, "T1-1A", (
            Ambiguity("AMB-BENIGN-LEVEL-1", "known benign with level 1 uptake scored 1A "
                      "(Table 1 level column)"),
        )
    return Category.C1B, "T1-1B", ()


def _no_uptake(lesion: Lesion) -> _Decision:
    """Level 0: 3D when the anatomic finding is highly suspicious (Table 1, row 3D)."""
    correlate = lesion.correlate
    if correlate is AnatomicCorrelate.HIGHLY_SUSPICIOUS:
        return Category.C3D, "T1-3D", ()
    if correlate is AnatomicCorrelate.CORRESPONDING:
        return Category.C3D, "T1-3D", (
            Ambiguity("AMB-NO-UPTAKE-CORRESPONDING", "corresponding anatomic finding without "
                      "SSTR uptake scored 3D"),
        )
    if correlate is AnatomicCorrelate.NON_SUSPICIOUS:
        return Category.C2, "T1-2", (
            Ambiguity("AMB-NO-UPTAKE-NON-SUSPICIOUS", "non-avid, non-suspicious finding scored "
                      "2"),
        )
    raise InvalidLesionError(
        lesion.lesion_id, "uptake", "no uptake and no anatomic finding: nothing to score"
    )


def _by_site(lesion: Lesion, level: UptakeLevel) -> _Decision:
    """Levels 1-3 by site class (Table 1, rows 2 to 5)."""
    site = lesion.site_class
    if site in (SiteClass.ATYPICAL_SOFT_TISSUE, SiteClass.HIGHLY_ATYPICAL):
        return _atypical_soft_tissue(site, level)
    if site is SiteClass.BONE_ATYPICAL:
        if level is UptakeLevel.BLOOD_POOL_OR_LESS:
            return Category.C2, "T1-2", ()
        return Category.C3B, "T1-3B", (
            Ambiguity("AMB-DEGENERATIVE-BONE-ABOVE-BLOOD-POOL",
                      f"bone lesion judged atypical/degenerative with level {int(level)} uptake "
                      "scored 3B; confirm the site class"),
        )
    if level is UptakeLevel.ABOVE_LIVER:
        if lesion.correlate in _SUSPICIOUS:
            return Category.C5, "T1-5", ()
        return Category.C4, "T1-4", ()
    if site is SiteClass.BONE_NOT_ATYPICAL:
        return Category.C3B, "T1-3B", ()
    return Category.C3A, "T1-3A", ()


def _atypical_soft_tissue(site: SiteClass, level: UptakeLevel) -> _Decision:
    if level is UptakeLevel.ABOVE_LIVER:
        return Category.C3C, "T1-3C", ()
    if level is UptakeLevel.ABOVE_BLOOD_POOL:
        return Category.C3C, "T1-3C", (
            Ambiguity("AMB-ATYPICAL-LEVEL-2", "level 2 uptake in an atypical site scored 3C"),
        )
    if site is SiteClass.HIGHLY_ATYPICAL:
        return Category.C2, "T1-2", (
            Ambiguity("AMB-HIGHLY-ATYPICAL-LEVEL-1", "level 1 uptake in a highly atypical site "
                      "scored 2"),
        )
    return Category.C2, "T1-2", ()


def _apply_progression(
    lesion: Lesion, category: Category, rule: str, ambiguities: tuple[Ambiguity, ...]
) -> _Decision:
    """SSTR-RADS-3 section: progression upgrades 3A/3B to 4, or 5 with an anatomic correlate."""
    if lesion.progression is Progression.NEW and category in (Category.C3A, Category.C3B):
        note = Ambiguity("AMB-NEW-LESION", f"lesion new since the prior study kept "
                         f"{category.label}: the upgrade applies to lesions that progressed")
        return category, rule, (*ambiguities, note)
    if lesion.progression is not Progression.PROGRESSED:
        return category, rule, ambiguities
    if category in (Category.C3A, Category.C3B):
        # "An upgrade to either SSTR-RADS-4 or SSTR-RADS-5": which one is a policy.
        if lesion.correlate in _SUSPICIOUS:
            upgraded = Category.C5
            why = "with a corresponding or highly suspicious anatomic correlate (Table 1 row 5)"
        else:
            upgraded = Category.C4
            why = "without a corresponding anatomic correlate (Table 1 row 4)"
        note = Ambiguity("AMB-PROGRESSION-UPGRADE", f"progressed {category.label} lesion "
                         f"upgraded to {upgraded.label}: {why}")
        return upgraded, "TXT-3-PROGRESSION", (*ambiguities, note)
    if category in (Category.C4, Category.C5):
        return category, rule, ambiguities
    note = Ambiguity("AMB-PROGRESSION-OTHER", f"progression reported for a {category.label} "
                     "lesion; category kept, reader review advised")
    return category, rule, (*ambiguities, note)


# Steps and ambiguities are frozen values: built once here rather than for every lesion.
_FIXED_STEPS: dict[Category, tuple[NextStep, ...]] = {
    Category.C3C: (NextStep("Tissue confirmation of tumour histology should be considered "
                            "(possible SSTR-expressing non-NET tumour)", None, "WU-3C"),),
    Category.C3D: (NextStep("18F-FDG PET might be of value", None, "WU-3D"),
                   NextStep("Tissue confirmation (biopsy) should be considered", None,
                            "WU-3D")),
    Category.C4: (NextStep("Biopsy generally not necessary", None, "WU-4"),),
    Category.C5: (NextStep("Biopsy unlikely to be of value", None, "WU-5"),),
}


def _follow_up(months: tuple[int, int]) -> NextStep:
    low, high = months
    span = f"{low} months" if low == high else f"{low}-{high} months"
    return NextStep(f"Follow-up SSTR-PET or whole-body MRI after {span}", months, "FU-3-6")


_FOLLOW_UP = {months: _follow_up(months) for months in ((3, 3), (3, 6))}
_BIOPSY_3A = NextStep("Biopsy if sampling is possible, or follow-up imaging", None, "WU-3A")


def next_steps(
    category: Category, proliferation_raised: bool | None
) -> tuple[tuple[NextStep, ...], tuple[Ambiguity, ...]]:
    """The work-up the paper gives for a category (Table 1 and the category sections)."""
    if category is Category.C3A or category is Category.C3B:
        months, ambiguities = _follow_up_interval(proliferation_raised)
        follow_up = _FOLLOW_UP.get(months) or _follow_up(months)
        if category is Category.C3A:
            return (_BIOPSY_3A, follow_up), ambiguities
        return (follow_up,), ambiguities
    return _FIXED_STEPS.get(category, ()), ()


_INTERVAL_RAISED: tuple[tuple[int, int], tuple[Ambiguity, ...]] = ((3, 3), ())
_INTERVAL_UNKNOWN: tuple[tuple[int, int], tuple[Ambiguity, ...]] = ((3, 3), (
    Ambiguity("AMB-PROLIFERATION-UNKNOWN", "grade and Ki-67 unknown: the shorter "
              "follow-up interval (3 months) is used"),
))
_INTERVAL_NOT_RAISED: tuple[tuple[int, int], tuple[Ambiguity, ...]] = ((3, 6), (
    Ambiguity("AMB-FU-INTERVAL", "follow-up after 3-6 months (text); Table 1 and Fig. 4 "
              "give 3 months"),
))


def _follow_up_interval(raised: bool | None) -> tuple[tuple[int, int], tuple[Ambiguity, ...]]:
    if raised is True:
        return _INTERVAL_RAISED
    if raised is None:
        return _INTERVAL_UNKNOWN
    return _INTERVAL_NOT_RAISED


def _minimum_data_notes(lesion: Lesion, uptake: UptakeResult) -> tuple[str, ...]:
    """Discussion: each lesion with its maximum diameter and SUV."""
    notes: list[str] = []
    if uptake.level > UptakeLevel.NONE and lesion.suv_max is None:
        notes.append("SUVmax not given")
    if lesion.size_mm is None and lesion.correlate is not AnatomicCorrelate.NONE:
        notes.append("maximum diameter not given")
    return tuple(notes)
