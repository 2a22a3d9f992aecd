"""Writes the bad-input corpus: one file per problem, and manifest.json with what to expect.

Regenerate with ``/work/venv/bin/python -m tests.corpus.build_corpus``. Each case starts
from a valid two-lesion message (entries: 0 MessageHeader, 1 Patient, 2 ImagingStudy,
3 reference uptake, 4 clinical context, 5/7 BodyStructure, 6/8 lesion findings; lesion
components: 0 site-class, 1 anatomic-correlate, 2 uptake-level, 3 SUVmax, 4 lesion-size).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from adapter.fhir import codes
from adapter.tools.synthetic import synthetic_message

HERE = Path(__file__).resolve().parent
Json = dict[str, Any]
L1 = "Bundle.entry[6].resource"


def base() -> Json:
    return synthetic_message(2, key="corpus")


def lesion(m: Json) -> Json:
    resource: Json = m["entry"][6]["resource"]
    return resource


def _set(path: Callable[[Json], Json], key: str, value: Any) -> Callable[[Json], None]:
    def mutate(m: Json) -> None:
        path(m)[key] = value
    return mutate


def _drop_components(*codes_: str) -> Callable[[Json], None]:
    def mutate(m: Json) -> None:
        lesion(m)["component"] = [
            c for c in lesion(m)["component"]
            if not any(x.get("code") in codes_ for x in c["code"]["coding"])
        ]
    return mutate


def _swap_header(m: Json) -> None:
    m["entry"][0], m["entry"][1] = m["entry"][1], m["entry"][0]


def _no_lesions(m: Json) -> None:
    m["entry"] = m["entry"][:5]


def _add_benign(m: Json) -> None:
    comps = lesion(m)["component"]
    comps[1]["valueCodeableConcept"]["coding"][0]["code"] = "highly-suspicious"
    comps.append({"code": {"coding": [{"system": codes.CS_OBSERVATION, "code": "benign-evidence"}]},
                  "valueCodeableConcept": {"coding": [{"system": codes.CS_BENIGN,
                                                       "code": "biopsy"}]}})


def _r5_report(m: Json) -> None:
    m["entry"].append({"fullUrl": "urn:uuid:9d7c7e4e-6f1e-4e55-9a65-5d3e4b0c2a10", "resource": {
        "resourceType": "DiagnosticReport", "status": "final", "code": {"text": "PET"},
        "study": [{"reference": m["entry"][2]["fullUrl"]}]}})


def _event_canonical(m: Json) -> None:
    header = m["entry"][0]["resource"]
    del header["eventCoding"]
    header["eventCanonical"] = "https://example.org/event"


def _reference_inverted(m: Json) -> None:
    comps = m["entry"][3]["resource"]["component"]
    comps[0]["valueQuantity"]["value"] = 1.0  # liver below blood pool


def _duplicate_tracking_id(m: Json) -> None:
    m["entry"][7]["resource"]["identifier"][0]["value"] = "L1"


def _other_subject(m: Json) -> None:
    lesion(m)["subject"] = {"reference": "Patient/someone-else"}


def _modality_r5(m: Json) -> None:
    m["entry"][2]["resource"]["modality"] = [{"coding": [{"system": codes.DCM, "code": "PT"}]}]


CTX = "Bundle.entry[4].resource"
"""The clinical context: components 3 biopsy-date, 5 symptoms."""
PLACEHOLDER = "\u2063corpus-placeholder\u2063"
"""Stands for text only raw bytes can say (a duplicate member, a lone surrogate)."""


def _resource_type(value: Any, at: int = 6) -> Callable[[Json], None]:
    return _set(lambda m: m["entry"][at]["resource"], "resourceType", value)


def _finding_as_basic(m: Json) -> None:
    finding = lesion(m)
    finding["resourceType"] = "Basic"
    for key in ("status", "focus", "derivedFrom", "bodySite", "component", "category"):
        finding.pop(key, None)


def _two_derivations(m: Json) -> None:
    suv = lesion(m)["component"][3]
    suv["extension"].insert(0, {"url": codes.EXT_MEASUREMENT_DERIVATION, "valueCodeableConcept": {
        "coding": [{"system": codes.SNOMED, "code": codes.SNOMED_MEAN}]}})


def _two_focus(m: Json) -> None:
    lesion(m)["focus"].append({"reference": m["entry"][7]["fullUrl"]})


def _disagreeing_codings(m: Json) -> None:
    lesion(m)["component"][0]["valueCodeableConcept"]["coding"].append(
        {"system": codes.CS_SITE_CLASS, "code": "bone-atypical"})


def _second_header(m: Json) -> None:
    header = copy.deepcopy(m["entry"][0]["resource"])
    header["id"] = "second-header"
    m["entry"].append({"fullUrl": "urn:uuid:2f0d3c1e-9a4b-4c3d-8e2f-1a2b3c4d5e6f",
                       "resource": header})


def _same_type_id(m: Json) -> None:
    m["entry"][6]["resource"]["id"] = m["entry"][8]["resource"]["id"] = "finding"


def _full_url_other_id(m: Json) -> None:
    m["entry"][1]["fullUrl"] = "https://ehr.example.org/fhir/Patient/another"
    m["entry"][1]["resource"]["id"] = "p1"


def _contained_finding(m: Json) -> None:
    extra = copy.deepcopy(lesion(m))
    extra["id"] = "hidden"
    m["entry"][2]["resource"]["contained"] = [extra]


def _context_item(index: int, key: str, value: Any) -> Callable[[Json], None]:
    return _set(lambda m: m["entry"][4]["resource"]["component"][index], key, value)


def _placeholder_at(path: Callable[[Json], Json], key: str) -> Callable[[Json], None]:
    return _set(path, key, PLACEHOLDER)


def _raw(body: bytes, replacement: bytes) -> bytes:
    return body.replace(orjson.dumps(PLACEHOLDER), replacement)


RAW: dict[str, bytes] = {
    # a second valueInteger after the first (level 1): a first-wins reader sees 3
    "duplicate-member-name.json": b'3, "valueInteger": 1',
    "lone-surrogate.json": b'"liver \\ud800"',
}
"""Cases written as JSON with PLACEHOLDER, then given these bytes in its place."""


def _many_bad_entries(m: Json) -> None:
    m["entry"].extend({"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
                       "resource": {"resourceType": "Observaton"}} for i in range(500))


def _other_patient(at: int, key: str) -> Callable[[Json], None]:
    return _set(lambda m: m["entry"][at]["resource"], key, {"reference": "Patient/someone-else"})


def _two_values(m: Json) -> None:
    lesion(m)["component"][2]["valueString"] = "3"


Case = tuple[str, Callable[[Json], None] | bytes, str, int, list[str]]
CASES: list[Case] = [
    ("not-json.txt", b"MSH|^~\\&|RIS|HOSP|SSTR|HOSP|202403051102||ORU^R01|1|P|2.5\r",
     "not-json", 400, ["Bundle"]),
    ("malformed-json.json", b'{"resourceType": "Bundle", "type": "message", "entry": [',
     "malformed-json", 400, ["Bundle"]),
    ("wrong-resource-type.json", lambda m: m.update(resourceType="Parameters"),
     "invalid", 422, ["Bundle"]),
    ("bundle-type-transaction.json", _set(lambda m: m, "type", "transaction"),
     "invalid", 422, ["Bundle.type"]),
    ("first-entry-not-header.json", _swap_header, "invalid", 422, ["Bundle.entry[0].resource"]),
    ("wrong-event-code.json",
     _set(lambda m: m["entry"][0]["resource"]["eventCoding"], "code", "admit-patient"),
     "invalid", 422, ["Bundle.entry[0].resource.eventCoding.code"]),
    ("no-imaging-study.json", lambda m: m["entry"].pop(2), "invalid", 422, ["Bundle.entry"]),
    ("no-lesions.json", _no_lesions, "invalid", 422, ["Bundle.entry"]),
    ("unresolved-focus.json",
     _set(lambda m: lesion(m)["focus"][0], "reference", "urn:uuid:00000000-0000-0000-0000-0"),
     "invalid", 422, [f"{L1}.focus[0].reference"]),
    ("unresolved-derived-from.json",
     _set(lambda m: lesion(m)["derivedFrom"][0], "reference", "ImagingStudy/missing"),
     "invalid", 422, [f"{L1}.derivedFrom[0].reference", f"{L1}.derivedFrom"]),
    ("no-uptake-information.json", _drop_components("uptake-level", "126401"),
     "invalid", 422, [f"{L1}.component"]),
    ("uptake-level-5.json", _set(lambda m: lesion(m)["component"][2], "valueInteger", 5),
     "invalid", 422, [f"{L1}.component[2].valueInteger"]),
    ("negative-suv.json",
     _set(lambda m: lesion(m)["component"][3]["valueQuantity"], "value", -3.2),
     "invalid", 422, [f"{L1}.component[3].valueQuantity.value"]),
    ("nan-suv.json", _set(lambda m: lesion(m)["component"][3]["valueQuantity"], "value", "NaN"),
     "invalid", 422, [f"{L1}.component[3].valueQuantity.value"]),
    ("known-benign-and-highly-suspicious.json", _add_benign,
     "invalid", 422, [f"{L1}.component[5].valueCodeableConcept"]),
    ("site-class-outside-value-set.json",
     _set(lambda m: lesion(m)["component"][0]["valueCodeableConcept"]["coding"][0], "code",
          "somewhere"),
     "invalid", 422, [f"{L1}.component[0].valueCodeableConcept.coding[0].code"]),
    ("correlate-wrong-system.json",
     _set(lambda m: lesion(m)["component"][1]["valueCodeableConcept"]["coding"][0], "system",
          "http://example.org/correlates"),
     "invalid", 422, [f"{L1}.component[1].valueCodeableConcept.coding"]),
    ("suv-wrong-unit.json",
     _set(lambda m: lesion(m)["component"][3]["valueQuantity"], "code", "mg/dL"),
     "invalid", 422, [f"{L1}.component[3].valueQuantity.code"]),
    ("r5-diagnostic-report-study.json", _r5_report,
     "invalid", 422, ["Bundle.entry[9].resource.study"]),
    ("r5-event-canonical.json", _event_canonical,
     "invalid", 422, ["Bundle.entry[0].resource.eventCanonical"]),
    ("r5-observation-triggered-by.json",
     _set(lesion, "triggeredBy", [{"observation": {"reference": "Observation/x"},
                                  "type": "reflex"}]),
     "invalid", 422, [f"{L1}.triggeredBy"]),
    ("r5-modality-codeable-concept.json", _modality_r5,
     "invalid", 422, ["Bundle.entry[2].resource.modality[0]"]),
    ("reference-liver-below-blood-pool.json", _reference_inverted,
     "invalid", 422, ["Bundle.entry[3].resource"]),
    ("duplicate-tracking-id.json", _duplicate_tracking_id,
     "invalid", 422, ["Bundle.entry[8].resource.focus[0]"]),
    ("lesion-subject-differs.json", _other_subject, "invalid", 422, [f"{L1}.subject"]),
    ("missing-timestamp.json", lambda m: m.pop("timestamp"), "invalid", 422, ["Bundle.timestamp"]),
    ("oversized.json", lambda m: None, "too-large", 413, ["Bundle"]),
    # unknown or misspelled resource types; a finding carried by the wrong type
    ("misspelled-resource-type.json", _resource_type("Observaton"),
     "invalid", 422, [f"{L1}.resourceType"]),
    ("lowercase-resource-type.json", _resource_type("observation"),
     "invalid", 422, [f"{L1}.resourceType"]),
    ("resource-type-number.json", _resource_type(5), "invalid", 422, [L1]),
    ("finding-carried-by-basic.json", _finding_as_basic, "invalid", 422, [f"{L1}.resourceType"]),
    ("contained-unknown-type.json",
     _set(lambda m: m["entry"][2]["resource"], "contained", [{"resourceType": "Observaton"}]),
     "invalid", 422, ["Bundle.entry[2].resource.contained[0].resourceType"]),
    ("finding-hidden-in-contained.json", _contained_finding,
     "invalid", 422, ["Bundle.entry[2].resource.contained[0]"]),
    # ambiguous messages: two answers where the rules read one
    ("two-focus-body-structures.json", _two_focus, "invalid", 422, [f"{L1}.focus"]),
    ("disagreeing-site-class-codings.json", _disagreeing_codings,
     "invalid", 422, [f"{L1}.component[0].valueCodeableConcept.coding"]),
    ("two-suv-derivations.json", _two_derivations,
     "invalid", 422, [f"{L1}.component[3].extension"]),
    ("second-message-header.json", _second_header, "invalid", 422, ["Bundle.entry[9].resource"]),
    ("same-type-and-id-twice.json", _same_type_id, "invalid", 422, ["Bundle.entry[8].resource.id"]),
    ("full-url-names-another-id.json", _full_url_other_id,
     "invalid", 422, ["Bundle.entry[1].fullUrl"]),
    # calendar-invalid dates, times and offsets
    ("biopsy-date-february-30.json", _context_item(3, "valueDateTime", "2023-02-30"),
     "invalid", 422, [f"{CTX}.component[3].valueDateTime"]),
    ("started-year-0000.json",
     _set(lambda m: m["entry"][2]["resource"], "started", "0000-03-05T09:30:00+01:00"),
     "invalid", 422, ["Bundle.entry[2].resource.started"]),
    ("timestamp-offset-25-99.json", _set(lambda m: m, "timestamp", "2024-03-05T11:02:00+25:99"),
     "invalid", 422, ["Bundle.timestamp"]),
    # duplicate member names
    ("duplicate-member-name.json", _placeholder_at(lambda m: lesion(m)["component"][2],
                                                   "valueInteger"),
     "invalid", 422, [f"{L1}.component[2].valueInteger"]),
    # characters an echoed string may not hold
    ("control-character-in-text.json",
     _set(lambda m: lesion(m)["bodySite"], "text", "liver\u001b[2J"),
     "invalid", 422, [f"{L1}.bodySite.text"]),
    ("nul-in-display.json",
     _set(lambda m: lesion(m)["bodySite"]["coding"][0], "display", "Liver\u0000"),
     "invalid", 422, [f"{L1}.bodySite.coding[0].display"]),
    ("noncharacter-in-text.json", _context_item(5, "valueString", "fatigue\ufffe"),
     "invalid", 422, [f"{CTX}.component[5].valueString"]),
    ("bidi-override-in-text.json",
     _set(lambda m: lesion(m)["bodySite"], "text", "liver \u202ecitatsatem on\u202c"),
     "invalid", 422, [f"{L1}.bodySite.text"]),
    ("lone-surrogate.json", _placeholder_at(lambda m: lesion(m)["bodySite"], "text"),
     "malformed-json", 400, ["Bundle"]),
    # modifiers the adapter does not understand
    ("unknown-modifier-extension.json",
     _set(lesion, "modifierExtension", [{"url": "https://example.org/not-really",
                                         "valueBoolean": True}]),
     "invalid", 422, [f"{L1}.modifierExtension"]),
    ("component-modifier-extension.json",
     _set(lambda m: lesion(m)["component"][2], "modifierExtension",
          [{"url": "https://example.org/estimated", "valueBoolean": True}]),
     "invalid", 422, [f"{L1}.component[2].modifierExtension"]),
    ("implicit-rules.json",
     _set(lambda m: m["entry"][2]["resource"], "implicitRules", "https://example.org/rules"),
     "invalid", 422, ["Bundle.entry[2].resource.implicitRules"]),
    # another patient or another study
    ("reference-uptake-other-patient.json", _other_patient(3, "subject"),
     "invalid", 422, ["Bundle.entry[3].resource.subject"]),
    ("clinical-context-other-patient.json", _other_patient(4, "subject"),
     "invalid", 422, [f"{CTX}.subject"]),
    ("body-structure-other-patient.json", _other_patient(5, "patient"),
     "invalid", 422, ["Bundle.entry[5].resource.patient"]),
    ("reference-uptake-other-study.json",
     _set(lambda m: m["entry"][3]["resource"], "derivedFrom",
          [{"reference": "ImagingStudy/another-study"}]),
     "invalid", 422, ["Bundle.entry[3].resource.derivedFrom[0].reference",
                      "Bundle.entry[3].resource.derivedFrom"]),
    # a unit text that contradicts the UCUM code
    ("unit-contradicts-code.json",
     _set(lambda m: lesion(m)["component"][3]["valueQuantity"], "unit", "mg/dL"),
     "invalid", 422, [f"{L1}.component[3].valueQuantity.unit"]),
    # two value[x] on one element
    ("two-values-on-one-component.json", _two_values,
     "invalid", 422, [f"{L1}.component[2].valueInteger", f"{L1}.component[2].valueString"]),
    # a wrong JSON type, null or an empty array on an element that is read (the declaration)
    ("boolean-uptake-level.json", _set(lambda m: lesion(m)["component"][2], "valueInteger", True),
     "invalid", 422, [f"{L1}.component[2].valueInteger"]),
    ("decimal-uptake-level.json", _set(lambda m: lesion(m)["component"][2], "valueInteger", 2.0),
     "invalid", 422, [f"{L1}.component[2].valueInteger"]),
    ("status-number.json", _set(lesion, "status", 5), "invalid", 422, [f"{L1}.status"]),
    ("null-text.json", _set(lambda m: lesion(m)["bodySite"], "text", None),
     "invalid", 422, [f"{L1}.bodySite.text"]),
    ("empty-coding-array.json", _set(lambda m: lesion(m)["bodySite"], "coding", []),
     "invalid", 422, [f"{L1}.bodySite.coding"]),
    ("suv-as-string.json", _set(lambda m: lesion(m)["component"][3]["valueQuantity"], "value", "9"),
     "invalid", 422, [f"{L1}.component[3].valueQuantity.value"]),
    ("component-not-an-array.json", _set(lesion, "component", {"code": {}}),
     "invalid", 422, [f"{L1}.component"]),
    # a bounded answer: 500 bad entries give 100 issues and one summary
    ("many-bad-entries.json", _many_bad_entries,
     "invalid", 422, ["Bundle.entry[9].resource.resourceType", "Bundle"]),
]
LIMITS = {"oversized.json": 4096}
"""Cases scored with a smaller SSTR_MAX_MESSAGE_BYTES than the default."""


def build() -> list[dict[str, Any]]:
    manifest = []
    for name, mutation, reason, status, expressions in CASES:
        if isinstance(mutation, bytes):
            body = mutation
        else:
            message = copy.deepcopy(base())
            mutation(message)
            body = orjson.dumps(message, option=orjson.OPT_INDENT_2) + b"\n"
            if name in RAW:
                body = _raw(body, RAW[name])
        (HERE / name).write_bytes(body)
        case: dict[str, Any] = {"file": name, "reason": reason, "http_status": status,
                                "expressions": expressions}
        if name in LIMITS:
            case["max_message_bytes"] = LIMITS[name]
        manifest.append(case)
    (HERE / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return manifest


if __name__ == "__main__":
    for case in build():
        print(case["file"])
