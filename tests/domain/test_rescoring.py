"""SSTR-RADS-1 and -3 sections: scores are dynamic; progression upgrades 3A/3B to 4 or 5."""

from __future__ import annotations

import pytest

from adapter.domain import (
    AnatomicCorrelate,
    BenignEvidence,
    Category,
    Progression,
    SiteClass,
    score_lesion,
)

from .builders import codes, lesion, lesion_in

A = AnatomicCorrelate
S = SiteClass


@pytest.mark.parametrize(
    ("site_class", "level", "correlate", "upgraded"),
    [
        pytest.param(S.TYPICAL_SOFT_TISSUE, 2, A.NONE, Category.C4, id="3A-no-correlate-to-4"),
        pytest.param(S.TYPICAL_SOFT_TISSUE, 1, A.NON_SUSPICIOUS, Category.C4,
                     id="3A-non-suspicious-to-4"),
        pytest.param(S.TYPICAL_SOFT_TISSUE, 2, A.CORRESPONDING, Category.C5,
                     id="3A-corresponding-to-5"),
        pytest.param(S.BONE_NOT_ATYPICAL, 2, A.NONE, Category.C4, id="3B-no-correlate-to-4"),
        pytest.param(S.BONE_NOT_ATYPICAL, 1, A.CORRESPONDING, Category.C5,
                     id="3B-corresponding-to-5"),
        pytest.param(S.BONE_NOT_ATYPICAL, 1, A.HIGHLY_SUSPICIOUS, Category.C5,
                     id="3B-highly-suspicious-to-5"),
    ],
)
def test_progression_upgrades_3a_or_3b_to_4_or_5_by_the_anatomic_correlate(
    site_class: SiteClass, level: int, correlate: AnatomicCorrelate, upgraded: Category
) -> None:
    before = lesion(site_class=site_class, level=level, correlate=correlate)
    after = lesion(
        site_class=site_class, level=level, correlate=correlate,
        progression=Progression.PROGRESSED,
    )

    first = score_lesion(before, proliferation_raised=True)
    second = score_lesion(after, proliferation_raised=True)

    assert first.category in (Category.C3A, Category.C3B)
    assert (second.category, second.rule) == (upgraded, "TXT-3-PROGRESSION")
    policy = next(a for a in second.ambiguities if a.code == "AMB-PROGRESSION-UPGRADE")
    assert upgraded.label in policy.reason
    assert "AMB-PROGRESSION-UPGRADE" not in codes(first.ambiguities)


@pytest.mark.parametrize("progression", [Progression.STABLE, Progression.REGRESSED,
                                         Progression.NOT_ASSESSED])
def test_a_3a_lesion_that_did_not_progress_stays_3a(progression: Progression) -> None:
    node = lesion(level=2, progression=progression)

    assessment = score_lesion(node, proliferation_raised=True)

    assert (assessment.category, assessment.rule) == (Category.C3A, "T1-3A")
    assert codes(assessment.ambiguities) == set()


def test_a_new_3a_lesion_is_not_upgraded_and_the_policy_is_named() -> None:
    node = lesion(level=2, progression=Progression.NEW)

    assessment = score_lesion(node, proliferation_raised=True)

    assert assessment.category is Category.C3A
    assert codes(assessment.ambiguities) == {"AMB-NEW-LESION"}


@pytest.mark.parametrize(
    "category", [Category.C1A, Category.C1B, Category.C2, Category.C3C, Category.C3D]
)
def test_progression_outside_3a_3b_keeps_the_category_and_asks_for_review(
    category: Category,
) -> None:
    node = lesion_in(category, progression=Progression.PROGRESSED)

    assessment = score_lesion(node, proliferation_raised=True)

    assert assessment.category is category
    assert "AMB-PROGRESSION-OTHER" in codes(assessment.ambiguities)


@pytest.mark.parametrize("category", [Category.C4, Category.C5])
def test_progression_of_a_4_or_5_keeps_it_without_a_policy(category: Category) -> None:
    node = lesion_in(category, progression=Progression.PROGRESSED)

    assessment = score_lesion(node, proliferation_raised=True)

    assert assessment.category is category
    assert codes(assessment.ambiguities) == set()


@pytest.mark.rule("TXT-1-RESCORE")
def test_avid_thyroid_nodule_first_3c_then_biopsied_adenoma_is_rescored_1b() -> None:
    nodule = lesion(site_class=SiteClass.HIGHLY_ATYPICAL, level=3, site="thyroid nodule")
    biopsied = lesion(
        site_class=SiteClass.HIGHLY_ATYPICAL, level=3, site="thyroid nodule",
        benign=BenignEvidence.BIOPSY,
    )

    before = score_lesion(nodule)
    after = score_lesion(biopsied)
    again = score_lesion(nodule)

    assert (before.category, before.rule) == (Category.C3C, "T1-3C")
    assert (after.category, after.rule) == (Category.C1B, "T1-1B")
    assert again == before, "nothing is remembered between calls"
