"""What a hostile or careless producer can leave in inbox/: names too long or odd,
symbolic links, FIFOs, sockets, folders. Each gets one defined, logged outcome, never an
endless retry, and no link or special file is ever left in the drop folder."""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import threading
from pathlib import Path

import pytest
from filedrop_fakes import FakeProcessor, fake_input, report_name

from adapter.cli import EXIT_OK, main
from adapter.messaging.dropdir import MAX_NAME_BYTES, DropDir, safe_name
from adapter.messaging.filedrop import FileDropSummary, run_filedrop
from adapter.observability import JsonFormatter
from adapter.settings import Settings


def drain(root: Path, processor: FakeProcessor, **settings: object) -> FileDropSummary:
    return run_filedrop(Settings(drop_dir=root, **settings), processor, once=True,  # type: ignore[arg-type]
                        poll_interval_s=0.01, backoff_initial_s=0.01)


def drop_dir(root: Path) -> DropDir:
    drop = DropDir(root)
    drop.ensure()
    return drop


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def special_entries(root: Path) -> list[Path]:
    """Every entry under ``root`` that is neither a regular file nor a folder."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            if path.is_symlink() or not (path.is_dir() or stat.S_ISREG(path.lstat().st_mode)):
                found.append(path)
    return found


def log_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    """The records as the worker's JSON log lines (formatting must not fail)."""
    return [json.loads(JsonFormatter().format(record)) for record in caplog.records]


LONG = "x" * 230 + ".json"
ODD_NAMES = {
    "too long for its sidecars": LONG,
    "the longest name the file system allows": "y" * 250 + ".json",
    "a line break": "first\nsecond.json",
    "control characters": "\x1b[31mred\x07.json",
    "bytes that are not UTF-8": os.fsdecode(b"caf\xe9-\xff.json"),
    "a right-to-left override": "report\u202enosj.exe",
}


@pytest.mark.parametrize("name", list(ODD_NAMES.values()), ids=list(ODD_NAMES))
def test_an_odd_or_long_named_bad_input_is_dead_lettered_under_a_safe_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str,
) -> None:
    drop = drop_dir(tmp_path)
    (drop.inbox / name).write_bytes(b"{not json")
    caplog.set_level(logging.INFO)

    summary = drain(tmp_path, FakeProcessor())

    safe = safe_name(name)
    assert safe != name and len(safe.encode()) <= MAX_NAME_BYTES and safe.isascii()
    assert names(drop.dead_letter) == {safe, f"{safe}.outcome.json", f"{safe}.reason"}
    assert (drop.dead_letter / safe).read_bytes() == b"{not json"
    assert (drop.dead_letter / f"{safe}.reason").read_text() == "invalid-json\n"
    assert names(drop.inbox) == names(drop.work) == set()
    assert (summary.rejected, summary.transient) == (1, 0)
    renamed = [line for line in log_lines(caplog) if line.get("reason") == "unsafe-name"]
    assert [line["path"] for line in renamed] == [safe]


@pytest.mark.parametrize("name", list(ODD_NAMES.values()), ids=list(ODD_NAMES))
def test_an_odd_or_long_named_good_input_is_processed(tmp_path: Path, name: str) -> None:
    drop = drop_dir(tmp_path)
    (drop.inbox / name).write_bytes(fake_input(3))

    summary = drain(tmp_path, FakeProcessor())

    assert summary.processed == 1
    assert names(drop.outbox / "report") == {report_name(3)}
    assert names(drop.inbox) == names(drop.dead_letter) == set()


def test_an_odd_named_input_that_crashes_is_retried_then_dead_lettered_not_looped(
    tmp_path: Path,
) -> None:
    drop = drop_dir(tmp_path)
    (drop.inbox / LONG).write_bytes(fake_input(4, crash=True))
    processor = FakeProcessor()

    summary = drain(tmp_path, processor, delivery_limit=2)

    safe = safe_name(LONG)
    assert processor.calls == ["msg-0004"] * 3
    assert (summary.retried, summary.crashed, summary.transient) == (2, 1, 0)
    assert (drop.dead_letter / f"{safe}.reason").read_text() == "crash\n"
    assert names(drop.inbox) == set()


def test_a_plain_readable_name_is_kept_as_it_is(tmp_path: Path) -> None:
    name = "Befund Müller (2).json"
    drop = drop_dir(tmp_path)
    (drop.inbox / name).write_bytes(b"{not json")

    drain(tmp_path, FakeProcessor())

    assert safe_name(name) == name
    assert names(drop.dead_letter) == {name, f"{name}.outcome.json", f"{name}.reason"}


def test_distinct_odd_names_get_distinct_safe_names() -> None:
    assert safe_name("a" * 200 + "1") != safe_name("a" * 200 + "2")
    assert safe_name("a\n.json") != safe_name("a\t.json")
    assert not safe_name("." * 200).startswith(".")


def test_run_once_dead_letters_a_long_named_file_and_exits_0(tmp_path: Path) -> None:
    drop = drop_dir(tmp_path)
    (drop.inbox / LONG).write_bytes(b"{not json")

    code = main(["run", "--once", "--drop-dir", str(tmp_path)])

    assert code == EXIT_OK
    assert len(names(drop.dead_letter)) == 3
    assert names(drop.inbox) == set()


def _assert_dead_lettered_unread(drop: DropDir, name: str, kind_word: str) -> None:
    assert names(drop.dead_letter) == {name, f"{name}.outcome.json", f"{name}.reason"}
    assert (drop.dead_letter / f"{name}.reason").read_text() == "not-a-regular-file\n"
    assert kind_word in (drop.dead_letter / name).read_text()
    outcome = json.loads((drop.dead_letter / f"{name}.outcome.json").read_bytes())
    assert outcome["issue"][0]["code"] == "not-supported"
    assert names(drop.inbox) == names(drop.work) == set()
    assert special_entries(drop.root) == []


@pytest.mark.parametrize("target", ["valid", "dangling", "folder"])
def test_a_symbolic_link_is_dead_lettered_without_being_followed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, target: str,
) -> None:
    drop = drop_dir(tmp_path / "drop")
    outside = tmp_path / "outside"
    outside.mkdir()
    pointed = {"valid": outside / "secret.json", "dangling": outside / "gone.json",
               "folder": outside}[target]
    if target == "valid":
        pointed.write_bytes(fake_input(5))
    (drop.inbox / "link.json").symlink_to(pointed)
    processor = FakeProcessor()
    caplog.set_level(logging.INFO)

    summary = drain(drop.root, processor)

    assert processor.calls == []  # the target was never read
    _assert_dead_lettered_unread(drop, "link.json", "symbolic link")
    assert summary.rejected == 1
    assert target != "valid" or pointed.read_bytes() == fake_input(5)
    assert any(line.get("reason") == "not-a-regular-file" for line in log_lines(caplog))


def test_a_fifo_is_dead_lettered_without_blocking_the_worker(tmp_path: Path) -> None:
    drop = drop_dir(tmp_path)
    os.mkfifo(drop.inbox / "pipe.json")
    (drop.inbox / "after.json").write_bytes(fake_input(6))
    processor = FakeProcessor()
    result: list[FileDropSummary] = []

    worker = threading.Thread(target=lambda: result.append(drain(tmp_path, processor)))
    worker.start()
    worker.join(30)
    if worker.is_alive():  # unblock it (a writer opens the FIFO) before failing
        with open(drop.work.glob("*/pipe.json").__next__(), "wb"):
            pass
        pytest.fail("the worker blocked on the FIFO")

    _assert_dead_lettered_unread(drop, "pipe.json", "FIFO")
    assert names(drop.outbox / "report") == {report_name(6)}  # the next file went on
    assert processor.calls == ["msg-0006"]


def test_a_socket_is_dead_lettered(tmp_path: Path) -> None:
    drop = drop_dir(tmp_path)
    path = drop.inbox / "s.json"
    if len(os.fsencode(path)) > 100:
        pytest.fail(f"tmp_path too long for a Unix socket: {path}")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    try:
        drain(tmp_path, FakeProcessor())
    finally:
        listener.close()

    _assert_dead_lettered_unread(drop, "s.json", "socket")


def test_a_folder_in_inbox_is_left_alone_and_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    drop = drop_dir(tmp_path)
    (drop.inbox / "batch").mkdir()
    (drop.inbox / "batch" / "inside.json").write_bytes(fake_input(7))
    processor = FakeProcessor()
    stop = threading.Event()
    caplog.set_level(logging.INFO)

    worker = threading.Thread(target=run_filedrop, args=(Settings(drop_dir=tmp_path), processor),
                              kwargs={"stop_event": stop, "poll_interval_s": 0.01})
    worker.start()
    stop.wait(0.5)  # about fifty scans of inbox/
    (drop.inbox / "later.json").write_bytes(fake_input(8))
    for _ in range(500):  # bounded wait for the next file, not a timing assertion
        if (drop.outbox / "report" / report_name(8)).exists():
            break
        stop.wait(0.01)
    stop.set()
    worker.join(10)

    assert names(drop.inbox) == {"batch"}
    assert names(drop.inbox / "batch") == {"inside.json"}
    assert processor.calls == ["msg-0008"]
    skipped = [line for line in log_lines(caplog) if line.get("outcome") == "skipped"]
    assert [line["path"] for line in skipped] == ["batch"]


def test_a_failed_dead_letter_leaves_no_link_and_the_input_in_inbox(tmp_path: Path) -> None:
    drop = drop_dir(tmp_path)
    (drop.inbox / "broken.json").write_bytes(b"{not json")
    blocker = drop.dead_letter / "broken.json.reason"
    blocker.mkdir()  # the reason file cannot be written

    blocked = drain(tmp_path, FakeProcessor())

    assert names(drop.dead_letter) == {"broken.json.reason"}  # no bare link, no outcome
    assert names(drop.inbox) == {"broken.json"}
    assert blocked.transient == 3 and blocked.rejected == 0

    blocker.rmdir()
    recovered = drain(tmp_path, FakeProcessor())

    assert recovered.rejected == 1
    assert names(drop.dead_letter) == {"broken.json", "broken.json.outcome.json",
                                       "broken.json.reason"}


def test_a_file_the_worker_may_not_read_is_dead_lettered_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The tests run as root, which reads through any mode bits: the refusal is simulated.
    drop = drop_dir(tmp_path)
    (drop.inbox / "locked.json").write_bytes(fake_input(9))
    real_open = os.open

    def refuse(path: object, flags: int, *args: object) -> int:
        if str(path).endswith("locked.json") and not flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)

    summary = drain(tmp_path, FakeProcessor())

    assert (summary.rejected, summary.transient) == (1, 0)
    assert (drop.dead_letter / "locked.json.reason").read_text() == "unreadable\n"
    assert names(drop.inbox) == set()
