"""Every figure legend of SSTR-RADS 1.0 as the study it describes."""

from __future__ import annotations

import dataclasses

from adapter.domain import (
    AnatomicCorrelate,
    BenignEvidence,
    Category,
    Grade,
    PrrtRecommendation,
    SiteClass,
    Study,
    StudyContext,
    Therapy,
    score_study,
)

from .builders import COMPLETE_CONTEXT, lesion

A = AnatomicCorrelate
S = SiteClass


def _context(
    primary: str, grade: Grade | None, ki67: float | None, **extra: object
) -> StudyContext:
    return dataclasses.replace(
        COMPLETE_CONTEXT, primary_tumour=primary, grade=grade, ki67_percent=ki67, **extra  # type: ignore[arg-type]
    )


def test_figure_1_physiological_uptake_in_the_uncinate_process_is_1a() -> None:
    uncinate = lesion("uncinate", site_class=S.PHYSIOLOGIC, level=3, site="uncinate process",
                      organ_system="pancreas")
    study = Study((uncinate,), COMPLETE_CONTEXT)

    result = score_study(study)

    assert result.overall is Category.C1A
    assert result.lesions[0].rule == "T1-1A"
    assert result.prrt is PrrtRecommendation.NOT_CONSIDERED
    assert result.tumour_board is False


def test_figure_2_prostate_uptake_from_prostatitis_or_bph_is_1b() -> None:
    prostate = lesion("prostate", site_class=S.ATYPICAL_SOFT_TISSUE, level=2, site="prostate",
                      benign=BenignEvidence.PATHOGNOMONIC_IMAGING, correlate=A.CORRESPONDING,
                      organ_system="genitourinary")
    study = Study((prostate,), _context("unknown", None, None))

    result = score_study(study)

    assert result.overall is Category.C1B
    assert result.prrt is PrrtRecommendation.NOT_CONSIDERED


def test_figure_3_schmorls_node_with_uptake_is_2() -> None:
    schmorl = lesion("L-spine", site_class=S.BONE_ATYPICAL, level=1, correlate=A.NON_SUSPICIOUS,
                     site="inferior endplate of a lumbar vertebral body", organ_system="bone")
    study = Study((schmorl,), _context("pancreas", Grade.G1, 2.0))

    result = score_study(study)

    assert result.overall is Category.C2
    assert result.prrt is PrrtRecommendation.NOT_CONSIDERED


def test_figure_4_mesenteric_node_above_blood_pool_below_liver_is_3a_with_follow_up() -> None:
    node = lesion("mesenteric", site_class=S.TYPICAL_SOFT_TISSUE, level=2,
                  correlate=A.NON_SUSPICIOUS, size_mm=4.0, suv=4.0)
    study = Study((node,), _context("ileum", Grade.G1, 2.0))

    result = score_study(study)

    assert result.overall is Category.C3A
    follow_up = next(s for s in result.next_steps if s.rule == "FU-3-6")
    low, high = follow_up.follow_up_months or (0, 0)
    assert low <= 3 <= high, "the legend's follow-up after 3 months lies in the interval"
    assert any(s.rule == "WU-3A" for s in result.next_steps), "biopsy might be considered"
    assert result.prrt is PrrtRecommendation.NOT_CONSIDERED


def test_figure_5_moderate_uptake_in_a_rib_is_3b_with_follow_up_imaging() -> None:
    rib = lesion("rib-5-right", site_class=S.BONE_NOT_ATYPICAL, level=2,
                 correlate=A.CORRESPONDING, site="right 5th rib", organ_system="bone")
    study = Study((rib,), _context("small bowel", Grade.G2, None))

    result = score_study(study)

    assert result.overall is Category.C3B
    assert [s.follow_up_months for s in result.next_steps if s.rule == "FU-3-6"] == [(3, 3)]
    assert result.prrt is PrrtRecommendation.LOCOREGIONAL
    assert result.tumour_board is False


def test_figure_6_intense_breast_uptake_is_3c_with_tissue_confirmation() -> None:
    breast = lesion("breast-right", site_class=S.HIGHLY_ATYPICAL, level=3,
                    correlate=A.CORRESPONDING, site="right breast", organ_system="breast")
    context = _context("breast (lobular carcinoma)", None, None, other_malignancies_reported=True)
    study = Study((breast,), context)

    result = score_study(study)

    assert result.overall is Category.C3C
    assert result.work_up == ("breast-right",)
    assert [s.rule for s in result.next_steps] == ["WU-3C"]


def test_figure_7_non_avid_liver_metastasis_after_prrt_is_3d_with_fdg_pet() -> None:
    liver = lesion("liver-met", site_class=S.TYPICAL_SOFT_TISSUE, level=0,
                   correlate=A.HIGHLY_SUSPICIOUS, size_mm=28.0, site="liver",
                   organ_system="liver")
    context = _context("pancreas", Grade.G2, None,
                       prior_therapies=frozenset({Therapy.SSA, Therapy.PRRT}))
    study = Study((liver,), context)

    result = score_study(study)

    assert result.overall is Category.C3D
    assert result.work_up == ("liver-met",)
    assert any("18F-FDG PET" in s.text for s in result.next_steps)
    assert any("biopsy" in s.text for s in result.next_steps)
    assert result.prrt is PrrtRecommendation.NOT_CONSIDERED


def test_figure_8_avid_node_too_small_on_ct_is_4_and_prrt_is_considered() -> None:
    node = lesion("node-lower-left", site_class=S.TYPICAL_SOFT_TISSUE, level=3,
                  correlate=A.NON_SUSPICIOUS, size_mm=6.0)
    study = Study((node,), _context("ileocecal", Grade.G1, 2.0))

    result = score_study(study)

    assert result.overall is Category.C4
    assert result.prrt is PrrtRecommendation.CONSIDER
    assert result.tumour_board is True


def test_figure_9_two_avid_liver_lesions_seen_on_ct_are_5_and_prrt_definitely_considered() -> None:
    lesions = tuple(
        lesion(f"liver-{i}", site_class=S.TYPICAL_SOFT_TISSUE, level=3,
               correlate=A.CORRESPONDING, site="liver", organ_system="liver")
        for i in (1, 2)
    )
    study = Study(lesions, COMPLETE_CONTEXT)

    result = score_study(study)

    assert [a.category for a in result.lesions] == [Category.C5, Category.C5]
    assert result.overall is Category.C5
    assert result.prrt is PrrtRecommendation.DEFINITELY_CONSIDER


def test_figure_10_overall_is_5_overruling_2_and_4() -> None:
    schmorl = lesion("schmorl", site_class=S.BONE_ATYPICAL, level=1, correlate=A.NON_SUSPICIOUS,
                     site="intervertebral disc herniation", organ_system="bone")
    segment_3 = lesion("liver-III", site_class=S.TYPICAL_SOFT_TISSUE, level=3,
                       correlate=A.NONE, site="liver segment III", organ_system="liver")
    hilar_node = lesion("hilar-node", site_class=S.TYPICAL_SOFT_TISSUE, level=3,
                        correlate=A.CORRESPONDING, site="node at the liver hilum")
    study = Study((schmorl, segment_3, hilar_node), _context("colorectal", Grade.G1, 1.5))

    result = score_study(study)

    assert [a.category for a in result.lesions] == [Category.C2, Category.C4, Category.C5]
    assert (result.overall, result.overall_rule) == (Category.C5, "DISC-OVERALL")
    assert result.carrying == ("hilar-node",)
    assert result.prrt is PrrtRecommendation.DEFINITELY_CONSIDER
    assert result.tumour_board is True


def test_supplementary_figure_1_avid_thyroid_with_known_adenoma_is_1b() -> None:
    thyroid = lesion("thyroid", site_class=S.HIGHLY_ATYPICAL, level=3, site="thyroid",
                     benign=BenignEvidence.BIOPSY, organ_system="thyroid")
    study = Study((thyroid,), COMPLETE_CONTEXT)

    result = score_study(study)

    assert result.overall is Category.C1B
    assert result.lesions[0].rule == "T1-1B"
    assert result.prrt is PrrtRecommendation.NOT_CONSIDERED
