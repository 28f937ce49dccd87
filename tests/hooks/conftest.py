"""What the end-to-end hook tests share: the team's copy of tradeguard that pre-commit installs
from, and pre-commit's home, so that pre-commit builds the hooks' environment once per session
(about ten seconds) for every test that commits through them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

from lint_rules import __version__

# The tag the README's "Pinning" makes in the team's copy (from `tradeguard --version`).
TAG = f"v{__version__}"


def git(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def git_identity(repo: Path) -> None:
    git("config", "user.email", "dev@example.com", cwd=repo)
    git("config", "user.name", "Dev", cwd=repo)
    git("config", "commit.gpgsign", "false", cwd=repo)


def snapshot(target: Path) -> str:
    """This checkout as the working tree holds it (tracked and new files) committed to a git
    repository at ``target``; its commit."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for rel in filter(None, listed):
        source = REPO / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=target, check=True)
    git_identity(target)
    git("add", "-A", cwd=target)
    assert git("commit", "-q", "-m", "snapshot", cwd=target).returncode == 0
    return git("rev-parse", "HEAD", cwd=target).stdout.strip()


@pytest.fixture(scope="session")
def tradeguard_copy(tmp_path_factory) -> Path:
    """The team's copy of tradeguard (a snapshot of this checkout), tagged as the README's
    "Pinning" says, by its commands, from a maintainer's clone."""
    copy = tmp_path_factory.mktemp("team") / "tradeguard"
    copy.mkdir()
    snapshot(copy)
    maintainer = tmp_path_factory.mktemp("maintainer")
    assert git("clone", "-q", str(copy), "tradeguard", cwd=maintainer).returncode == 0
    git_identity(maintainer / "tradeguard")
    (maintainer / "work").mkdir()
    for command in readme_block("### Pinning", "sh").splitlines():
        done = subprocess.run(["bash", "-e", "-c", command], cwd=maintainer / "work", env=tool_env(), capture_output=True, text=True)
        assert done.returncode == 0, command + "\n" + done.stderr
    assert git("tag", "--list", cwd=copy).stdout.split() == [TAG]
    return copy


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def tool_env(**extra: str) -> dict[str, str]:
    """This environment's tradeguard, flake8, pre-commit and git first on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "PRE_COMMIT_COLOR": "never", **extra}


def readme_section(heading: str) -> str:
    """The README's text under ``heading`` (``## …`` or ``### …``), up to the next heading of its level or above."""
    text = (REPO / "README.md").read_text()
    start = text.index(f"\n{heading}") + 1
    level = heading.split(" ")[0]
    ends = [text.find(f"\n{'#' * depth} ", start + 1) for depth in range(2, len(level) + 1)]
    ends = [end for end in ends if end != -1]
    return text[start : min(ends) if ends else len(text)]


def readme_block(heading: str, language: str) -> str:
    """The first ``language`` code block under ``heading`` in the README."""
    import re

    return re.search(rf"^```{language}\n(.*?)^```", readme_section(heading), re.M | re.S).group(1)
