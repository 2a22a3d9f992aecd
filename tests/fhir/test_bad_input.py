"""Bad input: every corpus message is rejected with an OperationOutcome naming the element."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.fhir.bindings import check_resource
from adapter.fhir.problems import MAX_ISSUES, IssueCode
from adapter.fhir.strict import structure_issues
from adapter.service.pipeline import REJECT_STATUS, ScoringPipeline
from adapter.service.results import Processed, Rejected
from adapter.tools.synthetic import synthetic_message
from tests.fhir.conftest import json_paths

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MANIFEST: list[dict[str, Any]] = orjson.loads((CORPUS / "manifest.json").read_bytes())
PATIENT_DATA = (b"Muster", b"Alex", b"1961-04-12", b"MRN-")


def _reject(case: dict[str, Any]) -> Rejected:
    pipeline = ScoringPipeline(max_message_bytes=case.get("max_message_bytes", 2_000_000))
    outcome = pipeline((CORPUS / case["file"]).read_bytes())
    assert isinstance(outcome, Rejected), case["file"]
    return outcome


@pytest.mark.parametrize("case", MANIFEST, ids=lambda c: c["file"])
def test_each_corpus_message_is_rejected_with_its_reason_and_status(case: dict[str, Any]) -> None:
    rejected = _reject(case)

    assert (rejected.reason, rejected.http_status) == (case["reason"], case["http_status"])


@pytest.mark.parametrize("case", MANIFEST, ids=lambda c: c["file"])
def test_each_corpus_message_names_the_offending_element(case: dict[str, Any]) -> None:
    outcome = orjson.loads(_reject(case).outcome)

    expressions = {e for issue in outcome["issue"] for e in issue["expression"]}

    assert set(case["expressions"]) <= expressions


@pytest.mark.parametrize("case", MANIFEST, ids=lambda c: c["file"])
def test_each_outcome_is_a_valid_operation_outcome_without_patient_data(
    case: dict[str, Any],
) -> None:
    body = _reject(case).outcome

    parsed = OperationOutcome.model_validate_json(body)

    assert all(i.severity in ("error", "fatal") and i.diagnostics for i in parsed.issue)
    assert not any(marker in body for marker in PATIENT_DATA)


def test_the_corpus_covers_every_reject_reason() -> None:
    assert {c["reason"] for c in MANIFEST} == set(REJECT_STATUS)


def test_every_corpus_file_is_in_the_manifest() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".json", ".txt")}

    assert files - {"manifest.json"} == {c["file"] for c in MANIFEST}


def test_the_message_id_of_a_rejected_message_is_kept_for_correlation() -> None:
    case = next(c for c in MANIFEST if c["file"] == "uptake-level-5.json")

    rejected = _reject(case)

    assert rejected.message_id == orjson.loads(
        (CORPUS / case["file"]).read_bytes())["entry"][0]["resource"]["id"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_any_json_value_is_processed_or_rejected_never_raised(value: Any) -> None:
    outcome = ScoringPipeline()(orjson.dumps(value))

    assert isinstance(outcome, Processed | Rejected)


BASE = synthetic_message(2, key="mutation")
PATHS = json_paths(BASE)
REPLACEMENTS = st.sampled_from([None, "", "x", -1, 0, 4, 1e308, True, [], {}, [1], {"a": 1}])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), REPLACEMENTS)
def test_replacing_any_element_of_a_valid_message_never_raises(
    path: tuple[Any, ...], replacement: Any
) -> None:
    message = orjson.loads(orjson.dumps(BASE))
    parent = message
    for step in path[:-1]:
        parent = parent[step]
    if replacement is None and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement

    outcome = ScoringPipeline()(orjson.dumps(message))

    assert isinstance(outcome, Processed | Rejected)
    if isinstance(outcome, Rejected):
        assert orjson.loads(outcome.outcome)["issue"]
    else:
        # Whatever the change, an answer is valid FHIR: nothing unchecked is repeated.
        for output in outcome.outputs:
            Bundle.model_validate_json(output.body)
            assert check_resource(orjson.loads(output.body)) == []


def test_an_outcome_lists_at_most_100_issues_and_counts_the_rest() -> None:
    body = (CORPUS / "many-bad-entries.json").read_bytes()

    issues = orjson.loads(ScoringPipeline()(body).outcome)["issue"]  # type: ignore[union-attr]

    assert len(issues) == MAX_ISSUES + 1
    assert issues[-1]["code"] == "too-costly"
    assert issues[-1]["diagnostics"].startswith("400 more problem(s)")


def test_the_strict_validator_bounds_its_answer_too() -> None:
    doc = {"resourceType": "Bundle", "type": "message",
           "entry": [{"resource": {"resourceType": "Observation", "status": 5}}] * 300}

    issues = structure_issues(doc)

    assert len(issues) == MAX_ISSUES + 1
    assert issues[-1].code is IssueCode.TOO_COSTLY


def _value_at(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


STRING_PATHS = [p for p in PATHS if isinstance(_value_at(BASE, p), str)]
HOSTILE = ["\x00", "\x1b[2J", "\x07", "\x7f", "\x9b", "\ufffe", "\ufdd0", "\u202e", "\u2066"]
HOSTILE_VALUES = st.one_of(
    st.builds(lambda c, pos: (c, pos), st.sampled_from(HOSTILE), st.sampled_from(["pre", "post"])),
    st.sampled_from([("2023-02-30", "whole"), ("0000-01-01T00:00:00Z", "whole"),
                     ("2024-03-05T11:02:00+25:99", "whole"), ("Observaton", "whole"),
                     ("observation", "whole")]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(STRING_PATHS), HOSTILE_VALUES)
def test_a_hostile_string_anywhere_is_rejected_by_name_or_never_repeated(
    path: tuple[Any, ...], hostile: tuple[str, str],
) -> None:
    text, where = hostile
    message = orjson.loads(orjson.dumps(BASE))
    parent = _value_at(message, path[:-1])
    original = parent[path[-1]]
    parent[path[-1]] = (text if where == "whole" else
                        text + original if where == "pre" else original + text)

    outcome = ScoringPipeline()(orjson.dumps(message))

    if path[-1] in ("resourceType", "timestamp", "started", "valueDateTime"):
        assert isinstance(outcome, Rejected)  # an unknown type or an impossible date
    if isinstance(outcome, Rejected):
        issues = orjson.loads(outcome.outcome)["issue"]
        assert 0 < len(issues) <= MAX_ISSUES + 1
        assert all(e.startswith("Bundle") for i in issues for e in i["expression"])
    else:
        # Accepted only where the adapter neither reads nor repeats the element.
        assert isinstance(outcome, Processed)
        for output in outcome.outputs:
            assert orjson.dumps(text)[1:-1] not in output.body or where == "whole"
