"""Checks that exercise the runtime: the kill switch drill, the audit log, the PAPER flow.

Each works in a temporary state folder of its own, so the operator's real arming record, kill
switch and audit log are never touched; the audit log check only asks whether the real one can be
written.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from hooks.readiness_checks.base import TOOL_TIMEOUT_SECONDS, Project, Verdict, first_line, plural, run_tradeguard
from tradeguard.archive import archive_rotated
from tradeguard.audit import AuditEvent, AuditLog, archived_checksums, read_events, rotated_files, verify
from tradeguard.gateway import AUDIT_FILE, MODE_ENV, PAPER, OrderGateway
from tradeguard.limits import Limits
from tradeguard.results import is_canonical, ok
from tradeguard.state import HOME_ENV

DRILL_ORDER = {"symbol": "DRILL", "side": "BUY", "qty": 1, "price": 1.0}
# The rotation probe: small files so that a few lines rotate, and fewer kept than written.
PROBE_MAX_BYTES = 400
PROBE_KEEP_FILES = 2
PROBE_LINES = 30
# The last line of a Python traceback: the exception's type comes first.
EXCEPTION_LINE = re.compile(r"^((?:\w+\.)*\w*(?:Error|Exception|Exit|Interrupt))\b")


class DrillConnector:
    """A connector that counts calls of its order method: in PAPER there must be none."""

    venue = "drill"

    def __init__(self) -> None:
        self.calls = 0

    def place_order(self, symbol: str, side: str, qty: float, price: float | None = None):
        self.calls += 1
        return ok({"order_id": f"drill-{self.calls}"})


def kill_switch(project: Project) -> Verdict:
    """halt -> a submit is refused -> resume -> a submit fills, with the operator's own commands
    run as separate processes, as `tradeguard live halt` from another shell would be."""
    with tempfile.TemporaryDirectory(prefix="tradeguard-drill-") as home:
        connector = DrillConnector()
        gateway = OrderGateway({"drill": connector}, mode=PAPER, home=home, limits=Limits())
        steps = [
            ("before the halt", None, True),
            ("while halted", ["halt", "--reason", "readiness kill switch drill"], False),
            ("after resume", ["resume"], True),
        ]
        for when, command, should_fill in steps:
            if command:
                done = run_tradeguard(["live", "--home", home, *command], Path(home), {**os.environ, HOME_ENV: home})
                if done.returncode != 0:
                    return False, f"`tradeguard live {command[0]}` failed (exit {done.returncode}): {first_line(done.stderr)}"
            result = gateway.submit("drill", **DRILL_ORDER)
            if should_fill and not result["success"]:
                return False, f"a PAPER order {when} was refused: {result['error']}"
            if not should_fill and result["data"].get("denial") != "halted":
                return False, f"an order {when} was not refused by the kill switch ({result['error'] or 'it was filled'})"
        events = [event.kind for event in read_events(Path(home, AUDIT_FILE))]
    if connector.calls:
        return False, f"the connector's order method was called {plural(connector.calls, 'time')} in PAPER"
    if events.count("halt") != 1 or events.count("resume") != 1 or events.count("order") != 3:
        return False, f"the audit log does not show the drill (events: {', '.join(map(str, events))})"
    return True, "`tradeguard live halt` refused the next order, `resume` let the one after through; all audited"


def audit_log(project: Project) -> Verdict:
    log = project.home / AUDIT_FILE
    problem = _unwritable(project.home, log)
    if problem:
        return False, problem
    with tempfile.TemporaryDirectory(prefix="tradeguard-audit-") as folder:
        path = Path(folder, AUDIT_FILE)
        probe = AuditLog(path, max_bytes=PROBE_MAX_BYTES, keep_files=PROBE_KEEP_FILES)
        try:
            for number in range(PROBE_LINES):
                if number == PROBE_LINES // 2:
                    archive_rotated(path)  # retention may delete only what the archive holds
                probe.write(AuditEvent(ts=time.time(), kind="probe", details={"number": number, "padding": "x" * 40}))
        finally:
            probe.close()
        kept = {file.name for file in rotated_files(path)}
        pruned = set(archived_checksums(path)) - kept
        numbers = [event.details.get("number") for event in read_events(path)]
        chain = verify(path)
    if not kept or not pruned:
        return False, f"rotation kept {plural(len(kept), 'rotated file')} and retention removed {len(pruned)} archived"
    if numbers != list(range(PROBE_LINES)):
        return False, "rotation, archive or retention lost or reordered lines"
    if not chain.intact:
        return False, f"the audit log's hash chain does not verify: {chain.problem}"
    return _operators_log(log, chain.files)


def _operators_log(log: Path, probe_files: int) -> Verdict:
    """The operator's own log must be complete and unedited before LIVE goes on."""
    where = "can be created"
    if log.exists():
        real = verify(log)
        if not real.intact:
            return False, f"the audit log {log} does not verify: {real.problem} (see `tradeguard live audit --verify`)"
        where = f"exists, is writable and verifies ({plural(real.lines, 'line')})"
    return True, (
        f"{log} {where}; rotation, archive and retention work, hash chain verified "
        f"({PROBE_LINES} lines over {probe_files} files)"
    )


def _unwritable(home: Path, log: Path) -> str | None:
    """Why the audit log at ``log`` could not be written and rotated (None when it can)."""
    if home.exists():
        if not home.is_dir():
            return f"the state folder {home} is not a folder"
        if not os.access(home, os.W_OK | os.X_OK):
            return f"the state folder {home} is not writable (rotation renames files in it)"
        if log.exists() and (not log.is_file() or not os.access(log, os.W_OK)):
            return f"the audit log {log} is not a writable file"
        return None
    parent = next(folder for folder in home.parents if folder.exists())
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        return f"the state folder {home} does not exist and {parent} is not writable"
    return None


def import_roots(root: Path) -> list[Path]:
    """The folders the project's code imports from, as its tests see them: the root, ``src/``
    when there is one, and the ``pythonpath`` of ``[tool.pytest.ini_options]`` (relative to
    the root), so the simulation imports what the project's own test run imports."""
    roots = [root, *([root / "src"] if (root / "src").is_dir() else [])]
    try:
        document = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return roots  # the config check reports an unreadable pyproject.toml
    declared = document.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("pythonpath", [])
    if isinstance(declared, str):
        declared = declared.split()
    extra = [(root / entry).resolve() for entry in declared if isinstance(entry, str)] if isinstance(declared, list) else []
    return list(dict.fromkeys([*roots, *extra]))


def simulation(project: Project) -> Verdict:
    script = project.simulation
    shown = project.shown(script)
    if not script.is_file():
        return False, f"no simulation script {shown}: write one that runs a strategy through the gateway, or pass --simulation-script FILE"
    with tempfile.TemporaryDirectory(prefix="tradeguard-simulation-") as home:
        inherited = os.environ.get("PYTHONPATH")
        env = {
            **os.environ, HOME_ENV: home, MODE_ENV: PAPER,
            "PYTHONPATH": os.pathsep.join([*map(str, import_roots(project.root)), *([inherited] if inherited else [])]),
        }
        done = subprocess.run(
            [sys.executable, str(script)], cwd=project.root, env=env, capture_output=True, text=True,
            timeout=TOOL_TIMEOUT_SECONDS,
        )
        if done.returncode != 0:
            # Only the exception's type: its message could quote anything, credentials included.
            last = done.stderr.strip().splitlines()[-1:] or [""]
            raised = EXCEPTION_LINE.match(last[0])
            why = f"raised {raised.group(1)}" if raised else f"exit {done.returncode}"
            return False, f"{shown} failed ({why}); run it by hand: {MODE_ENV}={PAPER} python {shown}"
        records = [e for e in read_events(Path(home, AUDIT_FILE)) if e.kind == "order" and e.phase == "outcome"]
    if not records:
        return False, f"{shown} sent no order through the gateway (none in the audit log): do its strategies bypass it?"
    if any(record.mode != PAPER for record in records):
        return False, f"{shown} sent orders in a mode other than PAPER"
    if not all(is_canonical(record.result) for record in records):
        return False, f"{shown} got results that are not canonical from the gateway"
    filled = [record for record in records if record.result["success"]]
    if any(record.result["data"].get("paper") is not True for record in filled):
        return False, f"{shown} had an order filled outside the paper broker"
    refused = len(records) - len(filled)
    return True, (
        f"{shown}: {plural(len(records), 'order')} through the gateway in PAPER "
        f"({len(filled)} filled on paper, {refused} refused), every one audited with a canonical result"
    )
