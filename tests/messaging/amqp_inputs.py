"""Real FHIR input messages for the broker tests, with the outputs the pipeline gives them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amqp_support import CRASH_MARKER

from adapter.bootstrap import build_processor
from adapter.service.results import Processed
from adapter.settings import Settings
from adapter.tools.synthetic import build_message

EXAMPLES = Path(__file__).resolve().parents[2] / "fhir_profiles" / "examples"


@dataclass(frozen=True)
class Input:
    message_id: str
    body: bytes
    outputs: tuple[tuple[str, bytes], ...] = ()
    """(output message id, body) the real pipeline gives it: what the worker must publish."""


def fhir_inputs(count: int, key: str) -> list[Input]:
    """``count`` distinct valid messages: the bundled examples, then synthetic studies."""
    processor = build_processor(Settings())
    bodies = [p.read_bytes() for p in sorted(EXAMPLES.glob("*-input.json"))][:count]
    bodies += [build_message(lesions=1 + i % 5, key=f"{key}-{i}")
               for i in range(count - len(bodies))]
    inputs = []
    for body in bodies:
        outcome = processor(body)
        assert isinstance(outcome, Processed), "test inputs must be valid"
        inputs.append(Input(outcome.message_id, body,
                            tuple((o.message_id, o.body) for o in outcome.outputs)))
    return inputs


def invalid_inputs(count: int, key: str) -> list[Input]:
    """Bad input the pipeline rejects: broken JSON, a bundle with no message header, ..."""
    shapes = [b"{not json", b'{"resourceType":"Bundle","type":"message","entry":[]}',
              b'{"resourceType":"Patient"}', b"[]"]
    return [Input(f"invalid-{key}-{i}", shapes[i % len(shapes)]) for i in range(count)]


def crashing_input(valid: Input, index: int) -> Input:
    """A valid message that the test hook turns into a worker crash (os._exit)."""
    body = valid.body[:-1] + b',"_comment":"' + CRASH_MARKER.encode() + b'"}'
    return Input(f"crash-{index}-{valid.message_id}", body)
