"""The state folder shared by the operator's commands and every trading process.

``TRADEGUARD_HOME``, by default ``.tradeguard/`` in the project root (the folder of the
``pyproject.toml`` found upward from the working directory, so a command run from a subfolder
finds the same state), holds:

- ``arming.json``: the arming record made by ``tradeguard live arm``: id, approvers, times,
  reason, readiness, signed with the arming key (:mod:`tradeguard.signing`); LIVE holds only while
  it is valid under ``[tool.tradeguard.live]`` (approver count and longest TTL come from there).
- ``halt.json``: the kill switch; while it exists, every submit is refused, in every mode.
- ``gateways/<host>-<pid>.json``: the heartbeat of each running gateway, so the operator's
  commands can say whether a running process uses this folder.

Fail closed: a state file that is unreadable, malformed, a dangling link, not a regular file, or
writable by others means halted (``halt.json``) or not armed (``arming.json``, which must also be
owned by the user), and the refusal names the reason. A gateway checks each file at every submit
with one ``lstat`` and re-reads it only when it changed.
"""

from __future__ import annotations

import getpass
import json
import math
import os
import socket
import stat
import time
import uuid
from pathlib import Path
from typing import Optional

from tradeguard import signing
from tradeguard.approvers import approvers_problem
from tradeguard.audit import iso_time, process_id
from tradeguard.config import LivePolicy, find_pyproject

HOME_ENV = "TRADEGUARD_HOME"
HOME_FOLDER = ".tradeguard"
ARMING_FILE = "arming.json"
HALT_FILE = "halt.json"
HEARTBEAT_FOLDER = "gateways"
HEARTBEAT_SECONDS = 5.0
# An arming record dated this far in the future was not written by this machine's clock.
CLOCK_SKEW_SECONDS = 60.0
EARLIEST_TIME = 1_577_836_800.0  # 2020-01-01: a record from before is not this tool's
ABSENT = object()


def resolve_home(home: Optional[os.PathLike | str] = None) -> Path:
    """``home``, else ``TRADEGUARD_HOME``, else the project root's ``.tradeguard/`` (else the working
    directory's, outside any project)."""
    chosen = home if home is not None else os.environ.get(HOME_ENV)
    if chosen:
        return Path(chosen).expanduser().absolute()
    root = project_root()
    return (root or Path.cwd()) / HOME_FOLDER


class NoStateFolder(LookupError):
    """An operator's command run outside any project with no state folder named."""


def command_home(home: Optional[os.PathLike | str] = None) -> Path:
    """The state folder an operator's command acts on: as :func:`resolve_home`, but never guessed
    outside a project (a halt into a folder no bot reads would halt nothing)."""
    if home is None and not os.environ.get(HOME_ENV) and project_root() is None:
        raise NoStateFolder(
            f"no pyproject.toml found from {Path.cwd()} upward, so there is no project state folder: "
            f"run this in the bot's project, or set {HOME_ENV} (or --home) to the folder the bot uses"
        )
    return resolve_home(home)


def project_root(start: Optional[os.PathLike | str] = None) -> Optional[Path]:
    pyproject = find_pyproject(start)
    return pyproject.parent if pyproject else None


def operator_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in containers without a passwd entry
        return f"uid:{os.getuid()}"


def write_atomically(path: Path, payload: dict) -> None:
    """Replace ``path`` with ``payload`` as JSON so readers see the old or the new file, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    data = (json.dumps(payload, indent=2, sort_keys=True, allow_nan=False) + "\n").encode()
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


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


class _WatchedFile:
    """A JSON file re-read only when ``lstat`` says it changed.

    ``read()`` is ``ABSENT``, a problem (str, wrapped in a tuple) or the parsed value."""

    __slots__ = ("path", "_path", "owner_only", "_key", "_value")

    def __init__(self, path: Path, owner_only: bool) -> None:
        self.path = path
        self._path = str(path)  # lstat on a str: no Path conversion at every submit
        self.owner_only = owner_only
        self._key: Optional[tuple] = None
        self._value: object = ABSENT

    def read(self) -> object:
        try:
            info = os.lstat(self._path)
        except FileNotFoundError:
            self._key = None
            return ABSENT
        except OSError as exc:  # TRADEGUARD_HOME is a file, or a folder we may not enter
            return (f"cannot be checked ({type(exc).__name__})",)
        if stat.S_ISLNK(info.st_mode):
            try:
                info = os.stat(self.path)
            except OSError:
                return ("is a dangling link",)
        key = (info.st_ino, info.st_mtime_ns, info.st_size, info.st_mode, info.st_uid)
        if key != self._key:
            self._value = self._load(info)
            self._key = key
        return self._value

    def _load(self, info: os.stat_result) -> object:
        if not stat.S_ISREG(info.st_mode):
            return ("is not a regular file",)
        if info.st_mode & 0o022:
            return (f"is writable by others (mode {stat.S_IMODE(info.st_mode):o})",)
        if self.owner_only and info.st_uid != os.geteuid():
            return ("is not owned by you",)
        try:
            with open(self.path, "rb") as handle:
                return json.loads(handle.read(), parse_constant=_reject_constant)
        except OSError as exc:
            return (f"cannot be read ({type(exc).__name__})",)
        except ValueError:
            return ("is not valid JSON",)


class StateFolder:
    def __init__(self, home: Optional[os.PathLike | str] = None, policy: Optional[LivePolicy] = None) -> None:
        self.home = resolve_home(home)
        self.policy = policy or LivePolicy()
        self._arming = _WatchedFile(self.home / ARMING_FILE, owner_only=True)
        self._halt = _WatchedFile(self.home / HALT_FILE, owner_only=False)
        self._checked: tuple[object, Optional[str]] = (ABSENT, None)  # (record, its static problem)
        self._beat = (-1, 0.0)

    # -- kill switch -------------------------------------------------------------------------
    def halt_record(self) -> Optional[dict]:
        """The kill switch when on (fail closed: a file that cannot be trusted is a halt), else None."""
        record = self._halt.read()
        if record is ABSENT:
            return None
        if isinstance(record, tuple):
            return {"reason": f"the kill switch file {self._halt.path} {record[0]}", "by": "unknown"}
        if not isinstance(record, dict):
            return {"reason": f"the kill switch file {self._halt.path} does not hold a JSON object", "by": "unknown"}
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
    def arm(self, approvers: list[str], ttl_seconds: float, reason: str, readiness: dict,
            replaces: Optional[str] = None) -> dict:
        """Write a signed arming record; ValueError (and nothing written) when it would not arm."""
        key = signing.load_key(self.forbidden_key_places(), create=True)
        now = time.time()
        record = {
            "id": uuid.uuid4().hex[:16],
            "approvers": approvers,
            "reason": reason,
            "operator": operator_name(),
            "host": socket.gethostname(),
            "armed_at": now,
            "armed_at_iso": iso_time(now),
            "expires_at": now + ttl_seconds,
            "expires_at_iso": iso_time(now + ttl_seconds),
            "ttl_seconds": ttl_seconds,
            "readiness": readiness,
            "replaces": replaces,
            "key_id": signing.key_id(key),
        }
        record[signing.SIGNATURE_FIELD] = signing.sign(record, key)
        problem = self._static_problem(record) or _time_problem(record, now)
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

    def arming_record(self) -> Optional[dict]:
        """The arming record as stored when it is a JSON object (valid or not), else None."""
        record = self._arming.read()
        return record if isinstance(record, dict) else None

    def arming_status(self, now: Optional[float] = None) -> tuple[Optional[str], Optional[dict]]:
        """Why the arming record cannot arm LIVE now (None when it can), and the record when valid."""
        record = self._arming.read()
        if record is ABSENT:
            return "LIVE is not armed (run `tradeguard live arm`)", None
        if isinstance(record, tuple):
            return f"the arming record {self._arming.path} {record[0]}", None
        checked, problem = self._checked
        if checked is not record:  # a new file: check shape, approvers, policy and signature once
            problem = self._static_problem(record)
            self._checked = (record, problem)
        problem = problem or _time_problem(record, time.time() if now is None else now)
        return (problem, None) if problem is not None else (None, record)

    def _static_problem(self, record: object) -> Optional[str]:
        if not isinstance(record, dict):
            return "the arming record is malformed (not a JSON object)"
        if not isinstance(record.get("id"), str) or not all(_finite(record.get(t)) for t in ("armed_at", "expires_at")):
            return "the arming record is malformed"
        problem = approvers_problem(record.get("approvers"), self.policy.required_approvers)
        if problem is not None:
            return f"the arming record is refused: {problem}"
        ttl = record["expires_at"] - record["armed_at"]
        if not 0 < ttl <= self.policy.max_ttl_seconds + 1:
            return f"the arming record lasts {ttl:g}s, beyond max-ttl {self.policy.max_ttl_seconds:g}s"
        try:
            key = signing.load_key(self.forbidden_key_places())
        except signing.SigningError as exc:
            return f"the arming record cannot be checked: {exc}"
        if not signing.signature_ok(record, key):
            return "the arming record's signature does not match (not made by `tradeguard live arm` with this key)"
        return None

    def forbidden_key_places(self) -> list[Path]:
        root = project_root()
        return [self.home, *([root] if root else [])]

    # -- heartbeat ---------------------------------------------------------------------------
    def beat(self, mode: str, force: bool = False) -> None:
        """Leave (every few seconds at most) this process's heartbeat in the folder; never raises."""
        pid, last = self._beat
        now = time.monotonic()
        if not force and pid == process_id() and now - last < HEARTBEAT_SECONDS:
            return
        self._beat = (process_id(), now)
        path = self.home / HEARTBEAT_FOLDER / f"{socket.gethostname()}-{os.getpid()}.json"
        try:
            if pid == os.getpid() and not force:
                os.utime(path)
                return
            write_atomically(path, {"pid": os.getpid(), "host": socket.gethostname(), "mode": mode,
                                    "started": time.time(), "cwd": os.getcwd()})
        except OSError:  # the heartbeat is a courtesy to the operator, never a reason to fail an order
            pass

    def gateways(self) -> list[dict]:
        """The heartbeats of gateways using this folder; on this host only the living, stale ones removed."""
        folder = self.home / HEARTBEAT_FOLDER
        found = []
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                beat = json.loads(path.read_text())
                seen = path.stat().st_mtime
            except (OSError, ValueError):
                continue
            if not isinstance(beat, dict) or not isinstance(beat.get("pid"), int):
                continue
            if beat.get("host") == socket.gethostname() and not _alive(beat["pid"]):
                path.unlink(missing_ok=True)
                continue
            found.append({**beat, "seen": seen})
        return found


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _time_problem(record: dict, now: float) -> Optional[str]:
    armed_at, expires_at = record["armed_at"], record["expires_at"]
    if armed_at < EARLIEST_TIME:
        return "the arming record is malformed (dated before 2020)"
    if armed_at > now + CLOCK_SKEW_SECONDS:
        return "the arming record is dated in the future"
    if expires_at <= now:
        return f"the arming expired at {iso_time(expires_at)}"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
