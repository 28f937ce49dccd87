"""The audit log: one JSON line per order attempt (and per operator action), never lost, never mixed.

Safety across threads and processes: every line is one ``os.write`` on a descriptor opened with
``O_APPEND``, made while holding a thread lock and an ``flock`` on a lock file beside the log. The
lock also guards rotation, so a process never writes into a file another one just rotated away
(it compares the inode of its descriptor with the log's path after taking the lock).

Durability: lines bypass Python's buffers, so once ``write`` returns the line is in the kernel and
survives the process being killed. With ``fsync=True`` (the gateway's choice in LIVE) each line is
also forced to the disk, which survives a machine crash at the cost of a disk flush per order;
PAPER skips that cost.

Rotation: when the log would pass ``max_bytes`` or its first line is older than
``rotate_seconds``, it is renamed ``audit.log.<UTC time>``; the newest ``keep_files`` rotated files
younger than ``keep_days`` are kept, older ones deleted.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional

from tradeguard.redact import plain

LOCK_SUFFIX = ".lock"


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
        self.fsync = fsync
        self.max_bytes = max_bytes
        self.rotate_seconds = rotate_seconds
        self.keep_files = keep_files
        self.keep_days = keep_days
        self._pid = -1
        self._lock = threading.Lock()
        self._fd = -1
        self._lock_fd = -1
        self._inode = -1
        self._started = 0.0

    def write(self, record: dict) -> None:
        """Append ``record`` (credentials redacted) as one JSON line."""
        line = (json.dumps(plain(record), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        if self._pid != os.getpid():
            self._after_fork()
        with self._lock:
            if self._lock_fd < 0:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._lock_fd = os.open(f"{self.path}{LOCK_SUFFIX}", os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                self._follow_rotation()
                if self._due_for_rotation(len(line)):
                    self._rotate()
                written = os.write(self._fd, line)
                while written < len(line):  # regular files take it whole; a full disk may not
                    written += os.write(self._fd, line[written:])
                if self.fsync:
                    os.fsync(self._fd)
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._lock:
            for descriptor in (self._fd, self._lock_fd):
                if descriptor >= 0:
                    os.close(descriptor)
            self._fd = self._lock_fd = self._inode = -1

    def _after_fork(self) -> None:
        # A forked child shares its parent's open files, and with them the flock: it needs its own.
        self._lock = threading.Lock()
        self._fd = self._lock_fd = self._inode = -1
        self._pid = os.getpid()

    def _follow_rotation(self) -> None:
        try:
            current = os.stat(self.path).st_ino
        except FileNotFoundError:
            current = -2
        if current != self._inode or self._fd < 0:
            self._open()

    def _open(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._inode = os.fstat(self._fd).st_ino
        self._started = _first_record_time(self.path) or time.time()

    def _due_for_rotation(self, incoming: int) -> bool:
        size = os.fstat(self._fd).st_size
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
        rotated = rotated_files(self.path)
        cutoff = time.time() - self.keep_days * 86400
        for index, old in enumerate(reversed(rotated)):  # newest first
            try:
                if index >= self.keep_files or old.stat().st_mtime < cutoff:
                    old.unlink()
            except FileNotFoundError:  # another process pruned it first
                continue


def rotated_files(path: os.PathLike | str) -> list[Path]:
    """The rotated files of the log at ``path``, oldest first."""
    path = Path(path)
    prefix = path.name + "."
    found = [p for p in path.parent.glob(prefix + "*") if not p.name.endswith(LOCK_SUFFIX)]
    return sorted(found, key=lambda p: p.name)


def read_records(path: os.PathLike | str) -> Iterator[dict]:
    """Every record of the log at ``path``, rotated files first, in order."""
    path = Path(path)
    for file in [*rotated_files(path), path]:
        try:
            with open(file, encoding="utf-8") as handle:
                for line in handle:
                    yield json.loads(line)
        except FileNotFoundError:
            continue


def _first_record_time(path: Path) -> Optional[float]:
    try:
        with open(path, "rb") as handle:
            first = handle.readline(1 << 16)
        stamp = json.loads(first).get("ts") if first else None
    except (OSError, ValueError, AttributeError):
        return None
    return float(stamp) if isinstance(stamp, (int, float)) and not isinstance(stamp, bool) else None
