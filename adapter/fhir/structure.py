"""Decoded JSON -> the typed message (:class:`adapter.fhir.schema.Bundle`), or every problem.

Two passes over the one declaration of :mod:`adapter.fhir.schema`:

- **the fast path**: ``msgspec.convert`` checks, in C, every declared type, cardinality,
  pattern (id, dateTime and instant, calendar included), resource type and refused element,
  and stops at the first error;
- **the diagnostic pass**, when the fast path fails: a walk of the same declaration
  (``msgspec.inspect``) over the decoded JSON that lists every problem by FHIRPath.

The two passes are held to the same verdict by a property test (tests/fhir/test_structure.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

import msgspec
import msgspec.inspect as mi

from adapter.fhir import codes, primitives, schema
from adapter.fhir.problems import InvalidMessageError, IssueCode, Problems, element_name
from adapter.fhir.r4 import UNKNOWN_TYPE

_OBJECT = "{name} must be a JSON object"
_ARRAY = "{name} must be a non-empty JSON array"


class BrokenEntry(NamedTuple):
    """An entry the declaration refused (its problems are reported): what the semantic checks
    need to know of it, so that they report nothing more about it (a reference to it is no
    dangling reference, a broken ImagingStudy is no missing one)."""

    position: int
    full_url: str | None
    resource_type: str | None
    resource_id: str | None
    kind: str | None
    """Its Observation kind (``lesion-finding``...) when its code says so."""


@dataclass(slots=True)
class TypedMessage:
    """The typed message, whole (the fast path) or what of it the declaration accepts."""

    bundle_id: str | None
    bundle_type: str | None
    timestamp: str | None
    entries: list[tuple[int, schema.BundleEntry]]
    """The accepted entries with their positions in ``Bundle.entry``."""
    broken: list[BrokenEntry] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    """What the declaration refused, by FHIRPath (none on the fast path)."""
    message_id: str | None = None
    """The message id when the structure is refused and the id is plain (see _message_id)."""


def read_bundle(doc: Any) -> TypedMessage:
    """The typed message: the whole Bundle, or, with the problems of the diagnostic pass, the
    entries the declaration accepts (so that the semantic checks report theirs in the same
    pass). Raises :class:`InvalidMessageError` when ``doc`` is no Bundle at all."""
    try:
        bundle = msgspec.convert(doc, schema.Bundle)
    except msgspec.ValidationError:
        pass
    else:
        return TypedMessage(bundle.id, bundle.type, bundle.timestamp,
                            list(enumerate(bundle.entry)))
    problems = diagnose(doc)
    if not isinstance(doc, dict) or doc.get("resourceType") != "Bundle":
        raise InvalidMessageError(problems.reported())
    if not problems:  # the passes disagree (the property test says they do not): say where
        try:
            msgspec.convert(doc, schema.Bundle)
        except msgspec.ValidationError as exc:
            problems.add(IssueCode.STRUCTURE, _fhirpath(str(exc)),
                         "this element does not have the declared FHIR type")
    return _salvage(doc, problems)


def _salvage(doc: dict[str, Any], problems: Problems) -> TypedMessage:
    entries: list[tuple[int, schema.BundleEntry]] = []
    broken: list[BrokenEntry] = []
    items = doc.get("entry")
    for i, item in enumerate(items if type(items) is list else ()):
        try:
            entries.append((i, msgspec.convert(item, schema.BundleEntry)))
        except msgspec.ValidationError:
            broken.append(_broken(i, item))
    return TypedMessage(
        _valid(doc.get("id"), schema.Id), _valid(doc.get("type"), schema.BundleType),
        _valid(doc.get("timestamp"), schema.Instant), entries, broken, problems,
        _message_id(doc))


def _valid(value: Any, declared: Any) -> Any:
    try:
        return msgspec.convert(value, declared)
    except msgspec.ValidationError:
        return None


def _broken(position: int, item: Any) -> BrokenEntry:
    def text(holder: Any, key: str) -> str | None:
        value = holder.get(key) if type(holder) is dict else None
        return value if type(value) is str else None

    resource = item.get("resource") if type(item) is dict else None
    code = resource.get("code") if type(resource) is dict else None
    codings = code.get("coding") if type(code) is dict else None
    kind = next((text(c, "code") for c in (codings if type(codings) is list else ())
                 if text(c, "system") == codes.CS_OBSERVATION), None)
    return BrokenEntry(position, text(item, "fullUrl"), text(resource, "resourceType"),
                       text(resource, "id"), kind)


def diagnose(doc: Any) -> Problems:
    """Every problem of ``doc`` against the declaration, by FHIRPath (the diagnostic pass)."""
    problems = Problems()
    if not isinstance(doc, dict) or doc.get("resourceType") != "Bundle":
        problems.add(IssueCode.INVALID, "Bundle",
                     "the message must be a FHIR Bundle (resourceType 'Bundle')")
        return problems
    _walk_struct(doc, _root(), "Bundle", problems)
    return problems


@cache
def _root() -> mi.StructType:
    info = mi.type_info(schema.Bundle)
    assert isinstance(info, mi.StructType)
    return info


def _walk(value: Any, t: mi.Type, path: str, name: str, problems: Problems,
          extra: dict[str, Any] | None = None) -> None:
    if isinstance(t, mi.Metadata):
        _walk(value, t.type, path, name, problems, t.extra or extra)
    elif isinstance(t, mi.StructType):
        if type(value) is not dict:
            _add(problems, path, name, extra, IssueCode.STRUCTURE, _OBJECT)
        else:
            _walk_struct(value, t, path, problems)
    elif isinstance(t, mi.UnionType):
        _walk_resource(value, t, path, name, problems, extra)
    elif isinstance(t, mi.ListType):
        if type(value) is not list or len(value) < (t.min_length or 0):
            _add(problems, path, name, None, IssueCode.STRUCTURE, _ARRAY)
            return
        for i, item in enumerate(value):
            _walk(item, t.item_type, f"{path}[{i}]", name, problems, extra)
    elif isinstance(t, mi.StrType):
        if not _str_ok(value, t):
            _add(problems, path, name, extra, IssueCode.VALUE, "{name} must be a string")
    elif isinstance(t, mi.IntType):
        if type(value) is not int:
            _add(problems, path, name, extra, IssueCode.VALUE, "{name} must be a JSON integer")
    elif isinstance(t, mi.FloatType):
        if type(value) not in (int, float) or not (
                (t.ge is None or value >= t.ge) and (t.le is None or value <= t.le)):
            _add(problems, path, name, extra, IssueCode.VALUE, "{name} must be a JSON number")
    elif isinstance(t, mi.LiteralType):
        if value not in t.values or type(value) is not str:
            _add(problems, path, name, extra, IssueCode.CODE_INVALID,
                 "{name} must be one of: " + ", ".join(sorted(map(str, t.values))))
    elif isinstance(t, mi.CustomType) and t.cls is msgspec.UnsetType:
        if extra and extra.get("at") == "parent":
            path = path.rpartition(".")[0]
        _add(problems, path, name, extra, IssueCode.NOT_SUPPORTED, "{name} is not allowed")
    elif not isinstance(t, mi.AnyType):  # pragma: no cover - a type the declaration lacks
        raise TypeError(f"the declaration uses a type the diagnostic pass does not know: {t}")


def _walk_struct(obj: dict[str, Any], t: mi.StructType, path: str, problems: Problems) -> None:
    for f in t.fields:
        if f.encode_name in obj:
            _walk(obj[f.encode_name], f.type, f"{path}.{f.encode_name}", f.encode_name,
                  problems)
        elif f.required:
            _add(problems, f"{path}.{f.encode_name}", f.encode_name, None, IssueCode.REQUIRED,
                 "{name} is required")


def _walk_resource(value: Any, t: mi.UnionType, path: str, name: str, problems: Problems,
                   extra: dict[str, Any] | None) -> None:
    """A tagged union of resource types (an entry's resource, a contained one)."""
    tag = value.get("resourceType") if type(value) is dict else None
    if type(tag) is not str:
        if extra is not None:  # the entry's resource: it must be there, with its type
            _add(problems, path, name, extra, IssueCode.REQUIRED, "")
        elif type(value) is not dict:
            problems.add(IssueCode.STRUCTURE, path, f"{name} items must be JSON objects")
        else:
            problems.add(IssueCode.CODE_INVALID, f"{path}.resourceType", UNKNOWN_TYPE)
        return
    member = _members(t).get(tag)
    if member is None:
        # Never skipped as "another resource": a misspelled Observation would be a lesion lost.
        problems.add(IssueCode.CODE_INVALID, f"{path}.resourceType", UNKNOWN_TYPE)
        return
    _walk_struct(value, member, path, problems)


_MEMBERS: dict[int, dict[str, mi.StructType]] = {}


def _members(t: mi.UnionType) -> dict[str, mi.StructType]:
    """The union's resource types by tag (kept by identity: the type tree lives in _root)."""
    members = _MEMBERS.get(id(t))
    if members is None:
        members = _MEMBERS[id(t)] = {m.tag: m for m in t.types
                                     if isinstance(m, mi.StructType) and isinstance(m.tag, str)}
    return members


def _str_ok(value: Any, t: mi.StrType) -> bool:
    if type(value) is not str or len(value) < (t.min_length or 0):
        return False
    return t.pattern is None or _pattern(t.pattern).search(value) is not None


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _add(problems: Problems, path: str, name: str, extra: dict[str, Any] | None,
         default_code: IssueCode, default_text: str) -> None:
    text = extra.get("text", default_text) if extra else default_text
    code = IssueCode(extra["code"]) if extra and "code" in extra else default_code
    problems.add(code, path, text.format(name=element_name(name)))


_PATH_STEP = re.compile(r"\.([^.\[\]`]+)")


def _fhirpath(error: str) -> str:
    """msgspec's ``... - at `$.entry[6].resource.status``` as a FHIRPath (``Bundle....``)."""
    where = error.rpartition(" - at `")[2].rstrip("`")
    if not where.startswith("$"):
        return "Bundle"
    return "Bundle" + _PATH_STEP.sub(lambda m: "." + element_name(m.group(1)), where[1:])


def _message_id(doc: Any) -> str | None:
    """The message id of a message that cannot be read, when it is plain (for the logs and
    the dead letter): the MessageHeader's id, else the Bundle's."""
    if not isinstance(doc, dict):
        return None
    candidates: list[Any] = [doc.get("id")]
    entries = doc.get("entry")
    if doc.get("type") == "message":
        first = entries[0] if isinstance(entries, list) and entries else None
        resource = first.get("resource") if isinstance(first, dict) else None
        candidates = ([resource.get("id")]
                      if isinstance(resource, dict)
                      and resource.get("resourceType") == "MessageHeader" else [None])
    value = candidates[0]
    return value if isinstance(value, str) and primitives.FHIR_ID.fullmatch(value) else None
