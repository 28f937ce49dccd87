"""The state folder shared by the operator's commands and every trading process.

``TRADEGUARD_HOME`` (default ``.tradeguard/`` in the working directory) holds two small JSON files,
each written atomically (temporary file, fsync, rename):

- ``arming.json``: the arming record made by ``tradeguard live arm`` (id, approvers, expiry, reason,
  readiness); LIVE holds only while it exists and is valid.
- ``halt.json``: the kill switch; while it exists, every submit is refused, in every mode.

A gateway checks them at every submit with one ``stat`` each and re-reads a file only when its
inode, size or modification time changed, so a halt written by another process is seen at the next
submit for the price of a system call.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

HOME_ENV = "TRADEGUARD_HOME"
ARMING_FILE = "arming.json"
HALT_FILE = "halt.json"
# An arming record dated this far in the future was not written by this machine's clock.
CLOCK_SKEW_SECONDS = 60.0


def resolve_home(home: Optional[os.PathLike | str] = None) -> Path:
    chosen = home if home is not None else os.environ.get(HOME_ENV) or ".tradeguard"
    return Path(chosen).expanduser().absolute()


def iso_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def operator_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in containers without a passwd entry
        return f"uid:{os.getuid()}"


def write_atomically(path: Path, payload: dict) -> None:
    """Replace ``path`` with ``payload`` as JSON so readers see the old or the new file, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    data = (json.dumps(payload, indent=2, sort_keys=True) + "\n").encode()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class _WatchedFile:
    """A JSON file re-read only when ``stat`` says it changed; ``read()`` is None when it is absent."""

    __slots__ = ("path", "_key", "_value")

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: Optional[tuple[int, int, int]] = None
        self._value: object = None

    def read(self) -> object:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self._key = None
            return None
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if key != self._key:
            try:
                with open(self.path, "rb") as handle:
                    self._value = json.loads(handle.read())
            except (OSError, ValueError):
                self._value = {"unreadable": True}
            self._key = key
        return self._value


class StateFolder:
    def __init__(self, home: Optional[os.PathLike | str] = None) -> None:
        self.home = resolve_home(home)
        self._arming = _WatchedFile(self.home / ARMING_FILE)
        self._halt = _WatchedFile(self.home / HALT_FILE)

    # -- kill switch -------------------------------------------------------------------------
    def halt_record(self) -> Optional[dict]:
        record = self._halt.read()
        if record is None:
            return None
        if not isinstance(record, dict) or record.get("unreadable"):
            return {"reason": f"kill switch file {self._halt.path} is unreadable", "by": "unknown"}
        return record

    def halt(self, reason: str, by: Optional[str] = None) -> dict:
        now = time.time()
        record = {
            "reason": reason,
            "by": by or operator_name(),
            "halted_at": now,
            "halted_at_iso": iso_time(now),
            "host": socket.gethostname(),
            "pid": os.getpid(),
        }
        write_atomically(self._halt.path, record)
        return record

    def resume(self) -> bool:
        """Turn the kill switch off; False when it was not on."""
        try:
            os.unlink(self._halt.path)
        except FileNotFoundError:
            return False
        _fsync_folder(self.home)
        return True

    # -- arming ------------------------------------------------------------------------------
    def arm(
        self,
        approvers: list[str],
        required_approvers: int,
        ttl_seconds: float,
        reason: str,
        readiness: dict,
    ) -> dict:
        now = time.time()
        record = {
            "id": uuid.uuid4().hex[:16],
            "approvers": approvers,
            "required_approvers": required_approvers,
            "reason": reason,
            "operator": operator_name(),
            "host": socket.gethostname(),
            "armed_at": now,
            "armed_at_iso": iso_time(now),
            "expires_at": now + ttl_seconds,
            "expires_at_iso": iso_time(now + ttl_seconds),
            "ttl_seconds": ttl_seconds,
            "readiness": readiness,
        }
        problem = arming_problem(record, now)
        if problem is not None:
            raise ValueError(problem)
        write_atomically(self._arming.path, record)
        return record

    def disarm(self) -> bool:
        """Remove the arming record; False when there was none."""
        try:
            os.unlink(self._arming.path)
        except FileNotFoundError:
            return False
        _fsync_folder(self.home)
        return True

    def arming_record(self) -> object:
        """The arming record as stored (possibly malformed), or None."""
        return self._arming.read()

    def arming_status(self, now: Optional[float] = None) -> tuple[Optional[str], Optional[dict]]:
        """Why the arming record cannot arm LIVE now (None when it can), and the record when valid."""
        record = self.arming_record()
        problem = arming_problem(record, time.time() if now is None else now)
        if problem is not None or not isinstance(record, dict):
            return problem, None
        return None, record


def arming_problem(record: object, now: float) -> Optional[str]:
    """What makes ``record`` unable to arm LIVE at ``now``, or None when it is valid."""
    if record is None:
        return "LIVE is not armed (run `tradeguard live arm`)"
    if not isinstance(record, dict) or record.get("unreadable"):
        return "the arming record is unreadable"
    approvers, required = record.get("approvers"), record.get("required_approvers")
    expires_at, armed_at = record.get("expires_at"), record.get("armed_at")
    if (
        not isinstance(approvers, list)
        or not all(isinstance(name, str) and name.strip() for name in approvers)
        or isinstance(required, bool)
        or not isinstance(required, int)
        or required < 1
        or not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in (expires_at, armed_at))
        or not isinstance(record.get("id"), str)
    ):
        return "the arming record is malformed"
    distinct = {name.strip().casefold() for name in approvers}
    if len(distinct) < required:
        return f"the arming record has {len(distinct)} distinct approver(s), {required} required"
    if armed_at > now + CLOCK_SKEW_SECONDS:
        return "the arming record is dated in the future"
    if expires_at <= now:
        return f"the arming expired at {iso_time(expires_at)}"
    return None
