"""Follow-up interval by Ki-67/grade (SSTR-RADS-3 section); completeness (Supplementary Table 1)."""

from __future__ import annotations

import dataclasses

import pytest

from adapter.domain import (
    Category,
    ContextItem,
    Grade,
    ScoringPolicy,
    StudyContext,
    score_study,
)

from .builders import COMPLETE_CONTEXT, codes, lesion, lesion_in, study_of

# grade, Ki-67 -> proliferation raised, follow-up months, policies named
INTERVALS = [
    pytest.param(Grade.G1, 2.0, False, (3, 6), {"AMB-FU-INTERVAL", "AMB-KI67-RAISED"},
                 id="G1-Ki67-2-is-3-to-6-months"),
    pytest.param(Grade.G1, None, False, (3, 6), {"AMB-FU-INTERVAL", "AMB-KI67-RAISED"},
                 id="G1-alone-is-3-to-6-months"),
    pytest.param(None, 2.99, False, (3, 6), {"AMB-FU-INTERVAL", "AMB-KI67-RAISED"},
                 id="Ki67-just-below-3-is-3-to-6-months"),
    pytest.param(None, 3.0, True, (3, 3), {"AMB-KI67-RAISED"}, id="Ki67-3-is-3-months"),
    pytest.param(Grade.G1, 5.0, True, (3, 3), {"AMB-KI67-RAISED"}, id="raised-Ki67-wins-over-G1"),
    pytest.param(Grade.G2, None, True, (3, 3), {"AMB-KI67-RAISED"}, id="G2-is-3-months"),
    pytest.param(Grade.G3, 25.0, True, (3, 3), {"AMB-KI67-RAISED"}, id="G3-is-3-months"),
    pytest.param(None, None, None, (3, 3), {"AMB-PROLIFERATION-UNKNOWN"},
                 id="unknown-takes-the-shorter-3-months"),
]


@pytest.mark.parametrize(("grade", "ki67", "raised", "months", "policies"), INTERVALS)
@pytest.mark.parametrize("category", [Category.C3A, Category.C3B])
def test_follow_up_interval_for_3a_3b_depends_on_ki67_and_grade(
    category: Category,
    grade: Grade | None,
    ki67: float | None,
    raised: bool | None,
    months: tuple[int, int],
    policies: set[str],
) -> None:
    context = dataclasses.replace(COMPLETE_CONTEXT, grade=grade, ki67_percent=ki67)
    study = study_of(category, context=context)

    result = score_study(study)

    follow_up = [step for step in result.lesions[0].next_steps if step.rule == "FU-3-6"]
    assert result.proliferation_raised is raised
    assert [step.follow_up_months for step in follow_up] == [months]
    assert "SSTR-PET or whole-body MRI" in follow_up[0].text
    found = codes(result.ambiguities) | codes(result.lesions[0].ambiguities)
    assert found & {"AMB-FU-INTERVAL", "AMB-KI67-RAISED", "AMB-PROLIFERATION-UNKNOWN"} == policies


def test_the_ki67_threshold_is_a_policy_setting() -> None:
    context = dataclasses.replace(COMPLETE_CONTEXT, grade=None, ki67_percent=4.0)
    study = study_of(Category.C3A, context=context)

    result = score_study(study, ScoringPolicy(ki67_raised_percent=5.0))

    assert result.proliferation_raised is False


def test_the_ki67_policy_is_not_named_when_no_3a_3b_needs_an_interval() -> None:
    study = study_of(Category.C3A, Category.C5)

    result = score_study(study)

    assert "AMB-KI67-RAISED" not in codes(result.ambiguities)


@pytest.mark.rule("SUPP-T1")
def test_a_complete_context_misses_nothing() -> None:
    study = study_of(Category.C4)

    result = score_study(study)

    assert result.missing == ()


@pytest.mark.rule("SUPP-T1")
def test_an_empty_context_misses_every_item_but_laboratory_results_if_available() -> None:
    study = study_of(Category.C4, context=StudyContext())

    result = score_study(study)

    assert set(result.missing) == set(ContextItem) - {ContextItem.LABORATORY}


@pytest.mark.rule("SUPP-T1")
@pytest.mark.parametrize(
    ("absent", "item"),
    [
        ({"primary_tumour": None}, ContextItem.PRIMARY_TUMOUR),
        ({"biopsy_date": None}, ContextItem.BIOPSY_DATE),
        ({"grade": None, "ki67_percent": None}, ContextItem.KI67_OR_GRADE),
        ({"primary_diagnosis_date": None}, ContextItem.PRIMARY_DIAGNOSIS_DATE),
        ({"symptoms_reported": False}, ContextItem.SYMPTOMS),
        ({"prior_therapies": None}, ContextItem.PREVIOUS_THERAPIES),
        ({"previous_imaging_reported": False}, ContextItem.PREVIOUS_IMAGING),
        ({"other_malignancies_reported": False}, ContextItem.OTHER_MALIGNANCIES),
        ({"injected_activity_mbq": None}, ContextItem.INJECTED_ACTIVITY),
        ({"uptake_time_min": None}, ContextItem.UPTAKE_TIME),
        ({"field_of_view": None}, ContextItem.FIELD_OF_VIEW),
    ],
)
def test_each_missing_supplementary_table_1_item_is_listed(
    absent: dict[str, object], item: ContextItem
) -> None:
    context = dataclasses.replace(COMPLETE_CONTEXT, **absent)  # type: ignore[arg-type]
    study = study_of(Category.C4, context=context)

    result = score_study(study)

    assert result.missing == (item,)


@pytest.mark.rule("SUPP-T1")
@pytest.mark.parametrize(
    ("present", "missing_ki67_or_grade"),
    [({"grade": Grade.G2, "ki67_percent": None}, False),
     ({"grade": None, "ki67_percent": 1.0}, False)],
)
def test_either_ki67_or_grade_satisfies_the_item(
    present: dict[str, object], missing_ki67_or_grade: bool
) -> None:
    context = dataclasses.replace(COMPLETE_CONTEXT, **present)  # type: ignore[arg-type]
    study = study_of(Category.C4, context=context)

    result = score_study(study)

    assert (ContextItem.KI67_OR_GRADE in result.missing) is missing_ki67_or_grade


@pytest.mark.rule("SUPP-T1")
def test_previous_therapies_reported_as_none_is_not_missing() -> None:
    context = dataclasses.replace(COMPLETE_CONTEXT, prior_therapies=frozenset())
    study = study_of(Category.C4, context=context)

    result = score_study(study)

    assert ContextItem.PREVIOUS_THERAPIES not in result.missing


@pytest.mark.rule("DISC-LESION-DATA")
@pytest.mark.parametrize(
    ("finding", "notes"),
    [
        pytest.param(lesion(level=3, suv=14.0, size_mm=12.0,
                            correlate=lesion_in(Category.C5).correlate), (), id="complete"),
        pytest.param(lesion_in(Category.C5, size_mm=12.0), ("SUVmax not given",), id="no-suv"),
        pytest.param(lesion_in(Category.C5, suv=14.0), ("maximum diameter not given",),
                     id="no-diameter"),
        pytest.param(lesion(level=3, suv=14.0), (), id="no-anatomic-finding-no-diameter"),
        pytest.param(lesion_in(Category.C3D, size_mm=28.0), (), id="no-uptake-needs-no-suv"),
    ],
)
def test_each_lesion_notes_missing_diameter_or_suv(finding: object, notes: tuple[str, ...]) -> None:
    from adapter.domain import score_lesion

    assessment = score_lesion(finding, proliferation_raised=True)  # type: ignore[arg-type]

    assert assessment.notes == notes
