"""Required bindings to the project's value sets and the profiles' FHIRPath invariants.

@medplum/core (``fhir_profiles/tools/validate.mjs``) checks structure against the compiled
profiles but neither required value-set bindings nor every invariant; fhir.resources checks
neither. This module closes that gap using only the compiled JSON in
``fhir_profiles/fsh-generated/resources`` (no fhir.resources import, so it is cheap to call):

- every element of a profile with a *required* binding to a project ValueSet
  (``https://fhir.sstr-adapter.org/ValueSet/...``), component slices included, and every
  project extension found anywhere in the resource, must carry a code of that ValueSet;
- an element with an *extensible* binding to a project ValueSet may carry another code, but
  a code of a project CodeSystem must be one it defines (they are complete), and a concept
  with no code of the ValueSet must name itself in ``text`` or a ``display``;
- every ``sstr-*`` invariant of the profile must hold (fhirpathpy, FHIR R4 model).

The profile of a resource is the one of ours named in ``meta.profile``, else the one chosen by
``fhir_profiles/profile-map.json`` (shared with validate.mjs). Bundles are checked entry by entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from fhirpathpy import compile as fhirpath_compile
from fhirpathpy.models import models as fhirpath_models

from adapter.fhir.codes import CANONICAL_BASE

__all__ = ["Problem", "ProfileIndex", "check_resource", "default_index"]

PROFILES_DIR = Path(__file__).resolve().parents[2] / "fhir_profiles"
RESOURCES_DIR = PROFILES_DIR / "fsh-generated" / "resources"
PROJECT_VS = f"{CANONICAL_BASE}/ValueSet/"

Json = Mapping[str, Any]
Node = tuple[str, Any]
"""A FHIRPath to an element and the element's JSON value."""


class Problem(NamedTuple):
    """One problem: the FHIRPath of the element and a human-readable message (no patient data)."""

    fhirpath: str
    message: str


@dataclass(frozen=True, slots=True)
class _Binding:
    element_id: str
    value_set: str
    required: bool = True
    """False for an extensible binding."""


@dataclass(frozen=True, slots=True)
class _Invariant:
    key: str
    human: str
    evaluate: Callable[[Any, Any], list[Any]]


@dataclass(slots=True)
class _Profile:
    url: str
    bindings: list[_Binding] = field(default_factory=list)
    invariants: list[_Invariant] = field(default_factory=list)
    slices: dict[str, Callable[[Any], bool]] = field(default_factory=dict)
    """Predicate per slice element id ("Observation.component:siteClass")."""


class ProfileIndex:
    """The compiled CodeSystems, ValueSets and profiles of the project, ready to check against."""

    def __init__(
        self, resources_dir: Path = RESOURCES_DIR, profile_map: Path | None = None
    ) -> None:
        docs = [json.loads(p.read_text("utf-8")) for p in sorted(resources_dir.glob("*.json"))]
        self.code_systems: dict[str, frozenset[str]] = {
            d["url"]: frozenset(_concept_codes(d.get("concept", [])))
            for d in docs
            if d["resourceType"] == "CodeSystem"
        }
        self.value_sets: dict[str, frozenset[tuple[str, str]]] = {
            d["url"]: self._expand(d) for d in docs if d["resourceType"] == "ValueSet"
        }
        model = fhirpath_models["r4"]
        self.profiles = {
            d["url"]: _compile_profile(d, model)
            for d in docs
            if d["resourceType"] == "StructureDefinition"
        }
        mapping = json.loads(
            (profile_map or resources_dir.parents[1] / "profile-map.json").read_text("utf-8")
        )
        self._map_base: str = mapping["base"]
        self._rules: list[dict[str, str]] = mapping["rules"]

    def _expand(self, vs: Json) -> frozenset[tuple[str, str]]:
        members: set[tuple[str, str]] = set()
        for include in vs.get("compose", {}).get("include", []):
            system = include["system"]
            if "concept" in include:
                members.update((system, c["code"]) for c in include["concept"])
            else:
                # Whole-system includes are only ever of our own CodeSystems.
                members.update((system, code) for code in self.code_systems[system])
        return frozenset(members)

    def profile_for(self, resource: Json) -> str | None:
        """The canonical URL of the profile ``resource`` is checked against, if any."""
        for url in resource.get("meta", {}).get("profile", []):
            if url in self.profiles:
                return str(url)
        for rule in self._rules:
            if rule["resourceType"] == resource.get("resourceType") and _rule_matches(
                rule, resource
            ):
                return self._map_base + rule["profile"]
        return None

    def check(self, resource: Json, root: str | None = None) -> list[Problem]:
        """Problems of ``resource`` (and of a Bundle's entries), paths rooted at ``root``."""
        root = root or str(resource.get("resourceType", "Resource"))
        problems = self._check_one(resource, root)
        if resource.get("resourceType") == "Bundle":
            for i, entry in enumerate(resource.get("entry", [])):
                inner = entry.get("resource") if isinstance(entry, Mapping) else None
                if isinstance(inner, Mapping):
                    problems += self._check_one(inner, f"{root}.entry[{i}].resource")
        return problems

    def _check_one(self, resource: Json, root: str) -> list[Problem]:
        problems: list[Problem] = []
        url = self.profile_for(resource)
        profile = self.profiles.get(url) if url else None
        if profile is not None:
            problems += self._bindings(profile, root, resource)
            problems += _invariants(profile, root, resource)
        for path, ext in _extensions(root, resource):
            url = ext.get("url") if isinstance(ext, Mapping) else None
            if not isinstance(url, str):
                problems.append(Problem(f"{path}.url", "an extension needs a url (a string)"))
                continue
            ext_profile = self.profiles.get(url)
            if ext_profile is not None:
                problems += self._bindings(ext_profile, path, ext)
        return problems

    def _bindings(self, profile: _Profile, root: str, value: Json) -> list[Problem]:
        problems = []
        for binding in profile.bindings:
            members = self.value_sets[binding.value_set]
            name = binding.value_set.removeprefix(PROJECT_VS)
            for path, element in _select(profile, binding.element_id, [(root, value)]):
                if binding.required:
                    if not _in_value_set(element, members):
                        problems.append(Problem(path, f"code not in required value set {name}"))
                elif isinstance(element, Mapping):
                    problems += self._extensible(path, element, members, name)
        return problems

    def _extensible(
        self, path: str, concept: Json, members: frozenset[tuple[str, str]], name: str
    ) -> list[Problem]:
        codings = [c for c in concept.get("coding", []) if isinstance(c, Mapping)]
        for i, coding in enumerate(codings):
            defined = self.code_systems.get(str(coding.get("system")))
            if defined is not None and coding.get("code") not in defined:
                return [Problem(f"{path}.coding[{i}]",
                                f"code not defined in CodeSystem {coding.get('system')}")]
        if _in_value_set(concept, members):
            return []
        names = [concept.get("text"), *(c.get("display") for c in codings)]
        if any(isinstance(n, str) and n.strip() for n in names):
            return []
        return [Problem(path, f"a code outside extensible value set {name} needs a text or "
                              "display naming it")]


def _concept_codes(concepts: Sequence[Json]) -> Iterator[str]:
    for concept in concepts:
        yield concept["code"]
        yield from _concept_codes(concept.get("concept", []))


def _rule_matches(rule: Mapping[str, str], resource: Json) -> bool:
    if "event" in rule:
        # The first MessageHeader anywhere: a misplaced header still selects the profile,
        # whose invariants then report it.
        headers = [
            e["resource"]
            for e in resource.get("entry", [])
            if isinstance(e, Mapping)
            and e.get("resource", {}).get("resourceType") == "MessageHeader"
        ]
        coding = headers[0].get("eventCoding", {}) if headers else {}
        if (coding.get("system"), coding.get("code")) != (rule["system"], rule["event"]):
            return False
    if "bundleType" in rule and resource.get("type") != rule["bundleType"]:
        return False
    if "code" in rule:
        codings = resource.get("code", {}).get("coding", [])
        return any(
            (c.get("system"), c.get("code")) == (rule["system"], rule["code"]) for c in codings
        )
    return True


def _compile_profile(sd: Json, model: Any) -> _Profile:
    profile = _Profile(sd["url"])
    elements = {e["id"]: e for e in sd.get("snapshot", {}).get("element", [])}
    for element_id, element in elements.items():
        binding = element.get("binding", {})
        strength = binding.get("strength")
        if strength in ("required", "extensible") and binding.get("valueSet", "").startswith(
            PROJECT_VS
        ):
            profile.bindings.append(_Binding(element_id, binding["valueSet"].split("|")[0],
                                             strength == "required"))
        for constraint in element.get("constraint", []):
            # Only our own invariants, and only on the root element (where all of ours sit).
            if constraint.get("key", "").startswith("sstr-") and "." not in element_id:
                profile.invariants.append(
                    _Invariant(
                        constraint["key"],
                        constraint.get("human", ""),
                        fhirpath_compile(constraint["expression"], model),
                    )
                )
        slicing = element.get("slicing")
        if slicing:
            for slice_id in (
                i
                for i in elements
                if i.startswith(f"{element_id}:") and "." not in i[len(element_id) :]
            ):
                profile.slices[slice_id] = _slice_predicate(slice_id, slicing, elements)
    return profile


def _slice_predicate(
    slice_id: str, slicing: Json, elements: Mapping[str, Json]
) -> Callable[[Any], bool]:
    tests: list[tuple[str, Any, bool]] = []
    for disc in slicing.get("discriminator", []):
        path = disc["path"]
        target = elements.get(slice_id if path == "$this" else f"{slice_id}.{path}", {})
        for key, expected in target.items():
            if key.startswith(("pattern", "fixed")):
                tests.append((path, expected, key.startswith("fixed")))
        if path == "url" and not any(t[0] == "url" for t in tests):
            for url in elements[slice_id].get("type", [{}])[0].get("profile", []):
                tests.append(("url", url, True))

    def matches(value: Any) -> bool:
        for path, expected, exact in tests:
            actual = (
                value
                if path == "$this"
                else value.get(path)
                if isinstance(value, Mapping)
                else None
            )
            if not (actual == expected if exact else _contains(actual, expected)):
                return False
        return bool(tests)

    return matches


def _contains(actual: Any, pattern: Any) -> bool:
    """FHIR pattern matching: every part of ``pattern`` is present in ``actual``."""
    if isinstance(pattern, Mapping):
        return isinstance(actual, Mapping) and all(
            _contains(actual.get(k), v) for k, v in pattern.items()
        )
    if isinstance(pattern, list):
        return isinstance(actual, list) and all(
            any(_contains(a, p) for a in actual) for p in pattern
        )
    return bool(actual == pattern)


_STEP = re.compile(r"^(?P<name>[A-Za-z]+)(?P<choice>\[x\])?(?::(?P<slice>[^.]+))?$")


def _select(profile: _Profile, element_id: str, nodes: list[Node]) -> list[Node]:
    """The instance elements an element id of the snapshot designates, with their FHIRPaths."""
    steps = element_id.split(".")[1:]
    prefix = element_id.split(".")[0]
    for step in steps:
        match = _STEP.match(step)
        if match is None:  # pragma: no cover - SUSHI ids always match
            raise ValueError(f"unexpected element id step {step!r}")
        prefix = f"{prefix}.{step}"
        nodes = [
            child
            for node in nodes
            for child in _children(node, match["name"], bool(match["choice"]))
        ]
        if match["slice"]:
            predicate = profile.slices.get(prefix)
            nodes = [n for n in nodes if predicate is not None and predicate(n[1])]
    return nodes


def _children(node: Node, name: str, choice: bool) -> Iterator[Node]:
    path, value = node
    if not isinstance(value, Mapping):
        return
    keys = (
        [k for k in value if k.startswith(name) and k[len(name) :][:1].isupper()]
        if choice
        else [name]
    )
    for key in keys:
        child = value.get(key)
        if isinstance(child, list):
            yield from ((f"{path}.{key}[{i}]", item) for i, item in enumerate(child))
        elif child is not None:
            yield f"{path}.{key}", child


def _in_value_set(value: Any, members: frozenset[tuple[str, str]]) -> bool:
    if isinstance(value, str):  # a code: its system is implied by the value set
        return any(code == value for _, code in members)
    if isinstance(value, Mapping):
        codings = value.get("coding", []) if "coding" in value or "text" in value else [value]
        return any(
            (c.get("system"), c.get("code")) in members for c in codings if isinstance(c, Mapping)
        )
    return False


def _extensions(path: str, value: Any) -> Iterator[Node]:
    """Every extension in ``value``, except inside Bundle entries (each is checked on its own)."""
    if isinstance(value, Mapping):
        for key, child in value.items():
            if key == "resource" and path.endswith("]") and ".entry[" in path:
                continue
            if key == "extension" and isinstance(child, list):
                for i, ext in enumerate(child):
                    yield f"{path}.extension[{i}]", ext
                    yield from _extensions(f"{path}.extension[{i}]", ext)
            elif key != "extension":
                yield from _extensions(f"{path}.{key}", child)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _extensions(f"{path}[{i}]", item)


def _invariants(profile: _Profile, root: str, resource: Json) -> list[Problem]:
    problems = []
    for inv in profile.invariants:
        try:
            result = inv.evaluate(resource, {})
        except Exception as exc:  # fhirpathpy raises plain exceptions on odd input
            problems.append(
                Problem(root, f"invariant {inv.key} could not be evaluated: {type(exc).__name__}")
            )
            continue
        if result != [True]:
            problems.append(Problem(root, f"invariant {inv.key} not met: {inv.human}"))
    return problems


@cache
def default_index() -> ProfileIndex:
    """The index of the committed compiled profiles, loaded once per process."""
    return ProfileIndex()


def check_resource(resource: Json, root: str | None = None) -> list[Problem]:
    """Binding and invariant problems of a resource or Bundle, as (FHIRPath, message) pairs."""
    return default_index().check(resource, root)
