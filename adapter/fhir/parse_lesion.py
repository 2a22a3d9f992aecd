"""One lesion finding Observation (profile SstrLesionFinding) -> domain :class:`Lesion`."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, NamedTuple

from adapter.domain import (
    AnatomicCorrelate,
    BenignEvidence,
    Lesion,
    Progression,
    SiteClass,
    UptakeLevel,
)
from adapter.fhir import codes
from adapter.fhir.bundle_index import BundleIndex, Entry, resolve_reference
from adapter.fhir.links import StudyLink, check_links
from adapter.fhir.message import CopiedEntry, LesionSource
from adapter.fhir.parse_copies import body_structure_copy
from adapter.fhir.parse_study import component_code
from adapter.fhir.problems import IssueCode, Problems
from adapter.fhir.r4 import VALUE_X, check_element, check_one_value
from adapter.fhir.reader import (
    JsonObject,
    as_list,
    coding_code,
    concept_label,
    get_code,
    get_coded,
    get_concept,
    get_int,
    get_object,
    get_objects,
    get_quantity,
)
from adapter.fhir.report_inputs import INTERPRETER_TYPES, ORDER_TYPES, read_references

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
    res, path = entry.resource, entry.path
    before = problems.count
    status = get_code(res, "status", path, problems, LESION_STATUSES)
    check_links(res, path, index, link, problems)
    performers = read_references(res, "performer", path, index, problems, INTERPRETER_TYPES)
    based_on = read_references(res, "basedOn", path, index, problems, ORDER_TYPES)
    lesion_id, focus, body_structure = _tracking_id(res, path, index, link, problems)
    body_site = get_concept(res, "bodySite", path, problems)
    site, site_code = _site(body_site, f"{path}.bodySite", problems) if body_site else ("", None)
    fields, paths = _components(res, path, problems)
    paths.update({"site": f"{path}.bodySite", "lesion_id": f"{path}.focus[0]",
                  "uptake": f"{path}.component"})
    for required, code in (("site_class", codes.OBS_SITE_CLASS),
                           ("correlate", codes.OBS_CORRELATE)):
        if required not in fields and required not in paths:
            problems.add(IssueCode.REQUIRED, f"{path}.component",
                         f"a lesion finding needs a {code} component")
    if (problems.count > before or not (status and lesion_id and focus and body_site)
            or body_structure is None):
        return None
    extras = LesionExtras(performers, based_on, fields.pop(SUV_MEAN, None))
    site_class: SiteClass = fields["site_class"]
    organ = fields.pop("organ_system", None) or ("bone" if site_class.is_bone else site_code)
    lesion = Lesion(lesion_id=lesion_id, site=site, organ_system=organ or site, **fields)
    source = LesionSource(lesion_id, entry.full_url, status, path, focus, body_site, paths,
                          body_structure)
    return lesion, source, extras


def _tracking_id(
    res: JsonObject, path: str, index: BundleIndex, link: StudyLink, problems: Problems
) -> tuple[str | None, JsonObject | None, CopiedEntry | None]:
    """The tracking id, the Reference to the BodyStructure and the BodyStructure's copy."""
    focus = get_objects(res, "focus", path, problems)
    if not focus:
        return None, None, None
    if len(focus) > 1:
        problems.add(IssueCode.INVALID, f"{path}.focus",
                     "a lesion finding has exactly one focus (its lesion's BodyStructure)")
        return None, None, None
    # The key "focus[0]" makes the issue's FHIRPath name the array item.
    body = resolve_reference({"focus[0]": focus[0][1]}, "focus[0]", path, index, problems,
                             "BodyStructure")
    if body is None:
        return None, None, None
    lesion_id, copy = body_structure_copy(body, link.subject, link.subject_target, index,
                                          problems)
    if lesion_id is None or copy is None:
        return None, None, None
    return lesion_id, {"reference": focus[0][1]["reference"]}, copy


def _site(body_site: JsonObject, path: str, problems: Problems) -> tuple[str, str | None]:
    code = coding_code(body_site, codes.SNOMED)
    if code is None:
        problems.add(IssueCode.CODE_INVALID, f"{path}.coding",
                     "bodySite needs a SNOMED CT coding")
        code = None
    label = concept_label(body_site)
    if not label or label == code:
        problems.add(IssueCode.REQUIRED, f"{path}.text",
                     "bodySite needs the anatomic description (text or display)")
    return label, code


def _components(
    res: JsonObject, path: str, problems: Problems
) -> tuple[dict[str, Any], dict[str, str]]:
    fields: dict[str, Any] = {}
    paths: dict[str, str] = {}
    seen: set[str] = set()
    check_one_value(res, path, problems)
    for c_path, comp in get_objects(res, "component", path, problems):
        if "modifierExtension" in comp or (len(comp) > 1
                                            and len(VALUE_X.intersection(comp)) > 1):
            check_element(comp, c_path, problems)  # inline test: this runs per component
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
            value = get_coded(comp, "valueCodeableConcept", c_path, problems, system, members)
            paths[field_name] = f"{c_path}.valueCodeableConcept"
            if value is not None:
                fields[field_name] = members[value]
    return fields, paths


def _lesion_component(comp: JsonObject, c_path: str, problems: Problems) -> str | None:
    """The component's code: a project code, ``SUVmax``, or None (other SUVs, reported codes)."""
    code = component_code(comp, codes.CS_OBSERVATION)
    if code is not None:
        if code not in _COMPONENTS:
            problems.add(IssueCode.CODE_INVALID, f"{c_path}.code",
                         "component code is not a lesion-finding component of "
                         "sstr-observation-code")
            return None
        return code
    if component_code(comp, codes.DCM) == codes.DCM_SUVBW:
        derivation = [e for e in as_list(comp.get("extension"))
                      if isinstance(e, dict) and e.get("url") == codes.EXT_MEASUREMENT_DERIVATION]
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
        if len(derivation[0]) > 2:
            check_one_value(derivation[0], f"{c_path}.extension", problems)
        concept = derivation[0].get("valueCodeableConcept")
        derived = coding_code(concept, codes.SNOMED) if isinstance(concept, dict) else None
        # SUVpeak and others are allowed as supporting data; SUVmax is scored, SUVmean shown.
        return {codes.SNOMED_MAXIMUM: _SUVMAX, codes.SNOMED_MEAN: _SUVMEAN}.get(derived or "")
    return None


_Reader = Callable[[JsonObject, str, Problems, dict[str, Any], dict[str, str]], None]


def _read_level(
    comp: JsonObject, c_path: str, problems: Problems, fields: dict[str, Any],
    paths: dict[str, str],
) -> None:
    paths["reader_level"] = f"{c_path}.valueInteger"
    level = get_int(comp, "valueInteger", c_path, problems)
    if level is None:
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
        comp: JsonObject, c_path: str, problems: Problems, fields: dict[str, Any],
        paths: dict[str, str],
    ) -> None:
        paths[field_name] = f"{c_path}.valueQuantity.value"
        value = get_quantity(comp, "valueQuantity", c_path, problems, unit)
        if value is not None:
            fields[field_name] = value

    return read


def _read_organ(
    comp: JsonObject, c_path: str, problems: Problems, fields: dict[str, Any],
    paths: dict[str, str],
) -> None:
    concept = get_object(comp, "valueCodeableConcept", c_path, problems)
    if concept is None:
        return
    codings = [c for c in as_list(concept.get("coding")) if isinstance(c, dict)]
    code = codings[0].get("code") if codings else None
    fields["organ_system"] = code if isinstance(code, str) else concept_label(concept)


_READERS: dict[str, _Reader] = {
    codes.OBS_UPTAKE_LEVEL: _read_level,
    _SUVMAX: _quantity_reader("suv_max", codes.UCUM_SUVBW),
    _SUVMEAN: _quantity_reader(SUV_MEAN, codes.UCUM_SUVBW),
    codes.OBS_LESION_SIZE: _quantity_reader("size_mm", codes.UCUM_MM),
    codes.OBS_ORGAN_SYSTEM: _read_organ,
}
