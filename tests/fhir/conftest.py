"""Shared helpers of the FHIR edge tests."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from adapter.service.pipeline import ScoringPipeline
from adapter.service.results import Processed
from adapter.tools.synthetic import synthetic_message


@pytest.fixture
def message() -> dict[str, Any]:
    """A valid two-lesion message (entries: header, patient, study, reference, context,
    then BodyStructure/lesion pairs at 5/6 and 7/8)."""
    return synthetic_message(2, key="tests")


def score(doc: dict[str, Any] | bytes, **kw: Any) -> Processed:
    body = doc if isinstance(doc, bytes) else orjson.dumps(doc)
    outcome = ScoringPipeline(**kw)(body)
    assert isinstance(outcome, Processed), getattr(outcome, "outcome", outcome)
    return outcome


def report_of(doc: dict[str, Any] | bytes, **kw: Any) -> dict[str, Any]:
    bundle: dict[str, Any] = orjson.loads(score(doc, **kw).outputs[0].body)
    return bundle


def resources(bundle: dict[str, Any], rtype: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == rtype]


def component_values(resource: dict[str, Any], code: str) -> list[Any]:
    out = []
    for comp in resource.get("component", []):
        if any(c.get("code") == code for c in comp["code"]["coding"]):
            out.append(next(v for k, v in comp.items() if k.startswith("value")))
    return out


def json_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path (keys and indexes) of every element below ``node``, parents first."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += json_paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += json_paths(v, (*prefix, i))
    return out
