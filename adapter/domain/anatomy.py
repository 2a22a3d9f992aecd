"""The organ system of a lesion, for the representative-lesion rule (Discussion).

The table is ``organ_systems.toml`` beside this module: the systems of CodeSystem
sstr-organ-system and the SNOMED CT body-structure codes of each (its header names the
source). It is read once, at import, like the module's own code: the functions stay pure.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

from adapter.domain.model import Lesion

TABLE_FILE = "organ_systems.toml"


class SystemSource(StrEnum):
    """How a lesion's organ system was found."""

    GIVEN = "given"
    """The sender's ``organ-system`` (a system's code, label or alias, or any other text)."""
    SITE_CLASS = "site-class"
    """A bone site class: the skeleton."""
    ANATOMY = "anatomy"
    """The bodySite's SNOMED CT code, by the table."""
    UNMAPPED = "unmapped"
    """Neither given nor in the table: the code (or site text) is its own system
    (policy AMB-ORGAN-SYSTEM-UNMAPPED)."""


@dataclass(frozen=True, slots=True)
class OrganSystem:
    key: str
    """The grouping key: a sstr-organ-system code, else the given text or code, case-folded."""
    label: str
    """For people: ``lymph nodes``, ``liver``; the given text or the code when unmapped."""
    source: SystemSource


@dataclass(frozen=True, slots=True)
class _Table:
    labels: dict[str, str]
    """System code -> label."""
    names: dict[str, str]
    """Case-folded code, label or alias -> system code."""
    snomed: dict[str, str]
    """SNOMED CT code -> system code."""


def _load(text: str) -> _Table:
    data: dict[str, Any] = tomllib.loads(text)
    labels: dict[str, str] = {}
    names: dict[str, str] = {}
    snomed: dict[str, str] = {}
    for system in data["system"]:
        code = system["code"]
        labels[code] = system["label"]
        for name in (code, system["label"], *system["aliases"]):
            names[name.casefold()] = code
        for concept in system["snomed"]:
            if concept["code"] in snomed:
                raise ValueError(f"{TABLE_FILE}: SNOMED CT {concept['code']} listed twice")
            snomed[concept["code"]] = code
    return _Table(labels, names, snomed)


_TABLE = _load(resources.files(__package__).joinpath(TABLE_FILE).read_text(encoding="utf-8"))
SYSTEM_LABELS: dict[str, str] = _TABLE.labels
"""Every system code of the table with its label."""
SNOMED_SYSTEMS: dict[str, str] = _TABLE.snomed
"""Every SNOMED CT code of the table with its system code."""

# The answers for the table's systems, built once (frozen values, looked up per lesion).
_NAMED: dict[str, OrganSystem] = {
    name: OrganSystem(code, _TABLE.labels[code], SystemSource.GIVEN)
    for name, code in _TABLE.names.items()
}
_GIVEN_BY_SNOMED: dict[str, OrganSystem] = {
    snomed: OrganSystem(code, _TABLE.labels[code], SystemSource.GIVEN)
    for snomed, code in _TABLE.snomed.items()
}
_BONE = OrganSystem("bone", _TABLE.labels["bone"], SystemSource.SITE_CLASS)
_BY_ANATOMY: dict[str, OrganSystem] = {
    snomed: OrganSystem(code, _TABLE.labels[code], SystemSource.ANATOMY)
    for snomed, code in _TABLE.snomed.items()
}


def organ_system_of(lesion: Lesion) -> OrganSystem:
    """Given system, else bone (bone site classes), else the table, else the code itself."""
    given = lesion.organ_system.strip() if lesion.organ_system else ""
    if given:
        return (_NAMED.get(given.casefold()) or _GIVEN_BY_SNOMED.get(given)
                or OrganSystem(given.casefold(), given, SystemSource.GIVEN))
    if lesion.site_class.is_bone:
        return _BONE
    site_code = lesion.site_code.strip() if lesion.site_code else ""
    found = _BY_ANATOMY.get(site_code)
    if found is not None:
        return found
    if site_code:
        return OrganSystem(site_code, f"SNOMED CT {site_code}", SystemSource.UNMAPPED)
    site = lesion.site.strip()
    return OrganSystem(site.casefold(), site, SystemSource.UNMAPPED)
