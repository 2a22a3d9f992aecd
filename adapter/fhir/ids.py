"""Deterministic ids: UUIDv5 of the input message id, the study UID and the resource's role.

The same input always yields the same ids, so a redelivered message produces a
byte-identical answer that receivers recognise (idempotent conditional updates).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from adapter.fhir import codes

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, codes.CANONICAL_BASE)


@dataclass(frozen=True, slots=True)
class OutputIds:
    message_id: str
    study_uid: str

    def id(self, role: str, lesion_id: str | None = None) -> str:
        name = f"{self.message_id}|{self.study_uid}|{role}"
        if lesion_id is not None:
            name += f"|{lesion_id}"
        return str(uuid.uuid5(NAMESPACE, name))

    def url(self, role: str, lesion_id: str | None = None) -> str:
        return f"urn:uuid:{self.id(role, lesion_id)}"
