"""The reading physician and the order, as logical References (ReportInputs.interpreters,
ReportInputs.based_on). Nothing here is validated as a rule input: an unusable reference is
left out, never an error.

Each Reference is reduced to what stays meaningful outside the input Bundle: its ``type``
and an ``identifier`` (the Reference's own, else the first identifier with system and value
of the entry it resolves to). A literal ``reference`` would dangle in the answer, which does
not carry the Practitioner or ServiceRequest.
"""

from __future__ import annotations

from adapter.fhir.bundle_index import BundleIndex, Entry
from adapter.fhir.message import ReportInputs
from adapter.fhir.reader import JsonObject

_INTERPRETER_TYPES = frozenset({"Practitioner", "PractitionerRole"})
_ORDER_TYPES = frozenset({"ServiceRequest"})


def order_inputs(index: BundleIndex, imaging: Entry | None, findings: list[Entry]) -> ReportInputs:
    interpreters = _logical(
        (ref for f in findings for ref in _list(f.resource.get("performer"))),
        index, _INTERPRETER_TYPES)
    order_refs = [ref for e in ([imaging] if imaging else []) + findings
                  for ref in _list(e.resource.get("basedOn"))]
    based_on = _logical(order_refs, index, _ORDER_TYPES)
    return ReportInputs(interpreters=interpreters, based_on=based_on,
                        order_code=_order_code(order_refs, index))


def _order_code(refs: list[object], index: BundleIndex) -> JsonObject | None:
    """The code of the first order that is an entry of the message (codings and text)."""
    for ref in refs:
        target = ref.get("reference") if isinstance(ref, dict) else None
        entry = index.resolve(target) if isinstance(target, str) else None
        if entry is None or entry.resource_type != "ServiceRequest":
            continue
        code = entry.resource.get("code")
        if not isinstance(code, dict):
            continue
        codings = [{k: c[k] for k in ("system", "code", "display")
                    if isinstance(c.get(k), str) and c[k].strip()}
                   for c in _list(code.get("coding")) if isinstance(c, dict)]
        out: JsonObject = {}
        kept = [c for c in codings if "system" in c and "code" in c]
        if kept:
            out["coding"] = kept
        if isinstance(code.get("text"), str) and code["text"].strip():
            out["text"] = code["text"]
        if out:
            return out
    return None


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _logical(refs: object, index: BundleIndex, types: frozenset[str]) -> tuple[JsonObject, ...]:
    out: list[JsonObject] = []
    for ref in refs:  # type: ignore[attr-defined]
        logical = _one(ref, index, types)
        if logical is not None and logical not in out:
            out.append(logical)
    return tuple(out)


def _one(ref: object, index: BundleIndex, types: frozenset[str]) -> JsonObject | None:
    if not isinstance(ref, dict):
        return None
    rtype = ref.get("type")
    identifier = _identifier(ref.get("identifier"))
    target = ref.get("reference")
    entry = index.resolve(target) if isinstance(target, str) else None
    if rtype is None and isinstance(target, str) and target.count("/") == 1:
        rtype = target.split("/", 1)[0]  # a relative literal reference: "Practitioner/reader-1"
    if entry is not None:
        rtype = entry.resource_type
        if identifier is None:
            ids = entry.resource.get("identifier")
            identifier = next((i for i in map(_identifier, _list(ids)) if i), None)
    if identifier is None or (rtype is not None and rtype not in types):
        return None
    out: JsonObject = {"identifier": identifier}
    if isinstance(rtype, str):
        out = {"type": rtype, **out}
    return out


def _identifier(value: object) -> JsonObject | None:
    if not isinstance(value, dict):
        return None
    system, val = value.get("system"), value.get("value")
    if not (isinstance(val, str) and val.strip()):
        return None
    out: JsonObject = {}
    if isinstance(value.get("type"), dict):
        codings = [{k: c[k] for k in ("system", "code") if isinstance(c.get(k), str)}
                   for c in _list(value["type"].get("coding")) if isinstance(c, dict)]
        if any(codings):
            out["type"] = {"coding": [c for c in codings if c]}
    if isinstance(system, str) and system.strip() and " " not in system:
        out["system"] = system
    out["value"] = val
    return out
