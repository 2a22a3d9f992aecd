"""The project's conformance resources (profiles, code systems, value sets), loaded once.

SUSHI writes them as one JSON file per resource under ``fhir_profiles/fsh-generated/resources``.
Each is served at the path of its canonical URL under the project base, so
``https://fhir.sstr-adapter.org/StructureDefinition/x`` is ``GET /StructureDefinition/x`` here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from adapter.fhir.codes import CANONICAL_BASE

SERVED_TYPES = ("StructureDefinition", "CodeSystem", "ValueSet", "MessageDefinition")

DEFAULT_PROFILES_DIR = (
    Path(__file__).resolve().parents[2] / "fhir_profiles" / "fsh-generated" / "resources"
)
"""Where SUSHI writes the compiled resources in a source checkout."""


@dataclass(frozen=True)
class ConformanceStore:
    """Loaded resources by (resourceType, id-from-canonical), plus any loading problems."""

    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    _bodies: dict[tuple[str, str], bytes] = field(default_factory=dict, repr=False)

    @property
    def ready(self) -> bool:
        """Profiles are loaded: at least one StructureDefinition and no file failed."""
        return not self.problems and any(t == "StructureDefinition" for t, _ in self.resources)

    def body(self, resource_type: str, resource_id: str) -> bytes | None:
        """The JSON of one resource, serialised once at load time, or None when unknown."""
        return self._bodies.get((resource_type, resource_id))

    def of_type(self, resource_type: str) -> Iterator[dict[str, Any]]:
        """Every loaded resource of one type, in id order (deterministic output)."""
        for (kind, _), resource in sorted(self.resources.items(), key=lambda kv: kv[0]):
            if kind == resource_type:
                yield resource

    def with_defaults(self, defaults: list[dict[str, Any]]) -> ConformanceStore:
        """A copy that also holds ``defaults`` wherever the compiled files have no such resource."""
        resources = dict(self.resources)
        for resource in defaults:
            key = _canonical_key(resource)
            if key is not None:
                resources.setdefault(key, resource)
        return _store(resources, self.problems)


def load_conformance(directory: Path) -> ConformanceStore:
    """Read every ``*.json`` under ``directory``; problems are recorded, not raised.

    Problems name the file only: the files are the project's own, never patient data.
    """
    if not directory.is_dir():
        return ConformanceStore(problems=(f"profiles directory not found: {directory}",))
    resources: dict[tuple[str, str], dict[str, Any]] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.json")):
        try:
            resource = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            problems.append(f"{path.name}: {type(exc).__name__}")
            continue
        key = _canonical_key(resource) if isinstance(resource, dict) else None
        if key is not None:
            resources[key] = resource
    return _store(resources, tuple(problems))


def _canonical_key(resource: dict[str, Any]) -> tuple[str, str] | None:
    """(type, id) from the canonical URL when it lies under the project base and is served."""
    resource_type = resource.get("resourceType")
    url = resource.get("url")
    if resource_type not in SERVED_TYPES or not isinstance(url, str):
        return None
    prefix = f"{CANONICAL_BASE}/{resource_type}/"
    if not url.startswith(prefix) or "/" in url[len(prefix):] or url == prefix:
        return None
    return resource_type, url[len(prefix):]


def _store(
    resources: dict[tuple[str, str], dict[str, Any]], problems: tuple[str, ...]
) -> ConformanceStore:
    bodies = {key: orjson.dumps(resource) for key, resource in resources.items()}
    return ConformanceStore(resources, problems, bodies)
