"""The arming key: arming records are signed (HMAC-SHA256) with a key kept outside the repository.

A hand-written ``arming.json`` must not turn LIVE on. The key lives in the operator's own config
folder (``$TRADEGUARD_ARMING_KEY``, else ``$XDG_CONFIG_HOME/tradeguard/arming.key``, else
``~/.config/tradeguard/arming.key``), made owner-only on first ``tradeguard live arm``. A key inside
the project or the state folder is refused: a key that can be committed or copied with the state
signs nothing. The gateway needs the same key to check the record, so bots run as the operator's
user (or with ``TRADEGUARD_ARMING_KEY`` pointing at a copy only they can read).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

KEY_ENV = "TRADEGUARD_ARMING_KEY"
KEY_BYTES = 32
SIGNATURE_FIELD = "signature"


class SigningError(Exception):
    """The key is missing, unsafe or in the wrong place; the message says which and where."""


def key_path() -> Path:
    chosen = os.environ.get(KEY_ENV)
    if chosen:
        return Path(chosen).expanduser().absolute()
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config, "tradeguard", "arming.key").absolute()


def load_key(forbidden: Iterable[Path] = (), create: bool = False) -> bytes:
    """The arming key; made (owner-only) when ``create`` and absent. Refused inside ``forbidden`` folders."""
    path = key_path()
    resolved = path.resolve()
    for folder in forbidden:
        if resolved.is_relative_to(Path(folder).resolve()):
            raise SigningError(f"the arming key {path} is inside {folder}; keep it outside the project and the state folder")
    if create and not os.path.lexists(path):
        _create(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise SigningError(f"no arming key at {path} (it is made by `tradeguard live arm`)") from None
    except OSError as exc:
        raise SigningError(f"the arming key {path} cannot be read ({type(exc).__name__})") from None
    problem = _unsafe(info)
    if problem:
        raise SigningError(f"the arming key {path} {problem}")
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        raise SigningError(f"the arming key {path} is unreadable or malformed") from None
    if len(key) < 16:
        raise SigningError(f"the arming key {path} is too short")
    return key


def key_id(key: bytes) -> str:
    """A short public name of the key (which key signed a record), not the key."""
    return hashlib.sha256(b"tradeguard-key-id:" + key).hexdigest()[:12]


def sign(record: dict, key: bytes) -> str:
    return hmac.new(key, _canonical(record), hashlib.sha256).hexdigest()


def signature_ok(record: dict, key: bytes) -> bool:
    given = record.get(SIGNATURE_FIELD)
    return isinstance(given, str) and hmac.compare_digest(given, sign(record, key))


def _canonical(record: dict) -> bytes:
    unsigned = {name: value for name, value in record.items() if name != SIGNATURE_FIELD}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another `live arm` made it first
        return
    try:
        os.write(descriptor, (secrets.token_hex(KEY_BYTES) + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _unsafe(info: os.stat_result) -> Optional[str]:
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link (it must be a regular file)"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_uid != os.geteuid():
        return "is not owned by you"
    if info.st_mode & 0o077:
        return f"can be read or written by others (mode {stat.S_IMODE(info.st_mode):o}; run chmod 600)"
    return None
