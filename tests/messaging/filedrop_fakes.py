"""A hand-written fake pipeline for the file-drop tests, and a worker process to kill.

Run as a script it is one file-drop worker over a drop directory, printing its summary
as JSON on exit: ``python filedrop_fakes.py DROP_DIR [--once] [--kill-on ID --marker F]``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from adapter.messaging.filedrop import run_filedrop
from adapter.observability import configure_logging
from adapter.service.results import OutboundMessage, Outcome, OutputKind, Processed, Rejected
from adapter.settings import Settings

PATIENT_NAME = "Erika Mustermann"
INVALID_OUTCOME = json.dumps({
    "resourceType": "OperationOutcome",
    "issue": [{"severity": "error", "code": "structure", "diagnostics": "not JSON",
               "expression": ["Bundle"]}],
}).encode()


def fake_input(index: int, *, tumour_board: bool = False, crash: bool = False) -> bytes:
    """An input the fake understands; it carries a patient name the logs must never show."""
    return json.dumps({"id": f"msg-{index:04d}", "tumour_board": tumour_board, "crash": crash,
                       "patient": PATIENT_NAME}).encode()


def report_name(index: int) -> str:
    return f"report-msg-{index:04d}.json"


class FakeProcessor:
    """Deterministic outputs from ``fake_input`` bodies; records every call.

    ``kill_on``: SIGKILL this process while handling that message id, the first time only
    (``marker`` remembers it across restarts). ``gate``: wait for it before answering.
    """

    def __init__(self, *, kill_on: str | None = None, marker: Path | None = None,
                 gate: threading.Event | None = None) -> None:
        self.kill_on = kill_on
        self.marker = marker
        self.gate = gate
        self.started = threading.Event()
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, body: bytes) -> Outcome:
        try:
            doc = json.loads(body)
        except ValueError:
            return Rejected(message_id=None, reason="invalid-json", outcome=INVALID_OUTCOME)
        message_id = str(doc["id"])
        with self._lock:
            self.calls.append(message_id)
        self.started.set()
        if self.gate is not None:
            self.gate.wait()
        if doc.get("crash"):
            raise RuntimeError(f"pipeline bug while handling {doc['patient']}")
        if message_id == self.kill_on and self.marker and not self.marker.exists():
            self.marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return self.processed(message_id, tumour_board=bool(doc.get("tumour_board")))

    @staticmethod
    def processed(message_id: str, *, tumour_board: bool) -> Processed:
        outputs = [OutboundMessage(OutputKind.REPORT, f"report-{message_id}",
                                   json.dumps({"report-for": message_id}).encode())]
        if tumour_board:
            outputs.append(OutboundMessage(OutputKind.TUMOUR_BOARD, f"board-{message_id}",
                                           json.dumps({"board-for": message_id}).encode()))
        return Processed(message_id=message_id, outputs=tuple(outputs), overall_category="4",
                         prrt_recommendation="recommended", lesion_categories=("4",),
                         tumour_board=tumour_board)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("drop_dir", type=Path)
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--kill-on")
    parser.add_argument("--marker", type=Path)
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    summary = run_filedrop(
        Settings(drop_dir=args.drop_dir),
        FakeProcessor(kill_on=args.kill_on, marker=args.marker),
        once=args.once,
        poll_interval_s=0.02,
        backoff_initial_s=0.02,
    )
    print(json.dumps(summary.as_dict()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
