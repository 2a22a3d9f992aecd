"""The processor transports call: bytes in, Processed or Rejected out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapter.bootstrap import build_processor, build_validator
from adapter.domain import Category
from adapter.service.pipeline import ScoringPipeline
from adapter.service.results import OutputKind, Processed, Rejected
from adapter.settings import Settings
from adapter.tools.synthetic import build_message, synthetic_message


def test_build_processor_gives_a_processor_that_scores_a_message() -> None:
    processor = build_processor(Settings())

    outcome = processor(build_message(3))

    assert isinstance(outcome, Processed)
    assert [o.kind for o in outcome.outputs] == [OutputKind.REPORT, OutputKind.TUMOUR_BOARD]


def test_build_processor_applies_the_size_limit_from_settings() -> None:
    processor = build_processor(Settings(max_message_bytes=2048))

    outcome = processor(build_message(3))

    assert isinstance(outcome, Rejected)
    assert (outcome.reason, outcome.http_status) == ("too-large", 413)


def test_build_processor_applies_the_scoring_policy_from_settings() -> None:
    three_3b = [{"site_class": "bone-not-atypical", "level": 2}] * 3
    body = _message_with(three_3b)

    lenient = build_processor(Settings(several_lesions=3))(body)
    strict = build_processor(Settings(several_lesions=4))(body)

    assert isinstance(lenient, Processed) and isinstance(strict, Processed)
    assert lenient.lesion_categories == strict.lesion_categories == ("3B", "3B", "3B")
    assert (lenient.prrt_recommendation, lenient.tumour_board) == ("may-consider", True)
    assert (strict.prrt_recommendation, strict.tumour_board) == ("locoregional", False)


def _message_with(lesions: list[dict[str, Any]]) -> bytes:
    message = synthetic_message(len(lesions), key="policy")
    findings = [e["resource"] for e in message["entry"]
                if e["resource"].get("code", {}).get("coding", [{}])[0].get("code")
                == "lesion-finding"]
    for finding, change in zip(findings, lesions, strict=True):
        comps = finding["component"]
        comps[0]["valueCodeableConcept"]["coding"][0]["code"] = change["site_class"]
        comps[1]["valueCodeableConcept"]["coding"][0]["code"] = "none"
        comps[2]["valueInteger"] = change["level"]
        del comps[3]  # no SUVmax: the reader's level alone
    return orjson.dumps(message)


def test_processed_carries_the_input_message_id_and_every_lesion_category() -> None:
    message = synthetic_message(4, key="summary")

    outcome = ScoringPipeline()(orjson.dumps(message))

    assert isinstance(outcome, Processed)
    assert outcome.message_id == message["entry"][0]["resource"]["id"]
    assert len(outcome.lesion_categories) == 4
    assert outcome.overall_category == max(
        (Category(c) for c in outcome.lesion_categories), key=lambda c: c.rank).code


def test_output_message_ids_are_the_output_message_header_ids() -> None:
    outcome = ScoringPipeline()(build_message(2))

    assert isinstance(outcome, Processed)
    for output in outcome.outputs:
        assert orjson.loads(output.body)["entry"][0]["resource"]["id"] == output.message_id


def test_strict_mode_also_rejects_elements_the_hand_parser_does_not_read() -> None:
    message = synthetic_message(1, key="strict")
    message["entry"][1]["resource"]["favouriteColour"] = "blue"
    body = orjson.dumps(message)

    lenient = ScoringPipeline()(body)
    strict = ScoringPipeline(strict_validation=True)(body)

    assert isinstance(lenient, Processed)
    assert isinstance(strict, Rejected)
    assert orjson.loads(strict.outcome)["issue"][0]["expression"] == [
        "Bundle.entry[1].resource.favouriteColour"]


def test_strict_mode_accepts_a_valid_message() -> None:
    assert isinstance(ScoringPipeline(strict_validation=True)(build_message(2)), Processed)


@pytest.mark.parametrize(("body", "reason", "status"), [
    (b"", "not-json", 400),
    (b"<Bundle xmlns='http://hl7.org/fhir'/>", "not-json", 400),
    (b'{"resourceType": "Bundle",', "malformed-json", 400),
    (b'{"resourceType": "Bundle"}', "invalid", 422),
    (b"[]", "invalid", 422),
])
def test_rejections_carry_a_metric_safe_reason_and_an_http_status(
    body: bytes, reason: str, status: int
) -> None:
    outcome = ScoringPipeline()(body)

    assert isinstance(outcome, Rejected)
    assert (outcome.reason, outcome.http_status) == (reason, status)


def test_a_message_exactly_at_the_size_limit_is_accepted() -> None:
    body = build_message(1)

    assert isinstance(ScoringPipeline(max_message_bytes=len(body))(body), Processed)
    assert isinstance(ScoringPipeline(max_message_bytes=len(body) - 1)(body), Rejected)


def test_unexpected_errors_propagate_to_the_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr("adapter.service.pipeline.render", broken)

    with pytest.raises(RuntimeError):
        ScoringPipeline()(build_message(1))


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=12))
def test_scoring_is_deterministic_and_the_overall_is_the_highest_lesion(n: int) -> None:
    body = build_message(n, key=f"prop-{n}")

    first, second = ScoringPipeline()(body), ScoringPipeline()(body)

    assert isinstance(first, Processed)
    assert first == second
    assert first.overall_category == max(
        (Category(c) for c in first.lesion_categories), key=lambda c: c.rank).code


def test_the_validator_accepts_a_valid_message_and_rejects_what_the_pipeline_rejects() -> None:
    validate = build_validator(Settings())
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    examples = Path(__file__).resolve().parents[2] / "fhir_profiles" / "examples"

    valid = validate((examples / "figure-10-input.json").read_bytes())
    out_of_range = validate((corpus / "uptake-level-5.json").read_bytes())
    contradictory = validate((corpus / "known-benign-and-highly-suspicious.json").read_bytes())

    assert valid is None
    assert out_of_range is not None and out_of_range.reason == "invalid"
    assert contradictory is not None and contradictory.reason == "invalid"
