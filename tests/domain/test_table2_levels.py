"""Table 2: the uptake level from SUVmax against blood pool and liver, by its exact inequalities."""

from __future__ import annotations

import math

import pytest

from adapter.domain import (
    AnatomicCorrelate,
    Category,
    SiteClass,
    UptakeLevel,
    UptakeSource,
    level_from_suv,
    score_lesion,
)

from .builders import REFERENCE, codes, lesion

BLOOD_POOL = REFERENCE.blood_pool_suv_mean
LIVER = REFERENCE.liver_suv_mean

BOUNDARIES = [
    pytest.param(0.0, UptakeLevel.BLOOD_POOL_OR_LESS, id="zero-is-level-1"),
    pytest.param(BLOOD_POOL / 2, UptakeLevel.BLOOD_POOL_OR_LESS, id="below-blood-pool-is-level-1"),
    pytest.param(BLOOD_POOL, UptakeLevel.BLOOD_POOL_OR_LESS, id="equal-to-blood-pool-is-level-1"),
    pytest.param(math.nextafter(BLOOD_POOL, math.inf), UptakeLevel.ABOVE_BLOOD_POOL,
                 id="just-above-blood-pool-is-level-2"),
    pytest.param((BLOOD_POOL + LIVER) / 2, UptakeLevel.ABOVE_BLOOD_POOL,
                 id="between-blood-pool-and-liver-is-level-2"),
    pytest.param(LIVER, UptakeLevel.ABOVE_BLOOD_POOL, id="equal-to-liver-is-level-2"),
    pytest.param(math.nextafter(LIVER, math.inf), UptakeLevel.ABOVE_LIVER,
                 id="just-above-liver-is-level-3"),
    pytest.param(LIVER * 10, UptakeLevel.ABOVE_LIVER, id="far-above-liver-is-level-3"),
]


@pytest.mark.rule("T2-LEVEL")
@pytest.mark.parametrize(("suv_max", "level"), BOUNDARIES)
def test_table2_boundary(suv_max: float, level: UptakeLevel) -> None:
    derived = level_from_suv(suv_max, REFERENCE)

    assert derived is level


@pytest.mark.rule("T2-LEVEL")
@pytest.mark.parametrize(
    ("suv_max", "correlate", "category"),
    [
        pytest.param(LIVER, AnatomicCorrelate.CORRESPONDING, Category.C3A,
                     id="equal-to-liver-stays-3A"),
        pytest.param(math.nextafter(LIVER, math.inf), AnatomicCorrelate.CORRESPONDING,
                     Category.C5, id="just-above-liver-is-5"),
        pytest.param(math.nextafter(LIVER, math.inf), AnatomicCorrelate.NONE, Category.C4,
                     id="just-above-liver-without-correlate-is-4"),
        pytest.param(BLOOD_POOL, AnatomicCorrelate.NONE, Category.C3A,
                     id="equal-to-blood-pool-is-3A"),
    ],
)
def test_suv_derived_level_decides_the_table1_row(
    suv_max: float, correlate: AnatomicCorrelate, category: Category
) -> None:
    node = lesion(suv=suv_max, correlate=correlate)

    assessment = score_lesion(node, REFERENCE, proliferation_raised=True)

    assert assessment.category is category
    assert assessment.uptake.source is UptakeSource.SUV


def test_reader_level_alone_is_used_as_given() -> None:
    node = lesion(level=2)

    assessment = score_lesion(node, proliferation_raised=True)

    assert assessment.uptake.level is UptakeLevel.ABOVE_BLOOD_POOL
    assert assessment.uptake.source is UptakeSource.READER
    assert assessment.uptake.suv_level is None


def test_reader_level_agreeing_with_suvs_is_reported_as_the_readers() -> None:
    node = lesion(level=3, suv=LIVER + 1, correlate=AnatomicCorrelate.CORRESPONDING)

    assessment = score_lesion(node, REFERENCE, proliferation_raised=True)

    assert assessment.uptake.source is UptakeSource.READER
    assert assessment.uptake.suv_level is UptakeLevel.ABOVE_LIVER
    assert "AMB-SUV-READER-DISAGREE" not in codes(assessment.ambiguities)


def test_reader_level_overrules_disagreeing_suvs_and_the_discrepancy_is_reported() -> None:
    node = lesion(level=2, suv=LIVER + 1, correlate=AnatomicCorrelate.CORRESPONDING)

    assessment = score_lesion(node, REFERENCE, proliferation_raised=True)

    assert assessment.category is Category.C3A
    assert assessment.uptake.level is UptakeLevel.ABOVE_BLOOD_POOL
    assert assessment.uptake.source is UptakeSource.READER_OVER_SUV
    assert assessment.uptake.suv_level is UptakeLevel.ABOVE_LIVER
    assert "AMB-SUV-READER-DISAGREE" in codes(assessment.ambiguities)
    assert assessment.suv_category is Category.C5, "the category the SUVs would give"


@pytest.mark.parametrize(
    ("site_class", "level", "suv", "by_suv"),
    [
        pytest.param(SiteClass.TYPICAL_SOFT_TISSUE, 2, BLOOD_POOL - 0.5, None,
                     id="3A-either-way-one-level-apart"),
        pytest.param(SiteClass.TYPICAL_SOFT_TISSUE, 2, LIVER + 1, Category.C4,
                     id="crosses-level-3-other-category"),
        pytest.param(SiteClass.ATYPICAL_SOFT_TISSUE, 1, BLOOD_POOL + 0.5, Category.C3C,
                     id="one-level-apart-other-category"),
        pytest.param(SiteClass.PHYSIOLOGIC, 1, LIVER + 1, Category.C1A,
                     id="two-levels-apart-same-category"),
    ],
)
def test_a_disagreement_that_matters_carries_the_category_the_suvs_give(
    site_class: SiteClass, level: int, suv: float, by_suv: Category | None
) -> None:
    node = lesion(site_class=site_class, level=level, suv=suv)

    assessment = score_lesion(node, REFERENCE, proliferation_raised=True)

    assert assessment.uptake.source is UptakeSource.READER_OVER_SUV
    assert assessment.suv_category is by_suv
    reason = next(a.reason for a in assessment.ambiguities if a.code == "AMB-SUV-READER-DISAGREE")
    assert ("confirm the level" in reason) is (by_suv is not None)


def test_reader_level_is_used_when_suvmax_has_no_reference() -> None:
    node = lesion(level=3, suv=12.0)

    assessment = score_lesion(node, None, proliferation_raised=True)

    assert assessment.uptake.source is UptakeSource.READER
    assert assessment.category is Category.C4
