"""The response message: the shapes of the README's FHIR contract, deterministic and valid R4."""

from __future__ import annotations

import base64
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle

from adapter.domain import AnatomicCorrelate, SiteClass
from adapter.fhir import codes
from adapter.tools.synthetic import LesionSpec, MessageSpec, build_bundle
from tests.fhir.conftest import component_values, report_of, resources, score

XHTML = "{http://www.w3.org/1999/xhtml}"


def _spec(*lesions: LesionSpec, **kw: Any) -> dict[str, Any]:
    return build_bundle(MessageSpec("render", tuple(lesions), **kw))


LIVER_5 = LesionSpec("L1", "liver", "10200004", SiteClass.TYPICAL_SOFT_TISSUE,
                     AnatomicCorrelate.CORRESPONDING, level=3, suv_max=12.0, size_mm=20.0)
BREAST_3C = LesionSpec("L2", "left breast", "76752008", SiteClass.HIGHLY_ATYPICAL,
                       AnatomicCorrelate.CORRESPONDING, level=3, suv_max=9.0, size_mm=12.0)
NODE_3A = LesionSpec("L3", "mesenteric lymph node", "59441001", SiteClass.TYPICAL_SOFT_TISSUE,
                     AnatomicCorrelate.NONE, level=2, suv_max=3.0)


def test_the_header_answers_the_input_message(message: dict[str, Any]) -> None:
    bundle = report_of(message)

    header = bundle["entry"][0]["resource"]
    assert header["resourceType"] == "MessageHeader"
    assert header["response"] == {"identifier": message["entry"][0]["resource"]["id"],
                                  "code": "ok"}
    assert header["eventCoding"]["code"] == codes.EVENT_SCORE_RESPONSE
    assert header["focus"][0]["reference"] == bundle["entry"][1]["fullUrl"]


def test_conclusion_codes_give_the_overall_category_first_then_every_3c_and_3d() -> None:
    bundle = report_of(_spec(NODE_3A, BREAST_3C, LIVER_5))

    report = resources(bundle, "DiagnosticReport")[0]

    assert [c["coding"][0]["code"] for c in report["conclusionCode"]] == ["5", "3C"]
    assert report["conclusion"].startswith("Overall SSTR-RADS-5, carried by L1 (liver).")
    assert "SSTR-RADS-3C: L2 (left breast)" in report["conclusion"]
    assert "Caveat:" in report["conclusion"]


def test_results_list_the_overall_assessment_first_and_it_has_every_lesion_as_member() -> None:
    bundle = report_of(_spec(NODE_3A, LIVER_5))
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}

    report = resources(bundle, "DiagnosticReport")[0]
    overall = by_url[report["result"][0]["reference"]]

    assert overall["code"]["coding"][0]["code"] == codes.OBS_OVERALL_ASSESSMENT
    assert [m["reference"] for m in overall["hasMember"]] == [
        r["reference"] for r in report["result"][1:]]
    assert all(by_url[m["reference"]]["code"]["coding"][0]["code"] == codes.OBS_LESION_ASSESSMENT
               for m in overall["hasMember"])


def test_lesion_assessments_link_back_to_the_finding_and_carry_its_site() -> None:
    message = _spec(LIVER_5)
    finding = message["entry"][-1]

    assessment = resources(report_of(message), "Observation")[1]

    assert assessment["derivedFrom"] == [{"reference": finding["fullUrl"]}]
    assert assessment["bodySite"] == finding["resource"]["bodySite"]
    assert assessment["focus"] == finding["resource"]["focus"]
    assert component_values(assessment, "deciding-rule")[0]["coding"][0]["code"] == "T1-5"


def test_a_waived_3a_lesion_is_marked_under_an_overall_5() -> None:
    bundle = report_of(_spec(NODE_3A, LIVER_5))

    node = next(o for o in resources(bundle, "Observation")
                if o.get("bodySite", {}).get("text") == "mesenteric lymph node")

    assert component_values(node, "waived") == [True]


def test_tumour_board_task_and_flag_are_added_when_triggered() -> None:
    outcome = score(_spec(LIVER_5))
    report = orjson.loads(outcome.outputs[0].body)
    board = orjson.loads(outcome.outputs[1].body)

    task = resources(report, "Task")[0]

    assert (task["status"], task["intent"]) == ("requested", "proposal")
    assert task["focus"]["reference"] == report["entry"][1]["fullUrl"]
    assert task["reasonReference"]["reference"] == report["entry"][2]["fullUrl"]
    assert resources(report, "Flag")[0]["status"] == "active"
    assert board["entry"][0]["resource"]["focus"][0]["reference"] == (
        next(e["fullUrl"] for e in board["entry"] if e["resource"]["resourceType"] == "Task"))
    assert resources(board, "Task") == [task]


def test_no_task_flag_or_tumour_board_message_below_the_trigger() -> None:
    outcome = score(_spec(NODE_3A))

    report = orjson.loads(outcome.outputs[0].body)

    assert len(outcome.outputs) == 1
    assert resources(report, "Task") == resources(report, "Flag") == []


@pytest.mark.parametrize(("statuses", "expected"), [
    (("final", "final"), "final"),
    (("final", "preliminary"), "final"),
    (("amended", "final"), "amended"),
    (("amended", "corrected"), "corrected"),
])
def test_report_status_is_amended_or_corrected_when_a_finding_is(
    statuses: tuple[str, str], expected: str
) -> None:
    lesions = (replace(LIVER_5, status=statuses[0]), replace(NODE_3A, status=statuses[1]))

    report = resources(report_of(_spec(*lesions)), "DiagnosticReport")[0]

    assert report["status"] == expected


def test_narrative_is_well_formed_xhtml_with_one_table_row_per_lesion() -> None:
    report = resources(report_of(_spec(NODE_3A, BREAST_3C, LIVER_5)), "DiagnosticReport")[0]

    div = ET.fromstring(report["text"]["div"])
    html = base64.b64decode(report["presentedForm"][0]["data"]).decode()

    assert div.tag == f"{XHTML}div"
    assert len(div.findall(f".//{XHTML}tbody/{XHTML}tr")) == 3
    assert report["presentedForm"][0]["contentType"] == "text/html"
    assert report["text"]["div"] in html


def test_markup_in_a_site_description_is_escaped_in_the_narrative() -> None:
    lesion = LesionSpec("L1", "liver <b>&</b>", "10200004", SiteClass.TYPICAL_SOFT_TISSUE,
                        AnatomicCorrelate.CORRESPONDING, level=3)

    report = resources(report_of(_spec(lesion)), "DiagnosticReport")[0]

    assert "liver &lt;b&gt;&amp;&lt;/b&gt;" in report["text"]["div"]
    ET.fromstring(report["text"]["div"])


def test_every_id_is_a_uuid_unique_in_the_bundle_and_stable_across_runs() -> None:
    message = _spec(NODE_3A, BREAST_3C, LIVER_5)

    first, second = report_of(message), report_of(message)
    new = [e["resource"]["id"] for e in first["entry"] if e["fullUrl"].startswith("urn:uuid:")]

    assert first == second
    assert len(set(new)) == len(new)
    assert all(uuid.UUID(i).version == 5 for i in new[:5])


def test_a_different_input_message_id_gives_different_output_ids(message: dict[str, Any]) -> None:
    other = orjson.loads(orjson.dumps(message).replace(
        message["entry"][0]["resource"]["id"].encode(), b"another-message-id"))

    assert score(message).outputs[0].message_id != score(other).outputs[0].message_id


def test_patient_imaging_study_and_body_structures_are_repeated_with_their_full_urls(
    message: dict[str, Any],
) -> None:
    inputs = {e["fullUrl"]: e["resource"] for e in message["entry"]
              if e["resource"]["resourceType"] in ("Patient", "ImagingStudy", "BodyStructure")}

    bundle = report_of(message)

    repeated = {e["fullUrl"]: e["resource"] for e in bundle["entry"] if e["fullUrl"] in inputs}
    assert repeated.keys() == inputs.keys()
    assert all(r["id"] == inputs[url]["id"] for url, r in repeated.items())


def test_the_patient_is_repeated_with_its_id_and_identifiers_only(
    message: dict[str, Any],
) -> None:
    patient = message["entry"][1]["resource"]

    repeated = resources(report_of(message), "Patient")

    assert repeated == [{"resourceType": "Patient", "id": patient["id"],
                         "identifier": patient["identifier"]}]


def test_the_imaging_study_keeps_identity_timing_modalities_and_acquisition_extensions(
    message: dict[str, Any],
) -> None:
    study = message["entry"][2]["resource"]

    repeated = resources(report_of(message), "ImagingStudy")[0]

    assert repeated == {key: study[key] for key in (
        "resourceType", "id", "extension", "identifier", "status", "modality", "subject",
        "started")}


def test_body_structures_keep_id_tracking_identifier_location_and_patient(
    message: dict[str, Any],
) -> None:
    body = message["entry"][5]["resource"]
    body["identifier"].append({"system": "urn:example:other", "value": "x"})
    body["description"] = "free text"

    repeated = resources(report_of(message), "BodyStructure")[0]

    assert repeated == {"resourceType": "BodyStructure", "id": body["id"],
                        "identifier": body["identifier"][:1], "location": body["location"],
                        "patient": body["patient"]}


def test_elements_the_adapter_does_not_read_are_not_repeated(message: dict[str, Any]) -> None:
    study = message["entry"][2]["resource"]
    study["extension"].append({"url": "urn:example:other", "valueString": "kept out"})
    study["subject"]["display"] = "Muster, Alex"
    study["extension"][0]["valueCodeableConcept"]["coding"][0]["userSelected"] = True
    message["entry"][6]["resource"]["bodySite"]["extension"] = [{"url": "urn:example:x"}]
    message["entry"][6]["resource"]["focus"][0]["display"] = "first lesion"

    bundle = report_of(message)

    text = orjson.dumps(bundle)
    for unread in (b"kept out", b"Muster, Alex", b"userSelected", b"urn:example:x",
                   b"first lesion"):
        assert unread not in text


def test_report_and_tumour_board_messages_are_valid_r4b_bundles() -> None:
    outcome = score(_spec(NODE_3A, BREAST_3C, LIVER_5))

    for output in outcome.outputs:
        Bundle.model_validate_json(output.body)


def test_provenance_names_the_input_message_and_the_rules_version(message: dict[str, Any]) -> None:
    provenance = resources(report_of(message), "Provenance")[0]

    assert provenance["entity"][0]["what"]["identifier"]["value"] == (
        message["entry"][0]["resource"]["id"])
    assert provenance["policy"][0].startswith(f"{codes.CANONICAL_BASE}/rules/sstr-rads-1.0")
