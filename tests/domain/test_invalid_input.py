"""Invalid or insufficient input raises a domain error naming lesion and item, never a category."""

from __future__ import annotations

import dataclasses
import math

import pytest

from adapter.domain import (
    AnatomicCorrelate,
    BenignEvidence,
    Category,
    InvalidLesionError,
    InvalidStudyError,
    ReferenceUptake,
    ScoringPolicy,
    SiteClass,
    SstrRadsError,
    Study,
    StudyContext,
    level_from_suv,
    score_lesion,
    score_study,
)

from .builders import COMPLETE_CONTEXT, REFERENCE, lesion, lesion_in

PATIENT_TEXT = "Jane Doe, born 1961-02-03, MRN 0042"
"""Free text a sender might put in the site description: must never reach an error message."""

A = AnatomicCorrelate

# lesion fields -> the item the error must name
BAD_LESIONS = [
    pytest.param({"level": None, "suv": None}, "uptake", id="no-uptake-information"),
    pytest.param({"level": None, "suv": 5.0}, "uptake", id="suv-without-reference-suvs"),
    pytest.param({"suv": -0.1}, "suv_max", id="negative-suv"),
    pytest.param({"suv": math.nan}, "suv_max", id="nan-suv"),
    pytest.param({"suv": math.inf}, "suv_max", id="infinite-suv"),
    pytest.param({"level": 4}, "reader_level", id="level-above-3"),
    pytest.param({"level": -1}, "reader_level", id="level-below-0"),
    pytest.param({"level": 1.5}, "reader_level", id="fractional-level"),
    pytest.param({"level": True}, "reader_level", id="boolean-level"),
    pytest.param({"level": 3, "benign": BenignEvidence.BIOPSY, "correlate": A.HIGHLY_SUSPICIOUS},
                 "benign", id="known-benign-and-highly-suspicious"),
    pytest.param({"level": 3, "site_class": SiteClass.PHYSIOLOGIC,
                  "correlate": A.HIGHLY_SUSPICIOUS},
                 "site_class", id="physiologic-and-highly-suspicious"),
    pytest.param({"level": 0, "correlate": A.NONE}, "uptake", id="no-uptake-and-no-finding"),
    pytest.param({"level": 2, "size_mm": math.nan}, "size_mm", id="nan-diameter"),
    pytest.param({"level": 2, "size_mm": -1.0}, "size_mm", id="negative-diameter"),
    pytest.param({"level": 2, "site": "   "}, "site", id="no-anatomic-description"),
]


@pytest.mark.parametrize(("fields", "item"), BAD_LESIONS)
def test_invalid_lesion_raises_naming_the_lesion_and_the_item(
    fields: dict[str, object], item: str
) -> None:
    site = f"Zenker diverticulum, {PATIENT_TEXT}"
    values: dict[str, object] = {"level": 2, "site": site, **fields}
    bad = lesion("L7", **values)  # type: ignore[arg-type]
    study = Study((lesion_in(Category.C5, "L1"), bad), COMPLETE_CONTEXT)

    with pytest.raises(InvalidLesionError) as caught:
        score_study(study)

    assert (caught.value.lesion_id, caught.value.item) == ("L7", item)
    assert "'L7'" in str(caught.value) and item in str(caught.value)
    assert PATIENT_TEXT not in str(caught.value)
    assert "Zenker" not in str(caught.value)


def test_the_same_lesion_errors_are_raised_by_score_lesion() -> None:
    bad = lesion("L3", suv=-1.0)

    with pytest.raises(InvalidLesionError, match="suv_max"):
        score_lesion(bad, REFERENCE)


def test_an_empty_lesion_id_is_rejected() -> None:
    bad = lesion("", level=2)

    with pytest.raises(InvalidLesionError) as caught:
        score_lesion(bad)

    assert caught.value.item == "lesion_id"


def test_duplicate_lesion_ids_are_rejected_naming_the_id() -> None:
    study = Study((lesion_in(Category.C4, "L1"), lesion_in(Category.C5, "L1")), COMPLETE_CONTEXT)

    with pytest.raises(InvalidLesionError) as caught:
        score_study(study)

    assert (caught.value.lesion_id, caught.value.item) == ("L1", "lesion_id")


def test_a_study_without_lesions_is_rejected() -> None:
    study = Study((), COMPLETE_CONTEXT)

    with pytest.raises(InvalidStudyError) as caught:
        score_study(study)

    assert caught.value.item == "lesions"


BAD_REFERENCES = [
    pytest.param(ReferenceUptake(6.0, 6.0), "reference", id="blood-pool-equal-to-liver"),
    pytest.param(ReferenceUptake(7.0, 6.0), "reference", id="blood-pool-above-liver"),
    pytest.param(ReferenceUptake(0.0, 6.0), "reference.blood_pool_suv_mean", id="zero-blood-pool"),
    pytest.param(ReferenceUptake(-1.0, 6.0), "reference.blood_pool_suv_mean",
                 id="negative-blood-pool"),
    pytest.param(ReferenceUptake(math.nan, 6.0), "reference.blood_pool_suv_mean",
                 id="nan-blood-pool"),
    pytest.param(ReferenceUptake(2.0, math.inf), "reference.liver_suv_mean", id="infinite-liver"),
    pytest.param(ReferenceUptake(2.0, math.nan), "reference.liver_suv_mean", id="nan-liver"),
]


@pytest.mark.parametrize(("reference", "item"), BAD_REFERENCES)
def test_invalid_reference_suvs_are_rejected_by_the_study(
    reference: ReferenceUptake, item: str
) -> None:
    study = Study((lesion("L1", level=None, suv=5.0),), COMPLETE_CONTEXT, reference)

    with pytest.raises(InvalidStudyError) as caught:
        score_study(study)

    assert caught.value.item == item


@pytest.mark.parametrize(("reference", "item"), BAD_REFERENCES)
def test_invalid_reference_suvs_are_rejected_by_score_lesion_too(
    reference: ReferenceUptake, item: str
) -> None:
    node = lesion("L1", level=None, suv=5.0)

    with pytest.raises(InvalidStudyError) as caught:
        score_lesion(node, reference)

    assert caught.value.item == item


@pytest.mark.parametrize("suv_max", [math.nan, -1.0, math.inf])
def test_level_from_suv_rejects_a_bad_suvmax_instead_of_guessing_level_3(suv_max: float) -> None:
    with pytest.raises(SstrRadsError, match="suv_max"):
        level_from_suv(suv_max, REFERENCE)


@pytest.mark.parametrize(
    ("fields", "item"),
    [
        ({"ki67_percent": 101.0}, "context.ki67_percent"),
        ({"ki67_percent": -1.0}, "context.ki67_percent"),
        ({"ki67_percent": math.nan}, "context.ki67_percent"),
        ({"injected_activity_mbq": 0.0}, "context.injected_activity_mbq"),
        ({"injected_activity_mbq": math.inf}, "context.injected_activity_mbq"),
        ({"uptake_time_min": -5.0}, "context.uptake_time_min"),
        ({"uptake_time_min": math.nan}, "context.uptake_time_min"),
    ],
)
def test_invalid_context_values_are_rejected(fields: dict[str, object], item: str) -> None:
    context = dataclasses.replace(COMPLETE_CONTEXT, **fields)  # type: ignore[arg-type]
    study = Study((lesion_in(Category.C4),), context)

    with pytest.raises(InvalidStudyError) as caught:
        score_study(study)

    assert caught.value.item == item


@pytest.mark.parametrize(
    "fields",
    [{"several_lesions": 1}, {"representative_above": 0}, {"ki67_raised_percent": 0.0},
     {"ki67_raised_percent": 101.0}],
)
def test_a_scoring_policy_outside_its_range_is_rejected(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ScoringPolicy(**fields)  # type: ignore[arg-type]


def test_domain_errors_are_value_errors_under_one_base() -> None:
    assert issubclass(InvalidLesionError, SstrRadsError)
    assert issubclass(InvalidStudyError, SstrRadsError)
    assert issubclass(SstrRadsError, ValueError)


def test_an_empty_context_is_valid_input() -> None:
    study = Study((lesion_in(Category.C4),), StudyContext())

    result = score_study(study)

    assert result.overall is Category.C4
