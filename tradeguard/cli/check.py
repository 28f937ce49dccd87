"""`tradeguard check`: the lint entry point (also the `tradeguard-check` pre-commit hook)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from hooks.python_secrets import secret_findings_in_files
from lint_rules.baseline import BaselineError, load_baseline, write_baseline
from lint_rules.config import ConfigError
from lint_rules.findings import Finding
from lint_rules.fixer import FixMode, FixReport, unified_diff
from lint_rules.output import FORMATS, render
from lint_rules.runner import check_paths, display_path

HELP = "check Python files for order-routing, result-shape and LIVE-safety problems"


def _codes(value: str) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in value.split(",") if code.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradeguard check",
        description="Check Python files for orders sent around the gateway and other trading-safety problems.",
    )
    parser.add_argument("paths", nargs="*", type=Path, default=[Path(".")], help="files or folders (default: .)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--output", type=Path, help="write the report to this file instead of standard output")
    parser.add_argument("--select", type=_codes, help="comma-separated codes or prefixes to enable (replaces `select`)")
    parser.add_argument("--ignore", type=_codes, help="comma-separated codes or prefixes to disable (adds to `ignore`)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write .tradeguard_cache/")
    parser.add_argument("--fix", action="store_true", help="apply the safe fixes, then report what remains")
    parser.add_argument("--diff", action="store_true", help="print the fixes as unified diffs and change nothing (exit 1 if there are any)")
    parser.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff: also the fixes that change behaviour")
    baseline = parser.add_mutually_exclusive_group()
    baseline.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings this baseline does not record")
    baseline.add_argument("--write-baseline", type=Path, metavar="FILE", help="record today's findings in FILE and exit 0")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.unsafe_fixes and not (args.fix or args.diff):
        parser.error("--unsafe-fixes goes with --fix or --diff")
    if args.diff and (args.format != "text" or args.write_baseline):
        parser.error("--diff prints unified diffs: it takes neither --format nor --write-baseline")
    fix = FixMode(unsafe=args.unsafe_fixes, write=not args.diff) if args.fix or args.diff else None
    try:
        baseline = load_baseline(args.baseline) if args.baseline else None
        result = check_paths(args.paths, select=args.select, ignore=args.ignore, use_cache=not args.no_cache, fix=fix)
    except BaselineError as error:
        print(f"tradeguard: error: {error}", file=sys.stderr)
        return 2
    except ConfigError as error:
        print(f"tradeguard: config error: {error}", file=sys.stderr)
        return 2
    for path in result.missing_paths:
        print(f"tradeguard: error: {path}: no such file or folder", file=sys.stderr)
    notes = _fix_notes(result.fixes, args.diff) if fix else []
    notes_in_report = args.format == "text" and not args.diff
    for note in () if notes_in_report else notes:
        print(note, file=sys.stderr)
    if args.diff:
        diffs = "".join(unified_diff(display_path(f.path), f.before, f.after) for f in result.fixes.files)
        if not _emit(diffs, args.output):
            return 2
        return 2 if result.missing_paths else int(bool(diffs) and not args.exit_zero)
    findings = sorted([*result.findings, *secret_findings_in_files(result.checked, not args.no_cache)], key=Finding.sort_key)
    if args.write_baseline:
        try:
            write_baseline(args.write_baseline, findings)
        except OSError as error:
            print(f"tradeguard: error: cannot write {args.write_baseline}: {error.strerror}", file=sys.stderr)
            return 2
        print(f"tradeguard: recorded {_count(len(findings), 'finding')} in {args.write_baseline}", file=sys.stderr)
        return 2 if result.missing_paths else 0
    if baseline:
        findings = baseline.new_findings(findings)
    report = render(findings, args.format)
    if args.format == "text" and findings:
        report += f"Found {_count(len(findings), 'finding')}.\n"
    if notes_in_report:
        report += "".join(f"{note}\n" for note in notes)
    if not _emit(report, args.output):
        return 2
    if result.missing_paths:
        return 2
    return 1 if findings and not args.exit_zero else 0


def _emit(report: str, output: Path | None) -> bool:
    if output is None:
        sys.stdout.write(report)
        return True
    try:
        output.write_text(report, encoding="utf-8")
    except OSError as error:
        print(f"tradeguard: error: cannot write {output}: {error.strerror}", file=sys.stderr)
        return False
    return True


def _fix_notes(fixes: FixReport, diff: bool) -> list[str]:
    """What a fix run says besides the findings. Each fixed file and each file a fix had to
    leave alone is named on stderr at once (the pre-commit fix hook reads the former)."""
    for path, problem in fixes.problems:
        print(f"tradeguard: {display_path(path)}: {problem}", file=sys.stderr)
    notes = []
    if not diff:
        for fixed in fixes.files:
            print(f"tradeguard: fixed {display_path(fixed.path)} ({_count(fixed.fixes, 'finding')})", file=sys.stderr)
        if fixes.files:
            notes.append(f"Fixed {_count(fixes.fixes, 'finding')} in {_count(len(fixes.files), 'file')}.")
    if fixes.unsafe_left:
        notes.append(
            f"{_count(fixes.unsafe_left, 'unsafe fix', 'unsafe fixes')} not applied (they change behaviour): "
            "review with --diff --unsafe-fixes, apply with --fix --unsafe-fixes."
        )
    return notes


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


if __name__ == "__main__":
    raise SystemExit(main())
