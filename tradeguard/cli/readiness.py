"""`tradeguard readiness [PATH]`: the pre-deployment checklist, pass or fail with a reason each.

    tradeguard readiness [PATH] [--format text|json] [--simulate] [--simulation-script FILE]
                         [--baseline FILE] [--secrets-baseline FILE] [--credential NAME ...] [--home DIR]

Exit codes: 0 every check passed, 1 any failed, 2 usage error. `tradeguard live arm` runs the same
checks through :func:`hooks.readiness_checks.run_checks` and refuses to arm when one fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from hooks.readiness_checks import CHECKS, LINT_BASELINE, SECRETS_BASELINE, SIMULATION, SIMULATION_SCRIPT, CheckItem, run_checks
from hooks.readiness_checks.provenance import Provenance, provenance

PROG = "tradeguard readiness"
HELP = "run the pre-deployment checklist"


def build_parser() -> argparse.ArgumentParser:
    checklist = "\n".join(f"  {check.name:<14} {check.title}" for check in (*CHECKS, SIMULATION))
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run the pre-deployment checklist before LIVE trading is armed.",
        epilog=f"checks:\n{checklist}\n\nexit codes: 0 all passed, 1 a check failed, 2 usage error",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", nargs="?", default=".", type=Path, help="the project's folder (default: .)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument(
        "--simulate", action="store_true",
        help=f"also run the PAPER flow ({SIMULATION_SCRIPT} in PATH) in a temporary state folder",
    )
    parser.add_argument("--simulation-script", type=Path, metavar="FILE", help="the PAPER flow to run (implies --simulate)")
    parser.add_argument("--baseline", type=Path, metavar="FILE", help=f"lint baseline (default: {LINT_BASELINE} in PATH, if any)")
    parser.add_argument(
        "--secrets-baseline", type=Path, metavar="FILE", help=f"secrets baseline (default: {SECRETS_BASELINE} in PATH, if any)"
    )
    parser.add_argument(
        "--credential", action="append", default=[], metavar="NAME",
        help="a credential the bot resolves at run time, besides those its code names (repeatable)",
    )
    parser.add_argument("--home", type=Path, metavar="DIR", help="state folder (default: $TRADEGUARD_HOME, else .tradeguard/)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    problem = _usage_problem(args)
    if problem:
        print(f"{PROG}: error: {problem}", file=sys.stderr)
        return 2
    origin = provenance(args.path.resolve())  # before the checks, whose caches are no change of the tree
    items = run_checks(
        args.path, args.simulation_script or args.simulate, baseline=args.baseline, secrets_baseline=args.secrets_baseline,
        credentials=args.credential, home=args.home,
    )
    render = _render_json if args.format == "json" else _render_text
    sys.stdout.write(render(args.path, items, origin))
    return 0 if all(item.passed for item in items) else 1


def _usage_problem(args: argparse.Namespace) -> str | None:
    if not args.path.is_dir():
        return f"{args.path}: not a folder" if args.path.exists() else f"{args.path}: no such folder"
    files = (("--baseline", args.baseline), ("--secrets-baseline", args.secrets_baseline), ("--simulation-script", args.simulation_script))
    for option, path in files:
        if path is not None and not path.is_file():
            return f"{option} {path}: no such file"
    return None


def _render_text(path: Path, items: list[CheckItem], origin: Provenance) -> str:
    width = max(len(item.title) for item in items)
    lines = [f"{PROG}: {path}", f"  {origin.describe()}", ""]
    lines += [f"  {'PASS' if item.passed else 'FAIL'}  {item.title:<{width}}  {item.reason}" for item in items]
    failed = [item.name for item in items if not item.passed]
    if failed:
        summary = f"NOT READY: {len(failed)} of {len(items)} checks failed ({', '.join(failed)})"
    else:
        summary = f"ready: all {len(items)} checks passed"
    return "\n".join([*lines, "", summary]) + "\n"


def _render_json(path: Path, items: list[CheckItem], origin: Provenance) -> str:
    report = {
        "path": path.as_posix(),
        "ready": all(item.passed for item in items),
        **origin.to_json(),
        "checks": [item.to_json() for item in items],
    }
    return json.dumps(report, indent=2) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
