"""adapter.fhir.bindings finds codes outside the project's value sets and broken invariants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from profiles_support import FIXTURES, load_fixture

from adapter.fhir.bindings import Problem, check_resource

Mutation = Callable[[dict[str, Any]], None]

FINDINGS = "valid-findings-message.json"
REPORT = "valid-report-message.json"


def _lesion(bundle: dict[str, Any]) -> dict[str, Any]:
    return bundle["entry"][4]["resource"]  # type: ignore[no-any-return]


def _set_code(path: list[Any], code: str) -> Mutation:
    def mutate(bundle: dict[str, Any]) -> None:
        node: Any = bundle
        for step in path:
            node = node[step]
        node["coding"][0]["code"] = code

    return mutate


def _drop_components(entry: int, *codes: str) -> Mutation:
    def mutate(bundle: dict[str, Any]) -> None:
        resource = bundle["entry"][entry]["resource"]
        resource["component"] = [
            c for c in resource["component"] if c["code"]["coding"][0]["code"] not in codes
        ]

    return mutate


def _first_entry_patient(bundle: dict[str, Any]) -> None:
    bundle["entry"].insert(0, bundle["entry"].pop(1))


def _lesion_status(bundle: dict[str, Any]) -> None:
    _lesion(bundle)["status"] = "registered"


def _suv_unit(bundle: dict[str, Any]) -> None:
    _lesion(bundle)["component"][3]["valueQuantity"]["code"] = "g/ml"


def _text_only_site_class(bundle: dict[str, Any]) -> None:
    _lesion(bundle)["component"][0]["valueCodeableConcept"] = {"text": "typical"}


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("valid-*.json")))
def test_valid_fixture_has_no_problems(fixture: str) -> None:
    assert check_resource(load_fixture(fixture)) == []


@pytest.mark.parametrize(
    ("fixture", "mutate", "path", "message"),
    [
        (
            FINDINGS,
            _set_code(["entry", 4, "resource", "component", 0, "valueCodeableConcept"], "liver"),
            "Bundle.entry[4].resource.component[0].valueCodeableConcept",
            "sstr-site-class",
        ),
        (
            FINDINGS,
            _text_only_site_class,
            "Bundle.entry[4].resource.component[0].valueCodeableConcept",
            "sstr-site-class",
        ),
        (
            FINDINGS,
            _set_code(["entry", 4, "resource", "component", 1, "valueCodeableConcept"], "maybe"),
            "Bundle.entry[4].resource.component[1].valueCodeableConcept",
            "sstr-anatomic-correlate",
        ),
        (FINDINGS, _lesion_status, "Bundle.entry[4].resource.status", "sstr-finding-status"),
        (
            FINDINGS,
            _set_code(["entry", 2, "resource", "extension", 0, "valueCodeableConcept"], "999999"),
            "Bundle.entry[2].resource.extension[0].valueCodeableConcept",
            "outside extensible value set sstr-radiopharmaceutical needs a text or display",
        ),
        (
            FINDINGS,
            _set_code(["entry", 6, "resource", "component", 1, "valueCodeableConcept"], "G4"),
            "Bundle.entry[6].resource.component[1].valueCodeableConcept",
            "sstr-who-grade",
        ),
        (
            FINDINGS,
            _drop_components(4, "uptake-level", "126401"),
            "Bundle.entry[4].resource",
            "sstr-les-1",
        ),
        (FINDINGS, _suv_unit, "Bundle.entry[4].resource", "sstr-les-4"),
        (FINDINGS, _first_entry_patient, "Bundle", "sstr-bdl-1"),
        (
            REPORT,
            _set_code(["entry", 5, "resource", "conclusionCode", 0], "6"),
            "Bundle.entry[5].resource.conclusionCode[0]",
            "sstr-rads-category",
        ),
        (
            REPORT,
            _set_code(["entry", 3, "resource", "component", 0, "valueCodeableConcept"], "T9-9"),
            "Bundle.entry[3].resource.component[0].valueCodeableConcept",
            "sstr-rule",
        ),
        (
            REPORT,
            _set_code(["entry", 3, "resource", "component", 7, "valueCodeableConcept"], "T1-5"),
            "Bundle.entry[3].resource",
            "sstr-asm-1",
        ),
        (
            REPORT,
            _set_code(["entry", 4, "resource", "component", 1, "valueCodeableConcept"], "maybe"),
            "Bundle.entry[4].resource.component[1].valueCodeableConcept",
            "sstr-prrt-recommendation",
        ),
    ],
)
def test_broken_element_is_reported_at_its_fhirpath(
    fixture: str, mutate: Mutation, path: str, message: str
) -> None:
    bundle = load_fixture(fixture)

    mutate(bundle)

    problems = check_resource(bundle)
    assert any(p.fhirpath == path and message in p.message for p in problems), problems


def test_collection_bundle_without_message_header_is_accepted() -> None:
    bundle = load_fixture(FINDINGS)
    bundle["type"] = "collection"
    del bundle["entry"][0]

    assert check_resource(bundle) == []


TRACER_PATH = "Bundle.entry[2].resource.extension[0].valueCodeableConcept"


def _tracer(bundle: dict[str, Any]) -> dict[str, Any]:
    return bundle["entry"][2]["resource"]["extension"][0]["valueCodeableConcept"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("system", "code"),
    [
        ("http://snomed.info/sct", "724025002"),
        ("http://www.nlm.nih.gov/research/umls", "C2713594"),
        ("https://fhir.sstr-adapter.org/CodeSystem/sstr-radiopharmaceutical", "ga68-dotanoc"),
        ("https://fhir.sstr-adapter.org/CodeSystem/sstr-radiopharmaceutical", "ga68-nodaga-jr11"),
    ],
)
def test_each_code_of_the_radiopharmaceutical_value_set_is_accepted(system: str, code: str) -> None:
    bundle = load_fixture(FINDINGS)
    _tracer(bundle)["coding"] = [{"system": system, "code": code}]

    assert check_resource(bundle) == []


def test_a_radiopharmaceutical_outside_the_extensible_value_set_is_accepted_when_named() -> None:
    bundle = load_fixture(FINDINGS)
    _tracer(bundle).update(coding=[{"system": "urn:example:local-tracers", "code": "T-17"}],
                           text="68Ga-satoreotide")

    assert check_resource(bundle) == []


def test_a_bare_code_outside_the_extensible_value_set_is_reported() -> None:
    bundle = load_fixture(FINDINGS)
    _tracer(bundle)["coding"] = [{"system": "urn:example:local-tracers", "code": "T-17"}]

    (problem,) = check_resource(bundle)

    assert problem.fhirpath == TRACER_PATH
    assert "needs a text or display" in problem.message


def test_a_code_the_project_code_system_does_not_define_is_reported_even_with_text() -> None:
    bundle = load_fixture(FINDINGS)
    _tracer(bundle).update(
        coding=[{"system": "https://fhir.sstr-adapter.org/CodeSystem/sstr-radiopharmaceutical",
                 "code": "ga68-dotatoc"}],
        text="68Ga-DOTATOC")

    (problem,) = check_resource(bundle)

    assert problem.fhirpath == f"{TRACER_PATH}.coding[0]"
    assert "not defined in CodeSystem" in problem.message


def test_problems_are_fhirpath_message_pairs() -> None:
    bundle = load_fixture(FINDINGS)
    _lesion_status(bundle)

    (problem,) = check_resource(bundle)

    assert problem == Problem("Bundle.entry[4].resource.status", problem.message)
    assert tuple(problem) == (problem.fhirpath, problem.message)
