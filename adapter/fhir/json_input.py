"""JSON bytes -> Python value, refusing what two JSON readers could read differently.

``orjson`` decodes (it rejects invalid UTF-8, lone surrogates, NaN and trailing data). It
keeps the last of two members with the same name, as most parsers do, while RFC 8259 leaves
the meaning open: ``"valueInteger": 3, "valueInteger": 1`` would be level 1 here and level 3
for a first-wins receiver. So a message with a duplicate member name anywhere is rejected,
each duplicate named by its FHIRPath.

The check stays on the hot path because it is cheap (about half an ``orjson.loads``): with no
``\\u`` escape in the body every ``:`` of the body is a literal one, so re-encoding the decoded
value gives exactly as many ``:`` unless a member was lost to a duplicate. Only when the counts
differ (or ``\\u`` escapes make them incomparable) does the exact pass run, which decodes again
keeping every member and names each duplicate.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from adapter.fhir.problems import InvalidMessageError, IssueCode, Problems, element_name


def decode(body: bytes) -> Any:
    """JSON bytes -> Python value; ``not-json`` / ``malformed-json`` / ``invalid`` otherwise."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        looks_json = body.lstrip()[:1] in (b"{", b"[")
        reason = "malformed-json" if looks_json else "not-json"
        where = f" (line {exc.lineno}, column {exc.colno})" if looks_json else ""
        text = ("the body is not valid JSON" + where if looks_json
                else "the body is not JSON (expected a FHIR R4 Bundle in JSON)")
        code = IssueCode.STRUCTURE if looks_json else IssueCode.INVALID
        problems = Problems()
        problems.add(code, "Bundle", text)
        raise InvalidMessageError(problems.reported(), reason) from None
    if not _same_member_count(body, doc):
        _check_members(body)
    return doc


def _same_member_count(body: bytes, doc: Any) -> bool:
    if b"\\" in body and b"\\u" in body:
        return False
    try:
        again = orjson.dumps(doc)
    except orjson.JSONEncodeError:
        return False  # nested deeper than orjson writes: the exact pass decides
    return body.count(b":") == again.count(b":")


class _Members(dict[str, Any]):
    """A JSON object decoded with every member, remembering the names given twice."""

    duplicates: tuple[str, ...] = ()


def _keep_pairs(pairs: list[tuple[str, Any]]) -> _Members:
    obj = _Members(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        twice: list[str] = []
        for key, _ in pairs:
            if key in seen and key not in twice:
                twice.append(key)
            seen.add(key)
        obj.duplicates = tuple(twice)
    return obj


def _check_members(body: bytes) -> None:
    """The exact pass: every duplicate member name, by FHIRPath."""
    problems = Problems()
    try:
        doc = json.loads(body, object_pairs_hook=_keep_pairs)
    except RecursionError:
        problems.add(IssueCode.STRUCTURE, "Bundle", "the message nests too deeply to be read")
        raise InvalidMessageError(problems.reported()) from None
    stack: list[tuple[Any, str]] = [(doc, "Bundle")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _Members):
            for key in value.duplicates:
                problems.add(IssueCode.STRUCTURE, f"{path}.{element_name(key)}",
                             "this member name appears more than once in one JSON object "
                             "(RFC 8259: receivers may read different values)")
            stack.extend((v, f"{path}.{element_name(k)}") for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in reversed(list(enumerate(value))))
    if problems:
        raise InvalidMessageError(problems.reported())
