"""The Patient, ImagingStudy and BodyStructures the answer repeats: checked, never copied blind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle

from adapter.fhir.bindings import check_resource
from adapter.service.pipeline import ScoringPipeline
from adapter.service.results import Processed, Rejected
from tests.fhir.conftest import report_of

Message = dict[str, Any]
PATIENT, STUDY, CONTEXT, BODY, LESION = 1, 2, 4, 5, 6


def _res(message: Message, index: int) -> dict[str, Any]:
    resource: dict[str, Any] = message["entry"][index]["resource"]
    return resource


def _set(index: int, *path: Any, value: Any) -> Callable[[Message], None]:
    def change(message: Message) -> None:
        node: Any = _res(message, index)
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    return change


def _delete(index: int, key: str) -> Callable[[Message], None]:
    def change(message: Message) -> None:
        del _res(message, index)[key]
    return change


def _add_extension(extension: dict[str, Any]) -> Callable[[Message], None]:
    def change(message: Message) -> None:
        _res(message, STUDY)["extension"].append(extension)
    return change


ENTRY = "Bundle.entry[{}].resource"
REJECTED: list[tuple[str, Callable[[Message], None], str]] = [
    ("an extension url that is not a string", _set(STUDY, "extension", 2, "url", value=[]),
     f"{ENTRY.format(STUDY)}.extension[2].url"),
    ("an extension without a url", _add_extension({"valueString": "x"}),
     f"{ENTRY.format(STUDY)}.extension[4].url"),
    ("injected activity as a string", _set(STUDY, "extension", 1, value={
        "url": "https://fhir.sstr-adapter.org/StructureDefinition/injected-activity",
        "valueString": "150 MBq"}), f"{ENTRY.format(STUDY)}.extension[1].valueQuantity"),
    ("a quantity unit that is not a string", _set(STUDY, "extension", 2, "valueQuantity",
                                                  "unit", value=60),
     f"{ENTRY.format(STUDY)}.extension[2].valueQuantity.unit"),
    ("a field of view that is not a string", _set(STUDY, "extension", 3, "valueString",
                                                  value=5),
     f"{ENTRY.format(STUDY)}.extension[3].valueString"),
    ("a radiopharmaceutical coding display that is not a string",
     _set(STUDY, "extension", 0, "valueCodeableConcept", "coding", 0, "display", value=[]),
     f"{ENTRY.format(STUDY)}.extension[0].valueCodeableConcept.coding[0].display"),
    ("a second radiopharmaceutical extension", lambda m: _res(m, STUDY)["extension"].append(
        _res(m, STUDY)["extension"][0]), f"{ENTRY.format(STUDY)}.extension[4]"),
    ("a modality system that is not a string", _set(STUDY, "modality", 1, "system", value=1),
     f"{ENTRY.format(STUDY)}.modality[1].system"),
    ("an ImagingStudy id that is not a FHIR id", _set(STUDY, "id", value="not an id!"),
     f"{ENTRY.format(STUDY)}.id"),
    ("a subject display holding no reference", _set(STUDY, "subject",
                                                    value={"display": "x"}),
     f"{ENTRY.format(STUDY)}.subject"),
    ("a Patient id that is not a string", _set(PATIENT, "id", value=True),
     f"{ENTRY.format(PATIENT)}.id"),
    ("a Patient identifier value that is not a string",
     _set(PATIENT, "identifier", 0, "value", value=7),
     f"{ENTRY.format(PATIENT)}.identifier[0].value"),
    ("a Patient identifier system with whitespace",
     _set(PATIENT, "identifier", 0, "system", value="urn:example: mrn"),
     f"{ENTRY.format(PATIENT)}.identifier[0].system"),
    ("a BodyStructure without a patient", _delete(BODY, "patient"),
     f"{ENTRY.format(BODY)}.patient"),
    ("a BodyStructure of another patient", _set(BODY, "patient", value={
        "reference": "Patient/someone-else"}), f"{ENTRY.format(BODY)}.patient"),
    ("a BodyStructure location coding code that is not a string",
     _set(BODY, "location", "coding", 0, "code", value=3.5),
     f"{ENTRY.format(BODY)}.location.coding[0].code"),
    ("a BodyStructure location with an empty coding", _set(BODY, "location", "coding",
                                                           value=[{}]),
     f"{ENTRY.format(BODY)}.location.coding[0].system"),
    ("a bodySite coding display that is not a string",
     _set(LESION, "bodySite", "coding", 0, "display", value=[]),
     f"{ENTRY.format(LESION)}.bodySite.coding[0].display"),
    ("a bodySite text of whitespace and control characters",
     _set(LESION, "bodySite", "text", value="\x0b"), f"{ENTRY.format(LESION)}.bodySite.text"),
    ("a fullUrl with whitespace", lambda m: m["entry"][3].update(fullUrl="urn:uuid:a b"),
     "Bundle.entry[3].fullUrl"),
    ("a primary-tumour text with a DEL control character",
     _set(CONTEXT, "component", 0, "valueCodeableConcept", "text", value="\x7fNET"),
     f"{ENTRY.format(CONTEXT)}.component[0].valueCodeableConcept.text"),
    ("a primary-tumour coding without a system",
     _set(CONTEXT, "component", 0, "valueCodeableConcept", "coding", 0, value={"code": "x"}),
     f"{ENTRY.format(CONTEXT)}.component[0].valueCodeableConcept.coding[0].system"),
]


@pytest.mark.parametrize(("change", "expression"), [r[1:] for r in REJECTED],
                         ids=[r[0] for r in REJECTED])
def test_a_repeated_element_that_is_not_valid_fhir_rejects_the_message_naming_it(
    message: Message, change: Callable[[Message], None], expression: str,
) -> None:
    change(message)

    outcome = ScoringPipeline()(orjson.dumps(message))

    assert isinstance(outcome, Rejected)
    expressions = {e for i in orjson.loads(outcome.outcome)["issue"] for e in i["expression"]}
    assert expression in expressions


IGNORED: list[tuple[str, Callable[[Message], None]]] = [
    ("an invalid Patient gender", _set(PATIENT, "gender", value="bogus")),
    ("an invalid Patient name", _set(PATIENT, "name", value=[{"given": "not a list"}])),
    ("an unknown Patient element", _set(PATIENT, "favouriteColour", value="blue")),
    ("an ImagingStudy description that is not a string", _set(STUDY, "description", value=4)),
    ("an unknown extension without a value", _add_extension({"url": "urn:example:other"})),
    ("an ImagingStudy series of the wrong shape", _set(STUDY, "series", value={"a": 1})),
    ("a BodyStructure description that is not a string", _set(BODY, "description", value=[])),
    ("a second BodyStructure identifier without a system", lambda m: _res(m, BODY)[
        "identifier"].append({"value": 1})),
    ("a subject display that is not a string", _set(STUDY, "subject", "display", value=1)),
]


@pytest.mark.parametrize("change", [r[1] for r in IGNORED], ids=[r[0] for r in IGNORED])
def test_an_element_the_adapter_does_not_read_is_left_out_and_the_answer_stays_valid(
    message: Message, change: Callable[[Message], None],
) -> None:
    change(message)

    outcome = ScoringPipeline()(orjson.dumps(message))

    assert isinstance(outcome, Processed)
    for output in outcome.outputs:
        Bundle.model_validate_json(output.body)
        assert check_resource(orjson.loads(output.body)) == []


def test_a_patient_identifier_without_a_value_is_not_repeated(message: Message) -> None:
    _res(message, PATIENT)["identifier"].insert(0, {"system": "urn:example:other"})

    patient = next(e["resource"] for e in report_of(message)["entry"]
                   if e["resource"]["resourceType"] == "Patient")

    assert [i["system"] for i in patient["identifier"]] == ["urn:example:mrn"]


def test_a_quantity_with_a_comparator_is_rejected_naming_it() -> None:
    from adapter.tools.synthetic import build_message

    doc = orjson.loads(build_message(lesions=1))
    lesion = next(e["resource"] for e in doc["entry"]
                  if e["resource"]["resourceType"] == "Observation"
                  and any(c.get("valueQuantity", {}).get("code") == "g/ml{SUVbw}"
                          for c in e["resource"].get("component", [])))
    suv = next(c for c in lesion["component"]
               if c.get("valueQuantity", {}).get("code") == "g/ml{SUVbw}")
    suv["valueQuantity"]["comparator"] = ">"

    outcome = ScoringPipeline()(orjson.dumps(doc))

    assert isinstance(outcome, Rejected)
    issues = orjson.loads(outcome.outcome)["issue"]
    assert any(i["expression"][0].endswith("valueQuantity.comparator") for i in issues)
