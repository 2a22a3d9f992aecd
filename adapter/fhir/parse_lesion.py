"""One lesion finding Observation (profile SstrLesionFinding) -> domain :class:`Lesion`."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, NamedTuple

from msgspec import UNSET

from adapter.domain import (
    AnatomicCorrelate,
    BenignEvidence,
    Lesion,
    Progression,
    SiteClass,
    UptakeLevel,
)
from adapter.fhir import codes, schema
from adapter.fhir.bundle_index import BundleIndex, Entry, resolve_reference
from adapter.fhir.datatypes import (
    JsonObject,
    check_one_value,
    code_in,
    coded,
    coding_code,
    components,
    concept_copy,
    concept_label,
    quantity_value,
    required,
)
from adapter.fhir.links import StudyLink, check_links
from adapter.fhir.message import CopiedEntry, LesionSource
from adapter.fhir.parse_copies import body_structure_copy
from adapter.fhir.primitives import STRING_RULE, is_fhir_string
from adapter.fhir.problems import IssueCode, Problems
from adapter.fhir.report_inputs import INTERPRETER_TYPES, ORDER_TYPES, read_references
from adapter.fhir.schema import items

SUV_MEAN = "suv_mean"
"""Not a Lesion field: the SUVmean travels in :class:`LesionExtras`."""
LESION_STATUSES = frozenset({"final", "amended", "corrected", "preliminary"})

_CODED: dict[str, tuple[str, str, dict[str, StrEnum]]] = {
    # component code -> (domain field, value system, the enum's members by code); the
    # dict lookup replaces enum(value), several times slower.
    code: (name, system, {m.value: m for m in enum})
    for code, name, system, enum in (
        (codes.OBS_SITE_CLASS, "site_class", codes.CS_SITE_CLASS, SiteClass),
        (codes.OBS_CORRELATE, "correlate", codes.CS_CORRELATE, AnatomicCorrelate),
        (codes.OBS_BENIGN, "benign", codes.CS_BENIGN, BenignEvidence),
        (codes.OBS_PROGRESSION, "progression", codes.CS_PROGRESSION, Progression),
    )
}
_LEVELS: dict[int, UptakeLevel] = {int(level): level for level in UptakeLevel}
_COMPONENTS = frozenset(
    {*_CODED, codes.OBS_UPTAKE_LEVEL, codes.OBS_LESION_SIZE, codes.OBS_ORGAN_SYSTEM}
)
_SUVMAX = "SUVmax"
_SUVMEAN = "SUVmean"


class LesionExtras(NamedTuple):
    """What a finding gives that no rule reads and the answer shows (ReportInputs)."""

    performers: list[JsonObject]
    based_on: list[JsonObject]
    suv_mean: float | None


def read_lesion(
    entry: Entry, index: BundleIndex, link: StudyLink, problems: Problems
) -> tuple[Lesion, LesionSource, LesionExtras] | None:
    """The lesion, its source and its extras; ``None`` (with problems recorded) when it
    cannot be read."""
    res: schema.Observation = entry.resource
    path = entry.path
    before = problems.count
    status = code_in(res.status, f"{path}.status", "status", problems, LESION_STATUSES)
    check_links(res, path, index, link, problems)
    performers = read_references(res.performer, "performer", path, index, problems,
                                 INTERPRETER_TYPES)
    based_on = read_references(res.basedOn, "basedOn", path, index, problems, ORDER_TYPES)
    lesion_id, focus, body_structure = _tracking_id(res, path, index, link, problems)
    body_site = concept_copy(res.bodySite, f"{path}.bodySite", "bodySite", problems)
    site, site_code = (_site(res.bodySite, body_site, f"{path}.bodySite", problems)
                       if body_site and res.bodySite is not UNSET else ("", None))
    fields, paths = _components(res, path, problems)
    paths.update({"site": f"{path}.bodySite", "lesion_id": f"{path}.focus[0]",
                  "uptake": f"{path}.component"})
    for needed, code in (("site_class", codes.OBS_SITE_CLASS),
                         ("correlate", codes.OBS_CORRELATE)):
        if needed not in fields and needed not in paths:
            problems.add(IssueCode.REQUIRED, f"{path}.component",
                         f"a lesion finding needs a {code} component")
    if (problems.count > before or not (status and lesion_id and focus and body_site)
            or body_structure is None):
        return None
    extras = LesionExtras(performers, based_on, fields.pop(SUV_MEAN, None))
    # organ_system is in fields only when the sender gave it; else the domain derives it
    # from the site code (adapter/domain/organ_systems.toml).
    lesion = Lesion(lesion_id=lesion_id, site=site, site_code=site_code, **fields)
    source = LesionSource(lesion_id, entry.full_url, status, path, focus, body_site, paths,
                          body_structure)
    return lesion, source, extras


def _tracking_id(
    res: schema.Observation, path: str, index: BundleIndex, link: StudyLink, problems: Problems
) -> tuple[str | None, JsonObject | None, CopiedEntry | None]:
    """The tracking id, the Reference to the BodyStructure and the BodyStructure's copy."""
    focus = res.focus
    if not required(focus, f"{path}.focus", "focus", problems):
        return None, None, None
    if len(focus) > 1:
        problems.add(IssueCode.INVALID, f"{path}.focus",
                     "a lesion finding has exactly one focus (its lesion's BodyStructure)")
        return None, None, None
    body = resolve_reference(focus[0], f"{path}.focus[0]", "focus[0]", index, problems,
                             "BodyStructure")
    if body is None:
        return None, None, None
    lesion_id, copy = body_structure_copy(body, link.subject, link.subject_target, index,
                                          problems)
    if lesion_id is None or copy is None:
        return None, None, None
    return lesion_id, {"reference": focus[0].reference}, copy


def _site(concept: schema.CodeableConcept, body_site: JsonObject, path: str,
          problems: Problems) -> tuple[str, str | None]:
    code = coding_code(concept, codes.SNOMED)
    if code is None:
        problems.add(IssueCode.CODE_INVALID, f"{path}.coding",
                     "bodySite needs a SNOMED CT coding")
    label = concept_label(concept)
    if not label or label == code:
        problems.add(IssueCode.REQUIRED, f"{path}.text",
                     "bodySite needs the anatomic description (text or display)")
    return label, code


def _components(
    res: schema.Observation, path: str, problems: Problems
) -> tuple[dict[str, Any], dict[str, str]]:
    fields: dict[str, Any] = {}
    paths: dict[str, str] = {}
    seen: set[str] = set()
    for c_path, comp in components(res, path, problems):
        code = _lesion_component(comp, c_path, problems)
        if code is None:
            continue
        if code in seen:
            problems.add(IssueCode.INVALID, c_path, f"the {code} component appears more than once")
            continue
        seen.add(code)
        reader = _READERS.get(code)
        if reader is not None:
            reader(comp, c_path, problems, fields, paths)
        else:
            field_name, system, members = _CODED[code]
            value = coded(comp.valueCodeableConcept, f"{c_path}.valueCodeableConcept",
                          "valueCodeableConcept", problems, system, members)
            paths[field_name] = f"{c_path}.valueCodeableConcept"
            if value is not None:
                fields[field_name] = members[value]
    return fields, paths


def _lesion_component(comp: schema.Component, c_path: str, problems: Problems) -> str | None:
    """The component's code: a project code, ``SUVmax``, or None (other SUVs, reported codes)."""
    code = coding_code(comp.code, codes.CS_OBSERVATION)
    if code is not None:
        if code not in _COMPONENTS:
            problems.add(IssueCode.CODE_INVALID, f"{c_path}.code",
                         "component code is not a lesion-finding component of "
                         "sstr-observation-code")
            return None
        return code
    if coding_code(comp.code, codes.DCM) != codes.DCM_SUVBW:
        return None
    derivation = [(i, e) for i, e in enumerate(items(comp.extension))
                  if e.url == codes.EXT_MEASUREMENT_DERIVATION]
    if not derivation:
        problems.add(IssueCode.REQUIRED, f"{c_path}.extension",
                     "an SUVbw component needs the measurement-derivation extension "
                     "(SNOMED 56851009 Maximum for SUVmax)")
        return None
    if len(derivation) > 1:
        problems.add(IssueCode.INVALID, f"{c_path}.extension",
                     "an SUVbw component has one measurement-derivation extension "
                     "(Maximum or Mean), not several")
        return None
    check_one_value(derivation[0][1], f"{c_path}.extension", problems)
    derived = coding_code(derivation[0][1].valueCodeableConcept, codes.SNOMED)
    # SUVpeak and others are allowed as supporting data; SUVmax is scored, SUVmean shown.
    return {codes.SNOMED_MAXIMUM: _SUVMAX, codes.SNOMED_MEAN: _SUVMEAN}.get(derived or "")


_Reader = Callable[[schema.Component, str, Problems, dict[str, Any], dict[str, str]], None]


def _read_level(
    comp: schema.Component, c_path: str, problems: Problems, fields: dict[str, Any],
    paths: dict[str, str],
) -> None:
    paths["reader_level"] = f"{c_path}.valueInteger"
    level = comp.valueInteger
    if not required(level, f"{c_path}.valueInteger", "valueInteger", problems):
        return
    member = _LEVELS.get(level)
    if member is None:
        problems.add(IssueCode.VALUE, f"{c_path}.valueInteger",
                     "the uptake level must be 0, 1, 2 or 3 (Table 2; 0 = no uptake)")
        return
    fields["reader_level"] = member


def _quantity_reader(field_name: str, unit: str) -> _Reader:
    """A reader of one Quantity component (SUVmax, maximum diameter) into ``field_name``."""

    def read(
        comp: schema.Component, c_path: str, problems: Problems, fields: dict[str, Any],
        paths: dict[str, str],
    ) -> None:
        paths[field_name] = f"{c_path}.valueQuantity.value"
        value = quantity_value(comp.valueQuantity, f"{c_path}.valueQuantity", "valueQuantity",
                               problems, unit)
        if value is not None:
            fields[field_name] = value

    return read


def _read_organ(
    comp: schema.Component, c_path: str, problems: Problems, fields: dict[str, Any],
    paths: dict[str, str],
) -> None:
    concept = comp.valueCodeableConcept
    if not required(concept, f"{c_path}.valueCodeableConcept", "valueCodeableConcept",
                    problems):
        return
    codings = items(concept.coding)
    code = codings[0].code if codings else UNSET
    organ_system = code if code is not UNSET else concept_label(concept)
    if not is_fhir_string(organ_system):  # the report repeats it
        problems.add(IssueCode.VALUE, f"{c_path}.valueCodeableConcept",
                     f"the organ system (its first code, else its text) {STRING_RULE}")
        return
    fields["organ_system"] = organ_system


_READERS: dict[str, _Reader] = {
    codes.OBS_UPTAKE_LEVEL: _read_level,
    _SUVMAX: _quantity_reader("suv_max", codes.UCUM_SUVBW),
    _SUVMEAN: _quantity_reader(SUV_MEAN, codes.UCUM_SUVBW),
    codes.OBS_LESION_SIZE: _quantity_reader("size_mm", codes.UCUM_MM),
    codes.OBS_ORGAN_SYSTEM: _read_organ,
}
