"""What must not live in the repository: audit logs, tradeguard's state folder, telemetry and trade
databases, and large data dumps. Judged by name and by content, so a renamed file is still caught
(an SQLite file called ``notes.bin`` is a database; JSON lines of audit events are an audit log).

Used by the ``tradeguard-artifacts`` pre-commit hook (staged files) and by ``tradeguard artifacts``
(tracked files, and with ``--history`` every blob in the git history).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import PurePosixPath
from typing import Optional

# Read this much of a file to judge its content.
HEAD_BYTES = 4096
DEFAULT_MAX_KB = 500  # check-added-large-files' default, for data dumps
SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"

# (glob on the path's parts or name, what it is); the first match names it.
NAMED = (
    (".tradeguard/**", "tradeguard state folder (arming, kill switch, audit log, telemetry)"),
    ("audit.log", "audit log"),
    ("audit.log.*", "audit log (rotated or archived)"),
    ("tradesv3*.sqlite*", "trade database (freqtrade)"),
    ("telemetry.sqlite*", "telemetry database"),
    ("*.sqlite", "database"),
    ("*.sqlite3", "database"),
    ("*.db", "database"),
    ("*.db-journal", "database journal"),
    ("*.db-wal", "database write-ahead log"),
    ("*.log", "log file"),
    ("*.log.[0-9]*", "log file (rotated)"),
    ("*.log.gz", "log file (compressed)"),
)
# Data dumps: fine while small (fixtures), blocked above the size limit.
DATA_SUFFIXES = (".csv", ".tsv", ".parquet", ".feather", ".arrow", ".h5", ".hdf5", ".pkl", ".pickle",
                 ".jsonl", ".ndjson", ".json.gz", ".csv.gz", ".npy", ".npz", ".zip", ".tar.gz")
# Source and docs: never judged by content (a test that writes an audit line in a string is code).
SOURCE_SUFFIXES = (".py", ".pyi", ".pyx", ".pxd", ".md", ".rst", ".toml", ".cfg", ".ini", ".yaml", ".yml",
                   ".txt", ".html", ".css", ".js", ".ts", ".sh", ".svg")
AUDIT_KINDS = {"order", "halt", "resume", "arm", "disarm", "breaker_trip", "breaker_reset", "submit"}


@dataclass(frozen=True)
class Artifact:
    path: str
    what: str
    size: int

    def describe(self) -> str:
        return f"{self.path}: {self.what} ({_size(self.size)})"


def classify(path: str, size: int, head: bytes, max_kb: int = DEFAULT_MAX_KB) -> Optional[Artifact]:
    """The artifact ``path`` is (its ``size`` in bytes, its first bytes ``head``), or None."""
    posix = PurePosixPath(path.replace("\\", "/"))
    named = _by_name(posix)
    if named:
        return Artifact(str(posix), named, size)
    lowered = posix.name.lower()
    if not lowered.endswith(SOURCE_SUFFIXES):
        found = _by_content(head)
        if found:
            return Artifact(str(posix), found, size)
    if lowered.endswith(DATA_SUFFIXES) and size > max_kb * 1024:
        return Artifact(str(posix), f"data dump over {max_kb} KB", size)
    return None


def _by_name(path: PurePosixPath) -> Optional[str]:
    text = str(path)
    for pattern, what in NAMED:
        if pattern.endswith("/**"):
            if pattern[:-3] in path.parts[:-1]:
                return what
        elif fnmatch(path.name.lower(), pattern) or fnmatch(text.lower(), pattern):
            return what
    return None


def _by_content(head: bytes) -> Optional[str]:
    if head.startswith(SQLITE_MAGIC):
        return "database (SQLite, by content)"
    if head.startswith(GZIP_MAGIC):
        inner = _gunzip_head(head)
        if inner is not None and _audit_lines(inner):
            return "audit log (gzip, by content)"
        return None
    if _audit_lines(head):
        return "audit log (JSON lines of audit events, by content)"
    return None


def _gunzip_head(head: bytes) -> Optional[bytes]:
    # A decompressor object takes a cut-off stream (only the file's head is read) and gives what it can.
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, HEAD_BYTES)
    except zlib.error:
        return None


def _audit_lines(head: bytes) -> bool:
    """The text starts with a JSON object line that has an audit event's time and kind."""
    first = head.split(b"\n", 1)[0]
    if not first.startswith(b"{"):
        return False
    try:
        record = json.loads(first)
    except ValueError:
        return False
    kind = record.get("kind", record.get("event")) if isinstance(record, dict) else None
    return isinstance(record, dict) and "ts" in record and kind in AUDIT_KINDS


def _size(size: int) -> str:
    value, unit = float(size), "bytes"
    for bigger in ("KB", "MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
