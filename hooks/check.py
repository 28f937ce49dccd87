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
from lint_rules.output import RENDERERS, render
from lint_rules.runner import check_paths


def _codes(value: str) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in value.split(",") if code.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradeguard check",
        description="Check Python files for orders sent around the gateway and other trading-safety problems.",
    )
    parser.add_argument("paths", nargs="*", type=Path, default=[Path(".")], help="files or folders (default: .)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text", help="output format (default: text)")
    parser.add_argument("--output", type=Path, help="write the report to this file instead of standard output")
    parser.add_argument("--select", type=_codes, help="comma-separated codes or prefixes to enable (replaces `select`)")
    parser.add_argument("--ignore", type=_codes, help="comma-separated codes or prefixes to disable (adds to `ignore`)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write .tradeguard_cache/")
    baseline = parser.add_mutually_exclusive_group()
    baseline.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings this baseline does not record")
    baseline.add_argument("--write-baseline", type=Path, metavar="FILE", help="record today's findings in FILE and exit 0")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        baseline = load_baseline(args.baseline) if args.baseline else None
        result = check_paths(args.paths, select=args.select, ignore=args.ignore, use_cache=not args.no_cache)
    except BaselineError as error:
        print(f"tradeguard: error: {error}", file=sys.stderr)
        return 2
    except ConfigError as error:
        print(f"tradeguard: config error: {error}", file=sys.stderr)
        return 2
    for path in result.missing_paths:
        print(f"tradeguard: error: {path}: no such file or folder", file=sys.stderr)
    findings = sorted([*result.findings, *secret_findings_in_files(result.checked)], key=Finding.sort_key)
    if args.write_baseline:
        try:
            write_baseline(args.write_baseline, findings)
        except OSError as error:
            print(f"tradeguard: error: cannot write {args.write_baseline}: {error.strerror}", file=sys.stderr)
            return 2
        print(f"tradeguard: recorded {len(findings)} findings in {args.write_baseline}", file=sys.stderr)
        return 2 if result.missing_paths else 0
    if baseline:
        findings = baseline.new_findings(findings)
    report = render(findings, args.format)
    if args.output:
        try:
            args.output.write_text(report, encoding="utf-8")
        except OSError as error:
            print(f"tradeguard: error: cannot write {args.output}: {error.strerror}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(report)
    if result.missing_paths:
        return 2
    return 1 if findings and not args.exit_zero else 0


if __name__ == "__main__":
    raise SystemExit(main())
