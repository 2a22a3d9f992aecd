"""Reading the findings message into the domain Study."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from adapter.domain import AnatomicCorrelate, Grade, SiteClass, Therapy, UptakeLevel
from adapter.fhir.parse import parse_message
from adapter.fhir.problems import InvalidMessageError
from tests.fhir.conftest import component_values, report_of


def parse(doc: dict[str, Any]) -> Any:
    return parse_message(orjson.dumps(doc))


def test_lesions_are_read_with_every_item_the_rules_need(message: dict[str, Any]) -> None:
    parsed = parse(message)

    first = parsed.study.lesions[0]
    assert (first.lesion_id, first.site, first.site_class) == (
        "L1", "liver", SiteClass.TYPICAL_SOFT_TISSUE)
    assert (first.reader_level, first.suv_max, first.size_mm) == (UptakeLevel.ABOVE_LIVER, 9.0, 8.0)
    assert first.correlate is AnatomicCorrelate.CORRESPONDING
    assert (first.organ_system, first.site_code) == (None, "10200004")


def test_context_and_acquisition_items_are_read(message: dict[str, Any]) -> None:
    context = parse(message).study.context

    assert (context.grade, context.ki67_percent) == (Grade.G2, 5.0)
    assert context.prior_therapies == frozenset({Therapy.SSA})
    assert (context.injected_activity_mbq, context.uptake_time_min) == (150.0, 60.0)
    assert context.symptoms_reported and context.laboratory_reported


def test_therapy_none_means_reported_without_therapies(message: dict[str, Any]) -> None:
    for comp in message["entry"][4]["resource"]["component"]:
        if comp["code"]["coding"][0]["code"] == "previous-therapies":
            comp["valueCodeableConcept"]["coding"][0]["code"] = "none"

    assert parse(message).study.context.prior_therapies == frozenset()


def test_the_message_id_is_the_message_header_id(message: dict[str, Any]) -> None:
    assert parse(message).message_id == message["entry"][0]["resource"]["id"]


def test_a_collection_bundle_without_header_is_accepted_and_uses_the_bundle_id(
    message: dict[str, Any],
) -> None:
    message["type"] = "collection"
    del message["entry"][0]

    assert parse(message).message_id == message["id"]


def test_a_literal_patient_reference_need_not_resolve(message: dict[str, Any]) -> None:
    del message["entry"][1]
    for entry in message["entry"]:
        for key in ("subject", "patient"):
            if key in entry["resource"]:
                entry["resource"][key] = {"reference": "Patient/p-123"}

    parsed = parse(message)

    assert parsed.patient is None
    assert parsed.subject == {"reference": "Patient/p-123"}


def test_relative_type_id_references_resolve_against_entry_ids(message: dict[str, Any]) -> None:
    study = message["entry"][2]["resource"]
    message["entry"][6]["resource"]["derivedFrom"] = [{"reference": f"ImagingStudy/{study['id']}"}]

    assert len(parse(message).lesions) == 2


def test_suvmax_alone_scores_through_the_reference_regions(message: dict[str, Any]) -> None:
    lesion = message["entry"][6]["resource"]
    lesion["component"] = [c for c in lesion["component"]
                           if c["code"]["coding"][0]["code"] != "uptake-level"]

    observation = report_of(message)["entry"][3]["resource"]

    assert component_values(observation, "uptake-level") == [3]
    assert component_values(observation, "uptake-level-source")[0]["coding"][0]["code"] == "suv"


def test_an_suvpeak_component_is_supporting_data_not_suvmax(message: dict[str, Any]) -> None:
    suv = message["entry"][6]["resource"]["component"][3]
    suv["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] = "255586005"  # mean

    assert parse(message).study.lesions[0].suv_max is None


def test_all_problems_of_a_message_are_reported_together(message: dict[str, Any]) -> None:
    message["entry"][6]["resource"]["component"][2]["valueInteger"] = 7
    message["entry"][8]["resource"]["component"][0]["valueCodeableConcept"]["coding"][0][
        "code"] = "nowhere"
    del message["timestamp"]

    with pytest.raises(InvalidMessageError) as raised:
        parse(message)

    assert {i.expression for i in raised.value.issues} == {
        "Bundle.timestamp",
        "Bundle.entry[6].resource.component[2].valueInteger",
        "Bundle.entry[8].resource.component[0].valueCodeableConcept.coding[0].code",
    }
