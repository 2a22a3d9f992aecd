"""ReportInputs: what only the answer shows (interpreter, order, tracer, history, SUVmean)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from adapter.fhir import codes
from adapter.fhir.parse import parse_message
from adapter.fhir.problems import InvalidMessageError

L1 = "Bundle.entry[6].resource"
READER = {"reference": "Practitioner/reader-1", "display": "Dr. Reader",
          "identifier": {"system": "urn:oid:1.2.3.4", "value": "P-77"}}
ACCESSION = {"type": "ServiceRequest", "identifier": {
    "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                         "code": "ACSN"}]},
    "system": "urn:oid:1.2.3.5", "value": "ACC-2024-001"}}


def _suv_mean(value: float) -> dict[str, Any]:
    return {
        "extension": [{"url": codes.EXT_MEASUREMENT_DERIVATION, "valueCodeableConcept": {
            "coding": [{"system": codes.SNOMED, "code": codes.SNOMED_MEAN}]}}],
        "code": {"coding": [{"system": codes.DCM, "code": codes.DCM_SUVBW}]},
        "valueQuantity": {"value": value, "unit": "g/ml{SUVbw}", "system": codes.UCUM,
                          "code": codes.UCUM_SUVBW},
    }


def _findings(m: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in m["entry"][6::2]]


def _reject(m: dict[str, Any]) -> set[str]:
    with pytest.raises(InvalidMessageError) as info:
        parse_message(orjson.dumps(m))
    return {i.expression for i in info.value.issues}


def test_each_report_input_is_read_from_the_message(message: dict[str, Any]) -> None:
    for finding in _findings(message):
        finding["performer"] = [READER]
    _findings(message)[0]["basedOn"] = [{"reference": "ServiceRequest/order-1"}]
    message["entry"][2]["resource"]["basedOn"] = [ACCESSION]
    _findings(message)[0]["component"].append(_suv_mean(6.5))

    inputs = parse_message(orjson.dumps(message)).report_inputs

    # Two findings, one reader: listed once, as a logical reference (the answer does not
    # carry the Practitioner). An order named only by a literal reference to an entry the
    # message does not hold has no identifier to carry and is left out.
    assert inputs.interpreters == ({"type": "Practitioner", "identifier": READER["identifier"]},)
    assert inputs.based_on == (ACCESSION,)
    assert inputs.radiopharmaceutical is not None
    assert (inputs.radiopharmaceutical["system"], inputs.radiopharmaceutical["code"]) == (
        codes.UMLS, codes.UMLS_GA68_DOTATOC)
    assert inputs.radiopharmaceutical_label == "68Ga-DOTATOC"
    assert set(inputs.history) == {"symptoms", "previous-imaging", "other-malignancies",
                                   "laboratory"}
    assert all(isinstance(text, str) and text for text in inputs.history.values())
    assert inputs.lesion_suv_mean == {"L1": 6.5}


def test_a_message_without_them_gives_empty_report_inputs(message: dict[str, Any]) -> None:
    inputs = parse_message(orjson.dumps(message)).report_inputs

    assert (inputs.interpreters, inputs.based_on, inputs.lesion_suv_mean) == ((), (), {})


def test_a_performer_that_is_not_a_practitioner_is_rejected(message: dict[str, Any]) -> None:
    _findings(message)[0]["performer"] = [{"reference": "Organization/radiology"}]

    assert f"{L1}.performer[0]" in _reject(message)


def test_an_order_reference_to_another_type_is_rejected(message: dict[str, Any]) -> None:
    message["entry"][2]["resource"]["basedOn"] = [{"reference": "CarePlan/plan-1"}]

    assert "Bundle.entry[2].resource.basedOn[0]" in _reject(message)


@pytest.mark.parametrize("reference", [
    {}, {"display": "Dr\u202e. Evil"}, {"reference": "Practitioner/ x"},
    {"identifier": {"system": "urn:oid:1.2"}},
])
def test_a_malformed_performer_is_named(message: dict[str, Any], reference: dict[str, Any]) -> None:
    _findings(message)[0]["performer"] = [reference]

    assert any(e.startswith(f"{L1}.performer[0]") for e in _reject(message))


def test_an_suv_mean_in_another_unit_is_rejected(message: dict[str, Any]) -> None:
    comp = _suv_mean(6.5)
    comp["valueQuantity"]["code"] = comp["valueQuantity"]["unit"] = "mg/dL"
    _findings(message)[0]["component"].append(comp)

    assert f"{L1}.component[5].valueQuantity.code" in _reject(message)
