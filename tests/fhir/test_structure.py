"""The declaration's two passes: the fast decode and the diagnostic walk give one verdict.

``msgspec.convert`` (the fast path) stops at the first problem; the diagnostic pass walks the
same declaration and lists every problem. Generated and mutated messages hold them together:
a message passes one exactly when it passes the other, and the element the fast path names is
one the diagnostic pass names too (or inside it, or a part of it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.fhir import schema
from adapter.fhir.problems import InvalidMessageError
from adapter.fhir.structure import _fhirpath, diagnose, read_bundle
from adapter.tools.synthetic import synthetic_message
from tests.fhir.conftest import json_paths

EXAMPLES = Path(__file__).resolve().parents[2] / "fhir_profiles" / "examples"
BASES = [synthetic_message(n, key=f"structure-{n}") for n in (1, 3)] + [
    orjson.loads(p.read_bytes()) for p in sorted(EXAMPLES.glob("*.json"))
    if orjson.loads(p.read_bytes()).get("resourceType") == "Bundle"
    and not p.name.endswith(".report.json") and "-out" not in p.name
]


VALUES = st.one_of(
    st.sampled_from([None, "", " ", "x", "urn:x", -1, 0, 3, 2.5, 1e308, True, False, [], {},
                     [1], ["x"], {"a": 1}, [{}], "2023-02-30", "2024-02-29", "2023-02-29",
                     "2024-03-05T11:02:00+25:99", "2024-03-05T11:02:00+01:00", "Observaton",
                     "Observation", "Basic", "message", "collection", "0000", "A-1.b"]),
    st.text(max_size=6),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
)
ADDED = st.sampled_from(["modifierExtension", "implicitRules", "triggeredBy", "coding",
                         "comparator", "valueString", "valueInteger", "eventCanonical",
                         "study", "issues", "contained", "resourceType", "focus", "unknown"])


def _mutate(data: st.DataObject) -> dict[str, Any]:
    message: dict[str, Any] = orjson.loads(orjson.dumps(data.draw(st.sampled_from(BASES))))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(json_paths(message)))
        parent = message
        for step in path[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent[path[-1]], dict):
            parent[path[-1]][data.draw(ADDED)] = data.draw(VALUES)
        else:
            parent[path[-1]] = data.draw(VALUES)
    return message


def _fast_error(doc: Any) -> str | None:
    try:
        msgspec.convert(doc, schema.Bundle)
    except msgspec.ValidationError as exc:
        return _fhirpath(str(exc))
    return None


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith((f"{b}.", f"{b}[")) or b.startswith((f"{a}.", f"{a}["))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_fast_path_and_the_diagnostic_pass_give_one_verdict(data: st.DataObject) -> None:
    doc = _mutate(data)

    fast = _fast_error(doc)
    found = [i.expression for i in diagnose(doc).issues]

    if doc.get("resourceType") != "Bundle":
        assert found == ["Bundle"]
        return
    assert (fast is None) == (not found), (fast, found)
    if fast is not None:
        assert any(_related(fast, where) for where in found), (fast, found)


@pytest.mark.parametrize("base", range(len(BASES)))
def test_every_valid_base_message_passes_both(base: int) -> None:
    assert _fast_error(BASES[base]) is None
    assert not diagnose(BASES[base])


def test_a_refused_entry_does_not_hide_the_problems_of_the_others() -> None:
    doc = orjson.loads(orjson.dumps(BASES[1]))
    lesions = [i for i, e in enumerate(doc["entry"])
               if e["resource"]["resourceType"] == "Observation"
               and any("valueInteger" in c for c in e["resource"].get("component", []))]
    first, second = lesions[0], lesions[1]
    doc["entry"][first]["resource"]["status"] = 5  # a type error: the declaration refuses it
    level = next(c for c in doc["entry"][second]["resource"]["component"] if "valueInteger" in c)
    level["valueInteger"] = 9  # a semantic error in an accepted entry

    typed = read_bundle(doc)
    assert [b.position for b in typed.broken] == [first]

    from adapter.fhir.parse import parse_document

    with pytest.raises(InvalidMessageError) as raised:
        parse_document(doc)
    expressions = {i.expression for i in raised.value.issues}
    assert f"Bundle.entry[{first}].resource.status" in expressions
    assert any(e.startswith(f"Bundle.entry[{second}].resource.component[") for e in expressions)
    # Nothing is said about the refused entry beyond what the declaration said.
    assert [e for e in expressions if e.startswith(f"Bundle.entry[{first}]")] == [
        f"Bundle.entry[{first}].resource.status"]


REPLACEMENTS = [True, "x", " ", 3, 2.5, -1, None, [], {}, ["x"], "2023-02-30"]


@pytest.mark.parametrize("replacement", REPLACEMENTS, ids=repr)
def test_every_element_replaced_gives_one_verdict(replacement: Any) -> None:
    """Exhaustive over one message: each element in turn replaced by one value."""
    base = BASES[0]
    for path in json_paths(base):
        doc: dict[str, Any] = orjson.loads(orjson.dumps(base))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = replacement

        fast = _fast_error(doc)
        found = [i.expression for i in diagnose(doc).issues]

        assert (fast is None) == (not found), (path, fast, found)
        if fast is not None:
            assert any(_related(fast, where) for where in found), (path, fast, found)
