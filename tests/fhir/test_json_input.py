"""Decoding: duplicate member names are refused, and the cheap check never disagrees with the
exact one (a property test over generated JSON texts, with duplicates, escapes and spacing)."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapter.fhir.json_input import _same_member_count, decode
from adapter.fhir.problems import InvalidMessageError
from adapter.tools.synthetic import build_message

KEYS = st.sampled_from(["a", "b", "value", "a:b", 'q"', "x\\", "é", "url"])
TEXTS = st.text(alphabet=st.sampled_from(list('ab:" \\/\u00e9\u2028\n{}[],')), max_size=6)
SPACE = st.sampled_from(["", " ", "\n  "])


def _string(draw: st.DrawFn, value: str) -> str:
    """A JSON string for ``value``, escaping some characters as \\uXXXX at random."""
    out = []
    for ch in value:
        if ch in '"\\' or ch < " ":
            out.append(json.dumps(ch)[1:-1] if not draw(st.booleans()) else f"\\u{ord(ch):04x}")
        elif draw(st.integers(0, 9)) == 0:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@st.composite
def json_text(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["object", "array", "scalar"] if depth < 3 else ["scalar"]))
    if kind == "scalar":
        return draw(st.one_of(st.just("1"), st.just("true"), st.just("null"),
                              TEXTS.map(lambda t: _string(draw, t))))
    if kind == "array":
        items = draw(st.lists(json_text(depth + 1), max_size=3))
        return "[" + ",".join(items) + "]"
    keys = draw(st.lists(KEYS, max_size=4))  # may repeat: a duplicate member
    members = [f"{_string(draw, k)}{draw(SPACE)}:{draw(SPACE)}{draw(json_text(depth + 1))}"
               for k in keys]
    return "{" + ",".join(members) + "}"


def _has_duplicates(text: bytes) -> bool:
    found = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal found
        found = found or len({k for k, _ in items}) != len(items)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)
    return found


@settings(max_examples=200, deadline=None)
@given(json_text())
def test_the_cheap_check_passes_a_text_only_when_it_has_no_duplicate_member(text: str) -> None:
    body = text.encode()
    doc = orjson.loads(body)

    if _same_member_count(body, doc):
        assert not _has_duplicates(body)


@settings(max_examples=200, deadline=None)
@given(json_text())
def test_decode_refuses_exactly_the_texts_with_a_duplicate_member(text: str) -> None:
    body = text.encode()

    try:
        decode(body)
        refused = False
    except InvalidMessageError:
        refused = True

    assert refused == _has_duplicates(body)


def test_each_duplicate_is_named_by_its_fhirpath() -> None:
    body = b'{"resourceType": "Bundle", "entry": [{"resource": {"id": "a", "id": "b"}}],' \
           b' "type": "message", "type": "collection"}'

    with pytest.raises(InvalidMessageError) as info:
        decode(body)

    assert {i.expression for i in info.value.issues} == {"Bundle.type",
                                                         "Bundle.entry[0].resource.id"}


def test_a_valid_message_takes_the_cheap_path() -> None:
    body = build_message(5)

    assert _same_member_count(body, orjson.loads(body))


def test_a_member_name_that_is_no_element_name_is_not_echoed() -> None:
    body = '{"resourceType": "Bundle", "Muster \u202e": 1, "Muster \u202e": 2}'.encode()

    with pytest.raises(InvalidMessageError) as info:
        decode(body)

    assert [i.expression for i in info.value.issues] == ["Bundle.*"]
