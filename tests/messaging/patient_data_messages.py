"""A recognisable (fictional) patient in real input messages, for the worker log tests.

Also the processor factory the worker's ``SSTR_TEST_PROCESSOR`` hook loads
(``patient_data_messages:quoting_processor``): the real pipeline, except that an input
carrying :data:`QUOTE_MARKER` raises an exception whose message quotes the whole input,
as a careless bug deep in a library might.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson

from adapter.bootstrap import build_processor
from adapter.service.results import MessageProcessor, Outcome
from adapter.settings import load_settings

EXAMPLES = Path(__file__).resolve().parents[2] / "fhir_profiles" / "examples"
# The same fictional patient as the HTTP log test.
GIVEN, FAMILY, MRN, BIRTH = "Zzyzx", "Qwertyson", "MRN-8675309-UNIQUE", "1901-02-03"
PATIENT_DATA = (GIVEN, FAMILY, MRN, "8675309", BIRTH)
QUOTE_MARKER = "quote-the-input-9b2e"
MAX_MESSAGE_BYTES = 64_000
"""``SSTR_MAX_MESSAGE_BYTES`` for the workers: the ``oversized`` input is larger."""

VALID = ("figure-08", "figure-01")
"""Valid inputs (figure 8 also gives a tumour-board message)."""
REJECTED = {"no-lesions": "invalid", "uptake-level-is-the-mrn": "invalid",
            "site-class-is-the-name": "invalid", "not-json": "not-json",
            "oversized": "too-large"}
"""Inputs the pipeline rejects, with the reason they are dead-lettered for."""
RAISES = "processor-raises"
"""An input that makes the processor raise, quoting the input."""


def with_patient(message: dict[str, Any]) -> dict[str, Any]:
    """The message about our patient: name, identifier, birth date, and every reference display."""
    message = copy.deepcopy(message)
    display = f"{GIVEN} {FAMILY} ({MRN}, born {BIRTH})"
    for entry in message["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Patient":
            resource.update(name=[{"family": FAMILY, "given": [GIVEN], "text": display}],
                            birthDate=BIRTH,
                            identifier=[{"system": "urn:example:mrn", "value": MRN}])
        for key in ("subject", "patient"):
            if key in resource:
                resource[key]["display"] = display
    return message


def _example(name: str) -> dict[str, Any]:
    return with_patient(orjson.loads((EXAMPLES / f"{name}-input.json").read_bytes()))


def _is_lesion(resource: dict[str, Any]) -> bool:
    return bool(resource["resourceType"] == "Observation"
                and resource["code"]["coding"][0]["code"] == "lesion-finding")


def messages(crash_marker: str | None = None) -> dict[str, bytes]:
    """Name -> input body, every one about the patient; with ``crash_marker``, a ``crash``
    input too (the worker's crash hook exits the process on it)."""
    out = {name: orjson.dumps(_example(name)) for name in VALID}
    base = _example("figure-08")

    no_lesions = copy.deepcopy(base)
    no_lesions["entry"] = [e for e in no_lesions["entry"] if not _is_lesion(e["resource"])]
    out["no-lesions"] = orjson.dumps(no_lesions)

    uptake = copy.deepcopy(base)
    _set_first_lesion(uptake, "uptake-level", {"valueInteger": MRN})
    out["uptake-level-is-the-mrn"] = orjson.dumps(uptake)

    site = copy.deepcopy(base)
    _set_first_lesion(site, "site-class", {"valueCodeableConcept": {"coding": [{
        "system": "https://fhir.sstr-adapter.org/CodeSystem/sstr-site-class",
        "code": f"{GIVEN} {FAMILY}", "display": f"{GIVEN} {FAMILY} {MRN}"}]}})
    out["site-class-is-the-name"] = orjson.dumps(site)

    out["not-json"] = f"{GIVEN} {FAMILY} {MRN} {BIRTH}".encode()
    padded = copy.deepcopy(base)
    padded["entry"][0]["resource"]["_note"] = f" {GIVEN} {FAMILY} {MRN} {BIRTH}" * 2_000
    out["oversized"] = orjson.dumps(padded)
    assert len(out["oversized"]) > MAX_MESSAGE_BYTES

    raises = copy.deepcopy(base)
    raises["id"] = QUOTE_MARKER
    out[RAISES] = orjson.dumps(raises)
    if crash_marker is not None:
        crash = copy.deepcopy(base)
        crash["id"] = crash_marker
        out["crash"] = orjson.dumps(crash)
    return out


def _set_first_lesion(message: dict[str, Any], code: str, value: dict[str, Any]) -> None:
    for entry in message["entry"]:
        if _is_lesion(entry["resource"]):
            for component in entry["resource"]["component"]:
                if component["code"]["coding"][0]["code"] == code:
                    for key in [k for k in component if k.startswith("value")]:
                        del component[key]
                    component.update(value)
                    return
    raise AssertionError(f"no lesion component {code}")


def quoting_processor() -> MessageProcessor:
    """The ``SSTR_TEST_PROCESSOR`` factory: the real pipeline (from the worker's settings),
    raising ``ValueError`` quoting the whole input when it carries :data:`QUOTE_MARKER`."""
    pipeline = build_processor(load_settings())
    marker = QUOTE_MARKER.encode()

    def process(body: bytes) -> Outcome:
        if marker in body:
            raise ValueError(body.decode())
        return pipeline(body)

    return process
