"""The file-drop transport across real processes: SIGKILL mid-file, restart, SIGTERM.

Every input must end exactly once: as its output in outbox/ or in dead-letter/, with
inbox/ and work/ empty. Waits poll the file system with generous deadlines; nothing
asserts how fast anything happens.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from filedrop_fakes import fake_input, report_name

from adapter.messaging.dropdir import DropDir

WORKER = Path(__file__).with_name("filedrop_fakes.py")
DEADLINE_S = 120.0


def start_worker(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(WORKER), str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def seed(root: Path, count: int, *, malformed_every: int = 0) -> DropDir:
    drop = DropDir(root)
    drop.ensure()
    for i in range(count):
        body = b"{truncated" if malformed_every and i % malformed_every == 0 else fake_input(i)
        (drop.inbox / f"in-{i:04d}.json").write_bytes(body)
    return drop


def wait_for_reports(drop: DropDir, at_least: int, worker: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    report = drop.outbox / "report"
    while time.monotonic() < deadline and worker.poll() is None:
        if report.is_dir() and len(os.listdir(report)) >= at_least:
            return
        time.sleep(0.005)


def assert_each_input_ended_exactly_once(drop: DropDir, count: int, malformed_every: int) -> None:
    reports = set(os.listdir(drop.outbox / "report"))
    dead = set(os.listdir(drop.dead_letter))
    for i in range(count):
        name = f"in-{i:04d}.json"
        if malformed_every and i % malformed_every == 0:
            assert name in dead and report_name(i) not in reports, name
        else:
            assert report_name(i) in reports and name not in dead, name
    expected_dead = {f"in-{i:04d}.json{suffix}" for i in range(count)
                     if malformed_every and i % malformed_every == 0
                     for suffix in ("", ".outcome.json", ".reason")}
    assert dead == expected_dead  # no duplicate dead letters (1~name), no temp files
    assert len(reports) == count - len(expected_dead) // 3
    assert os.listdir(drop.inbox) == []
    assert os.listdir(drop.work) == []


def test_a_worker_killed_mid_file_loses_nothing_after_a_restart(tmp_path: Path) -> None:
    drop = seed(tmp_path, 40)
    marker = tmp_path / "killed-once"

    first = start_worker(tmp_path, "--once", "--kill-on", "msg-0020", "--marker", str(marker))
    first.communicate(timeout=DEADLINE_S)
    left_in_work = [p.name for p in drop.work.glob("*/*") if p.name != ".lock"]
    second = start_worker(tmp_path, "--once")
    out, _ = second.communicate(timeout=DEADLINE_S)

    assert first.returncode == -signal.SIGKILL
    assert left_in_work == ["in-0020.json"]
    assert second.returncode == 0
    assert json.loads(out)["recovered"] == 1
    assert_each_input_ended_exactly_once(drop, 40, malformed_every=0)


def test_repeated_sigkills_over_many_files_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    count, malformed_every = 600, 10
    drop = seed(tmp_path, count, malformed_every=malformed_every)

    for at_least in (100, 250, 400):
        worker = start_worker(tmp_path)
        wait_for_reports(drop, at_least, worker)
        worker.kill()
        worker.communicate(timeout=DEADLINE_S)
    final = start_worker(tmp_path, "--once")
    _, err = final.communicate(timeout=DEADLINE_S)

    assert final.returncode == 0, err
    assert_each_input_ended_exactly_once(drop, count, malformed_every)


def test_sigterm_finishes_cleanly_and_prints_the_summary(tmp_path: Path) -> None:
    drop = seed(tmp_path, 20)
    worker = start_worker(tmp_path)
    wait_for_reports(drop, 20, worker)

    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=DEADLINE_S)

    assert worker.returncode == 0, err
    assert json.loads(out)["processed"] == 20
    assert os.listdir(drop.work) == []
