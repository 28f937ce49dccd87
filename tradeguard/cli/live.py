"""``tradeguard live``: the operator's switches for LIVE trading.

    tradeguard live arm --approver alice --approver bob --ttl 8h --reason "release 1.4" [--replace]
    tradeguard live disarm
    tradeguard live halt --reason "broker outage"
    tradeguard live resume
    tradeguard live status [--json]
    tradeguard live audit [--since T] [--until T] [--venue V] [--mode M] [--outcome O] [--arming-id ID]
                          [--last N] [--json] [--verify]

How many distinct approvers ``arm`` needs (``required-approvers``, default 2) and the longest
arming (``max-ttl``, default 12h) come from ``[tool.tradeguard.live]`` only: the operator who arms
must not be able to waive the second approver on the same command line. Every command acts on the
state folder (``--home``, else ``TRADEGUARD_HOME``, else the project root's ``.tradeguard/``),
prints it, and leaves a line in its audit log.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Optional

from tradeguard._bootstrap import load
from tradeguard.approvers import approvers_problem
from tradeguard.audit import AuditEvent, AuditLog, iso_time, verify
from tradeguard.audit_view import add_filters, show_events
from tradeguard.config import ConfigError, LivePolicy, find_pyproject, parse_duration
from tradeguard.gateway import AUDIT_FILE, MODE_ENV, requested_mode
from tradeguard.signing import SigningError
from tradeguard.state import HOME_ENV, NoStateFolder, StateFolder, command_home, operator_name

HELP = "operator commands: arm, disarm, halt, resume, status, audit [--verify]"
COMMANDS = ("arm", "disarm", "halt", "resume", "status", "audit")


class CommandError(Exception):
    """A refusal with a one-line message and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def parse_ttl(text: str) -> float:
    """``8h``, ``90m``, ``1h30m``, ``45s`` or ``2d`` in seconds."""
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    home_help = f"state folder (default: ${HOME_ENV}, else .tradeguard/ in the project root)"
    parser = argparse.ArgumentParser(prog="tradeguard live", description="Arm, disarm, halt and resume LIVE trading.")
    parser.add_argument("--home", help=home_help)
    common = argparse.ArgumentParser(add_help=False)  # --home also after the subcommand
    common.add_argument("--home", default=argparse.SUPPRESS, help=home_help)
    commands = parser.add_subparsers(dest="command", required=True, metavar="{" + ",".join(COMMANDS) + "}")
    arm = commands.add_parser("arm", parents=[common], help="allow LIVE trading for a while, on the approvers' word")
    arm.add_argument("--approver", action="append", required=True, help="an approver's name (repeat for each)")
    arm.add_argument("--ttl", type=parse_ttl, required=True, help="how long the arming lasts, e.g. 8h (at most max-ttl)")
    arm.add_argument("--reason", required=True, help="why LIVE is armed (kept in the record)")
    arm.add_argument("--replace", action="store_true", help="replace an arming that is still valid (audited)")
    arm.add_argument("--no-readiness", action="store_true", help="arm without running the readiness checks")
    commands.add_parser("disarm", parents=[common], help="end the arming now")
    halt = commands.add_parser("halt", parents=[common], help="kill switch: refuse every order in every process")
    halt.add_argument("--reason", required=True, help="why trading is halted")
    commands.add_parser("resume", parents=[common], help="turn the kill switch off")
    status = commands.add_parser("status", parents=[common], help="show arming, kill switch and running gateways")
    status.add_argument("--json", action="store_true", help="print JSON")
    audit = commands.add_parser("audit", parents=[common], help="read or verify the audit log (for a post-mortem)")
    add_filters(audit)
    audit.add_argument("--verify", action="store_true", help="check the hash chain: report the first broken or missing line")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {
        "arm": _arm, "disarm": _disarm, "halt": _halt, "resume": _resume, "status": _status, "audit": _read_audit,
    }[args.command]
    try:
        state = _state_folder(args.home)
        _say_folder(args, state)
        return handler(args, state)
    except CommandError as exc:
        print(f"tradeguard live {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except ConfigError as exc:
        print(f"tradeguard live {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"tradeguard live {args.command}: {exc.filename or ''}: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 2


def _state_folder(home: Optional[str]) -> StateFolder:
    """The folder the command acts on; outside any project it must be named, never guessed."""
    try:
        return StateFolder(command_home(home), policy=LivePolicy.from_pyproject())
    except NoStateFolder as exc:
        raise CommandError(str(exc), 2) from None


def _say_folder(args: argparse.Namespace, state: StateFolder) -> None:
    machine = getattr(args, "json", False)
    print(f"state folder: {state.home}", file=sys.stderr if machine else sys.stdout)


def _arm(args: argparse.Namespace, state: StateFolder) -> int:
    approvers = [name.strip() for name in args.approver]
    policy = state.policy
    problem = approvers_problem(approvers, policy.required_approvers)
    if problem is not None:
        raise CommandError(f"{problem} (--approver NAME each)", 1 if "required" in problem else 2)
    if args.ttl > policy.max_ttl_seconds:
        raise CommandError(f"--ttl {args.ttl:g}s is longer than max-ttl {policy.max_ttl_seconds:g}s "
                           "([tool.tradeguard.live])", 2)
    readiness = {"ran": False} if args.no_readiness else _readiness(state)
    current = state.arming_status()[1]
    if current is not None and not args.replace:
        raise CommandError(f"LIVE is already armed (id {current['id']}, until {current['expires_at_iso']}); "
                           "pass --replace to replace it, or `tradeguard live disarm` first")
    replaces = current["id"] if current is not None else None
    try:
        record = state.arm(approvers, args.ttl, args.reason, readiness, replaces=replaces)
    except (ValueError, SigningError) as exc:
        raise CommandError(f"cannot arm: {exc}") from None
    _audit(state, "arm", reason=args.reason, arming_id=record["id"],
           details={"approvers": approvers, "expires_at": record["expires_at_iso"], "readiness": readiness,
                    "replaces": replaces})
    if args.no_readiness:
        checks = "readiness skipped (--no-readiness)"
    else:
        checks = f"readiness: {len(readiness['checks'])} checks passed"
    replaced = f"; replaces {replaces}" if replaces else ""
    print(f"LIVE armed until {record['expires_at_iso']} (id {record['id']}; approvers {', '.join(approvers)}; "
          f"{checks}{replaced})")
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
        raise CommandError(f"cannot arm: the readiness checks could not run ({type(exc).__name__})", 2) from None
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
    record = state.arming_record()
    was_armed = state.disarm()
    _audit(state, "disarm", arming_id=record.get("id") if record else None, details={"was_armed": was_armed})
    print("LIVE disarmed" if was_armed else "LIVE was not armed")
    return 0


def _halt(args: argparse.Namespace, state: StateFolder) -> int:
    record = state.halt(args.reason)
    _audit(state, "halt", reason=args.reason)
    print(f"trading halted at {record['halted_at_iso']}: {args.reason}")
    _say_gateways(state, "halted at their next order")
    return 0


def _resume(args: argparse.Namespace, state: StateFolder) -> int:
    halt = state.halt_record()
    was_halted = state.resume()
    if halt is not None and halt.get("by") == "circuit-breaker":
        _audit(state, "breaker_reset", reason=halt.get("reason"))
    _audit(state, "resume", details={"was_halted": was_halted})
    print("trading resumed (kill switch off)" if was_halted else "trading was not halted")
    _say_gateways(state, "trading again")
    return 0


def _say_gateways(state: StateFolder, effect: str) -> None:
    running = state.gateways()
    if running:
        shown = ", ".join(f"pid {g['pid']} on {g.get('host')} ({g.get('mode')})" for g in running)
        print(f"gateways using this folder: {shown}: {effect}")
    else:
        print(f"warning: no running gateway uses this folder (no heartbeat in {state.home}); "
              f"a bot started with another {HOME_ENV} or from another project is not affected")


def _status(args: argparse.Namespace, state: StateFolder) -> int:
    now = time.time()
    problem, valid = state.arming_status(now)
    record = state.arming_record()
    halt = state.halt_record()
    report = {
        "home": str(state.home),
        "armed": valid is not None,
        "arming": record,
        "arming_problem": problem,
        "halted": halt is not None,
        "halt": halt,
        "live_allowed": valid is not None and halt is None,
        "gateways": state.gateways(),
    }
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    if valid is not None:
        remaining = int(valid["expires_at"] - now)
        print(
            f"armed: yes (id {valid['id']}, approvers {', '.join(valid['approvers'])}, "
            f"expires {valid['expires_at_iso']}, in {remaining // 3600}h{remaining % 3600 // 60:02d}m)"
        )
    else:
        print(f"armed: no ({problem})")
    if halt is None:
        print("kill switch: off")
    else:
        since = halt.get("halted_at")
        when = iso_time(since) if isinstance(since, (int, float)) else "unknown time"
        print(f"kill switch: ON since {when} by {halt.get('by')}: {halt.get('reason')}")
    running = report["gateways"]
    print(f"running gateways: {len(running)}" + "".join(f"\n  pid {g['pid']} on {g.get('host')} ({g.get('mode')})"
                                                          for g in running))
    print(f"LIVE trading: {'allowed' if report['live_allowed'] else 'refused'}")
    return 0


def _read_audit(args: argparse.Namespace, state: StateFolder) -> int:
    log = state.home / AUDIT_FILE
    if not log.exists():
        raise CommandError(f"no audit log at {log}")
    if args.verify:
        checked = verify(log)
        if checked.intact:
            print(f"audit log intact: {checked.lines} lines in {checked.files} file(s), hash chain and head match")
            return 0
        print(f"audit log NOT intact: {checked.problem}")
        return 1
    return show_events(log, args)


def _audit(state: StateFolder, kind: str, **values) -> None:
    event = AuditEvent(ts=time.time(), kind=kind, actor=operator_name(), pid=os.getpid(), **values)
    AuditLog(state.home / AUDIT_FILE, fsync=True).write(event)
