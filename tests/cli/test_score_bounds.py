"""``sstr-adapter score`` on hostile input: endless sources, huge stdin, crashes, bad settings.

It reads at most the size limit plus one byte from any source, answers an oversized
input with the 413-equivalent (a ``too-long`` OperationOutcome, exit 1), and never shows
a traceback or the input when something breaks.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import threading
from pathlib import Path

import orjson
import pytest

from adapter.cli import EXIT_CONFIG, EXIT_REJECTED, main
from adapter.service.pipeline import ScoringPipeline
from adapter.tools.examples import input_path

LIMIT = 4096
MARKER = "Mustermann-4711"


class EndlessSource(io.RawIOBase):
    """A stream that never ends, counting what was taken from it."""

    def __init__(self) -> None:
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = len(buffer)
        buffer[:size] = b" " * size
        self.consumed += size
        return size


def _outcome(out: bytes) -> dict[str, object]:
    resource: dict[str, object] = orjson.loads(out)
    assert resource["resourceType"] == "OperationOutcome"
    return resource


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("SSTR_MAX_MESSAGE_BYTES", str(LIMIT))
    return LIMIT


def test_an_endless_stdin_is_read_only_to_the_limit_plus_one_and_rejected_as_too_long(
    small_limit: int, monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    source = EndlessSource()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(source, 1024)))

    code = main(["score", "-"])

    (issue,) = _outcome(capsysbinary.readouterr().out)["issue"]  # type: ignore[misc]
    assert code == EXIT_REJECTED
    assert (issue["code"], issue["expression"]) == ("too-long", ["Bundle"])
    assert source.consumed <= small_limit + 1 + 1024  # at most one buffer of read-ahead


def test_dev_zero_is_rejected_as_too_long(
    small_limit: int, capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    code = main(["score", "/dev/zero"])

    assert code == EXIT_REJECTED
    assert _outcome(capsysbinary.readouterr().out)["issue"][0]["code"] == "too-long"  # type: ignore[index]


@pytest.mark.parametrize(("extra", "code"), [(0, "invalid"), (1, "too-long")])
def test_a_file_at_the_limit_is_read_whole_and_one_byte_more_is_too_long(
    small_limit: int, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes],
    extra: int, code: str,
) -> None:
    path = tmp_path / "message.json"
    path.write_bytes(b"[" + b" " * (small_limit - 2 + extra) + b"]")

    assert main(["score", str(path)]) == EXIT_REJECTED
    assert _outcome(capsysbinary.readouterr().out)["issue"][0]["code"] == code  # type: ignore[index]


PEAK_MEMORY = """
import sys
from adapter.cli import main
code = main(["score", "-"])
status = open("/proc/self/status").read()
peak = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
print(int(peak.split()[1]), file=sys.stderr)  # KiB, this process image only
sys.exit(code)
"""


def test_a_huge_stdin_costs_the_process_no_more_than_a_few_limits_of_memory() -> None:
    process = subprocess.Popen([sys.executable, "-c", PEAK_MEMORY],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdin is not None

    def feed() -> None:  # 200 MB, or until the reader has had enough
        block = b" " * (1 << 20)
        with contextlib.suppress(BrokenPipeError):
            for _ in range(200):
                process.stdin.write(block)  # type: ignore[union-attr]
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()  # type: ignore[union-attr]

    feeder = threading.Thread(target=feed)
    feeder.start()
    out, err = _collect(process)
    feeder.join(60)

    assert process.returncode == EXIT_REJECTED
    assert _outcome(out)["issue"][0]["code"] == "too-long"  # type: ignore[index]
    peak_kib = int(err.split()[-1])
    assert peak_kib < 150 * 1024  # the interpreter and libraries, not 200 MB


def _collect(process: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """stdout and stderr of a process whose stdin another thread feeds."""
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read()
    err = process.stderr.read()
    process.wait(60)
    return out, err


def test_a_crash_writes_an_exception_outcome_and_logs_frames_but_never_the_input(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
) -> None:
    def crash(self: ScoringPipeline, body: bytes) -> object:
        raise ValueError(f"cannot score {body[:40]!r} for {MARKER}")

    monkeypatch.setattr(ScoringPipeline, "assess", crash)
    monkeypatch.setenv("SSTR_LOG_LEVEL", "DEBUG")

    code = main(["score", str(input_path("figure-08"))])

    captured = capfd.readouterr()
    assert code == EXIT_REJECTED
    assert _outcome(captured.out.encode())["issue"][0]["code"] == "exception"  # type: ignore[index]
    assert "Traceback (most recent call last)" not in captured.err
    assert "in crash" in captured.err  # the frames are in the DEBUG log line
    assert '"exc_type":"ValueError"' in captured.err
    assert MARKER not in captured.err + captured.out
    assert "resourceType" not in captured.err


def test_a_crash_at_the_default_level_shows_one_line_and_no_frames(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
) -> None:
    def crash(self: ScoringPipeline, body: bytes) -> object:
        raise RuntimeError(MARKER)

    monkeypatch.setattr(ScoringPipeline, "assess", crash)
    monkeypatch.delenv("SSTR_LOG_LEVEL", raising=False)

    assert main(["score", str(input_path("figure-08"))]) == EXIT_REJECTED
    err = capfd.readouterr().err
    assert err.strip() == "score: scoring failed unexpectedly (RuntimeError)"


def test_a_bad_setting_names_the_field_but_never_its_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SSTR_MAX_MESSAGE_BYTES", f"lots-{MARKER}")

    code = main(["score", str(input_path("figure-08"))])

    err = capsys.readouterr().err
    assert code == EXIT_CONFIG
    assert "max_message_bytes" in err and MARKER not in err
