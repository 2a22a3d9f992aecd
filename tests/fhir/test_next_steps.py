"""Next steps a scheduler acts on are ServiceRequests (intent proposal), coded, with a window."""

from __future__ import annotations

from typing import Any

from adapter.domain import AnatomicCorrelate, Grade, SiteClass
from adapter.fhir import codes
from adapter.fhir.render_options import ReportOptions
from adapter.tools.synthetic import LesionSpec, MessageSpec, build_bundle
from tests.fhir.conftest import report_of, resources

NODE_3A = LesionSpec("L1", "mesenteric lymph node", "59441001", SiteClass.TYPICAL_SOFT_TISSUE,
                     AnatomicCorrelate.NONE, level=2, suv_max=3.0)
RIB_3B = LesionSpec("L2", "right 5th rib", "113197003", SiteClass.BONE_NOT_ATYPICAL,
                    AnatomicCorrelate.CORRESPONDING, level=2, suv_max=5.0)
BREAST_3C = LesionSpec("L3", "left breast", "76752008", SiteClass.HIGHLY_ATYPICAL,
                       AnatomicCorrelate.CORRESPONDING, level=3, suv_max=9.0)
LIVER_3D = LesionSpec("L4", "liver", "10200004", SiteClass.TYPICAL_SOFT_TISSUE,
                      AnatomicCorrelate.HIGHLY_SUSPICIOUS, level=0, size_mm=28.0)
LIVER_5 = LesionSpec("L5", "liver", "10200004", SiteClass.TYPICAL_SOFT_TISSUE,
                     AnatomicCorrelate.CORRESPONDING, level=3, suv_max=12.0, size_mm=20.0)


def _report(*lesions: LesionSpec, **kw: Any) -> dict[str, Any]:
    options = kw.pop("report_options", None)
    bundle = build_bundle(MessageSpec("next-steps", lesions, **kw))
    return report_of(bundle, **({"report_options": options} if options else {}))


def _requests(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in resources(bundle, "ServiceRequest"):
        coding = r["code"]["coding"][0]
        if coding["system"] == codes.CS_NEXT_STEP:
            out.setdefault(coding["code"], []).append(r)
    return out


def test_3a_and_3b_share_one_follow_up_request_3_to_6_months_after_the_study() -> None:
    bundle = _report(NODE_3A, RIB_3B, grade=Grade.G1, ki67=2.0)
    study = resources(bundle, "ImagingStudy")[0]

    [follow_up] = _requests(bundle)[codes.NEXT_STEP_FOLLOW_UP]

    assert follow_up["intent"] == "proposal"
    assert follow_up["status"] == "draft"
    assert len(follow_up["reasonReference"]) == 2
    start, end = follow_up["occurrencePeriod"]["start"], follow_up["occurrencePeriod"]["end"]
    year, month = int(study["started"][:4]), int(study["started"][5:7])
    assert (int(start[:4]) * 12 + int(start[5:7])) - (year * 12 + month) == 3
    assert (int(end[:4]) * 12 + int(end[5:7])) - (year * 12 + month) == 6


def test_a_raised_proliferation_index_narrows_the_window_to_3_months() -> None:
    [follow_up] = _requests(_report(NODE_3A, grade=Grade.G2))[codes.NEXT_STEP_FOLLOW_UP]

    assert follow_up["occurrencePeriod"]["start"] == follow_up["occurrencePeriod"]["end"]


def test_3c_asks_for_tissue_and_3d_for_fdg_pet_and_tissue_each_at_its_site() -> None:
    requests = _requests(_report(BREAST_3C, LIVER_3D))

    tissue = requests[codes.NEXT_STEP_TISSUE]
    assert [t["bodySite"][0]["coding"][0]["code"] for t in tissue] == ["76752008", "10200004"]
    assert len(requests[codes.NEXT_STEP_FDG_PET]) == 1
    assert all("end" not in r["occurrencePeriod"] for r in tissue)


def test_report_and_lesion_assessment_name_their_requests() -> None:
    bundle = _report(BREAST_3C)
    [request] = _requests(bundle)[codes.NEXT_STEP_TISSUE]
    url = f"urn:uuid:{request['id']}"
    report = resources(bundle, "DiagnosticReport")[0]
    lesion = resources(bundle, "Observation")[1]

    linked = [c["extension"][0]["valueReference"]["reference"] for c in lesion["component"]
              if c.get("extension")]
    assert linked == [url]
    assert report["extension"] == [{"url": codes.EXT_NEXT_STEP_REQUEST,
                                    "valueReference": {"reference": url}}]
    assert request["reasonReference"] == [{"reference": f"urn:uuid:{lesion['id']}"}]


def test_a_waived_3a_lesion_under_an_overall_5_gets_no_follow_up_request() -> None:
    assert codes.NEXT_STEP_FOLLOW_UP not in _requests(_report(NODE_3A, LIVER_5))


def test_requests_are_active_once_the_report_files_as_final() -> None:
    bundle = _report(NODE_3A, report_options=ReportOptions(report_status="final"))

    assert _requests(bundle)[codes.NEXT_STEP_FOLLOW_UP][0]["status"] == "active"


def test_advice_only_steps_make_no_request() -> None:
    assert _requests(_report(LIVER_5)) == {}
