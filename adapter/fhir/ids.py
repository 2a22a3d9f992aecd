"""Deterministic ids: UUIDv5 of the input message id, the study UID and the resource's role.

The same input always yields the same ids, so a redelivered message produces a
byte-identical answer that receivers recognise (idempotent conditional updates).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from adapter.fhir import codes

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, codes.CANONICAL_BASE)
_NAMESPACE_BYTES = NAMESPACE.bytes


def uuid5(name: str) -> str:
    """``str(uuid.uuid5(NAMESPACE, name))`` (RFC 4122 section 4.3) without the UUID object.

    About four times faster than the standard library's, which matters at ~30 ids a message.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(slots=True)
class OutputIds:
    """The ids of one answer; each is computed once."""

    message_id: str
    study_uid: str
    _cache: dict[tuple[str, str | None], str] = field(default_factory=dict, repr=False)

    def id(self, role: str, lesion_id: str | None = None) -> str:
        key = (role, lesion_id)
        found = self._cache.get(key)
        if found is None:
            name = f"{self.message_id}|{self.study_uid}|{role}"
            if lesion_id is not None:
                name += f"|{lesion_id}"
            found = self._cache[key] = uuid5(name)
        return found

    def url(self, role: str, lesion_id: str | None = None) -> str:
        return f"urn:uuid:{self.id(role, lesion_id)}"
