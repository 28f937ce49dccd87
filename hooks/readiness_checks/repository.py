"""Checks of what the repository holds: lint findings, committed secrets, the configuration, and
whether anything in it switches the gateway out of PAPER."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

from hooks.readiness_checks.base import Project, Verdict, first_line, listing, plural, run_tradeguard
from lint_rules.config import ConfigError, find_pyproject, glob_matches, is_default_excluded, parse_config
from lint_rules.context import FileContext
from lint_rules.engine import RuleSet, check_source
from lint_rules.index import ProjectIndex
from lint_rules.rules.tg401_hardcoded_live import HardCodedLive
from lint_rules.source import Unreadable, decode_source
from tradeguard.config import ConfigError as RuntimeConfigError
from tradeguard.config import required_approvers
from tradeguard.gateway import MODE_ENV
from tradeguard.limits import Limits

# LIVE needs the word of two people (four eyes); the runtime accepts fewer, readiness does not.
MIN_APPROVERS = 2
# Committed files that configure how the bot is started: Dockerfiles, env files, compose and CI
# files, systemd units, shell scripts, settings files. Docs (.md, .rst, .txt) may name the variable.
DEPLOY_FILE = re.compile(
    r"(?:Dockerfile[^/]*|Containerfile|Procfile|\.env[^/]*|[^/]*\.(?:env|ya?ml|toml|ini|cfg|conf|service|sh|json))"
)
LIVE_BY_ENVIRONMENT = re.compile(rf"""{MODE_ENV}["']?\s*(?:=|:|\s)\s*["']?live\b""", re.IGNORECASE)
MAX_DEPLOY_FILE_BYTES = 1024 * 1024


def lint(project: Project) -> Verdict:
    return _tool_verdict(
        project, "check", project.baseline, [],
        clean="no findings", noun="finding", place=lambda f: f"{f['path']}:{f['line']} {f['code']}",
    )


def secrets(project: Project) -> Verdict:
    extra = []
    if project.home != project.root and project.home.is_relative_to(project.root):
        # The state folder (`.tradeguard/` by default) holds tradeguard's own redacted audit log.
        extra = ["--exclude-files", f"^{re.escape(project.shown(project.home))}/"]
    return _tool_verdict(
        project, "secrets", project.secrets_baseline, extra,
        clean="no credentials in the repository's files", noun="credential", state=" committed",
        place=lambda f: f"{f['path']}:{f['line']} ({f['type']})",
    )


def _tool_verdict(
    project: Project, command: str, baseline, extra: list[str], *, clean: str, noun: str, place, state: str = "",
) -> Verdict:
    """Run `tradeguard COMMAND . --format json` (with the baseline) and judge: clean, or where."""
    args = [command, ".", "--format", "json", *extra]
    if baseline:
        args += ["--baseline", str(baseline)]
    findings, problem = _tool_findings(run_tradeguard(args, project.root), f"tradeguard {command}")
    if problem:
        return False, problem
    beyond = f" beyond the baseline {project.shown(baseline)}" if baseline else ""
    if not findings:
        return True, f"{clean}{beyond}"
    places = [place(finding) for finding in findings]
    return False, f"{plural(len(findings), noun)}{state}{beyond}: {listing(places)} (run `tradeguard {command}`)"


def _tool_findings(done: subprocess.CompletedProcess, tool: str) -> tuple[list[dict], str | None]:
    """The JSON findings of a `tradeguard` run (exit 0 or 1), or why there are none to read."""
    if done.returncode in (0, 1):
        try:
            findings = json.loads(done.stdout)
        except ValueError:
            findings = None
        if isinstance(findings, list) and bool(findings) == bool(done.returncode):
            return findings, None
    return [], f"{tool} could not vouch for the project (exit {done.returncode}): {first_line(done.stderr) or 'no message'}"


def config(project: Project) -> Verdict:
    pyproject = find_pyproject(project.root)
    if pyproject is None or b"[tool.tradeguard" not in pyproject.read_bytes():
        return False, f"no [tool.tradeguard] table in a pyproject.toml at or above {project.root}: say where the gateway and connectors are"
    try:
        settings = parse_config(pyproject)
        Limits.from_pyproject(pyproject.parent)
        approvers = required_approvers(pyproject.parent)
    except (ConfigError, RuntimeConfigError) as error:
        return False, str(error)
    if approvers < MIN_APPROVERS:
        return False, f"{pyproject}: [tool.tradeguard.live] required-approvers = {approvers}: arming LIVE needs at least {MIN_APPROVERS}"
    relative = [settings.relative(path) for path in project.python_files]
    for key, patterns in (("gateway-paths", settings.gateway_paths), ("connector-paths", settings.connector_paths)):
        stale = [pattern for pattern in patterns if not any(glob_matches(rel, pattern) for rel in relative)]
        if stale:
            return False, f"{pyproject}: {key} {listing([repr(p) for p in stale])} match no Python file (moved or misspelt?)"
    return True, (
        f"{project.shown(pyproject)}: lint, limits and live settings valid; {approvers} approvers to arm; "
        "every gateway and connector path matches a file"
    )


def paper_default(project: Project) -> Verdict:
    """Nothing committed takes the gateway out of PAPER: TG401 also holds in gateway paths here
    (the lint exempts them, as the gateway names LIVE to enforce it), and no deployment file
    sets the mode variable to LIVE."""
    try:
        settings = project.lint_config
    except ConfigError:
        return False, "the configuration is invalid (see `config`), so the gateway paths are unknown"
    gateway_files = [path for path in project.python_files if settings.is_gateway_path(settings.relative(path))]
    hard_coded = _live_in_gateway(settings, gateway_files) + _live_in_deploy_files(project)
    if hard_coded:
        return False, f"LIVE is switched on in committed files: {listing(hard_coded)}; LIVE must be the operator's act at run time"
    checked = plural(len(gateway_files), "gateway file")
    return True, f"{checked} and the deployment files leave the mode to the operator ({MODE_ENV} unset means PAPER)"


def _live_in_gateway(settings, files: list[Path]) -> list[str]:
    # Only a reviewed `# noqa: TG401 -- reason` on the line silences this, not `ignore` or
    # `per-file-ignores`: this check exists because the lint lets the gateway name LIVE.
    strict = replace(settings, gateway_paths=(), select=(HardCodedLive.code,), ignore=(), per_file_ignores=())
    ruleset = RuleSet.for_config(strict)
    index = ProjectIndex(strict.connector_bases)
    found = []
    for path in files:
        rel = strict.relative(path)
        try:
            text = decode_source(path.read_bytes())
        except (OSError, Unreadable):
            continue  # `tradeguard check` reports it as TG000
        for finding in check_source(FileContext(rel, text, strict, index), ruleset):
            if finding.code == HardCodedLive.code:
                found.append(f"{rel}:{finding.line} hard-codes LIVE ({HardCodedLive.code})")
    return found


def _live_in_deploy_files(project: Project) -> list[str]:
    found = []
    for folder, dirnames, filenames in os.walk(project.root):
        dirnames[:] = sorted(name for name in dirnames if not is_default_excluded(name))
        for name in sorted(filenames):
            path = Path(folder, name)
            if not DEPLOY_FILE.fullmatch(name) or not path.is_file() or path.stat().st_size > MAX_DEPLOY_FILE_BYTES:
                continue
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            for number, line in enumerate(lines, 1):
                if not line.lstrip().startswith("#") and LIVE_BY_ENVIRONMENT.search(line):
                    found.append(f"{project.shown(path)}:{number} sets {MODE_ENV}=LIVE")
    return found
