"""Invariants over any valid study (hypothesis)."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from adapter.domain import (
    AMBIGUITIES,
    RULES,
    AnatomicCorrelate,
    BenignEvidence,
    Category,
    Grade,
    Lesion,
    Progression,
    PrrtRecommendation,
    ReferenceUptake,
    ScoringPolicy,
    SiteClass,
    Study,
    StudyContext,
    UptakeLevel,
    level_from_suv,
    score_study,
)

suvs = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def references(draw: st.DrawFn) -> ReferenceUptake:
    blood_pool = draw(st.floats(min_value=0.01, max_value=100.0))
    liver = draw(st.floats(min_value=blood_pool, max_value=200.0).filter(lambda v: v > blood_pool))
    return ReferenceUptake(blood_pool, liver)


def _valid(lesion: Lesion) -> bool:
    suspicious = lesion.correlate is AnatomicCorrelate.HIGHLY_SUSPICIOUS
    if suspicious and (lesion.benign.is_known_benign or lesion.site_class is SiteClass.PHYSIOLOGIC):
        return False
    nothing_seen = lesion.reader_level is UptakeLevel.NONE and lesion.correlate is (
        AnatomicCorrelate.NONE
    )
    return not (
        nothing_seen
        and lesion.site_class is not SiteClass.PHYSIOLOGIC
        and not lesion.benign.is_known_benign
    )


lesions = st.builds(
    Lesion,
    lesion_id=st.just("?"),
    site=st.just("site"),
    site_class=st.sampled_from(SiteClass),
    organ_system=st.sampled_from(["liver", "lymph nodes", "bone", "pancreas"]),
    reader_level=st.sampled_from(UptakeLevel),
    suv_max=st.none() | suvs,
    benign=st.sampled_from(BenignEvidence),
    correlate=st.sampled_from(AnatomicCorrelate),
    progression=st.sampled_from(Progression),
    size_mm=st.none() | st.floats(min_value=0, max_value=300),
).filter(_valid)

contexts = st.builds(
    StudyContext,
    grade=st.none() | st.sampled_from(Grade),
    ki67_percent=st.none() | st.floats(min_value=0, max_value=100),
)

policies = st.builds(
    ScoringPolicy,
    several_lesions=st.integers(min_value=2, max_value=6),
    representative_above=st.integers(min_value=1, max_value=8),
    ki67_raised_percent=st.floats(min_value=0.5, max_value=100),
)


def _numbered(found: list[Lesion]) -> tuple[Lesion, ...]:
    return tuple(dataclasses.replace(x, lesion_id=f"L{i}") for i, x in enumerate(found))


@st.composite
def studies(draw: st.DrawFn) -> Study:
    found = draw(st.lists(lesions, min_size=1, max_size=12))
    reference = draw(st.none() | references())
    return Study(_numbered(found), draw(contexts), reference)


@given(studies(), policies)
def test_overall_is_the_highest_lesion_category_by_rank(
    study: Study, policy: ScoringPolicy
) -> None:
    result = score_study(study, policy)

    assert result.overall.rank == max(a.category.rank for a in result.lesions)
    assert set(result.carrying) == {
        a.lesion.lesion_id for a in result.lesions if a.category is result.overall
    }


@given(studies(), policies)
def test_scoring_is_deterministic(study: Study, policy: ScoringPolicy) -> None:
    first = score_study(study, policy)
    second = score_study(study, policy)

    assert first == second


@given(studies(), lesions, policies)
def test_adding_a_lesion_never_lowers_the_overall_score(
    study: Study, extra: Lesion, policy: ScoringPolicy
) -> None:
    larger = dataclasses.replace(study, lesions=_numbered([*study.lesions, extra]))

    before = score_study(study, policy)
    after = score_study(larger, policy)

    assert after.overall.rank >= before.overall.rank


@given(suvs, suvs, references())
def test_derived_level_is_monotonic_in_suvmax(
    a: float, b: float, reference: ReferenceUptake
) -> None:
    low, high = sorted((a, b))

    levels = (level_from_suv(low, reference), level_from_suv(high, reference))

    assert levels[0] <= levels[1]


@given(suvs, references())
def test_derived_level_follows_table_2_inequalities(suv: float, reference: ReferenceUptake) -> None:
    level = level_from_suv(suv, reference)

    expected = (
        1 if suv <= reference.blood_pool_suv_mean
        else 2 if suv <= reference.liver_suv_mean
        else 3
    )
    assert int(level) == expected


@given(studies(), policies)
def test_every_decision_names_a_catalogued_rule_or_policy(
    study: Study, policy: ScoringPolicy
) -> None:
    result = score_study(study, policy)

    used_rules = {result.overall_rule, result.prrt_rule} | {a.rule for a in result.lesions}
    used_rules |= {s.rule for a in result.lesions for s in a.next_steps}
    used_policies = {x.code for x in result.ambiguities}
    used_policies |= {x.code for a in result.lesions for x in a.ambiguities}
    assert used_rules <= set(RULES)
    assert used_policies <= set(AMBIGUITIES)


@given(studies(), policies)
def test_waiving_work_up_and_tumour_board_follow_the_discussion(
    study: Study, policy: ScoringPolicy
) -> None:
    result = score_study(study, policy)

    high = result.overall in (Category.C4, Category.C5)
    for a in result.lesions:
        assert a.waived is (high and a.category in (Category.C3A, Category.C3B))
    assert set(result.work_up) == {
        a.lesion.lesion_id for a in result.lesions if a.category in (Category.C3C, Category.C3D)
    }
    assert result.tumour_board is (high or result.prrt is PrrtRecommendation.MAY_CONSIDER)
