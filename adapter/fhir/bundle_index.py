"""Entries of an input Bundle and the resolution of references between them."""

from __future__ import annotations

from typing import Any, NamedTuple

from adapter.fhir.problems import IssueCode, Problems
from adapter.fhir.r4 import R4_RESOURCE_TYPES, UNKNOWN_TYPE, check_modifiers
from adapter.fhir.reader import JsonObject, is_fhir_string, is_uri

# Elements that exist only in FHIR R5 (the adapter speaks R4 on the wire): a sender
# using them has built an R5 message, which R4 receivers would silently misread.
R5_ONLY: dict[str, frozenset[str]] = {
    "Bundle": frozenset({"issues"}),
    "MessageHeader": frozenset({"eventCanonical"}),
    "Observation": frozenset(
        {"triggeredBy", "bodyStructure", "instantiatesCanonical", "instantiatesReference"}
    ),
    "DiagnosticReport": frozenset({"study", "supportingInfo", "note", "composition"}),
    "ImagingStudy": frozenset({"procedure", "partOf"}),
    "BodyStructure": frozenset({"includedStructure", "excludedStructure"}),
    "Patient": frozenset(),
}

READ_TYPES = frozenset({"MessageHeader", "Patient", "ImagingStudy", "Observation",
                        "BodyStructure"})
"""The resource types the adapter reads: their modifiers are checked on every entry."""


class Entry(NamedTuple):
    """One Bundle entry: where it is (FHIRPath of its resource) and how it is addressed.

    A NamedTuple rather than a frozen dataclass: every entry of every message builds one,
    and a tuple is built three times faster.
    """

    position: int
    """Index in ``Bundle.entry``."""
    full_url: str
    resource: JsonObject
    resource_type: str
    path: str

    @property
    def resource_id(self) -> str | None:
        rid = self.resource.get("id")
        return rid if isinstance(rid, str) else None


class BundleIndex:
    """Looks entries up by ``fullUrl``, by ``Type/id`` (relative literal references), by type."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._by_url: dict[str, Entry] = {}
        self._by_type_id: dict[str, Entry] = {}
        self._by_type: dict[str, list[Entry]] = {}
        for e in entries:
            self._by_url[e.full_url] = e
            rid = e.resource.get("id")
            if isinstance(rid, str) and rid:
                self._by_type_id[f"{e.resource_type}/{rid}"] = e
            self._by_type.setdefault(e.resource_type, []).append(e)

    def of_type(self, resource_type: str) -> list[Entry]:
        """The entries of one resource type in Bundle order (a new list)."""
        return list(self._by_type.get(resource_type, ()))

    def resolve(self, reference: str) -> Entry | None:
        entry = self._by_url.get(reference)
        if entry is not None:
            return entry
        # Absolute URLs ending in Type/id resolve like the relative form.
        parts = reference.rsplit("/", 2)
        if len(parts) >= 2:
            return self._by_type_id.get(f"{parts[-2]}/{parts[-1]}")
        return None

    def target(self, reference: str) -> str:
        """What a reference points at: the entry's fullUrl, else the literal reference."""
        entry = self.resolve(reference)
        return entry.full_url if entry is not None else reference


def read_entries(bundle: JsonObject, problems: Problems) -> list[Entry]:
    """Every entry with a resource and a fullUrl; reports duplicates and R5-only elements."""
    raw = bundle.get("entry")
    if not isinstance(raw, list) or not raw:
        problems.add(IssueCode.REQUIRED, "Bundle.entry", "the Bundle has no entries")
        return []
    entries: list[Entry] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        path = f"Bundle.entry[{i}]"
        entry = _read_entry(i, item, path, problems)
        if entry is None:
            continue
        rid = entry.resource.get("id")
        # A reference resolves by fullUrl or by Type/id: both must name one entry only.
        type_id = f"{entry.resource_type}/{rid}" if isinstance(rid, str) and rid else None
        if entry.full_url in seen:
            problems.add(IssueCode.INVALID, f"{path}.fullUrl", "fullUrl appears more than once")
            continue
        if type_id is not None and type_id in seen:
            problems.add(IssueCode.INVALID, f"{entry.path}.id",
                         "another entry has the same resource type and id")
            continue
        if type_id is not None and not entry.full_url.startswith("urn:") and (
                entry.full_url.rsplit("/", 2)[-2:][0] == entry.resource_type
                and not entry.full_url.endswith(f"/{type_id}")):
            problems.add(IssueCode.INVALID, f"{path}.fullUrl",
                         "fullUrl names another id than the resource's")
            continue
        seen.add(entry.full_url)
        if type_id is not None:
            seen.add(type_id)
        entries.append(entry)
    return entries


def _read_entry(index: int, item: Any, path: str, problems: Problems) -> Entry | None:
    if not isinstance(item, dict):
        problems.add(IssueCode.STRUCTURE, path, "an entry must be a JSON object")
        return None
    resource = item.get("resource")
    rtype = resource.get("resourceType") if isinstance(resource, dict) else None
    if not isinstance(resource, dict) or not isinstance(rtype, str):
        problems.add(IssueCode.REQUIRED, f"{path}.resource",
                     "an entry needs a resource with a resourceType (a string)")
        return None
    full_url = item.get("fullUrl")
    # The output repeats fullUrls (copied entries, references): a uri, no whitespace.
    if not is_uri(full_url) or ":" not in full_url:
        problems.add(IssueCode.REQUIRED, f"{path}.fullUrl",
                     "fullUrl (an absolute URL or urn:uuid:) is required on every entry")
        return None
    resource_path = f"{path}.resource"
    if rtype not in R4_RESOURCE_TYPES:
        # Never skipped as "another resource": a misspelled Observation would be a lesion lost.
        problems.add(IssueCode.CODE_INVALID, f"{resource_path}.resourceType",
                     UNKNOWN_TYPE)
        return None
    if rtype in READ_TYPES:
        check_modifiers(item, path, problems)
        check_modifiers(resource, resource_path, problems)
    check_r5_elements(resource, rtype, resource_path, problems)
    return Entry(index, full_url, resource, rtype, resource_path)


def check_r5_elements(obj: JsonObject, rtype: str, path: str, problems: Problems) -> None:
    r5_only = R5_ONLY.get(rtype)
    if not r5_only or r5_only.isdisjoint(obj):
        return
    for key in r5_only:
        if key in obj:
            problems.add(IssueCode.NOT_SUPPORTED, f"{path}.{key}",
                         f"{rtype}.{key} is a FHIR R5 element; this interface is FHIR R4 (4.0.1)")


def resolve_reference(
    holder: JsonObject, key: str, path: str, index: BundleIndex, problems: Problems,
    expected_type: str, *, required: bool = True,
) -> Entry | None:
    """Resolve ``holder[key]`` (a Reference) inside the Bundle to an entry of ``expected_type``."""
    ref = holder.get(key)
    here = f"{path}.{key}"
    if ref is None:
        if required:
            problems.add(IssueCode.REQUIRED, here, f"{key} is required")
        return None
    target = ref.get("reference") if isinstance(ref, dict) else None
    if not is_fhir_string(target):
        problems.add(IssueCode.STRUCTURE, here, f"{key} must be a Reference with a reference")
        return None
    entry = index.resolve(target)
    if entry is None:
        problems.add(IssueCode.NOT_FOUND, f"{here}.reference",
                     f"{key} does not resolve to an entry of the Bundle")
        return None
    if entry.resource_type != expected_type:
        problems.add(IssueCode.INVALID, f"{here}.reference",
                     f"{key} must reference a {expected_type}")
        return None
    return entry
