"""The response message: the shapes of the README's FHIR contract, deterministic and valid R4."""

from __future__ import annotations

import base64
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Literal

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle

from adapter.domain import AnatomicCorrelate, SiteClass
from adapter.fhir import codes
from adapter.fhir.render_options import ReportOptions
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

    assert assessment["derivedFrom"] == [
        {"reference": next(e["fullUrl"] for e in message["entry"]
                           if e["resource"]["resourceType"] == "ImagingStudy")},
        {"type": "Observation",
         "identifier": {"system": "urn:ietf:rfc:3986", "value": finding["fullUrl"]}},
    ]
    assert assessment["bodySite"] == finding["resource"]["bodySite"]
    assert assessment["focus"] == finding["resource"]["focus"]
    assert component_values(assessment, "deciding-rule")[0]["coding"][0]["code"] == "T1-5"


def test_a_waived_3a_lesion_is_marked_under_an_overall_5() -> None:
    bundle = report_of(_spec(NODE_3A, LIVER_5))

    node = next(o for o in resources(bundle, "Observation")
                if o.get("bodySite", {}).get("text") == "mesenteric lymph node")

    assert component_values(node, "waived") == [True]


def test_tumour_board_request_task_and_flag_are_added_when_triggered() -> None:
    outcome = score(_spec(LIVER_5))
    report = orjson.loads(outcome.outputs[0].body)
    board = orjson.loads(outcome.outputs[1].body)

    task = resources(report, "Task")[0]
    request = resources(report, "ServiceRequest")[0]
    overall = resources(report, "Observation")[0]

    assert (task["status"], task["intent"], request["intent"]) == (
        "requested", "proposal", "proposal")
    assert task["focus"]["reference"] == f"urn:uuid:{request['id']}"
    assert task["basedOn"] == [task["focus"]]
    assert task["reasonReference"]["identifier"] == overall["identifier"][0]
    assert request["reasonReference"] == [task["reasonReference"]]
    assert request["supportingInfo"][0]["identifier"] == (
        resources(report, "DiagnosticReport")[0]["identifier"][0])
    assert resources(report, "Flag")[0]["status"] == "active"
    assert board["entry"][0]["resource"]["focus"][0]["reference"] == (
        next(e["fullUrl"] for e in board["entry"] if e["resource"]["resourceType"] == "Task"))
    assert resources(board, "Task") == [task]
    assert resources(board, "ServiceRequest") == [request]


def test_the_task_is_routable_owner_performer_requester_priority_due_date() -> None:
    message = _spec(LIVER_5)
    options = ReportOptions(tumour_board_name="NET board", tumour_board_identifier="urn:x:b|7",
                            tumour_board_priority="urgent", tumour_board_due_days=10)

    outcome = score(message, report_options=options)
    board = orjson.loads(outcome.outputs[1].body)
    task, flag = resources(board, "Task")[0], resources(board, "Flag")[0]

    assert task["owner"] == {"display": "NET board",
                             "identifier": {"system": "urn:x:b", "value": "7"}}
    assert task["performerType"] == [{"text": "NET board"}]
    assert task["requester"] == {"reference": f"urn:uuid:{resources(board, 'Device')[0]['id']}"}
    assert task["priority"] == "urgent"
    start = message["timestamp"]
    assert task["restriction"]["period"]["start"] == start
    assert task["restriction"]["period"]["end"][:10] == _plus_days(start, 10)
    assert flag["period"] == task["restriction"]["period"]


def _plus_days(instant: str, days: int) -> str:
    return (datetime.fromisoformat(instant) + timedelta(days=days)).date().isoformat()


def test_the_tumour_board_message_is_self_contained_and_names_the_input_message() -> None:
    message = _spec(LIVER_5)

    board = orjson.loads(score(message).outputs[1].body)
    urls = {e["fullUrl"] for e in board["entry"]}
    literal = [r["reference"] for r in _references(board["entry"])]
    provenance = resources(board, "Provenance")[0]

    assert literal and all(ref in urls for ref in literal)
    assert provenance["entity"][0]["what"]["identifier"]["value"] == (
        message["entry"][0]["resource"]["id"])
    assert {t["reference"] for t in provenance["target"]} == {
        f"urn:uuid:{resources(board, t)[0]['id']}" for t in ("ServiceRequest", "Task", "Flag")}


def _references(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [r for item in node for r in _references(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if isinstance(node.get("reference"), str) else []
    return own + [r for k, v in node.items() if k != "text" for r in _references(v)]


def test_the_same_study_sent_again_under_a_new_message_id_updates_the_same_board_resources(
) -> None:
    first = _spec(LIVER_5)
    again = _spec(LIVER_5)
    again["entry"][0]["resource"]["id"] = "resent-message"

    ids = [{r["resourceType"]: r["id"] for r in
            (e["resource"] for e in orjson.loads(score(m).outputs[1].body)["entry"])}
           for m in (first, again)]

    assert ids[0]["MessageHeader"] != ids[1]["MessageHeader"]
    assert [ids[0][t] for t in ("ServiceRequest", "Task", "Flag")] == [
        ids[1][t] for t in ("ServiceRequest", "Task", "Flag")]


def test_no_task_flag_or_tumour_board_message_below_the_trigger() -> None:
    outcome = score(_spec(NODE_3A))

    report = orjson.loads(outcome.outputs[0].body)

    assert len(outcome.outputs) == 1
    assert resources(report, "Task") == resources(report, "Flag") == []


@pytest.mark.parametrize(("statuses", "setting", "expected"), [
    (("final", "final"), "final", "final"),
    (("final", "preliminary"), "final", "preliminary"),
    (("amended", "final"), "final", "amended"),
    (("amended", "corrected"), "final", "corrected"),
    (("final", "final"), "preliminary", "preliminary"),
    (("corrected", "final"), "preliminary", "preliminary"),
])
def test_report_status_never_exceeds_the_least_final_finding_nor_the_setting(
    statuses: tuple[str, str], setting: Literal["preliminary", "final"], expected: str
) -> None:
    lesions = (replace(LIVER_5, status=statuses[0]), replace(NODE_3A, status=statuses[1]))

    bundle = report_of(_spec(*lesions), report_options=ReportOptions(report_status=setting))
    report = resources(bundle, "DiagnosticReport")[0]
    observations = resources(bundle, "Observation")

    assert report["status"] == expected
    assert observations[0]["status"] == expected
    if expected == "preliminary":
        assert {o["status"] for o in observations} == {"preliminary"}


def test_a_computed_report_is_preliminary_by_default() -> None:
    report = resources(report_of(_spec(LIVER_5)), "DiagnosticReport")[0]

    assert report["status"] == "preliminary"
    assert "computed from the reader's findings" in report["code"]["text"]


def test_provenance_the_device_authors_on_behalf_of_the_operator_with_an_activity() -> None:
    options = ReportOptions(operator_name="Nuklearmedizin Beispielstadt",
                            operator_identifier="urn:oid:1.2.3|42")

    bundle = report_of(_spec(LIVER_5), report_options=options)
    provenance = resources(bundle, "Provenance")[0]
    agent = provenance["agent"][0]
    organisation = resources(bundle, "Organization")[0]

    assert agent["type"]["coding"][0]["code"] == "author"
    assert agent["who"] == {"reference": f"urn:uuid:{resources(bundle, 'Device')[0]['id']}"}
    assert agent["onBehalfOf"] == {"reference": f"urn:uuid:{organisation['id']}"}
    assert organisation["name"] == "Nuklearmedizin Beispielstadt"
    assert organisation["identifier"] == [{"system": "urn:oid:1.2.3", "value": "42"}]
    assert provenance["activity"]["coding"][0]["code"] == "CREATE"


def test_the_source_endpoint_is_a_url_or_an_rfc_8141_urn() -> None:
    bundle = report_of(_spec(LIVER_5))
    endpoint = bundle["entry"][0]["resource"]["source"]["endpoint"]

    assert re.fullmatch(r"https://\S+|urn:[A-Za-z0-9][A-Za-z0-9-]{1,31}:\S+", endpoint)
    assert endpoint != "urn:sstr-adapter"


def test_interpreter_and_order_are_carried_as_logical_references() -> None:
    message = _spec(LIVER_5)
    practitioner = {"fullUrl": "urn:uuid:7f000000-0000-4000-8000-000000000001", "resource": {
        "resourceType": "Practitioner", "id": "reader",
        "identifier": [{"system": "urn:oid:2.16.840.1.113883.4.6", "value": "1234567893"}]}}
    message["entry"].append(practitioner)
    finding = message["entry"][-2]["resource"]
    finding["performer"] = [{"reference": practitioner["fullUrl"]}]
    study = next(e["resource"] for e in message["entry"]
                 if e["resource"]["resourceType"] == "ImagingStudy")
    accession = {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                      "code": "ACSN"}]},
                 "system": "urn:oid:1.2.3.4", "value": "ACC-77"}
    study["basedOn"] = [{"type": "ServiceRequest", "identifier": accession}]

    report = resources(report_of(message), "DiagnosticReport")[0]

    assert report["resultsInterpreter"] == [
        {"type": "Practitioner", "identifier": practitioner["resource"]["identifier"][0]}]
    assert report["basedOn"] == [{"type": "ServiceRequest", "identifier": accession}]


def test_narrative_is_well_formed_xhtml_with_one_table_row_per_lesion() -> None:
    report = resources(report_of(_spec(NODE_3A, BREAST_3C, LIVER_5)), "DiagnosticReport")[0]

    div = ET.fromstring(report["text"]["div"])
    html = base64.b64decode(report["presentedForm"][0]["data"]).decode()

    assert div.tag == f"{XHTML}div"
    assert len(div.findall(f".//{XHTML}tbody/{XHTML}tr")) == 3
    assert report["presentedForm"][0]["contentType"] == "text/html"
    page = ET.fromstring(html.removeprefix("<!DOCTYPE html>"))
    narrative_rows = [["".join(c.itertext()) for c in row]
                      for row in div.iter(f"{XHTML}tr")]
    html_rows = [["".join(c.itertext()) for c in row] for row in page.iter("tr")]
    assert narrative_rows == html_rows, "narrative and presentedForm show the same table"


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

    tracking_id, tracking_uid = repeated.pop("identifier")
    assert repeated == {"resourceType": "BodyStructure", "id": body["id"],
                        "location": body["location"], "patient": body["patient"]}
    assert {k: tracking_id[k] for k in ("system", "value")} == body["identifier"][0]
    assert tracking_id["type"]["coding"][0]["code"] == "112039"
    assert tracking_uid["type"]["coding"][0]["code"] == "112040"
    assert re.fullmatch(r"urn:oid:2\.25\.[0-9]+", tracking_uid["value"])


def test_the_tracking_uid_is_the_same_for_the_same_patient_and_lesion_in_every_study(
    message: dict[str, Any],
) -> None:
    again = orjson.loads(orjson.dumps(message))
    again["entry"][0]["resource"]["id"] = "a-later-study-message"
    study = next(e["resource"] for e in again["entry"]
                 if e["resource"]["resourceType"] == "ImagingStudy")
    study["identifier"][0]["value"] = "urn:oid:1.2.826.0.1.3680043.10.999.1"

    uids = [[b["identifier"][1]["value"] for b in resources(report_of(m), "BodyStructure")]
            for m in (message, again)]

    assert uids[0] == uids[1]
    assert len(set(uids[0])) == len(uids[0])


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


def test_the_report_code_comes_from_the_order_when_the_order_is_in_the_message() -> None:
    message = _spec(LIVER_5)
    order = {"fullUrl": "urn:uuid:7f000000-0000-4000-8000-000000000002", "resource": {
        "resourceType": "ServiceRequest", "id": "order", "status": "active",
        "intent": "order", "subject": {"reference": message["entry"][1]["fullUrl"]},
        "identifier": [{"system": "urn:oid:1.2.3.4", "value": "ACC-78"}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "44139-4",
                             "display": "PET whole body", "userSelected": True}],
                 "text": "Ga-68 DOTATATE PET/CT"}}}
    message["entry"].append(order)
    study = next(e["resource"] for e in message["entry"]
                 if e["resource"]["resourceType"] == "ImagingStudy")
    study["basedOn"] = [{"reference": order["fullUrl"]}]

    report = resources(report_of(message), "DiagnosticReport")[0]
    default = resources(report_of(_spec(LIVER_5)), "DiagnosticReport")[0]

    assert report["code"] == {"coding": [{"system": "http://loinc.org", "code": "44139-4",
                                          "display": "PET whole body"}],
                              "text": "Ga-68 DOTATATE PET/CT"}
    assert report["basedOn"] == [{"type": "ServiceRequest",
                                  "identifier": {"system": "urn:oid:1.2.3.4", "value": "ACC-78"}}]
    assert default["code"]["coding"][0]["code"] == codes.LOINC_PET_WHOLE_BODY
