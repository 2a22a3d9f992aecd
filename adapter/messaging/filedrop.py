"""File-drop transport: the embedded default when no broker is configured.

Each input file in ``inbox/`` is claimed by an atomic rename into this worker's
``work/<id>/``, handed to the pipeline, and ends in exactly one place:

* :class:`Processed` -> every output at ``outbox/<kind>/<message_id>.json`` (atomic
  write), then the claimed input is deleted;
* :class:`Rejected` -> ``dead-letter/<name>`` with ``<name>.outcome.json`` (the
  OperationOutcome) and ``<name>.reason`` beside it;
* an exception from the pipeline -> back to ``inbox/`` as ``<name>.attempt-<n>``; after
  ``delivery_limit`` redeliveries, dead-lettered with reason ``crash``;
* an I/O error writing the results (outbox read-only, disk full) -> back to ``inbox/``
  unchanged, counted as transient, retried after an exponential backoff.

Entries of inbox/ that are not plain input files:

* a name too long to derive names from, or not printable UTF-8 (control characters,
  undecodable bytes) -> claimed under a safe derived name (:func:`safe_name`, logged
  with reason ``unsafe-name``), then handled like any other input;
* a symbolic link, FIFO, socket or device -> never followed, opened or read: removed
  from inbox/ and dead-lettered as ``<name>`` (a one-line text saying what it was) with
  reason ``not-a-regular-file``;
* a folder -> left alone, logged once per worker (``skipped`` in the summary);
* a file the worker may not read -> dead-lettered with reason ``unreadable``.

A worker killed mid-file leaves the file in its ``work/<id>/``; the next worker to start
(or any idle worker) returns it to ``inbox/``. Outputs are deterministic, so redoing a
file rewrites byte-identical outputs; an existing output with *different* bytes is never
overwritten (the input is dead-lettered with reason ``conflicting-output``).
See :mod:`adapter.messaging.dropdir` for the layout and the moves.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import signal
import socket
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path
from types import FrameType

import orjson

from adapter.messaging.dropdir import (
    DropDir,
    WorkLease,
    display_name,
    entry_kind,
    move_no_clobber,
    place_no_clobber,
    recover_abandoned,
    safe_name,
    split_attempt,
    with_attempt,
    write_atomic,
)
from adapter.observability import Metrics
from adapter.service.results import MessageProcessor, OutboundMessage, Processed, Rejected
from adapter.settings import Settings

__all__ = ["FileDropSummary", "FileDropTransport", "run_filedrop"]

TRANSPORT = "filedrop"
log = logging.getLogger(__name__)


@dataclass
class FileDropSummary:
    """Counts per outcome of one run (printed on shutdown)."""

    processed: int = 0
    """Inputs whose outputs are all in outbox/."""
    rejected: int = 0
    """Inputs dead-lettered as permanent errors (the pipeline's or a conflicting output)."""
    crashed: int = 0
    """Inputs dead-lettered after the pipeline raised on every attempt."""
    retried: int = 0
    """Pipeline exceptions that sent an input back for another attempt."""
    transient: int = 0
    """I/O failures that sent an input back to inbox/ unchanged."""
    recovered: int = 0
    """Files returned from dead workers' work folders."""
    outputs: int = 0
    """Output files written."""
    republished: int = 0
    """Outputs found already present with identical bytes (a redo after a crash)."""
    skipped: int = 0
    """Folders found in inbox/ and left there (each counted once)."""

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class _Step(Enum):
    DONE = "done"
    SKIPPED = "skipped"
    TRANSIENT = "transient"


class FileDropTransport:
    """One worker over one drop directory; several may share it (in or across processes)."""

    def __init__(
        self,
        drop_dir: Path,
        processor: MessageProcessor,
        *,
        max_attempts: int = 4,
        max_message_bytes: int = 2_000_000,
        metrics: Metrics | None = None,
        poll_interval_s: float = 0.5,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
        once_transient_limit: int = 3,
        worker_id: str | None = None,
    ) -> None:
        self.drop = DropDir(drop_dir)
        self.processor = processor
        self.max_attempts = max_attempts
        self.max_message_bytes = max_message_bytes
        self.metrics = metrics
        self.poll_interval_s = poll_interval_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.once_transient_limit = once_transient_limit
        self.worker_id = worker_id or _new_worker_id()
        self.summary = FileDropSummary()
        self._lease = WorkLease(self.drop, self.worker_id)
        self._skipped: set[str] = set()

    def run(self, stop: threading.Event, *, once: bool = False) -> FileDropSummary:
        """Process files until ``stop`` is set (or, with ``once``, until inbox/ is empty)."""
        self.drop.ensure()
        work = self._lease.acquire()
        try:
            self._recover()
            self._loop(work, stop, once)
        finally:
            self._lease.release()
        return self.summary

    # --- the loop ---------------------------------------------------------------------

    def _loop(self, work: Path, stop: threading.Event, once: bool) -> None:
        backoff = self.backoff_initial_s
        failures = 0
        while not stop.is_set():
            scan = self.drop.scan()
            self._skip_folders(scan.folders)
            batch = scan.entries
            if not batch:
                if once:
                    return
                self._recover()  # an idle worker adopts the files of a dead sibling
                stop.wait(self.poll_interval_s)
                continue
            for path in batch:
                if stop.is_set():
                    return
                if self._handle(path, work) is not _Step.TRANSIENT:
                    failures, backoff = 0, self.backoff_initial_s
                    continue
                failures += 1
                if once and failures >= self.once_transient_limit:
                    return
                stop.wait(backoff)
                backoff = min(backoff * 2, self.backoff_max_s)
                break  # list inbox/ again after the pause

    def _skip_folders(self, folders: list[str]) -> None:
        for folder in folders:
            if folder in self._skipped:
                continue
            self._skipped.add(folder)
            self.summary.skipped += 1
            log.warning("folder in inbox skipped: only files are read", extra={
                "transport": TRANSPORT, "path": display_name(folder), "outcome": "skipped"})

    def _recover(self) -> None:
        names = recover_abandoned(self.drop, self.worker_id)
        for name in names:
            log.warning("file recovered from a stopped worker", extra={
                "transport": TRANSPORT, "path": name, "outcome": "recovered"})
        self.summary.recovered += len(names)

    # --- one file ---------------------------------------------------------------------

    def _handle(self, path: Path, work: Path) -> _Step:
        original, attempt = split_attempt(path.name)
        name = safe_name(original)
        claimed = work / with_attempt(name, attempt)
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            return _Step.SKIPPED  # another worker claimed it first
        except IsADirectoryError:
            return _Step.SKIPPED  # a folder replaced the entry since the scan
        if name != original:
            # The derived name ends in a hash of the original: it identifies the file.
            log.warning("input claimed under a safe name", extra={
                "transport": TRANSPORT, "path": name, "reason": "unsafe-name"})
        try:
            kind = entry_kind(os.lstat(claimed).st_mode)
            if kind is not None:
                return self._not_a_file(claimed, name, kind)
            body = _read_at_most(claimed, self.max_message_bytes + 1)
        except PermissionError:
            # The worker may not read it: that does not pass on its own, so no retry loop.
            return self._unreadable(claimed, name)
        except OSError as exc:
            return self._transient(claimed, claimed.name, exc)
        if self.metrics:
            self.metrics.messages_in.labels(transport=TRANSPORT).inc()
        started = time.perf_counter()
        try:
            outcome = self.processor(body)
            if isinstance(outcome, Processed):
                _check_output_names(outcome)
        except Exception:
            log.exception("pipeline raised", extra={
                "transport": TRANSPORT, "path": name, "attempt": attempt + 1})
            if self.metrics:
                self.metrics.errors.labels(TRANSPORT).inc()
            return self._crashed(claimed, name, attempt)
        seconds = time.perf_counter() - started
        duration_ms = round(seconds * 1000, 3)
        try:
            if isinstance(outcome, Rejected):
                self._dead_letter(claimed, name, outcome.reason, outcome.outcome)
                self.summary.rejected += 1
                if self.metrics:
                    self.metrics.record(TRANSPORT, outcome, seconds)
                log.warning("file rejected", extra={
                    "transport": TRANSPORT, "path": name, "message_id": outcome.message_id,
                    "outcome": "rejected", "reason": outcome.reason, "duration_ms": duration_ms})
                return _Step.DONE
            if self._publish(claimed, name, outcome, duration_ms) and self.metrics:
                self.metrics.record(TRANSPORT, outcome, seconds)
            return _Step.DONE
        except OSError as exc:
            return self._transient(claimed, path.name, exc)

    def _publish(self, claimed: Path, name: str, result: Processed, duration_ms: float) -> bool:
        """Write every output, then delete the claimed input; False when an output conflicts
        (the input is then dead-lettered instead)."""
        existing = [self._existing_output(out) for out in result.outputs]
        if any(old is not None and old != out.body for old, out in zip(existing, result.outputs,
                                                                        strict=True)):
            self._dead_letter(claimed, name, "conflicting-output", _conflict_outcome())
            self.summary.rejected += 1
            if self.metrics:
                self.metrics.dead_lettered.labels(TRANSPORT, "conflicting-output").inc()
            log.error("output exists with different content; input dead-lettered", extra={
                "transport": TRANSPORT, "path": name, "message_id": result.message_id,
                "outcome": "rejected", "reason": "conflicting-output"})
            return False
        for old, out in zip(existing, result.outputs, strict=True):
            if old is None:
                write_atomic(self._kind_dir(out), f"{out.message_id}.json", out.body,
                             self.worker_id)
                self.summary.outputs += 1
            else:
                self.summary.republished += 1
        claimed.unlink()
        self.summary.processed += 1
        log.info("file processed", extra={
            "transport": TRANSPORT, "path": name, "message_id": result.message_id,
            "outcome": "processed", "count": len(result.outputs), "duration_ms": duration_ms})
        return True

    def _crashed(self, claimed: Path, name: str, attempt: int) -> _Step:
        try:
            if attempt + 1 >= self.max_attempts:
                self._dead_letter(claimed, name, "crash", _crash_outcome(attempt + 1))
                self.summary.crashed += 1
                if self.metrics:
                    self.metrics.dead_lettered.labels(TRANSPORT, "crash").inc()
                log.error("file dead-lettered after repeated failures", extra={
                    "transport": TRANSPORT, "path": name, "outcome": "dead-lettered",
                    "reason": "crash", "attempt": attempt + 1})
                return _Step.DONE
            move_no_clobber(claimed, self.drop.inbox, with_attempt(name, attempt + 1))
        except OSError as exc:
            return self._transient(claimed, claimed.name, exc)
        self.summary.retried += 1
        if self.metrics:
            self.metrics.retried.labels(transport=TRANSPORT).inc()
        return _Step.DONE

    def _transient(self, claimed: Path, inbox_name: str, exc: OSError) -> _Step:
        """Put the input back as it was; the error code (not its text) goes to the log."""
        self.summary.transient += 1
        if self.metrics:
            self.metrics.retried.labels(transport=TRANSPORT).inc()
        code = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        log.error("file drop I/O failed; input returned to inbox", extra={
            "transport": TRANSPORT, "path": inbox_name, "outcome": "transient", "reason": code})
        try:
            move_no_clobber(claimed, self.drop.inbox, inbox_name)
        except OSError as again:
            # Left in work/: a restart (or an idle sibling, once this worker stops) recovers it.
            log.error("could not return input to inbox", extra={
                "transport": TRANSPORT, "path": inbox_name, "outcome": "transient",
                "reason": errno.errorcode.get(again.errno or 0, type(again).__name__)})
        return _Step.TRANSIENT

    def _not_a_file(self, claimed: Path, name: str, kind: str) -> _Step:
        """Dead-letter a link, FIFO, socket or device without following or reading it."""
        note = _work_note(claimed, f"inbox/ held a {kind} here; it was not followed or read\n")
        try:
            self._dead_letter(note, name, "not-a-regular-file", _not_a_file_outcome(kind))
        finally:
            with contextlib.suppress(FileNotFoundError):
                note.unlink()
        claimed.unlink()
        self.summary.rejected += 1
        if self.metrics:
            self.metrics.dead_lettered.labels(TRANSPORT, "not-a-regular-file").inc()
        log.warning("inbox entry is not a regular file; dead-lettered", extra={
            "transport": TRANSPORT, "path": name, "outcome": "rejected",
            "reason": "not-a-regular-file", "status": kind})
        return _Step.DONE

    def _unreadable(self, claimed: Path, name: str) -> _Step:
        try:
            self._dead_letter(claimed, name, "unreadable", _unreadable_outcome())
        except OSError as exc:
            return self._transient(claimed, claimed.name, exc)
        self.summary.rejected += 1
        if self.metrics:
            self.metrics.dead_lettered.labels(TRANSPORT, "unreadable").inc()
        log.error("input not readable by the worker; dead-lettered", extra={
            "transport": TRANSPORT, "path": name, "outcome": "rejected", "reason": "unreadable"})
        return _Step.DONE

    def _dead_letter(self, claimed: Path, name: str, reason: str, outcome: bytes) -> None:
        # Link first: that claims a free name atomically, so the sidecars written next
        # belong to this file even when several workers dead-letter same-named files.
        placed = place_no_clobber(claimed, self.drop.dead_letter, name)
        try:
            write_atomic(self.drop.dead_letter, f"{placed.name}.outcome.json", outcome,
                         self.worker_id)
            write_atomic(self.drop.dead_letter, f"{placed.name}.reason",
                         f"{reason}\n".encode(), self.worker_id)
        except OSError:
            # No dead letter without its reason: take the link back, the caller retries.
            if placed != claimed:
                for leftover in (placed, placed.with_name(f"{placed.name}.outcome.json")):
                    with contextlib.suppress(OSError):
                        leftover.unlink()
            raise
        if placed != claimed:
            claimed.unlink()

    def _kind_dir(self, out: OutboundMessage) -> Path:
        return self.drop.outbox / str(out.kind)

    def _existing_output(self, out: OutboundMessage) -> bytes | None:
        try:
            return (self._kind_dir(out) / f"{out.message_id}.json").read_bytes()
        except FileNotFoundError:
            return None


def run_filedrop(
    settings: Settings,
    processor: MessageProcessor,
    *,
    once: bool = False,
    metrics: Metrics | None = None,
    stop_event: threading.Event | None = None,
    poll_interval_s: float = 0.5,
    backoff_initial_s: float = 0.5,
) -> FileDropSummary:
    """Run one file-drop worker on ``settings.drop_dir`` and return its counts.

    SIGTERM and SIGINT (when called on the main thread) finish the file in hand and stop.
    ``once`` drains inbox/ and returns; it also returns after repeated I/O failures, with
    the inputs left in inbox/ and :attr:`FileDropSummary.transient` above zero.
    """
    transport = FileDropTransport(
        settings.drop_dir,
        processor,
        max_attempts=settings.delivery_limit + 1,
        max_message_bytes=settings.max_message_bytes,
        metrics=metrics,
        poll_interval_s=poll_interval_s,
        backoff_initial_s=backoff_initial_s,
        backoff_max_s=settings.reconnect_max_backoff_s,
    )
    stop = stop_event or threading.Event()
    log.info("file drop started", extra={"transport": TRANSPORT, "status": "once" if once else
                                         "watching"})
    with _stop_on_signals(stop):
        summary = transport.run(stop, once=once)
    counts = " ".join(f"{key}={value}" for key, value in summary.as_dict().items())
    log.info(f"file drop stopped: {counts}", extra={"transport": TRANSPORT})
    return summary


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn SIGTERM/SIGINT into ``stop.set()`` while the worker runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("stop requested", extra={"transport": TRANSPORT,
                                          "status": signal.Signals(signum).name})
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _check_output_names(result: Processed) -> None:
    """Output ids become file names: anything but a plain name is a pipeline bug."""
    for out in result.outputs:
        if not out.message_id or "/" in out.message_id or out.message_id.startswith("."):
            raise ValueError("output message id is not a plain file name")


def _read_at_most(path: Path, limit: int) -> bytes:
    """Read up to ``limit`` bytes: an oversized file reaches the pipeline truncated, which
    rejects it for its size, and never fills the worker's memory. Never follows a link
    nor waits on a FIFO (the caller checked the entry; this guards the check)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return handle.read(limit)


def _work_note(beside: Path, text: str) -> Path:
    """A small regular file next to ``beside`` in the work folder, to dead-letter in the
    place of an entry that must not be read (a dot-file: recovery discards it)."""
    note = beside.with_name(f".{beside.name}.note")
    note.write_text(text)
    return note


def _unreadable_outcome() -> bytes:
    return _operation_outcome(
        "error", "security",
        "The worker was not permitted to read this file; it was not processed. "
        "Fix its permissions and drop it again.")


def _not_a_file_outcome(kind: str) -> bytes:
    return _operation_outcome(
        "error", "not-supported",
        f"The inbox entry was a {kind}, not a regular file; it was not followed or read, "
        "and was removed from inbox/. Write each message as a regular file.")


def _new_worker_id() -> str:
    host = "".join(c if c.isalnum() or c in "-." else "-" for c in socket.gethostname())
    return f"{host or 'worker'}-{os.getpid()}-{secrets.token_hex(3)}"


def _crash_outcome(attempts: int) -> bytes:
    return _operation_outcome(
        "fatal", "exception",
        f"Processing failed unexpectedly on {attempts} attempts; see the worker log.")


def _conflict_outcome() -> bytes:
    return _operation_outcome(
        "error", "conflict",
        "An output with this message id already exists with different content; "
        "the input was not processed again.")


def _operation_outcome(severity: str, code: str, diagnostics: str) -> bytes:
    """A minimal FHIR OperationOutcome for failures the pipeline never saw."""
    return orjson.dumps({
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }, option=orjson.OPT_INDENT_2)
