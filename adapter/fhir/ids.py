"""Deterministic ids: UUIDv5 of the input message id, the study UID and the resource's role.

The same input always yields the same ids, so a redelivered message produces a
byte-identical answer that receivers recognise (idempotent conditional updates).
"""

from __future__ import annotations

import hashlib
import uuid

from adapter.fhir import codes

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, codes.CANONICAL_BASE)
_NAMESPACE_HASH = hashlib.sha1(NAMESPACE.bytes)
# The variant nibble (hex digit 16) keeps its two low bits under the RFC 4122 variant 10xx.
_VARIANT = {d: "89ab"[int(d, 16) & 0x3] for d in "0123456789abcdef"}
# The same as bits of the 128-bit integer: version 5 in bits 76-79, variant 10 in bits 62-63.
_VERSION_VARIANT_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_VARIANT_BITS = (5 << 76) | (0x8000 << 48)


def _format(h: str) -> str:
    """A SHA-1 hex digest as a UUIDv5 string: version digit 5, RFC 4122 variant."""
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def uuid5(name: str) -> str:
    """``str(uuid.uuid5(NAMESPACE, name))`` (RFC 4122 section 4.3) without the UUID object.

    About four times faster than the standard library's, which matters at ~30 ids a message.
    """
    hasher = _NAMESPACE_HASH.copy()
    hasher.update(name.encode())
    return _format(hasher.hexdigest())


def uuid5_int(name: str) -> int:
    """``uuid.uuid5(NAMESPACE, name).int`` without the UUID object (DICOM ``2.25`` UIDs)."""
    hasher = _NAMESPACE_HASH.copy()
    hasher.update(name.encode())
    value = int.from_bytes(hasher.digest()[:16])
    return value & _VERSION_VARIANT_MASK | _VERSION_VARIANT_BITS


class OutputIds:
    """The ids (and ``urn:uuid:`` URLs) of one answer; each is computed once.

    Every name starts ``message_id|study_uid|``: that prefix is hashed once per answer and
    the hash state copied for each id. Each id is asked for several times: the caches are
    keyed by ``role`` or ``(role, lesion_id)``, so a repeated question builds no string.
    """

    __slots__ = ("_ids", "_prefix", "_study_ids", "_study_prefix", "_study_urls", "_urls",
                 "message_id", "study_uid")

    def __init__(self, message_id: str, study_uid: str) -> None:
        self.message_id = message_id
        self.study_uid = study_uid
        self._prefix = _NAMESPACE_HASH.copy()
        self._prefix.update(f"{message_id}|{study_uid}|".encode())
        self._study_prefix = _NAMESPACE_HASH.copy()
        self._study_prefix.update(f"study|{study_uid}|".encode())
        self._ids: dict[str | tuple[str, str], str] = {}
        self._urls: dict[str | tuple[str, str], str] = {}
        self._study_ids: dict[str, str] = {}
        self._study_urls: dict[str, str] = {}

    def id(self, role: str, lesion_id: str | None = None) -> str:
        key = role if lesion_id is None else (role, lesion_id)
        found = self._ids.get(key)
        if found is None:
            hasher = self._prefix.copy()
            hasher.update((role if lesion_id is None else f"{role}|{lesion_id}").encode())
            found = self._ids[key] = _format(hasher.hexdigest())
        return found

    def url(self, role: str, lesion_id: str | None = None) -> str:
        key = role if lesion_id is None else (role, lesion_id)
        found = self._urls.get(key)
        if found is None:
            found = self._urls[key] = f"urn:uuid:{self.id(role, lesion_id)}"
        return found

    def study_id(self, role: str) -> str:
        """An id of the study, not of the message: the same for every message about the
        study (a resend, a correction), so receivers update one resource (upsert)."""
        found = self._study_ids.get(role)
        if found is None:
            hasher = self._study_prefix.copy()
            hasher.update(role.encode())
            found = self._study_ids[role] = _format(hasher.hexdigest())
        return found

    def study_url(self, role: str) -> str:
        found = self._study_urls.get(role)
        if found is None:
            found = self._study_urls[role] = f"urn:uuid:{self.study_id(role)}"
        return found
