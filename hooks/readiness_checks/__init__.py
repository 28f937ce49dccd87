"""The checklist of `tradeguard readiness`, one module per kind of check.

`repository` looks at what is committed (lint, secrets, configuration, nothing switching LIVE on),
`runtime` exercises the gateway in temporary state folders (kill switch drill, audit log, the PAPER
flow), `environment` looks at the machine (credentials, the git hook). Checks run in parallel
threads (most of their time is spent waiting for a tool's process) and report in checklist order.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from os import PathLike
from pathlib import Path
from subprocess import TimeoutExpired

from hooks.readiness_checks import environment, repository, runtime
from hooks.readiness_checks.base import Check, CheckItem, Project
from hooks.secrets.scan import BASELINE_NAME as SECRETS_BASELINE
from lint_rules.config import ConfigError, load_config
from tradeguard.state import resolve_home

CHECKS = (
    Check("lint", "lint clean", repository.lint),
    Check("secrets", "secret scan clean", repository.secrets),
    Check("config", "config valid", repository.config),
    Check("paper-default", "gateway defaults to PAPER", repository.paper_default),
    Check("kill-switch", "kill switch drill", runtime.kill_switch),
    Check("audit-log", "audit log writable and rotating", runtime.audit_log),
    Check("credentials", "credentials resolvable, none in the repository", environment.credentials),
    Check("pre-commit", "pre-commit hooks installed", environment.pre_commit),
)
SIMULATION = Check("simulation", "PAPER flow simulation", runtime.simulation)
PARALLEL_CHECKS = 4

__all__ = ["CHECKS", "SIMULATION", "CheckItem", "Project", "run", "run_checks"]

LINT_BASELINE = ".tradeguard-baseline.json"   # the name the CI templates and docs use
SIMULATION_SCRIPT = "simulate.py"


def run_checks(
    path: str | PathLike = ".",
    simulate: bool | str | PathLike = False,
    *,
    baseline: str | PathLike | None = None,
    secrets_baseline: str | PathLike | None = None,
    credentials: Sequence[str] = (),
    home: str | PathLike | None = None,
) -> list[CheckItem]:
    """The checklist on the project at ``path``: one :class:`CheckItem` (``name``, ``title``,
    ``passed``, ``reason``) per check, in checklist order.

    ``simulate`` adds the PAPER flow: True runs ``simulate.py`` at the project's root, a path runs
    that script. The lint baseline defaults to the ``baseline`` of ``[tool.tradeguard]``, else
    ``.tradeguard-baseline.json`` at the root when it exists; the secrets baseline to
    ``.secrets.baseline``; ``home`` is the state folder whose audit log must be writable
    (default: ``$TRADEGUARD_HOME``, else ``.tradeguard/``, as `tradeguard live` resolves it).
    """
    root = Path(path).resolve()
    if simulate is True:
        simulation = root / SIMULATION_SCRIPT
    else:
        simulation = Path(simulate).resolve() if simulate else None
    project = Project(
        root=root,
        home=resolve_home(home),
        baseline=_resolved(baseline) or _configured_baseline(root) or _existing(root / LINT_BASELINE),
        secrets_baseline=_resolved(secrets_baseline) or _existing(root / SECRETS_BASELINE),
        credentials=tuple(credentials),
        simulation=simulation,
    )
    return run(project)


def _resolved(path: str | PathLike | None) -> Path | None:
    return Path(path).resolve() if path else None


def _configured_baseline(root: Path) -> Path | None:
    """The ``baseline`` of the project's ``[tool.tradeguard]`` (the config check reports a bad one)."""
    try:
        return load_config(root).baseline_path
    except ConfigError:
        return None


def _existing(path: Path) -> Path | None:
    return path if path.is_file() else None


def run(project: Project) -> list[CheckItem]:
    """Every check of the checklist on ``project`` (the simulation when it names a script)."""
    checks = CHECKS + ((SIMULATION,) if project.simulation is not None else ())
    with ThreadPoolExecutor(max_workers=PARALLEL_CHECKS) as pool:
        return list(pool.map(lambda check: _run_one(check, project), checks))


def _run_one(check: Check, project: Project) -> CheckItem:
    try:
        passed, reason = check.run(project)
    except TimeoutExpired as error:
        passed, reason = False, f"timed out: a tool it runs did not finish within {error.timeout:g} s"
    except Exception as error:  # noqa: BLE001 - a check that breaks fails, in one line
        # Only the type: the message of an arbitrary exception could quote a credential.
        passed, reason = False, f"the check could not run ({type(error).__name__}); please report it"
    return CheckItem(check.name, check.title, passed, reason)
