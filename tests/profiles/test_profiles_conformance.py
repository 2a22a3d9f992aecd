"""The independent R4 conformance check (tools/conformance.mjs) passes every example and every
compiled conformance resource, and each of its five checks fails on a seeded error."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from profiles_support import EXAMPLES, FIXTURES, RESOURCES, error_lines, run_conformance

Json = dict[str, Any]
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))
SEED_BASE = EXAMPLES / "figure-10-input.json"


def _errors(result: Any) -> list[str]:
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return error_lines(result)


def test_every_example_has_no_conformance_error() -> None:
    result = run_conformance(*EXAMPLE_FILES)

    assert _errors(result) == []
    assert f"{len(EXAMPLE_FILES)} file(s)" in result.stderr


def test_the_valid_fixtures_have_no_conformance_error() -> None:
    assert _errors(run_conformance(*sorted(FIXTURES.glob("valid-*.json")))) == []


def test_the_compiled_conformance_resources_are_valid_r4() -> None:
    files = sorted(RESOURCES.glob("*.json"))
    texts = [json.loads(f.read_text("utf-8")) for f in files]

    assert _errors(run_conformance(*files)) == []
    assert {t["fhirVersion"] for t in texts if t["resourceType"] == "StructureDefinition"} == {
        "4.0.1"}
    assert not any("4.3.0" in f.read_text("utf-8") or "dom-r4b" in f.read_text("utf-8")
                   for f in files)


def _entry(doc: Json, code: str) -> Json:
    """The first Observation entry whose code is ``code`` (lesion-finding, reference-uptake...)."""
    return next(e["resource"] for e in doc["entry"]
                if e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == code)


def _component(obs: Json, code: str) -> Json:
    return next(c for c in obs["component"] if c["code"]["coding"][0]["code"] == code)


def _unknown_element(doc: Json) -> None:
    _entry(doc, "lesion-finding")["colour"] = "red"


def _wrong_primitive_type(doc: Json) -> None:
    _component(_entry(doc, "lesion-finding"), "uptake-level")["valueInteger"] = "3"


def _r4_invariant(doc: Json) -> None:
    # obs-6 (R4 Observation): dataAbsentReason only when there is no value.
    finding = _entry(doc, "lesion-finding")
    finding["valueString"] = "seen"
    finding["dataAbsentReason"] = {"text": "not measured"}


def _datatype_invariant(doc: Json) -> None:
    # per-1 (R4 Period), inside a datatype the profile does not unfold.
    finding = _entry(doc, "lesion-finding")
    finding.pop("effectiveDateTime", None)
    finding["effectivePeriod"] = {"start": "2024-03-05", "end": "2024-03-01"}


def _choice_type_not_allowed(doc: Json) -> None:
    suv = _component(_entry(doc, "lesion-finding"), "126401")
    suv["valueString"] = str(suv.pop("valueQuantity")["value"])


def _project_invariant(doc: Json) -> None:
    # sstr-bdl-2: exactly one ImagingStudy.
    study = next(e for e in doc["entry"] if e["resource"]["resourceType"] == "ImagingStudy")
    doc["entry"].append({**copy.deepcopy(study),
                         "fullUrl": "urn:uuid:0e0e0e0e-0000-4000-8000-000000000001"})


def _wrong_pattern(doc: Json) -> None:
    suv = _component(_entry(doc, "lesion-finding"), "126401")
    suv["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] = "255619001"


def _missing_required_slice(doc: Json) -> None:
    finding = _entry(doc, "lesion-finding")
    finding["component"] = [c for c in finding["component"]
                            if c["code"]["coding"][0]["code"] != "site-class"]


def _slice_repeated(doc: Json) -> None:
    finding = _entry(doc, "lesion-finding")
    finding["component"].append(copy.deepcopy(_component(finding, "site-class")))


def _bad_ucum(doc: Json) -> None:
    _component(_entry(doc, "lesion-finding"), "126401")["valueQuantity"]["code"] = "{SUVbw}g/ml"


def _dangling_reference(doc: Json) -> None:
    _entry(doc, "lesion-finding")["derivedFrom"] = [
        {"reference": "urn:uuid:0e0e0e0e-0000-4000-8000-00000000dead"}]


def _unknown_contained(doc: Json) -> None:
    _entry(doc, "lesion-finding")["focus"] = [{"reference": "#nowhere"}]


F = "Bundle.entry[{i}].resource"
SEEDS: dict[str, tuple[Callable[[Json], None], str, str]] = {
    # name: (seed, "check FHIRPath", start of the message)
    "unknown-element": (_unknown_element, f"schema {F}",
                        "should NOT have additional properties (colour)"),
    "wrong-primitive-type": (_wrong_primitive_type, f"schema {F}.component[2].valueInteger",
                             "should be number"),
    "r4-invariant": (_r4_invariant, f"invariant {F}", "obs-6"),
    "datatype-invariant": (_datatype_invariant, f"invariant {F}.effectivePeriod", "per-1"),
    "choice-type-not-allowed": (_choice_type_not_allowed, f"profile {F}.component[3].valueString",
                                "type String is not allowed for value[x] (valueQuantity)"),
    "project-invariant": (_project_invariant, "invariant Bundle", "sstr-bdl-2"),
    "wrong-pattern": (_wrong_pattern, f"profile {F}.component[3].extension[0].valueCodeableConcept",
                      "does not match patternCodeableConcept"),
    "missing-required-slice": (_missing_required_slice, f"profile {F}.component:siteClass",
                               "slice siteClass: minimum cardinality 1, found 0"),
    "slice-repeated": (_slice_repeated, f"profile {F}.component:siteClass",
                       "slice siteClass: maximum cardinality 1, found 2"),
    "bad-ucum": (_bad_ucum, f"ucum {F}.component[3].valueQuantity.code",
                 'not a valid UCUM unit: "{SUVbw}g/ml"'),
    "dangling-reference": (_dangling_reference, f"reference {F}.derivedFrom[0].reference",
                           "urn:uuid:0e0e0e0e-0000-4000-8000-00000000dead resolves to no entry"),
    "unknown-contained": (_unknown_contained, f"reference {F}.focus[0].reference",
                          "#nowhere names no contained resource"),
}


@pytest.fixture(scope="module")
def seeded_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Every seed applied to its own copy of an example input, all checked by one Node process."""
    base = json.loads(SEED_BASE.read_text("utf-8"))
    folder = tmp_path_factory.mktemp("seeded")
    files: dict[str, Path] = {}
    for name, (seed, _, _) in SEEDS.items():
        doc = copy.deepcopy(base)
        seed(doc)
        files[name] = folder / f"{name}.json"
        files[name].write_text(json.dumps(doc), "utf-8")
    lines = _errors(run_conformance(*files.values()))
    return {name: [line.split(": ", 1)[1] for line in lines if line.startswith(f"{path}: ")]
            for name, path in files.items()}


def _finding_index() -> int:
    doc = json.loads(SEED_BASE.read_text("utf-8"))
    return next(i for i, e in enumerate(doc["entry"])
                if e["resource"].get("code", {}).get("coding", [{}])[0].get("code")
                == "lesion-finding")


def test_the_unseeded_base_has_no_error() -> None:
    assert _errors(run_conformance(SEED_BASE)) == []


@pytest.mark.parametrize("name", SEEDS)
def test_each_kind_of_check_fails_on_its_seeded_error(
    name: str, seeded_errors: dict[str, list[str]]
) -> None:
    _, where, message = SEEDS[name]
    expected = f"error {where.format(i=_finding_index())}: {message}"

    assert any(line.startswith(expected) for line in seeded_errors[name]), seeded_errors[name]
