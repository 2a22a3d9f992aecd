"""The inputs the benchmarks send: the reference message and synthetic ones with N lesions.

Each input sent to the broker gets its own message id (the MessageHeader id is replaced
everywhere it occurs, so ``fullUrl`` and references stay consistent): outputs are matched
to inputs by ``correlation_id`` and a worker never sees the same message twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import orjson

import adapter

REFERENCE_PATH = (
    Path(adapter.__file__).resolve().parent.parent
    / "fhir_profiles"
    / "examples"
    / "reference-5-lesions-input.json"
)
"""The reference message of issue 6: a study with 5 lesions and full clinical context."""


class MessageUnavailableError(RuntimeError):
    """A message the benchmark needs cannot be built yet (its module has not landed)."""


def reference_message() -> bytes:
    """The reference message's bytes as committed."""
    if not REFERENCE_PATH.exists():
        raise MessageUnavailableError(f"{REFERENCE_PATH.name} is not in fhir_profiles/examples")
    return REFERENCE_PATH.read_bytes()


def synthetic_message(lesions: int) -> bytes:
    """A valid input message with ``lesions`` lesions (adapter.tools.synthetic)."""
    try:
        from adapter.tools import synthetic
    except ModuleNotFoundError as exc:
        raise MessageUnavailableError("adapter.tools.synthetic has not landed") from exc
    return orjson.dumps(synthetic.synthetic_message(lesions, key="bench"))


def message_id_of(body: bytes) -> str:
    """The input's message id: MessageHeader.id (first entry), else Bundle.id."""
    bundle = orjson.loads(body)
    entries = bundle.get("entry") or []
    header = entries[0].get("resource", {}) if entries else {}
    found = header.get("id") if header.get("resourceType") == "MessageHeader" else None
    found = found or bundle.get("id")
    if not isinstance(found, str) or not found:
        raise ValueError("the message has neither a MessageHeader id nor a Bundle id")
    return found


def unique_ids(body: bytes, salt: str) -> Callable[[int], tuple[str, bytes]]:
    """A source of copies of ``body``, the index-th with its own deterministic message id."""
    original = message_id_of(body).encode()
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"sstr-bench/{salt}")

    def source(index: int) -> tuple[str, bytes]:
        message_id = str(uuid.uuid5(namespace, str(index)))
        return message_id, body.replace(original, message_id.encode())

    return source
