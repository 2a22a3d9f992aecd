"""The reading physician and the order, as logical References (ReportInputs.interpreters,
ReportInputs.based_on), built from the References the reader checked and copied
(:mod:`adapter.fhir.report_inputs`, which rejects a malformed one by its FHIRPath). A checked
Reference that has no identifier to carry is left out.

Each Reference is reduced to what stays meaningful outside the input Bundle: its ``type``
and an ``identifier`` (the Reference's own, else the first identifier with system and value
of the entry it resolves to). A literal ``reference`` would dangle in the answer, which does
not carry the Practitioner or ServiceRequest.
"""

from __future__ import annotations

from collections.abc import Iterable

from adapter.fhir.bundle_index import BundleIndex
from adapter.fhir.message import JsonObject, ReportInputs
from adapter.fhir.primitives import is_code, is_fhir_string, is_uri


def order_inputs(
    index: BundleIndex, performers: Iterable[JsonObject], orders: Iterable[JsonObject]
) -> ReportInputs:
    """Interpreters, orders and the order's code from the References the reader has already
    checked and copied (:func:`adapter.fhir.report_inputs.read_references`)."""
    orders = list(orders)
    return ReportInputs(interpreters=_logical(performers, index), based_on=_logical(orders, index),
                        order_code=_order_code(orders, index))


def _order_code(refs: Iterable[JsonObject], index: BundleIndex) -> JsonObject | None:
    """The code of the first order that is an entry of the message (codings and text)."""
    for ref in refs:
        target = ref.get("reference") if isinstance(ref, dict) else None
        entry = index.resolve(target) if isinstance(target, str) else None
        if entry is None or entry.resource_type != "ServiceRequest":
            continue
        code = getattr(entry.resource, "code", None)
        if not isinstance(code, dict):
            continue
        # Not declared (no rule reads it): each part is kept only when it passes its rule.
        codings = [{k: c[k] for k, rule in (("system", is_uri), ("code", is_code),
                                            ("display", is_fhir_string)) if rule(c.get(k))}
                   for c in _list(code.get("coding")) if isinstance(c, dict)]
        out: JsonObject = {}
        kept = [c for c in codings if "system" in c and "code" in c]
        if kept:
            out["coding"] = kept
        if is_fhir_string(code.get("text")):
            out["text"] = code["text"]
        if out:
            return out
    return None


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _logical(refs: Iterable[JsonObject], index: BundleIndex) -> tuple[JsonObject, ...]:
    out: list[JsonObject] = []
    for ref in refs:
        logical = _one(ref, index)
        if logical is not None and logical not in out:
            out.append(logical)
    return tuple(out)


def _one(ref: JsonObject, index: BundleIndex) -> JsonObject | None:
    """The logical form of a checked Reference copy: its type and an identifier (its own,
    else the first usable one of the entry it resolves to); None when it has neither."""
    rtype = ref.get("type")
    if isinstance(rtype, str):
        rtype = rtype.rsplit("/", 1)[-1]
    identifier = ref.get("identifier")
    target = ref.get("reference")
    entry = index.resolve(target) if isinstance(target, str) else None
    if entry is not None:
        rtype = entry.resource_type
        if identifier is None:
            ids = getattr(entry.resource, "identifier", None)
            identifier = next((i for i in map(_identifier, _list(ids)) if i), None)
    elif rtype is None and isinstance(target, str) and target.count("/") == 1:
        rtype = target.split("/", 1)[0]  # a relative literal reference: "Practitioner/reader-1"
    if identifier is None:
        return None
    return {"type": rtype, "identifier": identifier} if rtype else {"identifier": identifier}


def _identifier(value: object) -> JsonObject | None:
    if not isinstance(value, dict):
        return None
    system, val = value.get("system"), value.get("value")
    if not is_fhir_string(val):
        return None
    out: JsonObject = {}
    if isinstance(value.get("type"), dict):
        codings = [{k: c[k] for k, rule in (("system", is_uri), ("code", is_code))
                    if rule(c.get(k))}
                   for c in _list(value["type"].get("coding")) if isinstance(c, dict)]
        if any(codings):
            out["type"] = {"coding": [c for c in codings if c]}
    if is_uri(system):
        out["system"] = system
    out["value"] = val
    return out
