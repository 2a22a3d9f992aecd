"""The entries of the typed input Bundle and the resolution of references between them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from msgspec import UNSET

from adapter.fhir import schema
from adapter.fhir.primitives import is_fhir_string, is_uri
from adapter.fhir.problems import IssueCode, Problems
from adapter.fhir.structure import BrokenEntry, TypedMessage


class Entry(NamedTuple):
    """One Bundle entry: where it is (FHIRPath of its resource) and how it is addressed.

    A NamedTuple rather than a frozen dataclass: every entry of every message builds one,
    and a tuple is built three times faster.
    """

    position: int
    """Index in ``Bundle.entry``."""
    full_url: str
    resource: Any
    """The typed resource (:mod:`adapter.fhir.schema`): a declared one, or one no rule reads."""
    resource_type: str
    path: str


def resource_id(resource: Any) -> str | None:
    """The resource's id when it is a string (a read resource's is a checked FHIR id)."""
    rid = resource.id
    return rid if type(rid) is str and rid else None


class BundleIndex:
    """Looks entries up by ``fullUrl``, by ``Type/id`` (relative literal references), by type.

    ``broken`` are the entries the declaration refused (their problems are reported): a
    reference to one is not reported again (:meth:`is_broken`)."""

    def __init__(self, entries: list[Entry], broken: Sequence[BrokenEntry] = ()) -> None:
        self.entries = entries
        self.broken = broken
        self._broken_names = {name for b in broken
                              for name in (b.full_url, f"{b.resource_type}/{b.resource_id}")
                              if name is not None}
        self._by_url: dict[str, Entry] = {}
        self._by_type_id: dict[str, Entry] = {}
        self._by_type: dict[str, list[Entry]] = {}
        for e in entries:
            self._by_url[e.full_url] = e
            rid = resource_id(e.resource)
            if rid is not None:
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

    def is_broken(self, reference: str) -> bool:
        """Whether ``reference`` names an entry the declaration refused."""
        if not self._broken_names:
            return False
        parts = reference.rsplit("/", 2)
        return reference in self._broken_names or (
            len(parts) >= 2 and f"{parts[-2]}/{parts[-1]}" in self._broken_names)

    def broken_of_type(self, resource_type: str) -> bool:
        """Whether an entry of this type was refused by the declaration."""
        return any(b.resource_type == resource_type for b in self.broken)

    def target(self, reference: str) -> str:
        """What a reference points at: the entry's fullUrl, else the literal reference."""
        entry = self.resolve(reference)
        return entry.full_url if entry is not None else reference


def read_entries(message: TypedMessage, problems: Problems) -> list[Entry]:
    """Every entry, addressed once: a fullUrl or a Type/id that names two entries is refused,
    and so is a fullUrl that names another id than its resource's."""
    entries: list[Entry] = []
    seen: set[str] = set()
    for i, item in message.entries:
        path = f"Bundle.entry[{i}]"
        if not is_uri(item.fullUrl):  # the output repeats it
            problems.add(IssueCode.REQUIRED, f"{path}.fullUrl",
                         "fullUrl (an absolute URL or urn:uuid:) is required on every entry")
            continue
        resource = item.resource
        rtype = resource.__struct_config__.tag
        entry = Entry(i, item.fullUrl, resource, rtype, f"{path}.resource")
        rid = resource_id(resource)
        # A reference resolves by fullUrl or by Type/id: both must name one entry only.
        type_id = f"{rtype}/{rid}" if rid is not None else None
        if entry.full_url in seen:
            problems.add(IssueCode.INVALID, f"{path}.fullUrl", "fullUrl appears more than once")
            continue
        if type_id is not None and type_id in seen:
            problems.add(IssueCode.INVALID, f"{entry.path}.id",
                         "another entry has the same resource type and id")
            continue
        if type_id is not None and not entry.full_url.startswith("urn:") and (
                entry.full_url.rsplit("/", 2)[-2:][0] == rtype
                and not entry.full_url.endswith(f"/{type_id}")):
            problems.add(IssueCode.INVALID, f"{path}.fullUrl",
                         "fullUrl names another id than the resource's")
            continue
        seen.add(entry.full_url)
        if type_id is not None:
            seen.add(type_id)
        entries.append(entry)
    return entries


def resolve_reference(
    ref: schema.Link, here: str, name: str, index: BundleIndex, problems: Problems,
    expected_type: str,
) -> Entry | None:
    """``ref`` (the Reference at FHIRPath ``here``, element ``name``) resolved inside the Bundle
    to an entry of ``expected_type``."""
    target = ref.reference
    if target is UNSET or not is_fhir_string(target):
        problems.add(IssueCode.STRUCTURE, here, f"{name} must be a Reference with a reference")
        return None
    entry = index.resolve(target)
    if entry is None:
        if not index.is_broken(target):
            problems.add(IssueCode.NOT_FOUND, f"{here}.reference",
                         f"{name} does not resolve to an entry of the Bundle")
        return None
    if entry.resource_type != expected_type:
        problems.add(IssueCode.INVALID, f"{here}.reference",
                     f"{name} must reference a {expected_type}")
        return None
    return entry
