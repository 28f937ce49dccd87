"""``tradeguard live``: the operator's switches for LIVE trading.

    tradeguard live arm --approver alice --approver bob --ttl 8h --reason "release 1.4" [--no-readiness]
    tradeguard live disarm
    tradeguard live halt --reason "broker outage"
    tradeguard live resume
    tradeguard live status [--json]
    tradeguard live audit [--arming-id ID] [--last N] [--json]

How many distinct approvers ``arm`` needs is ``required-approvers`` in ``[tool.tradeguard.live]``
(default 2). It is deliberately not a command-line flag: the operator who arms must not be able to
waive the second approver on the same command line. Every command acts on ``TRADEGUARD_HOME``
(or ``--home``) and leaves a line in its audit log.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Sequence
from typing import Optional

from tradeguard._bootstrap import load
from tradeguard.audit import AuditLog, read_records
from tradeguard.config import ConfigError, find_pyproject, required_approvers
from tradeguard.gateway import AUDIT_FILE, MODE_ENV, requested_mode
from tradeguard.state import StateFolder, arming_problem, iso_time, operator_name

HELP = "operator commands: arm, disarm, halt, resume, status, audit"

TTL_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
TTL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class CommandError(Exception):
    """A refusal with a one-line message and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def parse_ttl(text: str) -> float:
    """``8h``, ``90m``, ``1h30m``, ``45s`` or ``2d`` in seconds."""
    compact = text.strip().lower()
    parts = TTL_PART.findall(compact)
    if not compact or "".join(number + unit for number, unit in parts) != compact:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r} (e.g. 8h, 90m, 1h30m)")
    seconds = sum(float(number) * TTL_UNITS[unit] for number, unit in parts)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"duration {text!r} must be positive")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    home_help = "state folder (default: $TRADEGUARD_HOME, else .tradeguard/)"
    parser = argparse.ArgumentParser(prog="tradeguard live", description="Arm, disarm, halt and resume LIVE trading.")
    parser.add_argument("--home", help=home_help)
    common = argparse.ArgumentParser(add_help=False)  # --home also after the subcommand
    common.add_argument("--home", default=argparse.SUPPRESS, help=home_help)
    commands = parser.add_subparsers(dest="command", required=True, metavar="{arm,disarm,halt,resume,status,audit}")
    arm = commands.add_parser("arm", parents=[common], help="allow LIVE trading for a while, on the approvers' word")
    arm.add_argument("--approver", action="append", required=True, help="an approver's name (repeat for each)")
    arm.add_argument("--ttl", type=parse_ttl, required=True, help="how long the arming lasts, e.g. 8h")
    arm.add_argument("--reason", required=True, help="why LIVE is armed (kept in the record)")
    arm.add_argument("--no-readiness", action="store_true", help="arm without running the readiness checks")
    commands.add_parser("disarm", parents=[common], help="end the arming now")
    halt = commands.add_parser("halt", parents=[common], help="kill switch: refuse every order in every process")
    halt.add_argument("--reason", required=True, help="why trading is halted")
    commands.add_parser("resume", parents=[common], help="turn the kill switch off")
    status = commands.add_parser("status", parents=[common], help="show arming and kill switch")
    status.add_argument("--json", action="store_true", help="print JSON")
    audit = commands.add_parser("audit", parents=[common], help="read the audit log (for a post-mortem)")
    audit.add_argument("--arming-id", help="only the session armed with this id, from its `arm` line on")
    audit.add_argument("--last", type=int, metavar="N", help="only the last N records")
    audit.add_argument("--json", action="store_true", help="print the records as JSON lines")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    state = StateFolder(args.home)
    handler = {
        "arm": _arm, "disarm": _disarm, "halt": _halt, "resume": _resume, "status": _status, "audit": _read_audit,
    }[args.command]
    try:
        return handler(args, state)
    except CommandError as exc:
        print(f"tradeguard live {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except ConfigError as exc:
        print(f"tradeguard live {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"tradeguard live {args.command}: {exc.filename or state.home}: {exc.strerror}", file=sys.stderr)
        return 2


def _arm(args: argparse.Namespace, state: StateFolder) -> int:
    approvers = [name.strip() for name in args.approver]
    if any(not name for name in approvers):
        raise CommandError("an --approver name is empty", 2)
    distinct = {name.casefold() for name in approvers}
    if len(distinct) != len(approvers):
        raise CommandError("each --approver must be a different person (a name was given twice)", 2)
    required = required_approvers()
    if len(approvers) < required:
        raise CommandError(f"{required} distinct approvers required, {len(approvers)} given (--approver NAME each)")
    readiness = {"ran": False} if args.no_readiness else _readiness(state)
    record = state.arm(approvers, required, args.ttl, args.reason, readiness)
    _audit(state, {"event": "arm", "arming_id": record["id"], "approvers": approvers, "reason": args.reason,
                   "expires_at": record["expires_at_iso"], "readiness": readiness})
    if args.no_readiness:
        checks = "readiness skipped (--no-readiness)"
    else:
        checks = f"readiness: {len(readiness['checks'])} checks passed"
    names = ", ".join(approvers)
    print(f"LIVE armed until {record['expires_at_iso']} (id {record['id']}; approvers {names}; {checks})")
    if requested_mode() != "LIVE":
        print(f"note: processes trade LIVE only when asked to ({MODE_ENV}=LIVE or mode='LIVE')")
    return 0


def _readiness(state: StateFolder) -> dict:
    """Run the readiness checks of the project; refuse to arm when any fails or they cannot run."""
    try:
        readiness = load("hooks.readiness_checks")
    except ImportError:
        raise CommandError(
            "cannot arm: the readiness checks (hooks.readiness_checks) are not available; "
            "pass --no-readiness to arm without them",
            2,
        ) from None
    pyproject = find_pyproject()
    project = pyproject.parent if pyproject else "."
    try:
        items = list(readiness.run_checks(str(project), home=state.home))
    except Exception as exc:  # their failure must not read as a pass, nor end in a traceback
        raise CommandError(f"cannot arm: the readiness checks could not run ({type(exc).__name__}: {exc})", 2) from None
    checks = [{"name": _check_name(item), "passed": bool(getattr(item, "passed", False))} for item in items]
    failed = [check["name"] for check in checks if not check["passed"]]
    if failed:
        raise CommandError(f"cannot arm: readiness checks failed: {', '.join(failed)} (run `tradeguard readiness`)")
    return {"ran": True, "project": str(project), "checks": checks}


def _check_name(item: object) -> str:
    for attribute in ("name", "code", "id", "title"):
        value = getattr(item, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(item).__name__


def _disarm(args: argparse.Namespace, state: StateFolder) -> int:
    was_armed = state.disarm()
    _audit(state, {"event": "disarm", "was_armed": was_armed})
    print("LIVE disarmed" if was_armed else "LIVE was not armed")
    return 0


def _halt(args: argparse.Namespace, state: StateFolder) -> int:
    record = state.halt(args.reason)
    _audit(state, {"event": "halt", "reason": args.reason, "by": record["by"]})
    print(f"trading halted at {record['halted_at_iso']}: {args.reason}")
    return 0


def _resume(args: argparse.Namespace, state: StateFolder) -> int:
    was_halted = state.resume()
    _audit(state, {"event": "resume", "was_halted": was_halted})
    print("trading resumed (kill switch off)" if was_halted else "trading was not halted")
    return 0


def _status(args: argparse.Namespace, state: StateFolder) -> int:
    now = time.time()
    record = state.arming_record()
    problem = arming_problem(record, now)
    halt = state.halt_record()
    report = {
        "home": str(state.home),
        "armed": problem is None,
        "arming": record if isinstance(record, dict) else None,
        "arming_problem": problem,
        "halted": halt is not None,
        "halt": halt,
        "live_allowed": problem is None and halt is None,
    }
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    print(f"state folder: {report['home']}")
    if problem is None:
        remaining = int(record["expires_at"] - now)
        print(
            f"armed: yes (id {record['id']}, approvers {', '.join(record['approvers'])}, "
            f"expires {record['expires_at_iso']}, in {remaining // 3600}h{remaining % 3600 // 60:02d}m)"
        )
    else:
        print(f"armed: no ({problem})")
    if halt is None:
        print("kill switch: off")
    else:
        since = halt.get("halted_at")
        when = iso_time(since) if isinstance(since, (int, float)) else "unknown time"
        print(f"kill switch: ON since {when} by {halt.get('by')}: {halt.get('reason')}")
    print(f"LIVE trading: {'allowed' if report['live_allowed'] else 'refused'}")
    return 0


def _read_audit(args: argparse.Namespace, state: StateFolder) -> int:
    """One line per record: time, event, mode, venue, outcome; the whole record with --json."""
    log = state.home / AUDIT_FILE
    if not log.exists():
        raise CommandError(f"no audit log at {log}")
    records = list(_session(read_records(log), args.arming_id) if args.arming_id else read_records(log))
    if args.last is not None:
        records = records[-args.last:] if args.last > 0 else []
    for record in records:
        if args.json:
            print(json.dumps(record, sort_keys=True))
            continue
        result = record.get("result") if isinstance(record.get("result"), dict) else {}
        outcome = record.get("denial") or result.get("error") or ("ok" if result.get("success") else "")
        fields = (record.get("time", ""), record.get("event", "order"), record.get("mode", ""), record.get("venue", ""), outcome)
        print("  ".join(str(field) for field in fields).rstrip())
    return 0


def _session(records, arming_id: str):
    """The records of one arming: from its `arm` line to the next `arm`, plus any carrying its id."""
    inside = False
    for record in records:
        if record.get("event") == "arm":
            inside = record.get("arming_id") == arming_id
        if inside or record.get("arming_id") == arming_id:
            yield record


def _audit(state: StateFolder, event: dict) -> None:
    now = time.time()
    AuditLog(state.home / AUDIT_FILE, fsync=True).write(
        {"ts": now, "time": iso_time(now), "operator": operator_name(), **event}
    )
