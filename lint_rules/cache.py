"""The on-disk cache in ``.tradeguard_cache/`` beside pyproject.toml: small JSON documents,
read once per run and replaced atomically, so concurrent runs never see half a file."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from lint_rules import __version__

CACHE_DIR_NAME = ".tradeguard_cache"


def code_fingerprint(package: Path = Path(__file__).parent) -> str:
    """Identifies the installed code of ``package`` (default: the rules), so an upgrade or an
    edit of an editable install invalidates cached results even when the version number stays
    the same."""
    stats = sorted(
        (str(path.relative_to(package)), path.stat().st_mtime_ns, path.stat().st_size)
        for path in package.rglob("*.py")
    )
    return hashlib.sha256(repr((__version__, stats)).encode()).hexdigest()[:16]


class JsonCache:
    """One named JSON document in the cache folder; a missing or corrupt one reads as empty."""

    def __init__(self, root: Path, name: str, enabled: bool = True) -> None:
        self.path = root / CACHE_DIR_NAME / f"{name}-{__version__}.json"
        self.enabled = enabled

    def load(self) -> dict:
        if not self.enabled:
            return {}
        try:
            with open(self.path, encoding="utf-8") as stream:
                data = json.load(stream)
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, data: dict) -> None:
        """Write atomically; a read-only project simply runs without a cache."""
        if not self.enabled:
            return
        folder = self.path.parent
        try:
            folder.mkdir(exist_ok=True)
            ignore_file = folder / ".gitignore"
            if not ignore_file.exists():
                ignore_file.write_text("# created by tradeguard\n*\n", encoding="utf-8")
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, separators=(",", ":"))
            os.replace(temporary, self.path)
        except OSError:
            return
