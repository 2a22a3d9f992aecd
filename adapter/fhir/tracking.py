"""The lesion BodyStructure as the answer repeats it, with the DICOM tracking identifiers.

DICOM SR TID 1500 and the HL7 DICOM SR to FHIR guide identify a tracked finding by a
Tracking Identifier (DCM 112039, human-readable: the sender's lesion id) and a Tracking UID
(DCM 112040, a DICOM UID). The UID is the ``2.25`` OID of a UUIDv5 of the patient's first
identifier (else the Study Instance UID) and the lesion id: the same lesion id of the same
patient has the same Tracking UID in every study.
"""

from __future__ import annotations

from typing import Any

from adapter.fhir import codes
from adapter.fhir.ids import uuid5_int
from adapter.fhir.message import ParsedMessage

Json = dict[str, Any]
_TRACKING_ID_TYPE: Json = {"coding": [{"system": codes.DCM, "code": codes.DCM_TRACKING_IDENTIFIER,
                                       "display": "Tracking Identifier"}]}
_TRACKING_UID_TYPE: Json = {"coding": [{"system": codes.DCM, "code": codes.DCM_TRACKING_UID,
                                        "display": "Tracking UID"}]}


def _patient_key(parsed: ParsedMessage) -> str:
    if parsed.patient is not None:
        for ident in parsed.patient.resource.get("identifier", []):
            if ident.get("value"):
                return f"{ident.get('system', '')}|{ident['value']}"
    return f"study|{parsed.study_uid}"


def tracking_uid(patient_key: str, lesion_id: str) -> str:
    return f"2.25.{uuid5_int(f'tracking|{patient_key}|{lesion_id}')}"


def tracked_body_structures(parsed: ParsedMessage) -> list[tuple[str, Json]]:
    """(fullUrl, BodyStructure) of every lesion, as the answer repeats it."""
    key = _patient_key(parsed)
    return [(source.body_structure.full_url, {
        **source.body_structure.resource,
        "identifier": [
            {"type": _TRACKING_ID_TYPE, "system": codes.ID_LESION_TRACKING,
             "value": source.lesion_id},
            {"type": _TRACKING_UID_TYPE, "system": codes.DICOM_UID,
             "value": f"urn:oid:{tracking_uid(key, source.lesion_id)}"},
        ],
    }) for source in parsed.lesions]
