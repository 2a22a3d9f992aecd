"""The conclusion a clinician reads in ten seconds: who carries the score, what to do next."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from adapter.domain import AnatomicCorrelate, Grade, SiteClass, StudyAssessment
from adapter.fhir.conclusion import LISTED_LESIONS, conclusion_lines
from adapter.service.pipeline import Assessed, ScoringPipeline
from adapter.tools.examples import input_path
from adapter.tools.synthetic import LesionSpec, MessageSpec, build_bundle, build_message


def _assess(body: bytes) -> StudyAssessment:
    assessed = ScoringPipeline().assess(body)
    assert isinstance(assessed, Assessed)
    return assessed.assessment


def _lines(*lesions: LesionSpec, **kw: Any) -> list[str]:
    spec = MessageSpec("conclusion", tuple(lesions), **kw)
    return conclusion_lines(_assess(orjson.dumps(build_bundle(spec))))


def _line(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.startswith(start))


LIVER_5 = LesionSpec("L1", "liver", "10200004", SiteClass.TYPICAL_SOFT_TISSUE,
                     AnatomicCorrelate.CORRESPONDING, level=3, suv_max=12.0, size_mm=20.0)
LIVER_4 = LesionSpec("L2", "liver segment III", "10200004", SiteClass.TYPICAL_SOFT_TISSUE,
                     AnatomicCorrelate.NONE, level=3, suv_max=12.0)
NODE_3A = LesionSpec("L3", "mesenteric lymph node", "59441001", SiteClass.TYPICAL_SOFT_TISSUE,
                     AnatomicCorrelate.NONE, level=2, suv_max=3.0)


def test_next_steps_name_each_category_with_its_lesions_highest_first() -> None:
    lines = conclusion_lines(_assess(input_path("figure-10").read_bytes()))

    assert _line(lines, "Next steps:") == (
        "Next steps: SSTR-RADS-5 (L3): biopsy unlikely to be of value. "
        "SSTR-RADS-4 (L2): biopsy generally not necessary.")


def test_a_3a_next_step_gives_the_follow_up_interval() -> None:
    lines = _lines(NODE_3A, grade=Grade.G1)

    assert _line(lines, "Next steps:") == (
        "Next steps: SSTR-RADS-3A (L3): biopsy if sampling is possible, or follow-up imaging; "
        "follow-up SSTR-PET or whole-body MRI after 3-6 months.")


def test_a_short_study_lists_each_lesion_with_its_category_and_site() -> None:
    lines = conclusion_lines(_assess(input_path("figure-10").read_bytes()))

    assert lines[1] == ("Lesions: L1 SSTR-RADS-2 (intravertebral disc herniation…), "
                        "L2 SSTR-RADS-4 (liver segment III), "
                        "L3 SSTR-RADS-5 (lymph node at the liver hilum…).")


def test_a_single_lesion_is_named_once() -> None:
    lines = _lines(LIVER_5)

    assert not any(line.startswith("Lesions") for line in lines)
    assert sum("L1" in line for line in lines) == 2  # the overall line and its next step


def test_a_long_study_gives_counts_per_category_and_the_representative_lesions() -> None:
    lines = conclusion_lines(_assess(build_message(20)))

    lesions = _line(lines, "Lesions")
    assert lesions.startswith("Lesions (20): 7 SSTR-RADS-5, 3 SSTR-RADS-3B, 4 SSTR-RADS-3A, "
                              "3 SSTR-RADS-2, 3 SSTR-RADS-1A. Representative per organ system: "
                              "L10 SSTR-RADS-5 (pancreas), L19 SSTR-RADS-5 (liver), ")
    assert "L1 SSTR-RADS-5" not in lesions


@pytest.mark.parametrize("n", [1, LISTED_LESIONS, LISTED_LESIONS + 1, 20, 100])
def test_the_conclusion_stays_short_whatever_the_number_of_lesions(n: int) -> None:
    lines = conclusion_lines(_assess(build_message(n)))

    assert len(lines) <= 8
    assert all(len(line) <= 320 for line in lines)


def test_waived_3a_and_3b_lesions_are_listed_with_their_category() -> None:
    lines = _lines(LIVER_5, NODE_3A)

    assert _line(lines, "Waived") == (
        "Waived under the overall score: L3 SSTR-RADS-3A (mesenteric lymph node).")
    assert "3A" not in _line(lines, "Next steps:")


def test_ambiguities_give_their_code_and_reason() -> None:
    lines = _lines(NODE_3A, grade=Grade.G1)

    assert _line(lines, "Ambiguities") == (
        "Ambiguities (adapter policy): AMB-KI67-RAISED: 'increased proliferation index' taken "
        "as grade G2/G3 or Ki-67 >= 3 %. AMB-FU-INTERVAL: follow-up after 3-6 months (text); "
        "Table 1 and Fig. 4 give 3 months.")


def test_the_prrt_line_carries_the_tumour_board_request_and_the_caveat() -> None:
    lines = _lines(LIVER_5, LIVER_4)

    prrt = _line(lines, "PRRT")
    assert prrt.startswith("PRRT definitely to be considered; tumour-board review requested. "
                           "Caveat: ")
