"""The file-drop transport in one process: outcomes, retries, recovery, stop, shared inbox."""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from filedrop_fakes import PATIENT_NAME, FakeProcessor, fake_input, report_name
from hypothesis import given
from hypothesis import strategies as st

from adapter.messaging.dropdir import DropDir, WorkLease, split_attempt, with_attempt
from adapter.messaging.filedrop import FileDropSummary, run_filedrop
from adapter.observability import JsonFormatter, Metrics
from adapter.service.results import Outcome
from adapter.settings import Settings


def drop_files(root: Path, inputs: dict[str, bytes]) -> DropDir:
    drop = DropDir(root)
    drop.ensure()
    for name, body in inputs.items():
        (drop.inbox / name).write_bytes(body)
    return drop


def drain(root: Path, processor: FakeProcessor, **settings: object) -> FileDropSummary:
    return run_filedrop(Settings(drop_dir=root, **settings), processor, once=True,  # type: ignore[arg-type]
                        poll_interval_s=0.01, backoff_initial_s=0.01)


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_every_input_becomes_its_outputs_and_leaves_inbox_and_work_empty(tmp_path: Path) -> None:
    inputs = {"a.json": fake_input(1), "b.json": fake_input(2, tumour_board=True)}
    drop = drop_files(tmp_path, inputs)
    metrics = Metrics()

    summary = run_filedrop(Settings(drop_dir=tmp_path), FakeProcessor(), once=True, metrics=metrics)

    assert names(drop.outbox / "report") == {report_name(1), report_name(2)}
    assert names(drop.outbox / "tumour-board") == {"board-msg-0002.json"}
    assert json.loads((drop.outbox / "report" / report_name(2)).read_bytes()) == {
        "report-for": "msg-0002"}
    assert names(drop.inbox) == names(drop.work) == names(drop.dead_letter) == set()
    assert (summary.processed, summary.outputs, summary.rejected) == (2, 3, 0)
    assert metrics.registry.get_sample_value(
        "sstr_messages_out_total", {"transport": "filedrop", "kind": "tumour-board"}) == 1


def test_a_malformed_file_is_dead_lettered_with_its_outcome_and_reason(tmp_path: Path) -> None:
    drop = drop_files(tmp_path, {"broken.json": b"{not json"})

    summary = drain(tmp_path, FakeProcessor())

    assert names(drop.dead_letter) == {"broken.json", "broken.json.outcome.json",
                                       "broken.json.reason"}
    assert (drop.dead_letter / "broken.json").read_bytes() == b"{not json"
    outcome = json.loads((drop.dead_letter / "broken.json.outcome.json").read_bytes())
    assert outcome["resourceType"] == "OperationOutcome"
    assert (drop.dead_letter / "broken.json.reason").read_text() == "invalid-json\n"
    assert names(drop.inbox) == set()
    assert summary.rejected == 1


def test_a_file_that_crashes_the_pipeline_is_retried_then_dead_lettered_as_crash(
    tmp_path: Path,
) -> None:
    inputs = {"poison.json": fake_input(7, crash=True), "ok.json": fake_input(8)}
    drop = drop_files(tmp_path, inputs)
    processor = FakeProcessor()

    summary = drain(tmp_path, processor, delivery_limit=2)

    assert Counter(processor.calls) == {"msg-0007": 3, "msg-0008": 1}
    assert (drop.dead_letter / "poison.json.reason").read_text() == "crash\n"
    assert json.loads((drop.dead_letter / "poison.json.outcome.json").read_bytes())[
        "issue"][0]["code"] == "exception"
    assert (summary.crashed, summary.retried, summary.processed) == (1, 2, 1)


def test_an_identical_existing_output_is_counted_as_republished_not_rewritten(
    tmp_path: Path,
) -> None:
    drop = drop_files(tmp_path, {"again.json": fake_input(3)})
    (drop.outbox / "report").mkdir(parents=True)
    existing = FakeProcessor.processed("msg-0003", tumour_board=False).outputs[0].body
    (drop.outbox / "report" / report_name(3)).write_bytes(existing)

    summary = drain(tmp_path, FakeProcessor())

    assert (summary.processed, summary.outputs, summary.republished) == (1, 0, 1)
    assert names(drop.inbox) == set()


def test_an_existing_output_with_different_bytes_is_never_overwritten(tmp_path: Path) -> None:
    drop = drop_files(tmp_path, {"clash.json": fake_input(4)})
    (drop.outbox / "report").mkdir(parents=True)
    (drop.outbox / "report" / report_name(4)).write_bytes(b"an earlier, different answer")

    summary = drain(tmp_path, FakeProcessor())

    assert (drop.outbox / "report" / report_name(4)).read_bytes() == b"an earlier, different answer"
    assert (drop.dead_letter / "clash.json.reason").read_text() == "conflicting-output\n"
    assert summary.rejected == 1


def test_a_dead_workers_files_return_to_inbox_and_a_live_workers_stay(tmp_path: Path) -> None:
    drop = drop_files(tmp_path, {})
    dead = drop.work / "dead-worker"
    dead.mkdir()
    (dead / ".lock").touch()
    (dead / "left.json").write_bytes(fake_input(5))
    (drop.outbox / "report").mkdir(parents=True)
    half_written = drop.outbox / "report" / ".report-msg-0005.json.dead-worker.tmp"
    half_written.write_bytes(b'{"report-f')
    live = WorkLease(drop, "live-worker")
    (live.acquire() / "busy.json").write_bytes(fake_input(6))

    summary = drain(tmp_path, FakeProcessor())

    assert names(drop.outbox / "report") == {report_name(5)}
    assert not dead.exists()
    assert not half_written.exists()
    assert names(drop.work / "live-worker") == {".lock", "busy.json"}
    assert summary.recovered == 1


def test_an_output_id_that_is_not_a_plain_file_name_is_treated_as_a_pipeline_crash(
    tmp_path: Path,
) -> None:
    drop = drop_files(tmp_path, {"escape.json": fake_input(1)})

    def escaping(body: bytes) -> Outcome:
        good = FakeProcessor.processed("msg-0001", tumour_board=False)
        return replace(good, outputs=(replace(good.outputs[0], message_id="../../etc/x"),))

    summary = run_filedrop(Settings(drop_dir=tmp_path, delivery_limit=0), escaping, once=True)

    assert (drop.dead_letter / "escape.json.reason").read_text() == "crash\n"
    assert summary.crashed == 1 and not drop.outbox.exists()


def test_a_read_only_outbox_keeps_the_input_in_inbox_and_logs_no_patient_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    # The tests run as root, and root writes through chmod 0o555. A regular file where the
    # outbox/ folder should be fails every write the same way (ENOTDIR/EEXIST instead of
    # EACCES/EROFS): the transport sees an OSError while writing results either way.
    drop = drop_files(tmp_path, {"waiting.json": fake_input(9)})
    drop.outbox.write_bytes(b"")
    caplog.set_level(logging.INFO)

    blocked = drain(tmp_path, FakeProcessor())

    assert names(drop.inbox) == {"waiting.json"}
    assert names(drop.work) == set()
    assert blocked.transient == 3 and blocked.processed == 0
    logged = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    assert "transient" in logged
    assert PATIENT_NAME not in logged

    drop.outbox.unlink()
    recovered = drain(tmp_path, FakeProcessor())

    assert recovered.processed == 1
    assert names(drop.outbox / "report") == {report_name(9)}


def test_a_crash_is_logged_by_exception_type_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    drop_files(tmp_path, {"poison.json": fake_input(1, crash=True)})
    caplog.set_level(logging.INFO)

    drain(tmp_path, FakeProcessor(), delivery_limit=0)

    logged = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    assert {"exc_type": "RuntimeError"}.items() <= next(
        entry for entry in logged if entry["event"] == "pipeline raised").items()
    assert PATIENT_NAME not in json.dumps(logged)


def test_three_workers_on_one_inbox_never_process_a_file_twice(tmp_path: Path) -> None:
    count = 300
    drop = drop_files(tmp_path, {f"in-{i:04d}.json": fake_input(i) for i in range(count)})
    processor = FakeProcessor()  # shared: records every call of every worker
    stop = threading.Event()
    settings = Settings(drop_dir=tmp_path)
    summaries: list[FileDropSummary] = []

    def worker() -> None:
        summaries.append(run_filedrop(settings, processor, once=True, stop_event=stop))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(processor.calls).most_common(1)[0][1] == 1
    assert len(processor.calls) == count
    assert len(names(drop.outbox / "report")) == count
    assert sum(s.processed for s in summaries) == count
    assert names(drop.inbox) == names(drop.work) == set()


def test_a_stop_request_finishes_the_file_in_hand_and_leaves_the_rest(tmp_path: Path) -> None:
    drop = drop_files(tmp_path, {f"in-{i}.json": fake_input(i) for i in range(3)})
    gate = threading.Event()
    processor = FakeProcessor(gate=gate)
    stop = threading.Event()
    result: list[FileDropSummary] = []
    thread = threading.Thread(target=lambda: result.append(
        run_filedrop(Settings(drop_dir=tmp_path), processor, stop_event=stop)))
    thread.start()
    assert processor.started.wait(timeout=30)

    stop.set()
    gate.set()
    thread.join(timeout=30)

    assert not thread.is_alive()
    assert result[0].processed == 1
    assert len(names(drop.outbox / "report")) == 1
    assert len(names(drop.inbox)) == 2
    assert names(drop.work) == set()


@given(name=st.from_regex(r"[A-Za-z0-9_-]{1,12}\.json", fullmatch=True),
       attempt=st.integers(min_value=0, max_value=99))
def test_the_attempt_counter_survives_the_round_trip_through_a_file_name(
    name: str, attempt: int,
) -> None:
    assert split_attempt(with_attempt(name, attempt)) == (name, attempt)
