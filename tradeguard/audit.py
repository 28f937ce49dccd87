"""The audit log: one JSON line per event (order intent, order outcome, operator action), hash-chained.

One type, :class:`AuditEvent`, builds every line (the gateway's and the ``live`` commands') and reads
it back; nothing else knows the keys of a line.

Safety across threads and processes: every line is one ``os.write`` on a descriptor opened with
``O_APPEND``, made while holding a thread lock and an ``flock`` on a lock file beside the log. The
lock also guards rotation, so a process never writes into a file another one just rotated away
(it compares the inode of its descriptor with the log's path after taking the lock).

Tamper evidence, as Certificate Transparency and CloudTrail's digest files do it: each line carries
``prev``, the SHA-256 of the line before it (across rotation: the first line of a new file points at
the last line of the rotated one; the very first line of a log has ``prev`` null). The lock file
doubles as the *head*: after every write it holds the hash of the newest line (through a shared
memory map, so it costs no system call), so deleting or editing the last lines is seen too.
:func:`verify` walks the chain.

Durability: lines bypass Python's buffers, so once ``write`` returns the line is in the kernel and
survives the process being killed. With ``fsync=True`` (the gateway's choice in LIVE) each line is
also forced to the disk. A write the disk cannot take whole (full disk) is cut back off the file, so
no half line stays behind; a half line left by a machine crash is named by the reader, not fatal.

Rotation: when the log would pass ``max_bytes`` or its first line is older than
``rotate_seconds``, it is renamed ``audit.log.<UTC time>``. Retention keeps the newest
``keep_files`` rotated files younger than ``keep_days``, but deletes a file only once
:mod:`tradeguard.archive` has archived it (its checksum is in the archive manifest).
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import mmap
import operator
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

LOCK_SUFFIX = ".lock"
ARCHIVE_FOLDER = "archive"
MANIFEST = "manifest.jsonl"
HEAD_BYTES = 512
PATH_CHECK_SECONDS = 1.0
# How far back from the end of a file the last line is looked for when the head cannot say.
TAIL_BYTES = 1 << 20


_pid = os.getpid()


def _forked() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)


def process_id() -> int:
    """This process's id without a system call per audit line (kept right across fork)."""
    return _pid


class AuditDamageWarning(UserWarning):
    """A line of the audit log could not be read (a half-written last line after a crash)."""


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audit line. ``kind``: order, halt, resume, arm, disarm, breaker_trip, breaker_reset, probe."""

    ts: float
    kind: str
    phase: Optional[str] = None  # "intent" / "outcome" for orders
    attempt_id: Optional[str] = None
    mode: Optional[str] = None
    venue: Optional[str] = None
    method: Optional[str] = None
    order: Optional[dict] = None  # redacted, JSON-safe
    outcome: Optional[str] = None  # filled, accepted, denied, failed, interrupted
    result: Optional[dict] = None  # the canonical result returned to the caller (redacted)
    error: Optional[dict] = None  # {"code": ..., "message": ...}
    submit_seconds: Optional[float] = None
    broker_seconds: Optional[float] = None
    actor: Optional[str] = None
    reason: Optional[str] = None
    arming_id: Optional[str] = None
    decisions: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)  # what one kind adds: approvers, expires_at, ...
    pid: Optional[int] = None
    prev: Optional[str] = None

    def body(self) -> str:
        """The line without its ``prev`` (the writer adds it under the lock), closing brace dropped."""
        return AuditEvent.body_of(_body_values(self))

    @staticmethod
    def body_of(values: tuple) -> str:
        """:meth:`body` of the event whose fields (all but ``prev``, in order) are ``values``: the
        gateway's hot path writes an order's line without building the object (see :func:`order_values`)."""
        return _ENCODER.encode(dict(zip(_BODY_FIELDS, values)))[:-1]

    def to_json(self) -> str:
        return self.body() + ',"prev":' + _ENCODER.encode(self.prev) + "}"

    @classmethod
    def from_json(cls, line: str | bytes) -> "AuditEvent":
        """The event of one line; ValueError when the line is not an audit event."""
        data = json.loads(line)
        if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
            raise ValueError("not an audit event")
        ts = data.get("ts")
        if isinstance(ts, bool) or not isinstance(ts, (int, float)):
            raise ValueError("an audit event needs a numeric ts")
        known = {name: data[name] for name in _FIELD_NAMES if name in data}
        for name in ("decisions", "details"):
            if not isinstance(known.get(name, {}), dict):
                raise ValueError(f"{name} must be an object")
        return cls(**known)

    @property
    def time(self) -> str:
        return iso_time(self.ts)


_FIELD_NAMES = tuple(f.name for f in fields(AuditEvent))
_BODY_FIELDS = tuple(name for name in _FIELD_NAMES if name != "prev")
_body_values = operator.attrgetter(*_BODY_FIELDS)
# One encoder for every line: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


def order_values(
    ts: float, phase: str, attempt_id: str, mode: str, venue: str, method: Optional[str], order: object,
    outcome: Optional[str] = None, result: Optional[dict] = None, error: Optional[dict] = None,
    submit_seconds: Optional[float] = None, broker_seconds: Optional[float] = None,
    arming_id: Optional[str] = None, pid: Optional[int] = None, decisions: Optional[dict] = None,
) -> tuple:
    """The field values of an order's event, in :class:`AuditEvent`'s order (``AuditEvent(*values)``
    is that event): building the frozen object costs more than the rest of a PAPER submit's line."""
    return (ts, "order", phase, attempt_id, mode, venue, method, order, outcome, result, error, submit_seconds,
            broker_seconds, None, None, arming_id, decisions or {}, {}, pid)


def iso_time(epoch: float) -> str:
    try:
        moment = datetime.fromtimestamp(epoch, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return f"<invalid time {epoch!r}>"
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def line_hash(line: bytes) -> str:
    """The hash the next line's ``prev`` holds: SHA-256 of the line without its newline."""
    end = len(line)
    while end and line[end - 1] == 10:  # b"\n", without copying the line
        end -= 1
    return hashlib.sha256(memoryview(line)[:end]).hexdigest()


class AuditLog:
    def __init__(
        self,
        path: os.PathLike | str,
        *,
        fsync: bool = False,
        max_bytes: int = 50 * 1024 * 1024,
        rotate_seconds: float = 24 * 3600,
        keep_files: int = 30,
        keep_days: float = 90,
    ) -> None:
        self.path = Path(path).absolute()
        self._path = str(self.path)  # os.stat on a str skips the Path conversion on every line
        self.fsync = fsync
        self.max_bytes = max_bytes
        self.rotate_seconds = rotate_seconds
        self.keep_files = keep_files
        self.keep_days = keep_days
        self._pid = -1
        self._lock = threading.Lock()
        self._fd = -1
        self._lock_fd = -1
        self._head: Optional[_Head] = None
        self._inode = -1
        self._started = 0.0
        self._path_checked = 0.0
        # (inode, size) of the log after this process's last write, and that line's hash: when the
        # file still has that size nobody wrote since, and the head need not be read.
        self._last: tuple[int, int, Optional[str]] = (-1, -1, None)

    def write(self, event: AuditEvent) -> None:
        """Append ``event`` as one line; OSError when the line could not be written whole."""
        self.write_body(event.body())

    def write_values(self, values: tuple) -> None:
        """Append the event of these field values (see :func:`order_values`) as one line."""
        self.write_body(AuditEvent.body_of(values))

    def write_body(self, text: str) -> None:
        body = text.encode()
        if self._pid != _pid:
            self._after_fork()
        with self._lock:
            if self._lock_fd < 0:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._lock_fd = os.open(f"{self.path}{LOCK_SUFFIX}", os.O_RDWR | os.O_CREAT, 0o600)
                self._head = _Head(self._lock_fd)
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                self._append(body)
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _append(self, body: bytes) -> None:
        size = self._own_size() if self._head is not None and self._head.unchanged() else -1
        if size < 0:
            size = self._follow_rotation()
        prev, torn = self._previous(size)
        if self._due_for_rotation(size, len(body)):
            self._rotate()
            size, torn = 0, False
        line = b'%s%s,"prev":%s}\n' % (b"\n" if torn else b"", body, b'"%s"' % prev.encode() if prev else b"null")
        try:
            written = os.write(self._fd, line)
            while written < len(line):  # regular files take it whole; a full disk may not
                written += os.write(self._fd, line[written:])
            if self.fsync:
                os.fsync(self._fd)
        except OSError:
            _cut_back(self._fd, size)  # no half line stays behind for the next writer or reader
            raise
        digest = hashlib.sha256(memoryview(line)[torn:-1]).hexdigest()  # as a reader splits it: no newlines
        self._last = (self._inode, size + len(line), digest)
        head = b'{"inode": %d, "size": %d, "hash": "%s"}' % (self._inode, size + len(line), digest.encode())
        self._head.write(head.ljust(HEAD_BYTES - 1) + b"\n")

    def close(self) -> None:
        with self._lock:
            if self._head is not None:
                self._head.close()
            for descriptor in (self._fd, self._lock_fd):
                if descriptor >= 0:
                    os.close(descriptor)
            self._fd = self._lock_fd = self._inode = -1
            self._head = None

    def _after_fork(self) -> None:
        # A forked child shares its parent's open files, and with them the flock: it needs its own.
        self._lock = threading.Lock()
        self._fd = self._lock_fd = self._inode = -1
        self._head = None
        self._last = (-1, -1, None)
        self._pid = _pid

    def _previous(self, size: int) -> tuple[Optional[str], bool]:
        """The hash of the newest line (this file or, when empty, the rotated one before it), and
        whether the file ends in a torn line that the next line must start after."""
        inode, known_size, digest = self._last
        if inode == self._inode and known_size == size:
            return digest, False
        head = self._head.read()
        if head is not None and head.get("inode") == self._inode and head.get("size") == size:
            return head.get("hash"), False
        return last_line_hash(self.path, size, rotated_files(self.path))

    def _own_size(self) -> int:
        """The log's size when the head is still ours (nobody wrote or rotated since our line) and
        the file is still linked, checked by ``fstat`` instead of a path lookup; -1 to look the
        path up (a file renamed by someone else is noticed within ``PATH_CHECK_SECONDS``)."""
        now = time.monotonic()
        if self._fd < 0 or now - self._path_checked > PATH_CHECK_SECONDS:
            return -1
        info = os.fstat(self._fd)
        return info.st_size if info.st_nlink else -1  # unlinked: its lines would be lost

    def _follow_rotation(self) -> int:
        """Reopen the log if another process rotated it; its size now (one ``stat`` says both)."""
        self._path_checked = time.monotonic()
        try:
            info = os.stat(self._path)
        except FileNotFoundError:
            info = None
        if info is None or info.st_ino != self._inode or self._fd < 0:
            self._open()
            return os.fstat(self._fd).st_size
        return info.st_size

    def _open(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._inode = os.fstat(self._fd).st_ino
        self._started = _first_event_time(self.path) or time.time()

    def _due_for_rotation(self, size: int, incoming: int) -> bool:
        if size == 0:
            return False
        return size + incoming > self.max_bytes or time.time() - self._started >= self.rotate_seconds

    def _rotate(self) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.path.with_name(f"{self.path.name}.{stamp}")
        os.rename(self.path, target)
        self._open()
        self._prune()

    def _prune(self) -> None:
        """Delete old rotated files, but only those the archive holds (their checksum matches)."""
        rotated = rotated_files(self.path)
        cutoff = time.time() - self.keep_days * 86400
        archived = archived_checksums(self.path)
        for index, old in enumerate(reversed(rotated)):  # newest first
            try:
                if index < self.keep_files and old.stat().st_mtime >= cutoff:
                    continue
                if old.name in archived and file_sha256(old) == archived[old.name]:
                    old.unlink()
            except FileNotFoundError:  # another process pruned it first
                continue


class _Head:
    """The head in the lock file, through a shared memory map: updating it after every line costs
    no system call (other processes and readers see the same page). ``pwrite`` where mapping fails."""

    __slots__ = ("fd", "map", "written")

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.written = b""  # the head as this process last wrote it
        self.map: Optional[mmap.mmap] = None
        try:
            if os.fstat(fd).st_size < HEAD_BYTES:  # only ever grows, so racing writers agree
                os.ftruncate(fd, HEAD_BYTES)
            self.map = mmap.mmap(fd, HEAD_BYTES)
        except (OSError, ValueError):
            self.map = None

    def unchanged(self) -> bool:
        """True when the head is still the one this process wrote: no other writer, no rotation."""
        return self.map is not None and self.map[:HEAD_BYTES] == self.written

    def write(self, head: bytes) -> None:
        self.written = head
        if self.map is None:
            os.pwrite(self.fd, head, 0)
            return
        self.map[:HEAD_BYTES] = head  # not forced to disk: verify accepts a head left behind

    def read(self) -> Optional[dict]:
        return _parse_head(self.map[:HEAD_BYTES]) if self.map is not None else read_head(self.fd)

    def close(self) -> None:
        if self.map is not None:
            self.map.close()


def _cut_back(descriptor: int, size: int) -> None:
    try:
        os.ftruncate(descriptor, size)
    except OSError:  # the reader names a torn last line; nothing better can be done here
        pass


def read_head(lock_fd: int) -> Optional[dict]:
    try:
        raw = os.pread(lock_fd, HEAD_BYTES, 0)
    except OSError:
        return None
    return _parse_head(raw)


def _parse_head(raw: bytes) -> Optional[dict]:
    try:
        head = json.loads(raw) if raw.strip(b" \n\x00") else None
    except ValueError:  # zeros of a fresh head, or damage
        return None
    return head if isinstance(head, dict) else None


def last_line_hash(path: Path, size: int, rotated: list[Path]) -> tuple[Optional[str], bool]:
    """The hash of the last line of ``path`` (or of the newest rotated file when ``path`` is
    empty), and whether ``path`` ends without a newline (a torn line)."""
    if size == 0:
        if not rotated:
            return None, False
        previous = rotated[-1]
        tail = _tail(previous, previous.stat().st_size)
        return (line_hash(tail.rstrip(b"\n").rsplit(b"\n", 1)[-1]) if tail else None), False
    tail = _tail(path, size)
    return line_hash(tail.rstrip(b"\n").rsplit(b"\n", 1)[-1]), not tail.endswith(b"\n")


def _tail(path: Path, size: int) -> bytes:
    with open(path, "rb") as handle:
        start = max(0, size - TAIL_BYTES)
        handle.seek(start)
        return handle.read(size - start)


def rotated_files(path: os.PathLike | str) -> list[Path]:
    """The rotated files of the log at ``path``, oldest first."""
    path = Path(path)
    prefix = path.name + "."
    found = [p for p in path.parent.glob(prefix + "*") if not p.name.endswith(LOCK_SUFFIX)]
    return sorted(found, key=lambda p: p.name)


def archive_folder(path: os.PathLike | str) -> Path:
    return Path(path).parent / ARCHIVE_FOLDER


def archived_entries(path: os.PathLike | str) -> list[dict]:
    """The archive manifest's entries for the log at ``path`` (see :mod:`tradeguard.archive`)."""
    manifest = archive_folder(path) / MANIFEST
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            entries.append(entry)
    return entries


def archived_checksums(path: os.PathLike | str) -> dict[str, str]:
    return {entry["name"]: entry.get("sha256") for entry in archived_entries(path)}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def log_files(path: os.PathLike | str, *, rotated: bool = True, archived: bool = True) -> list[Path]:
    """The files holding the log at ``path``, oldest first: archived (gzip, when the rotated file is
    gone), rotated, then the live file."""
    path = Path(path)
    found: dict[str, Path] = {}
    if archived:  # archives in a folder are read; those in a bucket are not on this machine
        for entry in archived_entries(path):
            location = entry.get("location")
            gz = Path(location) if isinstance(location, str) and "://" not in location else None
            if entry["name"].startswith(path.name + ".") and gz is not None and gz.is_file():
                found[entry["name"]] = gz
    if rotated:
        found.update((file.name, file) for file in rotated_files(path))
    ordered = [found[name] for name in sorted(found)]
    return [*ordered, path] if path.exists() else ordered


def raw_lines(file: Path) -> Iterator[bytes]:
    opener = gzip.open if file.suffix == ".gz" else open
    with opener(file, "rb") as handle:
        yield from handle


def read_events(
    path: os.PathLike | str,
    *,
    rotated: bool = True,
    archived: bool = True,
    on_damage: Optional[Callable[[str], None]] = None,
) -> Iterator[AuditEvent]:
    """Every event of the log at ``path`` in time order, archived and rotated files first.

    A line that cannot be read (a torn last line after a crash or a full disk) is skipped and
    reported through ``on_damage`` (default: an :class:`AuditDamageWarning`).
    """
    report = on_damage or (lambda message: warnings.warn(message, AuditDamageWarning, stacklevel=3))
    for file in log_files(path, rotated=rotated, archived=archived):
        try:
            for number, line in enumerate(raw_lines(file), 1):
                try:
                    yield AuditEvent.from_json(line)
                except (ValueError, TypeError):
                    report(f"{file}: line {number} is damaged (not an audit event){_torn(line)}")
        except FileNotFoundError:  # rotated away or pruned while reading
            continue
        except (OSError, EOFError) as exc:
            report(f"{file}: cannot be read ({type(exc).__name__})")


def _torn(line: bytes) -> str:
    return "" if line.endswith(b"\n") else ", cut short: a write that did not finish"


@dataclass(frozen=True, slots=True)
class Verification:
    lines: int
    files: int
    problem: Optional[str]  # the first broken or missing line; None when the chain is whole
    # Lines torn by a writer killed mid-write (`kill -9` can cut a write between pages): named,
    # not a break, because the line after names the torn piece as its predecessor.
    torn: tuple[str, ...] = ()

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(path: os.PathLike | str) -> Verification:
    """Walk the hash chain of the whole log (archived, rotated, live) and check it against the head.

    The head must name a line of the chain: the newest, or an earlier one when the writer of the
    lines after it died before updating the head (``kill -9``, a power cut: the head is not forced
    to disk). Lines edited, removed, reordered or cut off the end are found; lines appended by
    someone who does not rewrite the head are not (no unkeyed chain can tell those)."""
    path = Path(path)
    files = log_files(path)
    recorded, head_problem = _recorded_head(path)
    expected = _chain_start(path, files)
    head_seen = recorded is None
    count = 0
    torn: list[str] = []
    for file in files:
        for number, line in enumerate(raw_lines(file), 1):
            count += 1
            where = f"{file.name} line {number}"
            if _is_torn(line):
                # The next writer chains to it (see `last_line_hash`); the head never names it: a
                # writer updates the head only after its whole line is written.
                torn.append(where)
                expected = line_hash(line)
                continue
            problem = _chain_problem(line, expected, where)
            if problem is not None:
                return Verification(count, len(files), problem, tuple(torn))
            expected = line_hash(line)
            head_seen = head_seen or expected == recorded
    if head_problem is not None and expected is not None:
        return Verification(count, len(files), head_problem, tuple(torn))
    if not head_seen:
        return Verification(count, len(files), f"{path.name}: the line the head names is not in the log "
                                               "(the last lines were edited or removed)", tuple(torn))
    return Verification(count, len(files), None, tuple(torn))


def _chain_start(path: Path, files: list[Path]) -> Optional[str]:
    """The hash the first file read here continues from: the last line of the newest file archived
    off this machine (``s3://``) before it, as the manifest recorded it; ``None`` when none is."""
    if not files:
        return None
    first = None if files[0] == path else files[0].name.removesuffix(".gz")
    remote = [
        entry for entry in archived_entries(path)
        if entry["name"].startswith(path.name + ".") and "://" in str(entry.get("location"))
        and (first is None or entry["name"] < first)
    ]
    if not remote:
        return None
    last = max(remote, key=lambda entry: entry["name"]).get("last_hash")
    return last if isinstance(last, str) else None


def _is_torn(line: bytes) -> bool:
    """The start of a line whose write did not finish: an event cut before its closing brace (at
    the file's end, or with a later writer's line after it). An edited line is not let through
    by this: the line after it names the original's hash, not the edit's."""
    return not line.rstrip(b"\n").endswith(b"}")


def _recorded_head(path: Path) -> tuple[Optional[str], Optional[str]]:
    """The hash the head names, and what is wrong with the head when it names none."""
    lock = Path(f"{path}{LOCK_SUFFIX}")
    try:
        descriptor = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        return None, f"{lock.name}: the head is missing, so the newest lines cannot be checked"
    try:
        head = read_head(descriptor)
    finally:
        os.close(descriptor)
    recorded = head.get("hash") if head else None
    if not isinstance(recorded, str):
        return None, f"{lock.name}: the head is empty or damaged, so the newest lines cannot be checked"
    return recorded, None


def _chain_problem(line: bytes, expected: Optional[str], where: str) -> Optional[str]:
    if not line.endswith(b"\n"):  # a whole event without its newline: writers write both at once
        return f"{where}: cut short (its newline is missing)"
    try:
        prev = AuditEvent.from_json(line).prev
    except (ValueError, TypeError):
        return f"{where}: damaged (not an audit event)"
    if prev == expected:
        return None
    if expected is None:
        return f"{where}: the log starts after lines that are missing (its prev points at a line not present)"
    return f"{where}: the chain is broken (the line before it was edited, removed or reordered)"


def _first_event_time(path: Path) -> Optional[float]:
    try:
        with open(path, "rb") as handle:
            first = handle.readline(1 << 16)
        return AuditEvent.from_json(first).ts if first else None
    except (OSError, ValueError, TypeError):
        return None
