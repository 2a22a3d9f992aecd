"""The file-drop folder layout and the file-system moves that keep it safe.

Layout under the drop directory (any local or NFSv4 volume shared by the workers)::

    inbox/                 input files (producers write a dot-file or elsewhere, then rename)
    work/<worker-id>/      files claimed by one worker; .lock is flock'ed while that worker lives
    outbox/<kind>/         <message_id>.json per output, written atomically
    dead-letter/           rejected inputs, with <name>.outcome.json and <name>.reason beside them

Entry names in inbox/ are the producer's: a worker claims each input under
:func:`safe_name` (unchanged when plain, derived when too long or odd), so every name
derived from it (``.attempt-<n>``, ``.outcome.json``, temp files) fits the file system.
Only regular files are read; see :class:`Scan` for the rest.

Safety rests on three facts of POSIX file systems: ``rename`` within one file system is
atomic (two workers can never claim the same file), ``link`` refuses to overwrite (no
move ever clobbers another file), and an ``flock`` dies with its process (a worker killed
with SIGKILL releases its work folder, so another worker can return the files to inbox/).
"""

from __future__ import annotations

import contextlib
import fcntl
import filecmp
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

INBOX = "inbox"
WORK = "work"
OUTBOX = "outbox"
DEAD_LETTER = "dead-letter"
LOCK_NAME = ".lock"

_ATTEMPT = re.compile(r"^(?P<name>.+)\.attempt-(?P<n>\d+)$")
_IGNORED_SUFFIXES = (".tmp", ".part")


MAX_NAME_BYTES = 128
"""Longest input name kept as it is: with every suffix and prefix the worker adds (temp
file tag included) it stays under the usual 255-byte limit of one name."""

_KEPT_CHARACTERS = re.compile(r"[A-Za-z0-9._-]")


def safe_name(name: str) -> str:
    """``name`` when it is printable UTF-8 of at most :data:`MAX_NAME_BYTES` bytes;
    otherwise a plain ASCII name derived from it: up to 48 of its letters, digits and
    ``._-``, then ``~`` and 16 hex digits of its SHA-256 (distinct names stay distinct).
    """
    raw = os.fsencode(name)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        printable = False
    else:
        printable = name.isprintable()
    if printable and len(raw) <= MAX_NAME_BYTES:
        return name
    kept = "".join(c if _KEPT_CHARACTERS.fullmatch(c) else "_" for c in name[:48])
    return f"{kept.lstrip('.') or 'input'}~{hashlib.sha256(raw).hexdigest()[:16]}"


def display_name(name: str) -> str:
    """``name`` fit for a log field: undecodable bytes escaped, at most 300 characters."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")[:300]


def entry_kind(mode: int) -> str | None:
    """None for a regular file, else what the entry is (for logs and outcomes)."""
    if stat.S_ISREG(mode):
        return None
    kinds = {stat.S_ISLNK: "symbolic link", stat.S_ISFIFO: "named pipe (FIFO)",
             stat.S_ISSOCK: "socket", stat.S_ISCHR: "character device",
             stat.S_ISBLK: "block device", stat.S_ISDIR: "folder"}
    return next((kind for test, kind in kinds.items() if test(mode)), "special file")


def split_attempt(file_name: str) -> tuple[str, int]:
    """``x.json.attempt-2`` -> (``x.json``, 2); a name without the suffix is attempt 0."""
    match = _ATTEMPT.match(file_name)
    if match is None:
        return file_name, 0
    return match["name"], int(match["n"])


def with_attempt(name: str, attempt: int) -> str:
    """The inbox name that carries the number of failed attempts so far."""
    return name if attempt == 0 else f"{name}.attempt-{attempt}"


def is_input_name(file_name: str) -> bool:
    """Dot-files and partial uploads (``*.tmp``, ``*.part``) are not inputs yet."""
    return not file_name.startswith(".") and not file_name.endswith(_IGNORED_SUFFIXES)


@dataclass(frozen=True)
class DropDir:
    """Paths of one drop directory."""

    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / INBOX

    @property
    def work(self) -> Path:
        return self.root / WORK

    @property
    def outbox(self) -> Path:
        return self.root / OUTBOX

    @property
    def dead_letter(self) -> Path:
        return self.root / DEAD_LETTER

    def ensure(self) -> None:
        """Create inbox/, work/ and dead-letter/; outbox/ is created on first write so
        that a broken outbox shows up as a retryable write error, not a start-up crash."""
        for folder in (self.inbox, self.work, self.dead_letter):
            folder.mkdir(parents=True, exist_ok=True)

    def scan(self) -> Scan:
        """What inbox/ holds now; see :class:`Scan`."""
        found: list[tuple[int, str, Path]] = []
        folders: list[str] = []
        with os.scandir(self.inbox) as entries:
            for entry in entries:
                if not is_input_name(entry.name):
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.name)
                        continue
                    mtime = entry.stat(follow_symlinks=False).st_mtime_ns
                except FileNotFoundError:  # claimed by another worker meanwhile
                    continue
                found.append((mtime, entry.name, Path(entry.path)))
        return Scan([path for _, _, path in sorted(found)], sorted(folders))

    def pending(self) -> list[Path]:
        """Entries in inbox/ to claim, oldest first (a retried file keeps its place)."""
        return self.scan().entries


@dataclass(frozen=True)
class Scan:
    """One listing of inbox/.

    ``entries``: everything a worker claims, oldest first: regular files, and also
    symbolic links, FIFOs, sockets and devices (claimed only to be dead-lettered without
    being followed or read). ``folders``: sub-folders, never entered or moved (a producer
    may be using one); the worker logs each once and leaves it.
    """

    entries: list[Path] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)


def fsync_dir(directory: Path) -> None:
    """Make a rename or unlink inside ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name(name: str, tag: str) -> str:
    """The dot-file a worker tagged ``tag`` writes before renaming it to ``name``."""
    return f".{name}.{tag}.tmp"


def write_atomic(directory: Path, name: str, data: bytes, tag: str) -> None:
    """Write ``directory/name`` so that readers see either nothing or all of ``data``.

    Write a temp file in the same directory, fsync it, ``os.replace`` it into place and
    fsync the directory. ``tag`` (the worker id) lets a recovering worker find temp files
    a dead worker left behind.
    """
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / temp_name(name, tag)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, directory / name)
    except OSError:  # disk full, I/O error: leave no half-written temp file behind
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(directory)


def place_no_clobber(src: Path, directory: Path, name: str) -> Path:
    """Hard-link ``src`` into ``directory`` as ``name`` (or ``1~name``, ``2~name``…) and
    return the new path; ``src`` stays, the caller removes it once it is safe to.

    An existing file with the same bytes counts as already placed: it is what a crash
    between link and unlink leaves behind, and placing it twice would duplicate it.
    """
    for index in range(10_000):
        candidate = directory / (name if index == 0 else f"{index}~{name}")
        try:
            os.link(src, candidate)
        except FileExistsError:
            try:
                if filecmp.cmp(src, candidate, shallow=False):
                    return candidate
            except FileNotFoundError:  # the other file was claimed meanwhile: try again
                continue
            continue
        fsync_dir(directory)
        return candidate
    raise FileExistsError(f"no free name for a file in {directory.name}/")


def move_no_clobber(src: Path, directory: Path, name: str) -> Path:
    """Move ``src`` into ``directory`` without ever overwriting another file."""
    placed = place_no_clobber(src, directory, name)
    if placed.resolve() != src.resolve():
        src.unlink()
    return placed


class WorkLease:
    """A worker's private ``work/<worker_id>/`` folder, flock'ed for as long as it lives.

    The lock file sits inside the folder; a recovering worker deletes both while holding
    the lock, so :meth:`acquire` checks after locking that its lock file is still the one
    on disk and starts over if not.
    """

    def __init__(self, drop: DropDir, worker_id: str) -> None:
        self.folder = drop.work / worker_id
        self._fd: int | None = None

    def acquire(self) -> Path:
        """Create and lock the folder; return it."""
        lock = self.folder / LOCK_NAME
        while True:
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            except FileNotFoundError:  # a recoverer removed the empty folder: start over
                continue
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.fstat(fd).st_ino == os.stat(lock).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return self.folder
            os.close(fd)

    def release(self) -> None:
        """Remove the (empty) folder and drop the lock; files left inside stay for recovery."""
        if self._fd is None:
            return
        try:
            if [p for p in self.folder.iterdir() if p.name != LOCK_NAME] == []:
                (self.folder / LOCK_NAME).unlink()
                self.folder.rmdir()
        finally:
            os.close(self._fd)
            self._fd = None


def recover_abandoned(drop: DropDir, own_id: str) -> list[str]:
    """Return the files of dead workers' work folders to inbox/ and remove the folders.

    A folder whose lock can be taken belongs to a dead worker (the kernel drops an flock
    with its process). Each returned file's attempt counter goes up by one, so a message
    that kills the worker every time still ends in dead-letter/ after the attempt limit.
    Returns the new inbox names.
    """
    recovered: list[str] = []
    try:
        folders = [p for p in drop.work.iterdir() if p.is_dir() and p.name != own_id]
    except FileNotFoundError:
        return recovered
    for folder in folders:
        lock = folder / LOCK_NAME
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            # No lock file: a worker between mkdir and lock, or one that died there (the
            # folder is then empty). rmdir removes only an empty folder.
            with contextlib.suppress(OSError):
                folder.rmdir()
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # alive
            try:
                if os.fstat(fd).st_ino != os.stat(lock).st_ino:
                    continue  # another worker recovered it first
            except FileNotFoundError:
                continue
            recovered.extend(_return_to_inbox(drop, folder))
            _remove_temp_files(drop, folder.name)
            lock.unlink()
            folder.rmdir()
        finally:
            os.close(fd)
    return recovered


def _return_to_inbox(drop: DropDir, folder: Path) -> list[str]:
    names: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.name == LOCK_NAME:
            continue
        if not is_input_name(path.name):  # nothing else is written here; be tidy anyway
            path.unlink()
            continue
        name, attempt = split_attempt(path.name)
        placed = move_no_clobber(path, drop.inbox, with_attempt(name, attempt + 1))
        names.append(placed.name)
    return names


def _remove_temp_files(drop: DropDir, worker_id: str) -> None:
    """Delete half-written temp files of a dead worker (their final names never appeared)."""
    pattern = f".*.{worker_id}.tmp"
    folders = [drop.dead_letter]
    with contextlib.suppress(OSError):  # outbox/ may be missing or broken; nothing to tidy
        folders.extend(p for p in drop.outbox.iterdir() if p.is_dir())
    for folder in folders:
        for tmp in folder.glob(pattern):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
