"""What a readiness report vouches for: which commit, on which host, run by whom, and when.

Approvers confirm "this commit, this host" before LIVE is armed, so the report names them: the
commit and branch of the project's git repository and whether its work tree has changes the
commit does not hold (uncommitted or untracked files), the host, the user and the time (UTC).
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from hooks.readiness_checks.base import git


@dataclass(frozen=True)
class Provenance:
    commit: str | None      # None outside a git repository, or before its first commit
    branch: str | None      # None on a detached HEAD
    dirty: bool | None      # the work tree differs from the commit; None without a repository
    host: str
    user: str
    time: str               # ISO 8601, UTC, to the second

    def to_json(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        """One line for the text report."""
        if self.commit is None:
            where = "not a git repository (no commit to vouch for)"
        else:
            state = "uncommitted changes" if self.dirty else "clean"
            where = f"commit {self.commit} ({f'branch {self.branch}' if self.branch else 'detached HEAD'}, {state})"
        return f"{where} on {self.host} by {self.user} at {self.time}"


def provenance(root: Path) -> Provenance:
    commit = _git_line(root, "rev-parse", "--verify", "--quiet", "HEAD")
    branch = _git_line(root, "symbolic-ref", "--quiet", "--short", "HEAD") if commit else None
    dirty = None
    if commit:
        status = git(root, "status", "--porcelain", "--untracked-files=normal")
        dirty = status.returncode != 0 or bool(status.stdout.strip())
    return Provenance(
        commit=commit, branch=branch, dirty=dirty, host=socket.gethostname(), user=_user(),
        time=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    )


def _git_line(root: Path, *args: str) -> str | None:
    done = git(root, *args)
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers): say which uid
        import os

        return f"uid {os.getuid()}"
