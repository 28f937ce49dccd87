"""What every readiness check shares: its result, the project it looks at, and how it runs tools."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from lint_rules.config import Config, ConfigError, load_config
from lint_rules.files import iter_python_files

# How long one tool run (a lint of the project, a secret scan, the simulation) may take.
TOOL_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class CheckItem:
    """One line of the checklist: ``name`` is its id (``lint``), ``title`` what it vouches for."""

    name: str
    title: str
    passed: bool
    reason: str

    def to_json(self) -> dict:
        return {"name": self.name, "title": self.title, "passed": self.passed, "reason": self.reason}


# A check looks at a project and says whether it passed, and why (one line, no secret values).
Verdict = tuple[bool, str]


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    run: Callable[[Project], Verdict]


@dataclass
class Project:
    """The project being readied and the options of this run."""

    root: Path                                  # the folder checked (absolute)
    home: Path                                  # the operator's state folder (audit log, arming)
    baseline: Path | None = None                # lint baseline
    secrets_baseline: Path | None = None
    credentials: tuple[str, ...] = ()           # credential names asked for on the command line
    simulation: Path | None = None              # the PAPER flow script, when simulating

    def shown(self, path: Path) -> str:
        """``path`` as reasons name it: relative to the project when inside it."""
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)

    @cached_property
    def lint_config(self) -> Config:
        """The project's ``[tool.tradeguard]``; raises ConfigError when it is invalid."""
        return load_config(self.root)

    @cached_property
    def python_files(self) -> list[Path]:
        """The project's Python files as `tradeguard check` sees them (its defaults if the config is bad)."""
        try:
            config = self.lint_config
        except ConfigError:
            config = Config(root=self.root)
        return iter_python_files(config, [self.root])[0]

    @cached_property
    def git_root(self) -> Path | None:
        done = git(self.root, "rev-parse", "--show-toplevel")
        return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """``git ARGS`` in ``cwd``; a missing git reads as a failed command."""
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    except OSError as error:
        return subprocess.CompletedProcess(["git", *args], 127, "", f"git: {error.strerror}")


def run_tradeguard(args: Sequence[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The ``tradeguard`` command of this installation, as a separate process.

    ``-P`` keeps the project's own folder off the import path, so a ``hooks/`` or ``lint_rules/``
    folder of the project cannot stand in for tradeguard's.
    """
    return subprocess.run(
        [sys.executable, "-P", "-m", "tradeguard.cli", *args], cwd=cwd, capture_output=True, text=True,
        env=env if env is not None else dict(os.environ), timeout=TOOL_TIMEOUT_SECONDS,
    )


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def listing(items: Sequence[str], limit: int = 3) -> str:
    """``a, b, c`` and how many more, for one-line reasons."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
