"""Discussion: the overall score, waiving 3A/3B, 3C/3D always reported, representative lesions."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from adapter.domain import (
    Category,
    ScoringPolicy,
    Study,
    StudyContext,
    score_study,
)
from adapter.domain.model import (
    Ambiguity,
    Lesion,
    LesionAssessment,
    NextStep,
    SiteClass,
    UptakeLevel,
    UptakeResult,
    UptakeSource,
)
from adapter.domain.study import _STEP_POLICIES, _waived

from .builders import COMPLETE_CONTEXT, codes, lesion_in, study_of

C = Category


@pytest.mark.parametrize(
    ("categories", "overall"),
    [
        ((C.C1A,), C.C1A),
        ((C.C1A, C.C1B), C.C1B),
        ((C.C2, C.C1B), C.C2),
        ((C.C2, C.C3A), C.C3A),
        ((C.C3A, C.C3B), C.C3B),
        ((C.C3B, C.C3C), C.C3C),
        ((C.C3C, C.C3D), C.C3D),
        ((C.C3D, C.C4), C.C4),
        ((C.C2, C.C4, C.C5), C.C5),
    ],
)
def test_the_highest_lesion_designates_the_overall_score(
    categories: tuple[Category, ...], overall: Category
) -> None:
    study = study_of(*categories)

    result = score_study(study)

    assert (result.overall, result.overall_rule) == (overall, "DISC-OVERALL")
    assert result.carrying == tuple(
        f"L{i}" for i, c in enumerate(categories, start=1) if c is overall
    )


def test_several_sub_categories_of_3_name_the_order_policy() -> None:
    study = study_of(C.C3A, C.C3C)

    result = score_study(study)

    assert result.overall is C.C3C
    assert "AMB-3-ORDER" in codes(result.ambiguities)


def test_a_single_sub_category_of_3_needs_no_order_policy() -> None:
    study = study_of(C.C3A, C.C3A, C.C2)

    result = score_study(study)

    assert "AMB-3-ORDER" not in codes(result.ambiguities)


@pytest.mark.parametrize("high", [C.C4, C.C5])
@pytest.mark.parametrize("low", [C.C3A, C.C3B])
def test_3a_or_3b_findings_are_waived_under_an_overall_4_or_5(
    high: Category, low: Category
) -> None:
    study = study_of(low, high)

    result = score_study(study)

    assert [a.waived for a in result.lesions] == [True, False]
    assert not {"WU-3A", "FU-3-6"} & {step.rule for step in result.next_steps}


@pytest.mark.parametrize("low", [C.C3A, C.C3B])
def test_a_waived_lesion_carries_no_follow_up_nor_the_policies_that_chose_its_interval(
    low: Category,
) -> None:
    for context in (StudyContext(), COMPLETE_CONTEXT):
        study = study_of(low, C.C5, context=context)

        waived = score_study(study).lesions[0]

        assert waived.waived and waived.next_steps == ()
        assert not {"AMB-PROLIFERATION-UNKNOWN", "AMB-FU-INTERVAL"} & codes(waived.ambiguities)


@pytest.mark.parametrize("top", [C.C3B, C.C3C, C.C3D])
def test_3a_findings_are_not_waived_below_4(top: Category) -> None:
    study = study_of(C.C3A, top)

    result = score_study(study)

    assert not any(a.waived for a in result.lesions)
    assert "FU-3-6" in {step.rule for step in result.next_steps}


@pytest.mark.rule("DISC-3C3D")
@pytest.mark.parametrize("high", [C.C4, C.C5])
def test_3c_and_3d_lesions_are_reported_for_work_up_whatever_the_overall_score(
    high: Category,
) -> None:
    study = study_of(C.C3C, high, C.C3D)

    result = score_study(study)

    assert result.work_up == ("L1", "L3")
    assert not any(a.waived for a in result.lesions if a.category in (C.C3C, C.C3D))
    assert {"WU-3C", "WU-3D"} <= {step.rule for step in result.next_steps}


def _positive_lesions(count: int) -> tuple[object, ...]:
    return tuple(lesion_in(C.C5, f"N{i}", suv=10.0 + i) for i in range(count))


@pytest.mark.rule("DISC-REPRESENTATIVE")
@pytest.mark.parametrize(("positives", "applied"), [(5, False), (6, True)])
def test_representative_lesions_are_chosen_only_above_5_positive_lesions(
    positives: int, applied: bool
) -> None:
    study = Study(lesions=_positive_lesions(positives), context=COMPLETE_CONTEXT)  # type: ignore[arg-type]

    result = score_study(study)

    assert result.representatives_applied is applied
    assert sum(a.representative for a in result.lesions) == (1 if applied else 0)
    assert ("AMB-REPRESENTATIVE" in codes(result.ambiguities)) is applied


@pytest.mark.rule("DISC-REPRESENTATIVE")
def test_3d_lesions_do_not_count_as_positive_for_the_representative_rule() -> None:
    study = study_of(C.C5, C.C5, C.C5, C.C5, C.C5, C.C3D, C.C3D)

    result = score_study(study)

    assert result.representatives_applied is False


@pytest.mark.rule("DISC-REPRESENTATIVE")
def test_one_representative_per_organ_system_hottest_then_largest() -> None:
    lesions = (
        lesion_in(C.C5, "liver-small-hot", organ_system="liver", suv=30.0, size_mm=8),
        lesion_in(C.C5, "liver-big-cool", organ_system="liver", suv=15.0, size_mm=40),
        lesion_in(C.C4, "node-a", organ_system="lymph nodes", suv=12.0, size_mm=6),
        lesion_in(C.C4, "node-b", organ_system="Lymph nodes ", suv=12.0, size_mm=9),
        lesion_in(C.C3B, "rib-level-2", organ_system="bone", level=2),
        lesion_in(C.C4, "spine-level-3", organ_system="bone", level=3),
    )
    study = Study(lesions=lesions, context=COMPLETE_CONTEXT)

    result = score_study(study)

    chosen = {a.lesion.lesion_id for a in result.lesions if a.representative}
    assert chosen == {"liver-small-hot", "node-b", "spine-level-3"}
    assert len(result.lesions) == 6, "every lesion is still scored"


@pytest.mark.rule("DISC-REPRESENTATIVE")
def test_uptake_level_outranks_suvmax_when_choosing_the_hottest_lesion() -> None:
    lesions = (
        lesion_in(C.C3A, "level-1-with-suv", level=1, suv=1.5),
        lesion_in(C.C4, "level-3-without-suv"),
        *(lesion_in(C.C5, f"liver-{i}", organ_system="liver") for i in range(4)),
    )
    study = Study(lesions=lesions, context=COMPLETE_CONTEXT)

    result = score_study(study)

    chosen = {a.lesion.lesion_id for a in result.lesions if a.representative}
    assert chosen == {"level-3-without-suv", "liver-0"}


@pytest.mark.rule("DISC-REPRESENTATIVE")
def test_the_representative_threshold_is_a_policy_setting() -> None:
    study = study_of(C.C5, C.C5, C.C5)
    policy = ScoringPolicy(representative_above=2)

    result = score_study(study, policy)

    assert result.representatives_applied is True


def test_waiving_a_lesion_keeps_every_other_field() -> None:
    # Codes by reference, not spelled out: the README's rule tables list the tests naming them.
    kept, dropped = Ambiguity("kept", "kept"), Ambiguity(min(_STEP_POLICIES), "dropped")
    given = LesionAssessment(
        lesion=Lesion("L1", "liver", SiteClass.TYPICAL_SOFT_TISSUE),
        category=C.C3A, rule="a rule",
        uptake=UptakeResult(UptakeLevel.ABOVE_BLOOD_POOL, UptakeSource.READER),
        table1_prrt="text", next_steps=(NextStep("step"),), ambiguities=(kept, dropped),
        notes=("note",), representative=True, waived=False, suv_category=C.C4,
    )
    # Every field but ``waived`` differs from its default, so a forgotten one would show.
    assert all(getattr(given, f.name) != f.default for f in fields(given) if f.name != "waived")

    waived = _waived(given)

    assert waived == replace(given, waived=True, next_steps=(), ambiguities=(kept,))
