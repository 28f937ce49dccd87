"""The checklist of `tradeguard readiness`, one module per kind of check.

`repository` looks at what is committed (lint, secrets, configuration, nothing switching LIVE on),
`runtime` exercises the gateway in temporary state folders (kill switch drill, audit log, the PAPER
flow), `environment` looks at the machine (credentials, the git hook). Checks run in parallel
threads (most of their time is spent waiting for a tool's process) and report in checklist order.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from subprocess import TimeoutExpired

from hooks.readiness_checks import environment, repository, runtime
from hooks.readiness_checks.base import Check, CheckItem, Project

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

__all__ = ["CHECKS", "SIMULATION", "CheckItem", "Project", "run"]


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
