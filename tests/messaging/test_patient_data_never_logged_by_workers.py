"""No patient data reaches the workers' output, at any log level, on any path.

The real ``sstr-adapter run`` runs as a subprocess at ``SSTR_LOG_LEVEL=DEBUG``, once against
the real RabbitMQ (unique queue names) and once on the file drop, over inputs about a
recognisable fictional patient (name, identifier, birth date, also in reference displays):
valid messages, validation failures (no lesions, the MRN as an uptake level, the name as a
site-class code, not JSON, too large), a processor exception whose message quotes the whole
input and, on AMQP, a poison message that kills the worker until the broker dead-letters it. Then
``sstr-adapter dlq list`` and ``dlq show ID`` (without ``--body``) read the dead letters.
Everything every process wrote to stdout and stderr is searched for the patient's data,
as raw text and as the values of each JSON log line; each path is checked to have happened.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from amqp_support import CRASH_MARKER, HERE, REPO, Collected, Names, Worker, publish, queue_depth
from patient_data_messages import (
    MAX_MESSAGE_BYTES,
    PATIENT_DATA,
    RAISES,
    REJECTED,
    VALID,
    messages,
)

from adapter.bootstrap import build_processor
from adapter.cli.run import CRASH_EXIT_STATUS
from adapter.messaging.dropdir import DropDir
from adapter.service.results import OutputKind, Processed
from adapter.settings import Settings

DEBUG_HOOKS = {"SSTR_LOG_LEVEL": "DEBUG", "SSTR_MAX_MESSAGE_BYTES": str(MAX_MESSAGE_BYTES),
               "SSTR_ENABLE_TEST_HOOKS": "1",
               "SSTR_TEST_PROCESSOR": "patient_data_messages:quoting_processor"}
DEADLINE_S = 60.0


def _strings(value: Any) -> Iterator[str]:
    """Every key and scalar value in a decoded JSON document, as text."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    else:
        yield str(value)


def _json_lines(text: str) -> list[dict[str, Any]]:
    entries = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                entries.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue  # still searched as raw text
    return entries


def _leaks(outputs: dict[str, str]) -> list[str]:
    """Where patient data shows up: in the raw text or in a JSON log line's values."""
    found = []
    for where, text in outputs.items():
        found += [f"{value!r} in {where}" for value in PATIENT_DATA if value in text]
        for entry in _json_lines(text):
            strings = list(_strings(entry))
            found += [f"{value!r} in a JSON log line of {where}: {entry}"
                      for value in PATIENT_DATA if any(value in s for s in strings)]
    return found


def _events(text: str) -> list[dict[str, Any]]:
    return [e for e in _json_lines(text) if "event" in e]


def _expected_outputs(bodies: dict[str, bytes]) -> dict[str, set[tuple[OutputKind, str, bytes]]]:
    """Pipeline message id -> the outputs the real pipeline gives each valid input."""
    pipeline = build_processor(Settings())
    expected = {}
    for name in VALID:
        outcome = pipeline(bodies[name])
        assert isinstance(outcome, Processed)
        expected[outcome.message_id] = {(o.kind, o.message_id, o.body) for o in outcome.outputs}
    return expected


# --- AMQP ------------------------------------------------------------------------------


def _keep_a_worker_running_until(names: Names, start_worker: Callable[..., Worker],
                                 workers: list[Worker], dead: int, reports: int) -> None:
    """Restart the worker whenever the poison message kills it, until the dead-letter and
    report queues hold this many messages and the input queue is empty."""
    s = names.settings
    deadline = time.monotonic() + DEADLINE_S
    while (depths := [queue_depth(q) for q in (s.dead_letter_queue, s.report_queue,
                                               s.input_queue)]) != [dead, reports, 0]:
        assert time.monotonic() < deadline, f"{depths}\n" + "\n".join(w.log() for w in workers)
        if workers[-1].process.poll() is not None:
            workers.append(start_worker(len(workers), **DEBUG_HOOKS))
        time.sleep(0.05)
    if workers[-1].process.poll() is not None:  # the poison message's last victim
        workers.append(start_worker(len(workers), **DEBUG_HOOKS))
    workers[-1].wait_consuming()


def _dlq(names: Names, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "adapter.cli", "dlq", *args],
                          env=names.env(SSTR_LOG_LEVEL="DEBUG"), cwd=REPO,
                          capture_output=True, text=True, timeout=DEADLINE_S)


@pytest.mark.broker
def test_the_amqp_worker_and_the_dlq_commands_never_show_patient_data(
    names: Names, start_worker: Callable[..., Worker],
) -> None:
    bodies = messages(CRASH_MARKER)
    ids = {name: f"{name}-{names.suffix}" for name in bodies}
    dead_names = [*REJECTED, RAISES, "crash"]
    workers = [start_worker(0, **DEBUG_HOOKS)]

    # The poison message last, alone: a crash with other inputs unacked would have those
    # redelivered, and dead letters published twice (at-least-once) would blur the counts.
    publish(names, ((ids[name], body) for name, body in bodies.items() if name != "crash"))
    _keep_a_worker_running_until(names, start_worker, workers, len(dead_names) - 1, len(VALID))
    publish(names, [(ids["crash"], bodies["crash"])])
    _keep_a_worker_running_until(names, start_worker, workers, len(dead_names), len(VALID))
    assert workers[-1].stop() == 0, workers[-1].log()
    listing = _dlq(names, "list")
    shown = {name: _dlq(names, "show", ids[name]) for name in dead_names}
    collected = Collected()
    collected.drain(names)

    outputs = {f"worker {i} {kind}": text for i, w in enumerate(workers)
               for kind, text in (("stderr", w.log()), ("stdout", w.summary()))}
    outputs |= {"dlq list stdout": listing.stdout, "dlq list stderr": listing.stderr}
    for name, done in shown.items():
        outputs |= {f"dlq show {name} stdout": done.stdout, f"dlq show {name} stderr": done.stderr}
    assert _leaks(outputs) == []

    # Every path happened: outputs published, each dead letter there for its reason...
    for message_id, expected in _expected_outputs(bodies).items():
        published = {(OutputKind.REPORT, r.message_id, r.body)
                     for r in collected.reports[message_id]}
        published |= {(OutputKind.TUMOUR_BOARD, r.message_id, r.body)
                      for r in collected.boards.get(message_id, [])}
        assert published == expected
    assert any(collected.boards.values()), "a tumour-board message was published"
    assert collected.reasons() == {
        **{ids[name]: reason for name, reason in REJECTED.items()},
        ids[RAISES]: "unexpected-error", ids["crash"]: "broker:delivery_limit"}
    # ... the poison message killed a worker on every delivery ...
    delivery_limit = names.settings.delivery_limit
    crashes = [w.process.returncode for w in workers[:-1]]
    assert crashes == [CRASH_EXIT_STATUS] * (delivery_limit + 1)
    # ... the exception was logged (by type) on every attempt, and DEBUG was on ...
    events = [e for w in workers for e in _events(w.log())]
    failed = [e for e in events if e["event"] == "processing failed"]
    assert [(e["exc_type"], e["message_id"]) for e in failed] \
        == [("ValueError", ids[RAISES])] * (delivery_limit + 1)
    assert any(e["level"] == "DEBUG" and e["event"] == "processed" for e in events)
    # ... and the dlq commands listed and showed every dead letter.
    assert listing.returncode == 0, listing.stderr
    assert f"{len(dead_names)} dead letter(s) shown" in listing.stdout
    for name in dead_names:
        assert ids[name] in listing.stdout
        assert shown[name].returncode == 0, shown[name].stderr
        assert f"reason:      {collected.reasons()[ids[name]]}" in shown[name].stdout
        assert "outcome:" in shown[name].stdout and "body:" not in shown[name].stdout


# --- file drop -------------------------------------------------------------------------


def test_the_file_drop_worker_never_shows_patient_data(tmp_path: Path) -> None:
    bodies = messages()
    drop = DropDir(tmp_path / "drop")
    drop.ensure()
    files = {name: f"in-{i:02d}.json" for i, name in enumerate(bodies)}
    for name, body in bodies.items():
        (drop.inbox / files[name]).write_bytes(body)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSTR_")}
    env |= DEBUG_HOOKS | {"SSTR_METRICS_PORT": "0",
                          "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE)])}

    done = subprocess.run(
        [sys.executable, "-m", "adapter.cli", "run", "--once", "--drop-dir", str(drop.root)],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=DEADLINE_S)

    assert _leaks({"stdout": done.stdout, "stderr": done.stderr}) == []
    # Every path happened: outputs written, each dead letter there for its reason ...
    assert done.returncode == 0, done.stderr
    written = {(kind, p.stem, p.read_bytes())
               for kind in OutputKind for p in (drop.outbox / kind.value).glob("*.json")}
    assert written == set().union(*_expected_outputs(bodies).values())
    reasons = {p.name.removesuffix(".reason"): p.read_text().strip()
               for p in drop.dead_letter.glob("*.reason")}
    assert reasons == {**{files[name]: reason for name, reason in REJECTED.items()},
                       files[RAISES]: "crash"}
    # ... and the exception was logged (by type only) on every attempt.
    raised = [e for e in _events(done.stderr) if e["event"] == "pipeline raised"]
    assert [e["exc_type"] for e in raised] == ["ValueError"] * (Settings().delivery_limit + 1)
    assert os.listdir(drop.inbox) == [] and os.listdir(drop.work) == []
