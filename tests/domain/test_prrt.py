"""Patient-level PRRT recommendation (Table 1 PRRT column, Discussion) and the tumour board."""

from __future__ import annotations

import pytest

from adapter.domain import (
    PRRT_CAVEAT,
    Category,
    PrrtRecommendation,
    ScoringPolicy,
    score_study,
)

from .builders import codes, study_of

C = Category
P = PrrtRecommendation

# lesion categories -> recommendation, rule, tumour board, policies named
BRANCHES = [
    pytest.param((C.C5,), P.DEFINITELY_CONSIDER, "PRRT-5", True, set(), id="overall-5-definitely"),
    pytest.param((C.C3A, C.C4), P.CONSIDER, "PRRT-4", True, set(), id="overall-4-consider"),
    pytest.param((C.C3B,), P.LOCOREGIONAL, "PRRT-3B-SINGLE", False, set(),
                 id="single-3B-locoregional"),
    pytest.param((C.C3B, C.C3B), P.MAY_CONSIDER, "PRRT-3B-SEVERAL", True, {"AMB-SEVERAL"},
                 id="several-3B-may-consider"),
    pytest.param((C.C3D, C.C4), P.COMBINED_WITH_LOCOREGIONAL, "PRRT-3D-SINGLE", True, set(),
                 id="one-3D-with-SSTR-positive-disease-combined"),
    pytest.param((C.C3D, C.C5, C.C5), P.COMBINED_WITH_LOCOREGIONAL, "PRRT-3D-SINGLE", True, set(),
                 id="one-3D-with-5s-combined"),
    pytest.param((C.C3D, C.C3D, C.C5), P.RULED_OUT, "PRRT-3D-SEVERAL", True,
                 {"AMB-SEVERAL", "AMB-3D-AND-45"}, id="several-3D-rule-out-despite-5"),
    pytest.param((C.C3D, C.C3D), P.RULED_OUT, "PRRT-3D-SEVERAL", False, {"AMB-SEVERAL"},
                 id="several-3D-alone-ruled-out"),
    pytest.param((C.C3D,), P.NOT_CONSIDERED, "PRRT-NONE", False, set(), id="single-3D-alone"),
    pytest.param((C.C3C,), P.NOT_CONSIDERED, "PRRT-NONE", False, set(), id="3C-not-considered"),
    pytest.param((C.C3A, C.C3A), P.NOT_CONSIDERED, "PRRT-NONE", False, set(), id="3A-not"),
    pytest.param((C.C2,), P.NOT_CONSIDERED, "PRRT-NONE", False, set(), id="2-not"),
    pytest.param((C.C1B,), P.NOT_CONSIDERED, "PRRT-NONE", False, set(), id="1B-not"),
    pytest.param((C.C1A,), P.NOT_CONSIDERED, "PRRT-NONE", False, set(), id="1A-not"),
]


@pytest.mark.parametrize(("categories", "prrt", "rule", "board", "policies"), BRANCHES)
def test_prrt_recommendation_branch(
    categories: tuple[Category, ...],
    prrt: PrrtRecommendation,
    rule: str,
    board: bool,
    policies: set[str],
) -> None:
    study = study_of(*categories)

    result = score_study(study)

    assert (result.prrt, result.prrt_rule) == (prrt, rule)
    assert result.tumour_board is board
    assert {"AMB-SEVERAL", "AMB-3D-AND-45"} & codes(result.ambiguities) == policies


@pytest.mark.parametrize(
    ("several", "three_b", "prrt"),
    [
        (2, 2, P.MAY_CONSIDER),
        (3, 2, P.LOCOREGIONAL),
        (3, 3, P.MAY_CONSIDER),
    ],
)
def test_how_many_3b_lesions_are_several_is_a_policy_setting(
    several: int, three_b: int, prrt: PrrtRecommendation
) -> None:
    study = study_of(*([C.C3B] * three_b))

    result = score_study(study, ScoringPolicy(several_lesions=several))

    assert result.prrt is prrt


@pytest.mark.parametrize(
    ("several", "three_d", "prrt"),
    [
        (2, 2, P.RULED_OUT),
        (3, 2, P.COMBINED_WITH_LOCOREGIONAL),
        (3, 3, P.RULED_OUT),
    ],
)
def test_how_many_3d_lesions_are_several_is_a_policy_setting(
    several: int, three_d: int, prrt: PrrtRecommendation
) -> None:
    study = study_of(C.C5, *([C.C3D] * three_d))

    result = score_study(study, ScoringPolicy(several_lesions=several))

    assert result.prrt is prrt
    assert "AMB-SEVERAL" in codes(result.ambiguities)


@pytest.mark.parametrize(
    ("categories", "board"),
    [
        ((C.C4,), True),
        ((C.C5,), True),
        ((C.C3B, C.C3B), True),
        ((C.C3D, C.C3D, C.C4), True),
        ((C.C3B,), False),
        ((C.C3C, C.C3D), False),
        ((C.C1A, C.C2), False),
    ],
)
def test_tumour_board_is_triggered_by_overall_4_or_5_or_prrt_otherwise_considered(
    categories: tuple[Category, ...], board: bool
) -> None:
    study = study_of(*categories)

    result = score_study(study)

    assert result.tumour_board is board


def test_tumour_board_carries_ruled_out_when_several_3d_meet_an_overall_5() -> None:
    study = study_of(C.C5, C.C3D, C.C3D)

    result = score_study(study)

    assert (result.tumour_board, result.prrt) == (True, P.RULED_OUT)


@pytest.mark.rule("PRRT-CAVEAT")
@pytest.mark.parametrize("category", list(Category))
def test_table1_footnote_2_caveat_travels_with_every_recommendation(category: Category) -> None:
    study = study_of(category)

    result = score_study(study)

    assert result.prrt_caveat == PRRT_CAVEAT
    for words in ("IAEA", "EANM", "SNMMI", "ENETS", "kidney", "bone-marrow", "footnote 2"):
        assert words in result.prrt_caveat
