"""Table 1, row by row: site class x uptake level x anatomic correlate x known benign."""

from __future__ import annotations

import pytest

from adapter.domain import (
    TABLE1_PRRT,
    AnatomicCorrelate,
    BenignEvidence,
    Category,
    SiteClass,
    score_lesion,
)

from .builders import codes, lesion, lesion_in

S = SiteClass
A = AnatomicCorrelate
B = BenignEvidence
C = Category

# site class, level, correlate, benign -> category, rule, policies the decision records
TABLE1 = [
    # 1A: benign without abnormal uptake; the physiological biodistribution (Fig. 1)
    pytest.param(S.PHYSIOLOGIC, 0, A.NONE, B.NOT_KNOWN, C.C1A, "T1-1A", set(),
                 id="1A-physiologic-0"),
    pytest.param(S.PHYSIOLOGIC, 1, A.NONE, B.NOT_KNOWN, C.C1A, "T1-1A", set(),
                 id="1A-physiologic-1"),
    pytest.param(S.PHYSIOLOGIC, 3, A.CORRESPONDING, B.NOT_KNOWN, C.C1A, "T1-1A", set(),
                 id="1A-physiologic-uncinate-3"),
    pytest.param(S.TYPICAL_SOFT_TISSUE, 0, A.CORRESPONDING, B.BIOPSY, C.C1A, "T1-1A", set(),
                 id="1A-biopsied-benign-no-uptake"),
    pytest.param(S.BONE_ATYPICAL, 1, A.NON_SUSPICIOUS, B.PATHOGNOMONIC_IMAGING, C.C1A, "T1-1A",
                 {"AMB-BENIGN-LEVEL-1"}, id="1A-pathognomonic-level-1"),
    # 1B: benign with increased (focal) uptake, level 2-3 (Fig. 2, Suppl. Fig. 1)
    pytest.param(S.ATYPICAL_SOFT_TISSUE, 2, A.CORRESPONDING, B.PATHOGNOMONIC_IMAGING, C.C1B,
                 "T1-1B", set(), id="1B-prostate-level-2"),
    pytest.param(S.HIGHLY_ATYPICAL, 3, A.CORRESPONDING, B.BIOPSY, C.C1B, "T1-1B", set(),
                 id="1B-thyroid-adenoma-level-3"),
    pytest.param(S.TYPICAL_SOFT_TISSUE, 3, A.CORRESPONDING, B.BIOPSY, C.C1B, "T1-1B", set(),
                 id="1B-benign-beats-typical-site"),
    # 2: level 1 in soft tissue atypical of NET; equivocal uptake in degenerative bone (Fig. 3)
    pytest.param(S.ATYPICAL_SOFT_TISSUE, 1, A.NONE, B.NOT_KNOWN, C.C2, "T1-2", set(),
                 id="2-axillary-node-level-1"),
    pytest.param(S.BONE_ATYPICAL, 1, A.NON_SUSPICIOUS, B.NOT_KNOWN, C.C2, "T1-2", set(),
                 id="2-degenerative-bone-level-1"),
    pytest.param(S.HIGHLY_ATYPICAL, 1, A.NONE, B.NOT_KNOWN, C.C2, "T1-2",
                 {"AMB-HIGHLY-ATYPICAL-LEVEL-1"}, id="2-highly-atypical-level-1"),
    # 3A: level 1-2 in soft-tissue sites typical for NET (Fig. 4)
    pytest.param(S.TYPICAL_SOFT_TISSUE, 1, A.NONE, B.NOT_KNOWN, C.C3A, "T1-3A", set(),
                 id="3A-regional-node-level-1"),
    pytest.param(S.TYPICAL_SOFT_TISSUE, 2, A.NON_SUSPICIOUS, B.NOT_KNOWN, C.C3A, "T1-3A", set(),
                 id="3A-regional-node-level-2"),
    pytest.param(S.TYPICAL_SOFT_TISSUE, 2, A.CORRESPONDING, B.NOT_KNOWN, C.C3A, "T1-3A", set(),
                 id="3A-correlate-without-intense-uptake"),
    pytest.param(S.TYPICAL_SOFT_TISSUE, 1, A.HIGHLY_SUSPICIOUS, B.NOT_KNOWN, C.C3A, "T1-3A",
                 {"AMB-SUSPICIOUS-LOW-UPTAKE"}, id="3A-suspicious-low-uptake-flagged"),
    # 3B: level 1-2 in bone lesions not atypical for NET (Fig. 5)
    pytest.param(S.BONE_NOT_ATYPICAL, 1, A.NONE, B.NOT_KNOWN, C.C3B, "T1-3B", set(),
                 id="3B-bone-level-1"),
    pytest.param(S.BONE_NOT_ATYPICAL, 2, A.CORRESPONDING, B.NOT_KNOWN, C.C3B, "T1-3B", set(),
                 id="3B-bone-level-2"),
    pytest.param(S.BONE_NOT_ATYPICAL, 1, A.HIGHLY_SUSPICIOUS, B.NOT_KNOWN, C.C3B, "T1-3B",
                 {"AMB-SUSPICIOUS-LOW-UPTAKE"}, id="3B-suspicious-low-uptake-flagged"),
    pytest.param(S.BONE_ATYPICAL, 2, A.NON_SUSPICIOUS, B.NOT_KNOWN, C.C3B, "T1-3B",
                 {"AMB-DEGENERATIVE-BONE-ABOVE-BLOOD-POOL"}, id="3B-degenerative-bone-level-2"),
    pytest.param(S.BONE_ATYPICAL, 3, A.NON_SUSPICIOUS, B.NOT_KNOWN, C.C3B, "T1-3B",
                 {"AMB-DEGENERATIVE-BONE-ABOVE-BLOOD-POOL"}, id="3B-degenerative-bone-level-3"),
    # 3C: intense uptake (level 3) in a site (highly) atypical for NET (Fig. 6)
    pytest.param(S.HIGHLY_ATYPICAL, 3, A.NONE, B.NOT_KNOWN, C.C3C, "T1-3C", set(),
                 id="3C-breast-level-3"),
    pytest.param(S.ATYPICAL_SOFT_TISSUE, 3, A.CORRESPONDING, B.NOT_KNOWN, C.C3C, "T1-3C", set(),
                 id="3C-axillary-node-level-3"),
    pytest.param(S.ATYPICAL_SOFT_TISSUE, 2, A.NONE, B.NOT_KNOWN, C.C3C, "T1-3C",
                 {"AMB-ATYPICAL-LEVEL-2"}, id="3C-atypical-level-2"),
    pytest.param(S.HIGHLY_ATYPICAL, 2, A.NONE, B.NOT_KNOWN, C.C3C, "T1-3C",
                 {"AMB-ATYPICAL-LEVEL-2"}, id="3C-highly-atypical-level-2"),
    # 3D: anatomic finding highly suggestive of malignancy, no SSTR uptake (Fig. 7)
    pytest.param(S.TYPICAL_SOFT_TISSUE, 0, A.HIGHLY_SUSPICIOUS, B.NOT_KNOWN, C.C3D, "T1-3D",
                 set(), id="3D-liver-no-uptake"),
    pytest.param(S.BONE_NOT_ATYPICAL, 0, A.HIGHLY_SUSPICIOUS, B.NOT_KNOWN, C.C3D, "T1-3D",
                 set(), id="3D-bone-no-uptake"),
    pytest.param(S.HIGHLY_ATYPICAL, 0, A.HIGHLY_SUSPICIOUS, B.NOT_KNOWN, C.C3D, "T1-3D", set(),
                 id="3D-non-NET-malignancy-no-uptake"),
    pytest.param(S.TYPICAL_SOFT_TISSUE, 0, A.CORRESPONDING, B.NOT_KNOWN, C.C3D, "T1-3D",
                 {"AMB-NO-UPTAKE-CORRESPONDING"}, id="3D-corresponding-no-uptake"),
    pytest.param(S.ATYPICAL_SOFT_TISSUE, 1, A.HIGHLY_SUSPICIOUS, B.NOT_KNOWN, C.C3D, "T1-3D",
                 {"AMB-SUSPICIOUS-LOW-UPTAKE"}, id="3D-suspicious-atypical-level-1"),
    pytest.param(S.BONE_ATYPICAL, 1, A.HIGHLY_SUSPICIOUS, B.NOT_KNOWN, C.C3D, "T1-3D",
                 {"AMB-SUSPICIOUS-LOW-UPTAKE"}, id="3D-suspicious-atypical-bone-level-1"),
    pytest.param(S.TYPICAL_SOFT_TISSUE, 0, A.NON_SUSPICIOUS, B.NOT_KNOWN, C.C2, "T1-2",
                 {"AMB-NO-UPTAKE-NON-SUSPICIOUS"}, id="2-no-uptake-non-suspicious"),
    # 4: intense uptake in a typical site without confirmatory anatomic findings (Fig. 8)
    pytest.param(S.TYPICAL_SOFT_TISSUE, 3, A.NONE, B.NOT_KNOWN, C.C4, "T1-4", set(),
                 id="4-node-level-3-no-correlate"),
    pytest.param(S.TYPICAL_SOFT_TISSUE, 3, A.NON_SUSPICIOUS, B.NOT_KNOWN, C.C4, "T1-4", set(),
                 id="4-small-node-non-suspicious-on-ct"),
    pytest.param(S.BONE_NOT_ATYPICAL, 3, A.NONE, B.NOT_KNOWN, C.C4, "T1-4", set(),
                 id="4-marrow-based-bone-lesion"),
    # 5: intense uptake in a typical site with corresponding conventional imaging (Fig. 9)
    pytest.param(S.TYPICAL_SOFT_TISSUE, 3, A.CORRESPONDING, B.NOT_KNOWN, C.C5, "T1-5", set(),
                 id="5-liver-lesion-seen-on-ct"),
    pytest.param(S.TYPICAL_SOFT_TISSUE, 3, A.HIGHLY_SUSPICIOUS, B.NOT_KNOWN, C.C5, "T1-5", set(),
                 id="5-highly-suspicious-on-ct"),
    pytest.param(S.BONE_NOT_ATYPICAL, 3, A.CORRESPONDING, B.NOT_KNOWN, C.C5, "T1-5", set(),
                 id="5-bone-lesion-seen-on-ct"),
]


@pytest.mark.parametrize(
    ("site_class", "level", "correlate", "benign", "category", "rule", "policies"), TABLE1
)
def test_table1_row_decides_the_category_and_names_its_rule(
    site_class: SiteClass,
    level: int,
    correlate: AnatomicCorrelate,
    benign: BenignEvidence,
    category: Category,
    rule: str,
    policies: set[str],
) -> None:
    finding = lesion(site_class=site_class, level=level, correlate=correlate, benign=benign)

    # proliferation known and raised: the follow-up step adds no policy of its own
    assessment = score_lesion(finding, proliferation_raised=True)

    assert (assessment.category, assessment.rule) == (category, rule)
    assert codes(assessment.ambiguities) == policies


PRRT_COLUMN = [
    (C.C1A, "Not to be considered."),
    (C.C1B, "Not to be considered."),
    (C.C2, "Not to be considered."),
    (C.C3A, "Not to be considered."),
    (C.C3B, "Single lesions: locoregional procedure; increased number of lesions: PRRT."),
    (C.C3C, "Not to be considered."),
    (C.C3D, "Not to be considered (depends on grading"),
    (C.C4, "To be considered"),
    (C.C5, "Definitely to be considered."),
]


@pytest.mark.parametrize(("category", "column"), PRRT_COLUMN)
def test_each_lesion_carries_table1_prrt_column(category: Category, column: str) -> None:
    finding = lesion_in(category)

    assessment = score_lesion(finding, proliferation_raised=False)

    assert assessment.category is category
    assert assessment.table1_prrt.startswith(column)
    assert TABLE1_PRRT[category] == assessment.table1_prrt


NEXT_STEPS = [
    (C.C1A, ()),
    (C.C1B, ()),
    (C.C2, ()),
    (C.C3A, ("WU-3A", "FU-3-6")),
    (C.C3B, ("FU-3-6",)),
    (C.C3C, ("WU-3C",)),
    (C.C3D, ("WU-3D", "WU-3D")),
    (C.C4, ("WU-4",)),
    (C.C5, ("WU-5",)),
]


@pytest.mark.parametrize(("category", "step_rules"), NEXT_STEPS)
def test_each_category_carries_the_work_up_the_paper_gives(
    category: Category, step_rules: tuple[str, ...]
) -> None:
    finding = lesion_in(category)

    assessment = score_lesion(finding, proliferation_raised=False)

    assert tuple(step.rule for step in assessment.next_steps) == step_rules


@pytest.mark.parametrize(
    ("category", "words"),
    [
        (C.C3A, "Biopsy if sampling is possible"),
        (C.C3C, "Tissue confirmation of tumour histology"),
        (C.C3D, "18F-FDG PET"),
        (C.C4, "Biopsy generally not necessary"),
        (C.C5, "Biopsy unlikely to be of value"),
    ],
)
def test_work_up_text_follows_the_paper(category: Category, words: str) -> None:
    finding = lesion_in(category)

    assessment = score_lesion(finding, proliferation_raised=False)

    assert any(words in step.text for step in assessment.next_steps)


@pytest.mark.parametrize("category", list(Category))
def test_the_textbook_finding_of_each_category_scores_that_category(category: Category) -> None:
    finding = lesion_in(category)

    assessment = score_lesion(finding, proliferation_raised=False)

    assert assessment.category is category
