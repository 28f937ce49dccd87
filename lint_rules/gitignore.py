"""Which paths git ignores (``.gitignore``, ``.git/info/exclude``, the global excludes file).

As ruff does, files git ignores are neither checked nor scanned (``respect-gitignore``). git
itself answers (``git check-ignore``), so every form of ignore file and pattern means exactly
what it means to git. Files git tracks are never ignored, whatever the patterns say. Without
git, or outside a repository, nothing is ignored: a missing tool must not hide a file.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

# A repository of tens of thousands of files answers in well under a second; this only stops a
# wedged git (a hung network file system) from hanging the run.
GIT_TIMEOUT_SECONDS = 30


def ignored_paths(folder: Path, rel_paths: Iterable[str]) -> frozenset[str]:
    """The members of ``rel_paths`` (relative to ``folder``, with ``/``) that git ignores.

    Paths that leave ``folder`` (absolute, or through ``..``) are never reported as ignored:
    git refuses paths outside the repository, and one such path must not void the answer for
    the others.
    """
    candidates = [path for path in rel_paths if _inside(path)]
    if not candidates:
        return frozenset()
    payload = b"".join(os.fsencode(path) + b"\0" for path in candidates)
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "check-ignore", "--stdin", "-z"],
            input=payload, capture_output=True, timeout=GIT_TIMEOUT_SECONDS,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},  # read-only: never take the index lock
        )
    except (OSError, subprocess.SubprocessError):  # no git, or git hung
        return frozenset()
    # 0: some paths ignored, 1: none; anything else (not a repository, ...) counts as none.
    if done.returncode != 0:
        return frozenset()
    return frozenset(os.fsdecode(path) for path in done.stdout.split(b"\0") if path)


def _inside(rel_path: str) -> bool:
    return bool(rel_path) and not rel_path.startswith("/") and ".." not in rel_path.split("/")
