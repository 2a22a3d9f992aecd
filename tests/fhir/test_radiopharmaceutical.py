"""The radiopharmaceutical: bound extensibly to DICOM CID 4021, extended by project codes.

A code of the value set is read with its label; another code is accepted when the concept
names the tracer (text or display), since no rule reads the tracer, and the report shows that
name as given; a code the project's own CodeSystem does not define is refused.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from adapter.fhir import codes
from adapter.fhir.parse import parse_message
from adapter.fhir.problems import InvalidMessageError
from tests.fhir.conftest import report_of, resources

TRACER = "Bundle.entry[2].resource.extension[0].valueCodeableConcept"
LOCAL = "urn:example:local-tracers"


def _tracer(m: dict[str, Any]) -> dict[str, Any]:
    study = m["entry"][2]["resource"]
    assert study["extension"][0]["url"] == codes.EXT_RADIOPHARMACEUTICAL
    concept: dict[str, Any] = study["extension"][0]["valueCodeableConcept"]
    return concept


def _send(m: dict[str, Any], concept: dict[str, Any]) -> dict[str, Any]:
    m["entry"][2]["resource"]["extension"][0]["valueCodeableConcept"] = concept
    return m


def _narrative(m: dict[str, Any]) -> str:
    (report,) = resources(report_of(m), "DiagnosticReport")
    div: str = report["text"]["div"]
    return div


def _rejected(m: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidMessageError) as info:
        parse_message(orjson.dumps(m))
    return {i.expression: i.diagnostics for i in info.value.issues}


def test_the_example_messages_send_68ga_dotatoc_with_its_cid_4021_umls_code(
    message: dict[str, Any],
) -> None:
    assert _tracer(message)["coding"] == [{"system": codes.UMLS, "code": "C2713594"}]
    assert codes.UMLS == "http://www.nlm.nih.gov/research/umls"


@pytest.mark.parametrize(
    ("system", "code", "label"),
    [
        (codes.SNOMED, "724025002", "68Ga-DOTATATE"),
        (codes.UMLS, "C2713594", "68Ga-DOTATOC"),
        (codes.CS_TRACER, "ga68-dotanoc", "68Ga-DOTANOC"),
        (codes.CS_TRACER, "ga68-nodaga-jr11", "68Ga-NODAGA-JR11"),
    ],
)
def test_each_code_of_the_value_set_is_read_with_its_label(
    message: dict[str, Any], system: str, code: str, label: str
) -> None:
    _send(message, {"coding": [{"system": system, "code": code}]})

    inputs = parse_message(orjson.dumps(message)).report_inputs

    assert inputs.radiopharmaceutical == {"system": system, "code": code}
    assert inputs.radiopharmaceutical_label == label
    assert f"<dt>Radiopharmaceutical</dt><dd>{label}</dd>" in _narrative(message)


def test_a_code_of_the_value_set_is_found_beside_a_local_code(message: dict[str, Any]) -> None:
    _send(message, {"coding": [{"system": LOCAL, "code": "T-9", "display": "Ga DOTATATE"},
                               {"system": codes.SNOMED, "code": "724025002"}]})

    inputs = parse_message(orjson.dumps(message)).report_inputs

    assert inputs.radiopharmaceutical == {"system": codes.SNOMED, "code": "724025002"}
    assert inputs.radiopharmaceutical_label == "68Ga-DOTATATE"


@pytest.mark.parametrize(
    ("concept", "name"),
    [
        ({"coding": [{"system": LOCAL, "code": "T-17"}], "text": "68Ga-satoreotide"},
         "68Ga-satoreotide"),
        ({"coding": [{"system": LOCAL, "code": "T-17", "display": "68Ga-OPS202"}]},
         "68Ga-OPS202"),
        ({"coding": [{"system": codes.SNOMED, "code": "781259000"}], "text": "Lu-177 tracer"},
         "Lu-177 tracer"),
        ({"text": "64Cu-DOTATATE"}, "64Cu-DOTATATE"),
    ],
    ids=["local-code-with-text", "local-code-with-display", "other-snomed-code", "text-only"],
)
def test_a_tracer_outside_the_value_set_is_reported_by_the_name_it_was_sent_with(
    message: dict[str, Any], concept: dict[str, Any], name: str
) -> None:
    _send(message, concept)

    inputs = parse_message(orjson.dumps(message)).report_inputs
    div = _narrative(message)

    assert inputs.radiopharmaceutical is None
    assert inputs.radiopharmaceutical_label == name
    assert (f"<dt>Radiopharmaceutical</dt><dd>{name} (as given; not a DICOM CID 4021 code)"
            "</dd>") in div


def test_a_tracer_outside_the_value_set_is_repeated_as_sent_in_the_answer(
    message: dict[str, Any],
) -> None:
    concept = {"coding": [{"system": LOCAL, "code": "T-17", "display": "68Ga-OPS202"}],
               "text": "68Ga-satoreotide"}
    _send(message, concept)

    (study,) = resources(report_of(message), "ImagingStudy")

    assert study["extension"][0] == {"url": codes.EXT_RADIOPHARMACEUTICAL,
                                     "valueCodeableConcept": concept}


def test_a_bare_code_outside_the_value_set_names_nothing_and_is_refused(
    message: dict[str, Any],
) -> None:
    _send(message, {"coding": [{"system": LOCAL, "code": "T-17"}]})

    problems = _rejected(message)

    assert "needs a text or display naming it" in problems[TRACER]


def test_a_blank_name_is_no_name_and_is_refused(message: dict[str, Any]) -> None:
    _send(message, {"coding": [{"system": LOCAL, "code": "T-17", "display": " "}], "text": "  "})

    problems = _rejected(message)

    assert {f"{TRACER}.text", f"{TRACER}.coding[0].display"} <= set(problems)


def test_the_retired_project_code_for_dotatoc_is_refused_with_the_code_to_send(
    message: dict[str, Any],
) -> None:
    _send(message, {"coding": [{"system": codes.CS_TRACER, "code": "ga68-dotatoc"}],
                    "text": "68Ga-DOTATOC"})

    problems = _rejected(message)

    assert f"send {codes.UMLS}#C2713594 instead" in problems[f"{TRACER}.coding[0].code"]


def test_a_code_the_project_code_system_does_not_define_is_refused_even_when_named(
    message: dict[str, Any],
) -> None:
    _send(message, {"coding": [{"system": codes.CS_TRACER, "code": "ga68-pentixafor"}],
                    "text": "68Ga-Pentixafor"})

    problems = _rejected(message)

    assert "not a code of CodeSystem sstr-radiopharmaceutical" in (
        problems[f"{TRACER}.coding[0].code"])


@pytest.mark.parametrize("hostile", ["\x00", "\x1b[2J", "\u202e", "\ufffe"])
def test_a_tracer_name_that_is_not_a_valid_fhir_string_is_refused(
    message: dict[str, Any], hostile: str
) -> None:
    _send(message, {"coding": [{"system": LOCAL, "code": "T-17"}],
                    "text": f"68Ga{hostile}-satoreotide"})

    problems = _rejected(message)

    assert any(path.startswith(TRACER) for path in problems)
